// Demo: three replicas, A (the leader of epoch 1), B and C, and two
// clients, x and y, that write to the leader and read from any replica.
// At 14 ms the links from A to its followers are cut: A still takes
// writes, and under asynchronous replication still acknowledges them
// after its own fsync. At 24 ms A crashes; at 30 ms the operator fails
// over: it fences B and C with epoch 2 and promotes the more up-to-date.
// When A comes back it still believes it leads epoch 1; the followers
// reject it, it steps down, joins epoch 2's log and drops what only it
// had. The same script runs again under semi-synchronous replication,
// where nothing A could not replicate was ever acknowledged.
//
// The cluster is simulated (package sim): the same seed gives the same
// run, and the space-time diagram under the output is drawn from the
// asynchronous run; the leader's notes show each follower's lag, and
// hover over an arrow to see the message. Edit the fault script, the
// failover time or the seed and run it again: try no failover (A comes
// back as the leader and loses nothing), sim.Crash(24*ms, 0, b) as well
// (semi-synchronous: the operator waits for an answer B can never give),
// or Mode: leaderfollower.Sync.
package main

import (
	"fmt"
	"strings"
	"time"

	lf "github.com/lamport-kb/lamport/content/patterns/leaderfollower"
	"github.com/lamport-kb/lamport/playground/picture"
	"github.com/lamport-kb/lamport/sim"
)

const ms = time.Millisecond

func main() {
	const seed = 7
	const a, b, c = sim.NodeID(0), sim.NodeID(1), sim.NodeID(2) // replicas A, B, C
	faults := []sim.Fault{                                      // the fault script
		sim.OneWay(14*ms, 45*ms, a, b), // A's shipments to B are cut ...
		sim.OneWay(14*ms, 45*ms, a, c), // ... and to C
		sim.Crash(24*ms, 50*ms, a),     // A crashes, and restarts at 50 ms
	}
	failovers := []time.Duration{30 * ms} // the operator's failover step
	var diagram string
	for _, mode := range []lf.Mode{lf.Async, lf.SemiSync} {
		s := run(seed, faults, lf.Config{Mode: mode, Failovers: failovers, Ops: 6, Every: 3 * ms, Heartbeat: 10 * ms})
		if mode == lf.Async {
			diagram = s.Diagram(sim.DiagramOptions{Title: fmt.Sprintf("leader and followers, asynchronous, seed %d", seed)})
		}
	}
	fmt.Println(picture.Line([]byte(diagram)))
}

// run simulates the cluster under the script and tells what happened.
func run(seed uint64, faults []sim.Fault, cfg lf.Config) *sim.Sim {
	s := sim.New(sim.Config{Seed: seed, Faults: faults, Until: 90 * ms, Network: sim.Link{Delay: sim.Uniform(ms/2, 2*ms)}})
	h, err := lf.Simulate(s, cfg, "x", "y")
	if err != nil {
		fmt.Println("  ✗", err)
		return s
	}
	err = s.Run()
	fmt.Printf("== %v replication, seed %d, faults: %v, failovers at %v\n", cfg.Mode, seed, faults, cfg.Failovers)
	if err != nil {
		fmt.Println("  ✗ the run failed:", err)
	}
	st := h.Stats()
	fmt.Printf("  the leaders appended %d writes and acknowledged %d\n", st.Writes, st.Acked)
	for _, f := range h.Failovers() {
		fmt.Printf("  failover to epoch %d from %v: %s by %v; %s promoted at %v\n",
			f.Epoch, f.Begun, answers(s, f.Answers), f.Fenced, s.Name(f.Leader), f.Done)
	}
	if st.Rejected > 0 {
		fmt.Printf("  the followers rejected %d shipments of the deposed leader's epoch\n", st.Rejected)
	}
	for _, w := range h.Lost() {
		fmt.Printf("  ✗ lost %s: %s acknowledged it as e%d#%d at %v; %s, the next leader, never had it\n",
			w.ID, s.Name(w.Leader), w.Epoch, w.Index, w.At, s.Name(w.Missing))
	}
	if len(h.Lost()) == 0 {
		fmt.Println("  every acknowledged write is in the new leader's log")
	}
	fmt.Printf("  %d entries dropped by a replica joining a new epoch's log (never acknowledged, or lost above)\n", st.Dropped)
	fmt.Printf("  %d reads, %d of them behind the newest leader (by up to %d entries)\n", st.Reads, st.StaleReads, st.MaxLag)
	fmt.Println("  logs at the end:", logs(s))
	return s
}

// answers lists the fence answers: who, and where its log ended.
func answers(s *sim.Sim, cs []lf.Candidate) string {
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = fmt.Sprintf("%s at %v", s.Name(sim.NodeID(c.Node)), c.Last)
	}
	return "fenced " + strings.Join(parts, ", ")
}

// logs shows each replica's log: its epoch, its role and its entries.
func logs(s *sim.Sim) string {
	var parts []string
	for _, id := range s.Nodes()[:3] {
		r, ok := s.Handler(id).(*lf.Replica)
		if !ok {
			parts = append(parts, s.Name(id)+" down")
			continue
		}
		role := "follower"
		if r.Leads() {
			role = "leader"
		}
		data := make([]string, len(r.Log()))
		for i, e := range r.Log() {
			data[i] = e.Data
		}
		parts = append(parts, fmt.Sprintf("%s (e%d %s) [%s]", s.Name(id), r.Epoch(), role, strings.Join(data, " ")))
	}
	return strings.Join(parts, "; ")
}
