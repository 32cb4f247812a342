// Demo: four members run SWIM-style membership. Every 20 ms each one
// pings the next member of its shuffled list; without an ack within 7 ms
// it asks three others to ping the target for it, and without any ack by
// the end of the period it suspects the target. A suspicion that nobody
// refutes within 80 ms becomes a death. Every change rides on the pings
// and acks, and a full-view exchange runs every 100 ms.
//
// Member d crashes for good: watch the suspicion, then the dead notice,
// reach every member. Then a partition cuts a off from the rest for
// 120 ms, longer than the suspicion timeout: each side declares the other
// dead. After the heal, every member that hears it was declared dead
// refutes by raising its incarnation number, and the views agree again.
// The cluster is small and the run short so that the diagram draws every
// event and stays light; add members to names to see the spread take
// more rounds.
//
// The cluster is simulated (package sim): the same seed gives the same
// run, and the space-time diagram under the output is drawn from it;
// hover over an arrow to see the message and the updates it carries. Edit
// the script and run it again: a partition shorter than the suspicion
// timeout (sim.Partition(80*ms, 130*ms, a)), a lossy link instead
// (sim.Degrade(80*ms, 200*ms, a, c, sim.Link{Delay: sim.Uniform(ms, 3*ms), Loss: 0.8})),
// no indirect probes (IndirectChecks: -1 in the Config), or d back at
// 150 ms (sim.Crash(10*ms, 150*ms, d)).
package main

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/lamport-kb/lamport/content/patterns/gossip"
	"github.com/lamport-kb/lamport/playground/picture"
	"github.com/lamport-kb/lamport/sim"
)

const ms = time.Millisecond

func main() {
	const seed = 1
	names := []string{"a", "b", "c", "d"}
	const a, c, d = sim.NodeID(0), sim.NodeID(2), sim.NodeID(3)
	faults := []sim.Fault{
		sim.Crash(10*ms, 0, d),          // d crashes for good
		sim.Partition(80*ms, 200*ms, a), // a is cut off, and keeps running
	}
	cfg := gossip.Config{ProbeInterval: 20 * ms, PushPullInterval: 100 * ms} // the rest: the defaults
	s := sim.New(sim.Config{Seed: seed, Faults: faults, Until: 280 * ms,
		Network: sim.Link{Delay: sim.Uniform(ms, 3*ms)}})
	hist := gossip.Simulate(s, cfg, names...)
	err := s.Run()

	fmt.Printf("== %d members, a probe every %v, suspicion timeout %v, seed %d\n", len(names), cfg.ProbeInterval, cfg.SuspicionTimeout(len(names)), seed)
	fmt.Printf("   faults: %v\n", faults)
	if err != nil {
		fmt.Println("  ✗ the run failed:", err)
	}
	for _, line := range story(s, hist) {
		fmt.Println(line.text)
	}
	summary(s, hist, cfg, len(names))
	fmt.Println(picture.Line([]byte(s.Diagram(sim.DiagramOptions{MaxRows: len(s.Events()), Title: "SWIM membership, seed " + strconv.Itoa(seed)}))))
}

// line is one line of the story, at the time it happened.
type line struct {
	at   time.Duration
	text string
}

// story is the run told from its faults and from every update's spread:
// who held it first, and when the last member that came to hold it did.
func story(s *sim.Sim, hist *gossip.History) []line {
	var out []line
	for _, e := range s.Events() {
		switch e.Kind {
		case sim.EventCrash:
			out = append(out, line{e.At, fmt.Sprintf("  %9v  %s crashed", at(e.At), s.Name(e.Node))})
		case sim.EventRestart:
			out = append(out, line{e.At, fmt.Sprintf("  %9v  %s restarted", at(e.At), s.Name(e.Node))})
		case sim.EventPartition, sim.EventHeal:
			out = append(out, line{e.At, fmt.Sprintf("  %9v  %s %s", at(e.At), e.Kind, e.Note)})
		}
	}
	type spread struct {
		first, last time.Duration
		by          string
		holders     map[sim.NodeID]bool
	}
	var order []gossip.Update
	spreads := map[gossip.Update]*spread{}
	for _, c := range hist.Changes() {
		if c.Observer == c.Update.Node {
			out = append(out, line{c.At, fmt.Sprintf("  %9v  %s refutes: alive@%d", at(c.At), c.Update.Name, c.Update.Incarnation)})
			continue
		}
		sp, ok := spreads[c.Update]
		if !ok {
			sp = &spread{first: c.At, by: s.Name(c.Observer), holders: map[sim.NodeID]bool{}}
			spreads[c.Update] = sp
			order = append(order, c.Update)
		}
		sp.holders[c.Observer] = true
		sp.last = c.At
	}
	for _, u := range order {
		sp := spreads[u]
		out = append(out, line{sp.first, fmt.Sprintf("  %9v  %-11s first at %s; %s held it by %v",
			at(sp.first), u, sp.by, count(len(sp.holders), "member", "members"), at(sp.last))})
	}
	slices.SortStableFunc(out, func(x, y line) int { return int(x.at - y.at) })
	return out
}

// summary checks the views at the end and counts the messages.
func summary(s *sim.Sim, hist *gossip.History, cfg gossip.Config, n int) {
	if err := hist.Converged(s); err != nil {
		fmt.Printf("  at %v the views still differ: %v\n", at(s.Now()), err)
	} else {
		for _, id := range s.Nodes() {
			if m, ok := s.Handler(id).(*gossip.Member); ok {
				var entries []string
				for _, u := range m.View() {
					entries = append(entries, u.String())
				}
				fmt.Printf("  at %v every live member holds the same view: %s\n", at(s.Now()), strings.Join(entries, ", "))
				break
			}
		}
	}
	st := hist.Stats()
	periods := float64(s.Now()) / float64(cfg.ProbeInterval)
	fmt.Printf("  view entries that turned suspect: %d; dead: %d (%d of them about members that were up); refutations: %d\n",
		st.Suspicions, st.Deaths, st.FalseDeaths, st.Refutations)
	fmt.Printf("  %d messages, %.1f per member per period\n", len(s.Messages()), float64(len(s.Messages()))/periods/float64(n))
}

// at rounds a time for the story.
func at(t time.Duration) time.Duration { return t.Round(100 * time.Microsecond) }

func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}
