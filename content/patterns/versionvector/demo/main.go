// Demo: a shopping cart on three replicas, A, B and C, that push their
// state to each other every 10 ms (anti-entropy). A client sends each
// write of the script to a replica at its time; the replica reads the
// cart, adds the item, and acknowledges once the write is on its disk.
// Without an acknowledgement within 20 ms the client tries the next
// replica, three tries in all. The store keeps the cart twice, side by
// side in the same run: as siblings under version vectors, and as one
// last-write-wins register stamped with the replica's wall clock. A's
// clock runs fast, and C is cut off for a while and crashes meanwhile.
//
// The cluster is simulated (package sim): the same seed gives the same run
// every time, and the space-time diagram under the output is drawn from
// it, with each replica's version vector for the cart beside its events;
// hover over an arrow to see the message. Edit the script and run it
// again: try a skew of -30*ms on A (now A's writes lose), remove the skew
// (last-write-wins still drops the concurrent write), crash B at 15 ms,
// before its write (the client tries C, then A), send tea to C before the
// partition heals, or crash the client (node 3) for a while.
package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/lamport-kb/lamport/content/patterns/versionvector"
	"github.com/lamport-kb/lamport/playground/picture"
	"github.com/lamport-kb/lamport/sim"
)

const ms = time.Millisecond

func main() {
	const seed = 3
	const a, b, c = sim.NodeID(0), sim.NodeID(1), sim.NodeID(2) // the client is node 3

	faults := []sim.Fault{ // the fault script
		sim.Skew(ms, a, 30*ms, 0),       // A's clock jumps 30 ms ahead
		sim.Partition(50*ms, 100*ms, c), // C is cut off from A, B and the client
		sim.Crash(60*ms, 80*ms, c),      // C crashes while cut off, and restarts at 80 ms
	}
	script := []versionvector.Write{ // what the client adds to the cart, when, and at which replica first
		{At: 5 * ms, Replica: a, Key: "cart", Item: "milk"},
		{At: 20 * ms, Replica: b, Key: "cart", Item: "eggs"},
		{At: 35 * ms, Replica: c, Key: "cart", Item: "bread"},
		{At: 65 * ms, Replica: a, Key: "cart", Item: "jam"},
		{At: 130 * ms, Replica: b, Key: "cart", Item: "tea"},
	}
	s := sim.New(sim.Config{Seed: seed, Faults: faults, Network: sim.Link{Delay: sim.Uniform(ms, 8*ms)}})
	h := versionvector.Simulate(s, versionvector.Config{Script: script, Think: 2 * ms, Timeout: 20 * ms, Rounds: 16}, "A", "B", "C")
	err := s.Run()

	fmt.Printf("== a cart on three replicas, seed %d, faults: %v\n", seed, faults)
	if err != nil {
		fmt.Println("  ✗ the run failed:", err)
	}
	fmt.Println(" ", messages(s))
	for _, r := range h.Requests(s) {
		fmt.Println(" ", requested(r))
		for _, t := range r.Tries {
			if t.Written != nil {
				fmt.Println("   ", wrote(s, *t.Written))
			}
		}
	}
	for _, e := range s.Events() {
		if e.Kind == sim.EventRestart {
			fmt.Println(" ", restarted(s, e))
		}
	}
	vv, lww := h.Kept(s, "cart")
	items := written(h)
	fmt.Printf("  version vectors kept %d of the %d items written: %s\n", len(vv), items, strings.Join(vv, " "))
	fmt.Printf("  last-write-wins kept %d of the %d items written: %s\n", len(lww), items, strings.Join(lww, " "))
	for _, d := range h.LostUnderLWW(s) {
		fmt.Println("  ✗", dropped(s, d))
	}
	if err := h.Converged(s); err != nil {
		fmt.Println("  ✗ the replicas did not converge:", err)
	} else {
		fmt.Println("  after anti-entropy every replica holds the same siblings and the same register")
	}
	fmt.Println(picture.Line([]byte(s.Diagram(sim.DiagramOptions{Title: fmt.Sprintf("version vectors and last-write-wins, seed %d", seed)}))))
}

// messages counts what became of the anti-entropy messages.
func messages(s *sim.Sim) string {
	fates := map[sim.Fate]int{}
	syncs := 0
	for _, m := range s.Messages() {
		if _, ok := m.Payload.(versionvector.Sync); ok {
			fates[m.Fate]++
			syncs++
		}
	}
	return fmt.Sprintf("%d anti-entropy messages: %d delivered, %d cut by the partition, %d dropped at a replica that was down",
		syncs, fates[sim.Delivered], fates[sim.Cut], fates[sim.Dead])
}

// written counts the items written (a retried write may be written twice).
func written(h *versionvector.History) int {
	items := map[string]bool{}
	for _, w := range h.Writes {
		items[w.Item] = true
	}
	return len(items)
}

// requested tells what became of one write of the script: each try the
// client made, and the write's fate.
func requested(r versionvector.Request) string {
	tries := make([]string, len(r.Tries))
	for i, t := range r.Tries {
		tries[i] = t.String()
	}
	return fmt.Sprintf("%s, due at %v: %s (%s)", r.Item, r.At, r.Fate(), strings.Join(tries, "; "))
}

// wrote tells what one write read and what each store made of it.
func wrote(s *sim.Sim, w versionvector.Write) string {
	read := "an empty cart"
	if len(w.Read) == 1 {
		read = "{" + w.Read[0] + "}"
	} else if len(w.Read) > 1 {
		read = fmt.Sprintf("%d siblings {%s}", len(w.Read), strings.Join(w.Read, "} {"))
	}
	lww := fmt.Sprintf("stamped %v", w.LWW.Stamp.Sub(sim.Epoch))
	if w.Dropped {
		lww += ", older than the register it held: dropped at once"
	}
	return fmt.Sprintf("%s read %s with context %v, wrote {%s} as %v; last-write-wins: %s",
		s.Name(w.Replica), read, w.Context, w.Value, w.Dot, lww)
}

// restarted tells what a replica found on its disk when it came back.
func restarted(s *sim.Sim, e sim.Event) string {
	r, _ := s.Handler(e.Node).(*versionvector.Replica)
	if r == nil {
		return fmt.Sprintf("%s restarted at %v, and is down again", s.Name(e.Node), e.At)
	}
	return fmt.Sprintf("%s restarted at %v with the vector %s from its disk: nothing it had acknowledged was lost",
		s.Name(e.Node), e.At, e.Clock)
}

// dropped tells why last-write-wins lost a write.
func dropped(s *sim.Sim, d versionvector.Dropped) string {
	how := "it was concurrent with"
	if d.Later {
		how = "it had read, and so came after,"
	}
	return fmt.Sprintf("last-write-wins lost %s (%s's write stamped %v): %s %s's %s, stamped %v by %s's clock",
		d.Item, s.Name(d.Replica), d.LWW.Stamp.Sub(sim.Epoch), how, s.Name(d.By.Replica), d.By.Item,
		d.By.LWW.Stamp.Sub(sim.Epoch), s.Name(d.By.Replica))
}
