// Demo: a monitor watches two members that each send it a heartbeat
// every 10 ms; it suspects a member after 40 ms without one, looking every
// 10 ms. Member b crashes and stays down: the monitor suspects it within
// its bound. Member c is cut off by a partition for 70 ms while it keeps
// running: the monitor suspects it too — a false suspicion no timeout can
// avoid — and trusts it again when its heartbeats arrive after the heal.
//
// The cluster is simulated (package sim): the same seed gives the same
// run, and the space-time diagram under the output is drawn from it;
// hover over an arrow to see the message. Edit the script and run it
// again: a shorter partition (sim.Partition(120*ms, 150*ms, c)), a delay
// spike instead (sim.Degrade(120*ms, 160*ms, c, 0, sim.Link{Delay: sim.Fixed(60 * ms)})),
// a crash that ends (sim.Crash(60*ms, 140*ms, b)), a monitor clock 5 %
// slow (sim.Skew(0, 0, 0, -0.05)), or the φ-accrual detector
// (heartbeat.Config{Phi: 1}).
package main

import (
	"fmt"
	"strconv"
	"time"

	"github.com/lamport-kb/lamport/content/patterns/heartbeat"
	"github.com/lamport-kb/lamport/playground/picture"
	"github.com/lamport-kb/lamport/sim"
)

const ms = time.Millisecond

func main() {
	const seed = 1
	const b, c = sim.NodeID(1), sim.NodeID(2) // the monitor is 0, then b and c
	faults := []sim.Fault{
		sim.Crash(60*ms, 0, b),           // b crashes for good
		sim.Partition(120*ms, 190*ms, c), // c is cut off, and keeps running
	}
	cfg := heartbeat.Config{Interval: 10 * ms, Timeout: 40 * ms, Check: 10 * ms}
	s := sim.New(sim.Config{Seed: seed, Faults: faults, Until: 230 * ms,
		Network: sim.Link{Delay: sim.Uniform(ms, 3*ms)}})
	h := heartbeat.Simulate(s, cfg, "b", "c")
	err := s.Run()

	fmt.Printf("== heartbeats every %v, timeout %v, seed %d, faults: %v\n", cfg.Interval, cfg.Timeout, seed, faults)
	if err != nil {
		fmt.Println("  ✗ the run failed:", err)
	}
	for _, e := range s.Events() {
		if (e.Node == 0 && e.Note != "") || e.Kind == sim.EventCrash || e.Kind == sim.EventRestart || e.Kind == sim.EventPartition || e.Kind == sim.EventHeal {
			fmt.Printf("  %8v  %-9s %s\n", e.At.Round(time.Microsecond), lane(s, e), describe(e))
		}
	}
	st := h.Stats()
	fmt.Printf("  %d of %d crashed members suspected while down, the slowest %v after its crash (bound %v)\n",
		st.Detected, st.Crashes, st.Slowest.Round(time.Microsecond), cfg.DetectionBound().Round(time.Microsecond))
	fmt.Printf("  %s of a member that was up; %s trusted again\n", count(st.False, "false suspicion", "false suspicions"), count(st.Trusted, "member", "members"))
	fmt.Println(picture.Line([]byte(s.Diagram(sim.DiagramOptions{Title: "heartbeats, seed " + strconv.Itoa(seed)}))))
}

func lane(s *sim.Sim, e sim.Event) string {
	if e.Node < 0 {
		return "network"
	}
	return s.Name(e.Node)
}

func describe(e sim.Event) string {
	switch e.Kind {
	case sim.EventCrash:
		return "crashed"
	case sim.EventRestart:
		return "restarted"
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
