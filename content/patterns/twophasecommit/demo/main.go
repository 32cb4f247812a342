// Demo: a coordinator runs four transactions over participants A, B and
// C with two-phase commit. In the second, the coordinator crashes after
// the participants have voted yes and before it has logged a decision:
// they are prepared, in doubt, and may not decide alone, so they wait,
// asking it again every 10 ms, until it restarts, finds the transaction
// begun and undecided in its log, and aborts it.
//
// The cluster is simulated (package sim): the same seed gives the same run
// every time, and the space-time diagram under the output is drawn from
// it; hover over an arrow to see the message. Edit the fault script or the
// seed and run it again: try sim.Crash(23*ms, 0, coord) (the coordinator
// never comes back: the participants wait for ever), a crash of a
// participant (sim.Crash(20*ms, 60*ms, b)), or sim.Partition(30*ms, 80*ms, c).
package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/lamport-kb/lamport/content/patterns/twophasecommit"
	"github.com/lamport-kb/lamport/playground/picture"
	"github.com/lamport-kb/lamport/sim"
)

const ms = time.Millisecond

func main() {
	const seed = 4
	const coord = sim.NodeID(0) // participants A, B, C are nodes 1, 2, 3
	faults := []sim.Fault{      // the fault script
		sim.Crash(23*ms, 90*ms, coord), // the coordinator crashes, and restarts at 90 ms
	}
	s := sim.New(sim.Config{Seed: seed, Faults: faults, Until: time.Second,
		Network: sim.Link{Delay: sim.Uniform(3*ms, 6*ms)}})
	h := twophasecommit.Simulate(s, twophasecommit.Config{Txns: 4, NoVotes: 0.2}, "A", "B", "C")
	err := s.Run()

	fmt.Printf("== two-phase commit, seed %d, faults: %v\n", seed, faults)
	if err != nil {
		fmt.Println("  ✗ the run failed:", err)
	}
	participants := []sim.NodeID{1, 2, 3}
	for _, t := range h.Begun() {
		fmt.Println(" ", outcome(s, h, t, participants))
	}
	for _, e := range s.Events() {
		if e.Kind == sim.EventCrash && e.Node == coord {
			fmt.Println(" ", inDoubt(s, e, participants))
		}
		if e.Kind == sim.EventRestart && e.Node == coord {
			fmt.Printf("  %v the coordinator restarted and read its log: %s\n", e.At, e.Note)
		}
	}
	if err := h.Complete(participants); err != nil {
		fmt.Println("  ✗ not every participant reached the decision:", err)
	} else {
		fmt.Println("  atomicity held: every transaction committed everywhere or aborted everywhere")
	}
	fmt.Println(picture.Line([]byte(s.Diagram(sim.DiagramOptions{Title: fmt.Sprintf("two-phase commit, seed %d", seed)}))))
}

// outcome tells a transaction's votes and decision.
func outcome(s *sim.Sim, h *twophasecommit.History, t twophasecommit.Txn, ps []sim.NodeID) string {
	var votes []string
	for _, m := range s.Messages() {
		if v, ok := m.Payload.(twophasecommit.Vote); ok && v.Txn == t && !m.Copy {
			word := "no"
			if v.Yes {
				word = "yes"
			}
			if m.Fate != sim.Delivered {
				word += " (" + m.Fate.String() + ")"
			}
			votes = append(votes, s.Name(m.From)+" "+word)
		}
	}
	var at []string
	for _, p := range ps {
		at = append(at, fmt.Sprintf("%s %v", s.Name(p), h.Outcome(p, t)))
	}
	return fmt.Sprintf("T%d: votes %s; coordinator: %v; participants: %s",
		t, strings.Join(votes, ", "), h.Decision(t), strings.Join(at, ", "))
}

// inDoubt tells how long each participant prepared at the crash waited,
// and how many of its queries went unanswered.
func inDoubt(s *sim.Sim, crash sim.Event, ps []sim.NodeID) string {
	var parts []string
	for _, p := range ps {
		prepared, decided, lost := false, time.Duration(0), 0
		for _, e := range s.Events() {
			if e.Node != p {
				continue
			}
			if e.At <= crash.At && strings.HasPrefix(e.Note, "prepared") {
				prepared = true
			}
			if prepared && e.At > crash.At && decided == 0 && (strings.HasSuffix(e.Note, "aborted") || strings.HasSuffix(e.Note, "committed")) {
				decided = e.At
			}
		}
		for _, m := range s.Messages() {
			if _, ok := m.Payload.(twophasecommit.Query); ok && m.From == p && m.Fate == sim.Dead {
				lost++
			}
		}
		if prepared && decided > 0 {
			parts = append(parts, fmt.Sprintf("%s waited %v (%d queries to a dead coordinator)", s.Name(p), (decided-crash.At).Round(100*time.Microsecond), lost))
		}
	}
	if len(parts) == 0 {
		return fmt.Sprintf("the coordinator crashed at %v with no participant in doubt", crash.At)
	}
	return fmt.Sprintf("the coordinator crashed at %v; prepared and blocked: %s", crash.At, strings.Join(parts, "; "))
}
