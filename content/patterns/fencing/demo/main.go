// Demo: two clients share one value on a storage node, each writing only
// while it holds a lease from a lock service. Client A is frozen in the
// middle of its work, after checking its lease and before sending its
// write: a stop-the-world garbage collection. Its lease runs out, B takes
// the lease with a larger token and writes; then A wakes up, still
// believing it holds the lease, and sends its write. The storage has seen
// B's larger token, and rejects it: A is fenced.
//
// The cluster is simulated (package sim): the same seed gives the same
// run, and the space-time diagram under the output is drawn from it;
// hover over an arrow to see the message. Edit the script and run it
// again: a shorter pause (fencing.Pause{"A", 9 * ms, 5 * ms}), a pause
// for B as well, a slow link from A to the storage
// (sim.Degrade(5*ms, 60*ms, a, store, sim.Link{Delay: sim.Fixed(25 * ms)})),
// a crash of the lock service (sim.Crash(30*ms, 35*ms, 0)), or a clock
// that runs slow on A (sim.Skew(0, a, 0, -0.3)).
package main

import (
	"fmt"
	"strconv"
	"time"

	"github.com/lamport-kb/lamport/content/patterns/fencing"
	"github.com/lamport-kb/lamport/playground/picture"
	"github.com/lamport-kb/lamport/sim"
)

const ms = time.Millisecond

func main() {
	const seed = 1
	const a = sim.NodeID(2) // lock is 0, store is 1, then the clients
	faults := []sim.Fault{} // the network's and the nodes' faults, as in every sim demo
	cfg := fencing.Config{TTL: 20 * ms, Every: 4 * ms, Writes: 3, Leases: 2,
		Pauses: []fencing.Pause{{Client: "A", At: 9 * ms, For: 30 * ms}}} // A's GC pause
	s := sim.New(sim.Config{Seed: seed, Faults: faults, Network: sim.Link{Delay: sim.Uniform(ms, 2*ms)}})
	h := fencing.Simulate(s, cfg, "A", "B")
	err := s.Run()

	fmt.Printf("== a lease of %v, seed %d, pauses: %v, faults: %v\n", cfg.TTL, seed, cfg.Pauses, faults)
	if err != nil {
		fmt.Println("  ✗ the run failed:", err)
	}
	for _, e := range s.Events() {
		if e.Note != "" && e.Node >= 0 {
			fmt.Printf("  %8v  %-5s %s\n", e.At.Round(time.Microsecond), s.Name(e.Node), e.Note)
		}
	}
	st := h.Stats()
	fmt.Printf("  %d grants; the storage accepted %d writes and rejected %d; %s after a newer token was granted\n",
		st.Grants, st.Accepted, st.Rejected, count(st.Stale, "write", "writes")+" arrived")
	fmt.Println(" ", verdict(s, h, a))
	fmt.Println(picture.Line([]byte(s.Diagram(sim.DiagramOptions{Title: "fencing tokens, seed " + strconv.Itoa(seed)}))))
}

// verdict says what became of the paused client's writes.
func verdict(s *sim.Sim, h *fencing.History, a sim.NodeID) string {
	for _, m := range s.Messages() {
		r, ok := m.Payload.(fencing.Result)
		if ok && m.To == a && !r.Accepted {
			return fmt.Sprintf("%s's write %s with token %d was fenced: the storage had accepted token %d, granted to %s",
				s.Name(a), r.Data, r.Token, r.Highest, holder(s, h, r.Highest))
		}
	}
	return s.Name(a) + " was never fenced: its writes all came while its token was the newest"
}

func holder(s *sim.Sim, h *fencing.History, t fencing.Token) string {
	if id, ok := h.Holder(t); ok {
		return s.Name(id)
	}
	return "nobody"
}

func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}
