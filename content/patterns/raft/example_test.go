package raft_test

import (
	"fmt"
	"time"

	"github.com/lamport-kb/lamport/content/patterns/raft"
	"github.com/lamport-kb/lamport/sim"
)

// A three-server cluster whose first leader, s1, is cut off from the
// others between 400 and 900 ms: s3 leads term 2, the client's six
// operations all complete, and s1 steps down when the partition heals.
func ExampleSimulate() {
	const ms = time.Millisecond
	s := sim.New(sim.Config{Seed: 4, Until: 1500 * ms,
		Faults:  []sim.Fault{sim.Partition(400*ms, 900*ms, 0)},
		Network: sim.Link{Delay: sim.Uniform(2*ms, 8*ms)}})
	c := raft.Simulate(s, raft.Config{Servers: 3, Clients: 1, Ops: 6, Heartbeat: 50 * ms, Election: 150 * ms})
	fmt.Println("run:", s.Run())
	for _, l := range c.Leaders() {
		fmt.Printf("term %d: %s\n", l.Term, s.Name(l.Leader))
	}
	fmt.Println("finished:", c.Finished(), "linearizable:", c.Linearizable())
	// Output:
	// run: <nil>
	// term 1: s1
	// term 2: s3
	// finished: <nil> linearizable: <nil>
}

// The same cluster and faults on etcd's Raft library. Its terms start
// from the boot snapshot's term 1, so its first election is term 2.
func ExampleSimulate_etcd() {
	const ms = time.Millisecond
	s := sim.New(sim.Config{Seed: 4, Until: 1500 * ms,
		Faults:  []sim.Fault{sim.Partition(400*ms, 900*ms, 0)},
		Network: sim.Link{Delay: sim.Uniform(2*ms, 8*ms)}})
	c := raft.Simulate(s, raft.Config{Servers: 3, Clients: 1, Ops: 6, Heartbeat: 50 * ms, Election: 150 * ms, Etcd: true})
	fmt.Println("run:", s.Run())
	for _, l := range c.Leaders() {
		fmt.Printf("term %d: %s\n", l.Term, s.Name(l.Leader))
	}
	fmt.Println("finished:", c.Finished(), "linearizable:", c.Linearizable())
	// Output:
	// run: <nil>
	// term 2: s1
	// term 3: s3
	// finished: <nil> linearizable: <nil>
}
