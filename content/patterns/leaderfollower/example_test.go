package leaderfollower_test

import (
	"fmt"
	"time"

	lf "github.com/lamport-kb/lamport/content/patterns/leaderfollower"
	"github.com/lamport-kb/lamport/sim"
)

// How many followers' answers the operator waits for before it promotes
// one, in a cluster of three and of five replicas.
func ExampleFenceQuorum() {
	for _, n := range []int{3, 5} {
		for k := range n {
			fmt.Printf("N=%d, k=%d followers acknowledge: wait for %d of %d; every acknowledged write covered: %v\n",
				n, k, lf.FenceQuorum(n, k), n-1, lf.Covered(n, k, lf.FenceQuorum(n, k)))
		}
	}
	// Output:
	// N=3, k=0 followers acknowledge: wait for 2 of 2; every acknowledged write covered: false
	// N=3, k=1 followers acknowledge: wait for 2 of 2; every acknowledged write covered: true
	// N=3, k=2 followers acknowledge: wait for 1 of 2; every acknowledged write covered: true
	// N=5, k=0 followers acknowledge: wait for 4 of 4; every acknowledged write covered: false
	// N=5, k=1 followers acknowledge: wait for 4 of 4; every acknowledged write covered: true
	// N=5, k=2 followers acknowledge: wait for 3 of 4; every acknowledged write covered: true
	// N=5, k=3 followers acknowledge: wait for 2 of 4; every acknowledged write covered: true
	// N=5, k=4 followers acknowledge: wait for 1 of 4; every acknowledged write covered: true
}

// The operator promotes the answer with the latest last epoch, then the
// longest log: C's shorter log of epoch 2 beats B's longer one of epoch 1.
func ExampleBest() {
	best := lf.Best([]lf.Candidate{
		{Node: 1, Last: lf.Pos{Index: 9, Epoch: 1}},
		{Node: 2, Last: lf.Pos{Index: 7, Epoch: 2}},
		{Node: 3, Last: lf.Pos{Index: 7, Epoch: 2}},
	})
	fmt.Println("promote node", best.Node, "at", best.Last)
	// Output: promote node 2 at e2#7
}

// The leader acknowledges writes its followers never receive, crashes, and
// the operator fails over: under asynchronous replication the new leader
// lacks what the old one acknowledged; under semi-synchronous replication
// those writes were never acknowledged.
func Example() {
	const ms = time.Millisecond
	for _, mode := range []lf.Mode{lf.Async, lf.SemiSync} {
		s := sim.New(sim.Config{Seed: 7, Until: 90 * ms, Network: sim.Link{Delay: sim.Uniform(ms/2, 2*ms)},
			Faults: []sim.Fault{sim.OneWay(14*ms, 45*ms, 0, 1), sim.OneWay(14*ms, 45*ms, 0, 2), sim.Crash(24*ms, 50*ms, 0)}})
		h, _ := lf.Simulate(s, lf.Config{Mode: mode, Failovers: []time.Duration{30 * ms}, Ops: 6, Every: 3 * ms}, "x", "y")
		if err := s.Run(); err != nil {
			fmt.Println(err)
		}
		st := h.Stats()
		fmt.Printf("%v: %d acknowledged, %d lost at the failover\n", mode, st.Acked, st.Lost)
	}
	// Output:
	// asynchronous: 7 acknowledged, 2 lost at the failover
	// semi-synchronous: 7 acknowledged, 0 lost at the failover
}
