package gossip_test

import (
	"fmt"
	"time"

	"github.com/lamport-kb/lamport/content/patterns/gossip"
	"github.com/lamport-kb/lamport/sim"
)

// The merge rule: a higher incarnation wins; at the same incarnation dead
// beats suspect beats alive.
func ExampleUpdate_Supersedes() {
	suspect := gossip.Update{Name: "c", State: gossip.Suspect, Incarnation: 1}
	refuted := gossip.Update{Name: "c", State: gossip.Alive, Incarnation: 2}
	stale := gossip.Update{Name: "c", State: gossip.Alive, Incarnation: 1}
	dead := gossip.Update{Name: "c", State: gossip.Dead, Incarnation: 1}
	fmt.Println(refuted, "supersedes", suspect, ":", refuted.Supersedes(suspect))
	fmt.Println(stale, "supersedes", suspect, ":", stale.Supersedes(suspect))
	fmt.Println(dead, "supersedes", suspect, ":", dead.Supersedes(suspect))
	// Output:
	// c alive@2 supersedes c suspect@1 : true
	// c alive@1 supersedes c suspect@1 : false
	// c dead@1 supersedes c suspect@1 : true
}

// Five members; e crashes at 30 ms and stays down. Every other member
// suspects it, then declares it dead.
func ExampleSimulate() {
	const ms = time.Millisecond
	s := sim.New(sim.Config{Seed: 7, Until: 300 * ms, Faults: []sim.Fault{sim.Crash(30*ms, 0, 4)},
		Network: sim.Link{Delay: sim.Uniform(ms, 3*ms)}})
	h := gossip.Simulate(s, gossip.Config{}, "a", "b", "c", "d", "e")
	if err := s.Run(); err != nil {
		fmt.Println(err)
	}
	for _, c := range h.Changes() {
		if c.Update.State == gossip.Dead {
			fmt.Printf("%v: %s holds %v\n", c.At.Round(ms), s.Name(c.Observer), c.Update)
		}
	}
	fmt.Println("converged:", h.Converged(s) == nil)
	// Output:
	// 151ms: b holds e dead@0
	// 152ms: a holds e dead@0
	// 153ms: c holds e dead@0
	// 155ms: d holds e dead@0
	// converged: true
}
