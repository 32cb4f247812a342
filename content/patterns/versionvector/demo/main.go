// Demo: a shopping cart on three replicas, A, B and C, that accept writes
// locally and push their state to each other every 10 ms (anti-entropy).
// Every write adds an item to the cart it has just read. The store keeps
// the cart twice, side by side in the same run: as siblings under version
// vectors, and as one last-write-wins register stamped with the replica's
// wall clock. A's clock runs fast, and C is cut off for a while and
// crashes meanwhile.
//
// The cluster is simulated (package sim): the same seed gives the same run
// every time, and the space-time diagram under the output is drawn from
// it, with each replica's version vector for the cart beside its events;
// hover over an arrow to see the message. Edit the script and run it
// again: try a skew of -30*ms on A (now A's writes lose), remove the skew
// (last-write-wins still drops the concurrent write), crash B instead of
// C, or move tea to C before the partition heals.
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
	const a, b, c = sim.NodeID(0), sim.NodeID(1), sim.NodeID(2)
	faults := []sim.Fault{ // the fault script
		sim.Skew(ms, a, 30*ms, 0),      // A's clock jumps 30 ms ahead
		sim.Partition(40*ms, 90*ms, c), // C is cut off from A and B
		sim.Crash(60*ms, 80*ms, c),     // C crashes while cut off, and restarts at 80 ms
	}
	script := []versionvector.Write{ // who adds what to the cart, and when
		{At: 5 * ms, Replica: a, Key: "cart", Item: "milk"},
		{At: 20 * ms, Replica: b, Key: "cart", Item: "eggs"},
		{At: 50 * ms, Replica: c, Key: "cart", Item: "bread"},
		{At: 60 * ms, Replica: a, Key: "cart", Item: "jam"},
		{At: 120 * ms, Replica: b, Key: "cart", Item: "tea"},
	}
	s := sim.New(sim.Config{Seed: seed, Faults: faults, Network: sim.Link{Delay: sim.Uniform(ms, 8*ms)}})
	h := versionvector.Simulate(s, versionvector.Config{Script: script, Think: 2 * ms, Rounds: 16}, "A", "B", "C")
	err := s.Run()

	fmt.Printf("== a cart on three replicas, seed %d, faults: %v\n", seed, faults)
	if err != nil {
		fmt.Println("  ✗ the run failed:", err)
	}
	fmt.Println(" ", messages(s))
	for _, w := range h.Writes {
		fmt.Println(" ", wrote(s, w))
	}
	for _, e := range s.Events() {
		if e.Kind == sim.EventRestart {
			fmt.Println(" ", restarted(s, e))
		}
	}
	vv, lww := h.Kept(s, "cart")
	fmt.Printf("  version vectors kept %d of %d items: %s\n", len(vv), len(h.Writes), strings.Join(vv, " "))
	fmt.Printf("  last-write-wins kept %d of %d items: %s\n", len(lww), len(h.Writes), strings.Join(lww, " "))
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
	for _, m := range s.Messages() {
		fates[m.Fate]++
	}
	return fmt.Sprintf("%d anti-entropy messages: %d delivered, %d cut by the partition", len(s.Messages()), fates[sim.Delivered], fates[sim.Cut])
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
	return fmt.Sprintf("%v %s adds %s: read %s with context %v, wrote {%s} as %v; last-write-wins: %s",
		w.At, s.Name(w.Replica), w.Item, read, w.Context, w.Value, w.Dot, lww)
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
