package sim_test

import (
	"fmt"
	"time"

	"github.com/lamport-kb/lamport/sim"
)

// echo answers every message with the same message.
type echo struct{}

func (echo) Start(*sim.Node)                               {}
func (echo) Fire(*sim.Node, string)                        {}
func (echo) Receive(n *sim.Node, from sim.NodeID, msg any) { n.Send(from, msg) }

// caller sends "ping" at boot and counts the answers.
type caller struct{ got int }

func (c *caller) Start(n *sim.Node)      { n.Send(1, "ping") }
func (c *caller) Fire(*sim.Node, string) {}
func (c *caller) Receive(n *sim.Node, _ sim.NodeID, msg any) {
	c.got++
	n.Note("answer %d", c.got)
}

// A two-node cluster on a network that duplicates every message: the
// client's ping arrives twice, and the four echoes are cut by a partition
// that starts while they are in flight. The run, as the trace prints it.
func Example() {
	s := sim.New(sim.Config{
		Seed:    1,
		Network: sim.Link{Delay: sim.Fixed(2 * time.Millisecond), Duplicate: 1},
		Faults:  []sim.Fault{sim.Partition(3*time.Millisecond, 10*time.Millisecond, 1)},
	})
	s.Add("client", func() sim.Handler { return &caller{} })
	s.Add("server", func() sim.Handler { return echo{} })
	if err := s.Run(); err != nil {
		fmt.Println(err)
	}
	fmt.Print(s.Trace())
	// Output:
	//    0.000ms  client   start
	//                        send #0 → server: ping
	//                        send #1 → server: ping (duplicate)
	//    0.000ms  server   start
	//    2.000ms  server   recv #0 ← client: ping
	//                        send #2 → client: ping [cut by a partition]
	//                        send #3 → client: ping (duplicate) [cut by a partition]
	//    2.000ms  server   recv #1 ← client: ping
	//                        send #4 → client: ping [cut by a partition]
	//                        send #5 → client: ping (duplicate) [cut by a partition]
	//    3.000ms  --       partition  ({server} | {client})
	//    4.000ms  client   drop #2 ← server: ping [cut by a partition]
	//    4.000ms  client   drop #3 ← server: ping [cut by a partition]
	//    4.000ms  client   drop #4 ← server: ping [cut by a partition]
	//    4.000ms  client   drop #5 ← server: ping [cut by a partition]
	//   10.000ms  --       heal  ({server} | {client})
}
