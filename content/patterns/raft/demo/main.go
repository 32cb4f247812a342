// Demo: a three-server Raft cluster and one client, run twice under the
// same fault script: once on this chapter's Raft, once on etcd's Raft
// library (go.etcd.io/raft/v3) driven through the same simulator. The
// script cuts the first leader off from the others for a while: the
// majority side elects a new leader in a higher term, the client's
// operations go on through it, and the old leader steps down when the
// partition heals and it hears the new term. All four safety properties
// are checked after every event, and the client's history with
// porcupine.
//
// The cluster is simulated (package sim): the same seed gives the same
// run every time, and the space-time diagrams under the output are drawn
// from it; hover over an arrow to see the message. Edit the fault script
// or the seed and run it again: try sim.Crash(300*ms, 500*ms, leader)
// (the leader crashes; its log survives on disk), a partition of two
// servers, or Servers: 5.
package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/lamport-kb/lamport/content/patterns/raft"
	"github.com/lamport-kb/lamport/playground/picture"
	"github.com/lamport-kb/lamport/sim"
)

const ms = time.Millisecond

// The cluster: three servers (s1, s2, s3), one client (c1) doing six
// operations, heartbeats every 50 ms, election timeouts of 150 to 300 ms.
var cluster = raft.Config{Servers: 3, Clients: 1, Ops: 6, Heartbeat: 50 * ms, Election: 150 * ms}

const seed = 4

// script is the fault script, given the server that wins the first
// election of the seed.
func script(leader sim.NodeID) []sim.Fault {
	return []sim.Fault{
		sim.Partition(400*ms, 900*ms, leader), // the leader is cut off from the rest
	}
}

func main() {
	for _, etcd := range []bool{false, true} {
		cfg := cluster
		cfg.Etcd = etcd
		run(cfg)
	}
}

// run finds the first leader of the seed, runs the script against it
// and tells what happened.
func run(cfg raft.Config) {
	name := "our Raft"
	if cfg.Etcd {
		name = "etcd's Raft (go.etcd.io/raft/v3)"
	}
	faults := script(firstLeader(cfg))
	s := sim.New(sim.Config{Seed: seed, Faults: faults, Until: 1500 * ms,
		Network: sim.Link{Delay: sim.Uniform(2*ms, 8*ms)}})
	c := raft.Simulate(s, cfg)
	err := s.Run()

	fmt.Printf("== %s, seed %d, faults: %v\n", name, seed, faults)
	if err != nil {
		fmt.Println("  ✗ the run failed:", err)
	}
	for _, l := range c.Leaders() {
		fmt.Printf("  term %d: %s elected at %v\n", l.Term, s.Name(l.Leader), l.At.Round(ms))
	}
	for _, e := range s.Events() {
		if e.Kind == sim.EventPartition || e.Kind == sim.EventHeal {
			fmt.Printf("  %v: %s %s\n", e.At, e.Kind, e.Note)
		}
	}
	fmt.Println(" ", stepDowns(s, c))
	fmt.Println(" ", clients(s, c))
	if err == nil {
		fmt.Printf("  election safety, log matching, leader completeness and state machine safety held after each of %d events; %d entries committed\n",
			len(s.Events()), c.Committed())
	}
	fmt.Println(picture.Line([]byte(s.Diagram(sim.DiagramOptions{MaxRows: 240, Title: name + ", seed " + fmt.Sprint(seed)}))))
}

// firstLeader runs the seed without faults and returns who wins the
// first election.
func firstLeader(cfg raft.Config) sim.NodeID {
	s := sim.New(sim.Config{Seed: seed, Until: 400 * ms, Network: sim.Link{Delay: sim.Uniform(2*ms, 8*ms)}})
	c := raft.Simulate(s, cfg)
	s.Run()
	if l := c.Leaders(); len(l) > 0 {
		return l[0].Leader
	}
	return 0
}

// stepDowns tells when leaders of old terms learned of a newer one.
func stepDowns(s *sim.Sim, c *raft.Cluster) string {
	var out []string
	for _, e := range s.Events() {
		if e.Node >= 0 && strings.Contains(e.Note, "follower t") && led(c, e.Node) {
			out = append(out, fmt.Sprintf("%s stepped down at %v (%s)", s.Name(e.Node), e.At.Round(ms), e.Note))
		}
	}
	if len(out) == 0 {
		return "no leader stepped down"
	}
	return strings.Join(out, "; ")
}

// led reports whether the node led some term.
func led(c *raft.Cluster, n sim.NodeID) bool {
	for _, l := range c.Leaders() {
		if l.Leader == n {
			return true
		}
	}
	return false
}

// clients counts the operations and checks the history.
func clients(s *sim.Sim, c *raft.Cluster) string {
	done := 0
	for _, op := range s.History() {
		if op.Done {
			done++
		}
	}
	lin := "linearizable (porcupine)"
	if err := c.Linearizable(); err != nil {
		lin = "✗ " + err.Error()
	}
	return fmt.Sprintf("the client completed %d of %d operations; the history is %s", done, len(s.History()), lin)
}
