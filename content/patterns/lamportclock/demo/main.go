// Demo: three processes stamp their events with Lamport clocks while the
// network misbehaves: A is cut off for a while, and B crashes and comes
// back. Each process makes a few events of its own (most of them sends to
// a random peer) and stamps every receipt one past the larger of its clock
// and the message's timestamp.
//
// The cluster is simulated (package sim): the same seed gives the same run
// every time, and the space-time diagram under the output is drawn from
// it; hover over an arrow to see the message. Edit the fault script or the
// seed and run it again: try sim.Crash(45*ms, 0, b) (B never comes back),
// sim.OneWay(20*ms, 60*ms, a, c), a lossy network, or Window: 1.
package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/lamport-kb/lamport/content/patterns/lamportclock"
	"github.com/lamport-kb/lamport/playground/picture"
	"github.com/lamport-kb/lamport/sim"
)

const ms = time.Millisecond

func main() {
	const seed = 7
	const a, b, c = sim.NodeID(0), sim.NodeID(1), sim.NodeID(2)
	faults := []sim.Fault{ // the fault script
		sim.Partition(30*ms, 70*ms, a), // A is cut off from B and C
		sim.Crash(45*ms, 80*ms, b),     // B crashes, and restarts at 80 ms
	}
	s := sim.New(sim.Config{Seed: seed, Faults: faults,
		Network: sim.Link{Delay: sim.Uniform(2*ms, 12*ms)}})
	log := lamportclock.Simulate(s, lamportclock.Config{Events: 6, Window: 5}, "A", "B", "C")
	err := s.Run()

	fmt.Printf("== three processes, seed %d, faults: %v\n", seed, faults)
	if err != nil {
		fmt.Println("  ✗ the run failed:", err)
	}
	fmt.Println(" ", messages(s))
	for _, e := range s.Events() {
		switch e.Kind {
		case sim.EventPartition:
			fmt.Println(" ", alone(s, e))
		case sim.EventCrash:
			fmt.Println(" ", crashed(s, e))
		}
	}
	causal, concurrent := log.Pairs()
	if err := log.ClockCondition(); err != nil {
		fmt.Println("  ✗ the clock condition broke:", err)
	} else {
		fmt.Printf("  the clock condition held for all %d pairs a → b: C(a) < C(b) each time\n", causal)
	}
	fmt.Printf("  %d pairs were concurrent, yet the clock ranks them all: %s\n", concurrent, example(s, log))
	fmt.Println("  the total order (C.process) of the first events:", first(s, log, 12))
	fmt.Println(picture.Line([]byte(s.Diagram(sim.DiagramOptions{Title: "Lamport clocks, seed " + strconv.Itoa(seed)}))))
}

// messages counts what became of the messages.
func messages(s *sim.Sim) string {
	fates := map[sim.Fate]int{}
	for _, m := range s.Messages() {
		fates[m.Fate]++
	}
	return fmt.Sprintf("%d messages: %d delivered, %d cut by a partition, %d dropped at a node that was down",
		len(s.Messages()), fates[sim.Delivered], fates[sim.Cut], fates[sim.Dead])
}

// alone tells how the clocks ran while a partition lasted.
func alone(s *sim.Sim, start sim.Event) string {
	end := s.Now()
	for _, e := range s.Events()[start.Seq:] {
		if e.Kind == sim.EventHeal && e.Fault == start.Fault {
			end = e.At
			break
		}
	}
	var parts []string
	for _, n := range s.Nodes() {
		from, to, ok := clockSpan(s, n, start.At, end)
		if ok {
			parts = append(parts, fmt.Sprintf("%s %d → %d", s.Name(n), from, to))
		}
	}
	return fmt.Sprintf("partition %s from %v to %v: every clock ran on with no coordination (%s)",
		start.Note, start.At, end, strings.Join(parts, ", "))
}

// clockSpan is a node's clock before the window and at its end.
func clockSpan(s *sim.Sim, n sim.NodeID, from, to time.Duration) (int, int, bool) {
	before, last, seen := 0, 0, false
	for _, e := range s.Events() {
		if e.Node != n || e.Clock == "" || e.At > to {
			continue
		}
		v, _ := strconv.Atoi(e.Clock)
		if e.At < from {
			before = v
		} else {
			seen = true
		}
		last = v
	}
	return before, last, seen
}

// crashed tells what a crash cost the node's clock.
func crashed(s *sim.Sim, crash sim.Event) string {
	before, restored, next := "", "", ""
	for _, e := range s.Events() {
		if e.Node != crash.Node || e.Clock == "" {
			continue
		}
		switch {
		case e.Seq < crash.Seq:
			before = e.Clock
		case e.Kind == sim.EventRestart && restored == "":
			restored = e.Clock
		case restored != "" && next == "":
			next = e.Clock
		}
	}
	name := s.Name(crash.Node)
	if restored == "" {
		return fmt.Sprintf("%s crashed at %v with its clock at %s, and stayed down", name, crash.At, before)
	}
	return fmt.Sprintf("%s crashed at %v with its clock at %s; it restarted at the ceiling it had synced, %s, so its next event got %s, after all of its earlier ones",
		name, crash.At, before, restored, next)
}

// example names the first concurrent pair that the clock orders.
func example(s *sim.Sim, log *lamportclock.Log) string {
	for j := range log.Events {
		for i := range j {
			a, b := log.Events[i], log.Events[j]
			if log.Concurrent(i, j) && a.Time < b.Time && a.Process != b.Process {
				return fmt.Sprintf("%s's %s at C=%d comes before %s's %s at C=%d, though neither could have caused the other",
					s.Name(sim.NodeID(a.Process)), a.Kind, a.Time, s.Name(sim.NodeID(b.Process)), b.Kind, b.Time)
			}
		}
	}
	return "none here"
}

// first lists the first n events of the total order.
func first(s *sim.Sim, log *lamportclock.Log, n int) string {
	var out []string
	for _, i := range log.Order()[:min(n, len(log.Events))] {
		e := log.Events[i]
		out = append(out, fmt.Sprintf("%d.%s", e.Time, s.Name(sim.NodeID(e.Process))))
	}
	return strings.Join(out, " ")
}
