// Demo: three candidates elect a leader through a store that gives a
// 30 ms leader lease and a term, increased durably at every new leader.
// n1 wins term 1 and renews its lease; then a partition cuts n1 off. Its
// renewals are lost, and it steps down by its own timer, before the
// store's lease runs out; only then is another candidate elected, with
// term 2. When the partition heals, n1 campaigns again and is refused:
// term 2 has a leader. Every term had one leader, and no two candidates
// led at the same instant.
//
// The cluster is simulated (package sim): the same seed gives the same
// run, and the space-time diagram under the output is drawn from it;
// hover over an arrow to see the message. Edit the script and run it
// again: a crash of the store (sim.Crash(70*ms, 80*ms, 0): it keeps its
// term on disk and waits one lease before electing), a crash of the
// leader instead of the partition (sim.Crash(40*ms, 0, n1)), clocks that
// drift (sim.Skew(0, n1, 0, -0.1)), or a partition that leaves n1 with
// the store (sim.Partition(40*ms, 130*ms, 2, 3)).
package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/lamport-kb/lamport/content/patterns/leaderelection"
	"github.com/lamport-kb/lamport/playground/picture"
	"github.com/lamport-kb/lamport/sim"
)

const ms = time.Millisecond

func main() {
	const seed = 1
	const n1 = sim.NodeID(1) // the store is 0, then n1, n2, n3
	faults := []sim.Fault{
		sim.Partition(40*ms, 130*ms, n1), // the leader cut off from everyone
	}
	cfg := leaderelection.Config{TTL: 30 * ms, MaxDrift: 0.1}
	s := sim.New(sim.Config{Seed: seed, Faults: faults, Until: 150 * ms,
		Network: sim.Link{Delay: sim.Uniform(ms, 2*ms)}})
	h := leaderelection.Simulate(s, cfg, "n1", "n2", "n3")
	err := s.Run()

	fmt.Printf("== a leader lease of %v, trusted for %v, seed %d, faults: %v\n",
		cfg.TTL, leaderelection.Trust(cfg.TTL, cfg.MaxDrift).Round(time.Microsecond), seed, faults)
	if err != nil {
		fmt.Println("  ✗ the run failed:", err)
	}
	for _, e := range s.Events() {
		if e.Note != "" && (e.Node >= 0 || e.Kind == sim.EventPartition || e.Kind == sim.EventHeal) {
			fmt.Printf("  %9v  %-7s %s\n", e.At.Round(time.Microsecond), lane(s, e), describe(e))
		}
	}
	st := h.Stats()
	fmt.Printf("  %d terms, each with one leader (%s); %s\n", st.Terms, leaders(s, h, st.Terms), count(st.StepDowns, "step-down", "step-downs"))
	fmt.Println(" ", handover(s))
	fmt.Println(picture.Line([]byte(s.Diagram(sim.DiagramOptions{Title: "leader election, seed " + strconv.Itoa(seed)}))))
}

func lane(s *sim.Sim, e sim.Event) string {
	if e.Node < 0 {
		return "network"
	}
	return s.Name(e.Node)
}

func describe(e sim.Event) string {
	switch e.Kind {
	case sim.EventPartition:
		return "partition " + e.Note
	case sim.EventHeal:
		return "healed " + e.Note
	}
	return e.Note
}

func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// leaders lists each term's leader, from the history.
func leaders(s *sim.Sim, h *leaderelection.History, terms int) string {
	var out []string
	for t := range terms {
		if id, ok := h.Leader(leaderelection.Term(t + 1)); ok {
			out = append(out, fmt.Sprintf("term %d: %s", t+1, s.Name(id)))
		}
	}
	return strings.Join(out, ", ")
}

// handover tells, from the trace, when the first leader stepped down and
// when term 2 began.
func handover(s *sim.Sim) string {
	down, next := time.Duration(-1), time.Duration(-1)
	for _, e := range s.Events() {
		if down < 0 && strings.Contains(e.Note, "steps down from term 1") {
			down = e.At
		}
		if next < 0 && strings.Contains(e.Note, "leader of term 2") {
			next = e.At
		}
	}
	if down < 0 || next < 0 {
		return "the first leader kept its term for the whole run"
	}
	return fmt.Sprintf("the leader of term 1 stepped down at %v; term 2's leader began at %v, %v later",
		down.Round(time.Microsecond), next.Round(time.Microsecond), (next - down).Round(time.Microsecond))
}
