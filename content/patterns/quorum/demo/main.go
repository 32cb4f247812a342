// Demo: a register replicated on three replicas, A, B and C, with read
// and write quorums of two (R + W > N), used by two clients, x and y,
// while C crashes and comes back and A is later cut off. Every operation
// takes two rounds: a query to R replicas, then a store to W replicas (a
// write stores its value with a higher version, a read writes back the
// newest value it saw: read repair). Then the same script runs with
// quorums of one (R + W ≤ N), and reads miss completed writes.
//
// The cluster is simulated (package sim): the same seed gives the same run
// every time, and the space-time diagram under the output is drawn from
// the first run; hover over an arrow to see the message. Edit the fault
// script, the quorums or the seed and run it again: try
// sim.Crash(15*ms, 0, c) (C never comes back), a second crash while C is
// down (no write quorum is left, and clients wait), or N: 5, R: 3, W: 3.
package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/lamport-kb/lamport/content/patterns/quorum"
	"github.com/lamport-kb/lamport/playground/picture"
	"github.com/lamport-kb/lamport/sim"
)

const ms = time.Millisecond

func main() {
	const seed = 27
	const a, c = sim.NodeID(0), sim.NodeID(2) // replicas A, B, C are nodes 0, 1, 2
	faults := []sim.Fault{                    // the fault script
		sim.Crash(15*ms, 60*ms, c),      // C crashes, and restarts at 60 ms
		sim.Partition(80*ms, 120*ms, a), // A is cut off from everyone
	}
	strict := run(seed, faults, quorum.Config{N: 3, R: 2, W: 2})
	run(seed, faults, quorum.Config{N: 3, R: 1, W: 1})
	fmt.Println(picture.Line([]byte(strict.Diagram(sim.DiagramOptions{Title: fmt.Sprintf("quorum register N=3 R=2 W=2, seed %d", seed)}))))
}

// run simulates the register with cfg under faults and tells what happened.
func run(seed uint64, faults []sim.Fault, cfg quorum.Config) *sim.Sim {
	s := sim.New(sim.Config{Seed: seed, Faults: faults, Network: sim.Link{Delay: sim.Uniform(ms, 8*ms)}})
	if _, err := quorum.Simulate(s, cfg, "x", "y"); err != nil {
		fmt.Println("  ✗", err)
		return s
	}
	err := s.Run()
	fmt.Printf("== %v (%s), seed %d, faults: %v\n", cfg, overlap(cfg), seed, faults)
	if err != nil {
		fmt.Println("  ✗ the run failed:", err)
	}
	fmt.Println(" ", operations(s.History()))
	for _, e := range s.Events() {
		switch e.Kind {
		case sim.EventCrash:
			fmt.Println(" ", downtime(s, e))
		case sim.EventPartition:
			fmt.Println(" ", cutOff(s, e))
		}
	}
	fmt.Println(" ", repairs(s))
	verdict(s.History())
	return s
}

// overlap says how the quorums meet.
func overlap(cfg quorum.Config) string {
	if k := quorum.Overlap(cfg.N, cfg.R, cfg.W); k > 0 {
		return fmt.Sprintf("R + W > N: every read quorum meets every write quorum in at least %d replica", k)
	}
	return "R + W ≤ N: a read quorum can miss a write quorum entirely"
}

// operations counts the history's reads and writes.
func operations(h []sim.Op) string {
	writes, reads, pending := 0, 0, 0
	for _, op := range h {
		switch {
		case !op.Done:
			pending++
		case op.Input.(quorum.Input).Write:
			writes++
		default:
			reads++
		}
	}
	return fmt.Sprintf("%d operations: %d writes and %d reads completed, %d never returned", len(h), writes, reads, pending)
}

// window is when a fault's effect ended: the restart or heal that follows.
func window(s *sim.Sim, start sim.Event, end sim.EventKind) time.Duration {
	for _, e := range s.Events()[start.Seq:] {
		if e.Kind == end && e.Fault == start.Fault {
			return e.At
		}
	}
	return s.Now()
}

// completedIn counts the operations that completed between from and to.
func completedIn(h []sim.Op, from, to time.Duration) (writes, reads int) {
	for _, op := range h {
		if op.Done && op.Return >= from && op.Return < to {
			if op.Input.(quorum.Input).Write {
				writes++
			} else {
				reads++
			}
		}
	}
	return writes, reads
}

// ops counts writes and reads in words.
func ops(writes, reads int) string {
	return plural(writes, "write") + " and " + plural(reads, "read")
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

func downtime(s *sim.Sim, crash sim.Event) string {
	end := window(s, crash, sim.EventRestart)
	w, r := completedIn(s.History(), crash.At, end)
	return fmt.Sprintf("%s was down from %v to %v: %s completed without it", s.Name(crash.Node), crash.At, end, ops(w, r))
}

func cutOff(s *sim.Sim, p sim.Event) string {
	end := window(s, p, sim.EventHeal)
	w, r := completedIn(s.History(), p.At, end)
	return fmt.Sprintf("partition %s from %v to %v: %s completed on the majority side", p.Note, p.At, end, ops(w, r))
}

// repairs counts the replicas that a read's write-back brought up to date.
func repairs(s *sim.Sim) string {
	count := map[string]int{}
	var names []string
	for _, e := range s.Events() {
		if strings.HasPrefix(e.Note, "repaired to") {
			name := s.Name(e.Node)
			if count[name] == 0 {
				names = append(names, name)
			}
			count[name]++
		}
	}
	if len(names) == 0 {
		return "read repair updated no replica: every read found its quorum up to date"
	}
	var parts []string
	for _, n := range names {
		parts = append(parts, fmt.Sprintf("%s %d×", n, count[n]))
	}
	return "read repair brought stale replicas up to date: " + strings.Join(parts, ", ")
}

// verdict checks the history: reads that missed a completed write, and
// linearizability (porcupine).
func verdict(h []sim.Op) {
	stale := quorum.StaleReads(h)
	if len(stale) == 0 {
		fmt.Println("  every read returned the latest completed write or a newer one")
	} else {
		fmt.Printf("  ✗ %d of the reads missed a completed write; the first: %v\n", len(stale), stale[0])
	}
	if err := quorum.Linearizable(h, time.Second); err != nil {
		fmt.Println("  ✗ porcupine: the history is not linearizable")
	} else {
		fmt.Println("  porcupine: the history is linearizable")
	}
}
