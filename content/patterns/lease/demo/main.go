// Demo: clients A and B share a lease of 30 ms from a grantor. Every
// clock may drift by 10 %, so a holder trusts a grant for only
// 30 · 0.9 / 1.1 ≈ 24.5 ms of its own time, counted from when it asked;
// here the grantor's clock runs 10 % fast and A's 10 % slow, the worst
// the margin allows. A takes the lease and renews it; then a partition
// cuts A off. Its renewals are lost, it stops trusting the lease by its
// own timer, the grantor's timer frees it later, and only then does B
// take it: at no instant do two clients believe they hold it.
//
// The cluster is simulated (package sim): the same seed gives the same
// run, and the space-time diagram under the output is drawn from it;
// hover over an arrow to see the message. Edit the script and run it
// again: a clock jump on A (sim.Skew(50*ms, a, -20*ms, 0), which changes
// nothing: leases are timed, not read from the wall clock), a crash of
// the grantor (sim.Crash(60*ms, 70*ms, 0)), a slow link from the grantor
// to A (sim.Degrade(20*ms, 90*ms, 0, a, sim.Link{Delay: sim.Fixed(8 * ms)})),
// or a margin too small for these clocks (lease.Config{MaxDrift: 0.02}):
// the grantor then frees the lease while A still trusts it, and only B's
// late retry keeps the two from overlapping.
package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/lamport-kb/lamport/content/patterns/lease"
	"github.com/lamport-kb/lamport/playground/picture"
	"github.com/lamport-kb/lamport/sim"
)

const ms = time.Millisecond

func main() {
	const seed = 1
	const a, b = sim.NodeID(1), sim.NodeID(2) // the grantor is 0, then the clients
	faults := []sim.Fault{
		sim.Skew(0, 0, 0, 0.1),          // the grantor's clock 10 % fast
		sim.Skew(0, a, 0, -0.1),         // A's clock 10 % slow
		sim.Partition(40*ms, 110*ms, a), // A cut off while it holds the lease
	}
	cfg := lease.Config{TTL: 30 * ms, MaxDrift: 0.1, Renewals: 8, Rest: 20 * ms}
	s := sim.New(sim.Config{Seed: seed, Faults: faults, Until: 160 * ms,
		Network: sim.Link{Delay: sim.Uniform(ms, 2*ms)}})
	h := lease.Simulate(s, cfg, "A", "B")
	err := s.Run()

	fmt.Printf("== a lease of %v, trusted for %v (ρ = %g), seed %d, faults: %v\n",
		cfg.TTL, lease.Trust(cfg.TTL, cfg.MaxDrift).Round(time.Microsecond), cfg.MaxDrift, seed, faults)
	if err != nil {
		fmt.Println("  ✗ the run failed:", err)
	}
	for _, e := range s.Events() {
		if e.Note != "" && e.Node >= 0 && e.Kind != sim.EventSkew {
			fmt.Printf("  %9v  %-7s %s\n", e.At.Round(time.Microsecond), s.Name(e.Node), e.Note)
		}
	}
	st := h.Stats()
	fmt.Printf("  %d holdings, %d handovers\n", st.Holdings, st.Handovers)
	fmt.Println(" ", handover(s, a, b))
	fmt.Println(picture.Line([]byte(s.Diagram(sim.DiagramOptions{Title: "a lease, seed " + strconv.Itoa(seed)}))))
}

// handover tells, from the trace, when A stopped trusting the lease, when
// the grantor freed it and when B took it.
func handover(s *sim.Sim, a, b sim.NodeID) string {
	stopped, freed, took := find(s, a, "stops trusting", 0), find(s, 0, "A's lease expired", 0), time.Duration(-1)
	if stopped >= 0 {
		took = find(s, b, "holds the lease", stopped)
	}
	if stopped < 0 || freed < 0 || took < 0 {
		return "A never lost the lease to B in this run"
	}
	return fmt.Sprintf("A stopped trusting at %v, the grantor freed the lease at %v, B took it at %v: %v with no holder",
		stopped.Round(time.Microsecond), freed.Round(time.Microsecond), took.Round(time.Microsecond), (took - stopped).Round(time.Microsecond))
}

// find returns the time of the first note of node containing text at or
// after from, or -1.
func find(s *sim.Sim, node sim.NodeID, text string, from time.Duration) time.Duration {
	for _, e := range s.Events() {
		if e.Node == node && e.At >= from && strings.Contains(e.Note, text) {
			return e.At
		}
	}
	return -1
}
