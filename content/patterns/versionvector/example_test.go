package versionvector_test

import (
	"fmt"
	"time"

	"github.com/lamport-kb/lamport/content/patterns/versionvector"
	"github.com/lamport-kb/lamport/sim"
)

// Two replicas count their updates; after A's state reaches B, B's next
// update descends from A's, while an update A made meanwhile is
// concurrent with it.
func ExampleVector_Compare() {
	a := versionvector.Vector{}.Increment("A")          // [A:1]
	b := versionvector.Vector{}.Merge(a).Increment("B") // B saw A's update: [A:1 B:1]
	a2 := a.Increment("A")                              // A again, without B's: [A:2]
	fmt.Println(a, "is", a.Compare(b), b)
	fmt.Println(b, "is", b.Compare(a), a)
	fmt.Println(a2, "is", a2.Compare(b), b)
	fmt.Println("merged:", a2.Merge(b))
	// Output:
	// [A:1] is before [A:1 B:1]
	// [A:1 B:1] is after [A:1]
	// [A:2] is concurrent [A:1 B:1]
	// merged: [A:2 B:1]
}

// Two carts written concurrently on two replicas become siblings after
// anti-entropy; a read returns both with one context, and a write with
// that context replaces both.
func ExampleEntry_Merge() {
	var a, b versionvector.Entry
	a, _ = a.Put("A", nil, "milk bread")
	b, _ = b.Put("B", nil, "milk eggs")
	b = b.Merge(a) // anti-entropy from A to B
	fmt.Println("siblings:", b)
	merged := "bread eggs milk"
	b, dot := b.Put("B", b.Context(), merged)
	fmt.Println("after a write with that context:", b, "as", dot)
	fmt.Println("A after anti-entropy:", a.Merge(b))
	// Output:
	// siblings: [A:1 B:1] {milk bread | milk eggs}
	// after a write with that context: [A:1 B:2] {bread eggs milk} as B:2
	// A after anti-entropy: [A:1 B:2] {bread eggs milk}
}

// A store of two replicas: A's clock runs 100 ms fast. A adds milk, B
// reads it and adds eggs, a write that happened after A's. Last-write-wins
// keeps A's value, stamped later by the fast clock; the version vectors
// keep B's, which descends from it.
func ExampleSimulate() {
	const ms = time.Millisecond
	s := sim.New(sim.Config{Seed: 1, Faults: []sim.Fault{sim.Skew(ms, 0, 100*ms, 0)}})
	h := versionvector.Simulate(s, versionvector.Config{Rounds: 10, Script: []versionvector.Write{
		{At: 5 * ms, Replica: 0, Key: "cart", Item: "milk"},
		{At: 40 * ms, Replica: 1, Key: "cart", Item: "eggs"},
	}}, "A", "B")
	if err := s.Run(); err != nil {
		fmt.Println(err)
	}
	vv, lww := h.Kept(s, "cart")
	fmt.Println("version vectors keep:", vv)
	fmt.Println("last-write-wins keeps:", lww)
	for _, d := range h.LostUnderLWW(s) {
		fmt.Printf("lost: %s, though it read %s: %v\n", d.Item, d.By.Item, d.Later)
	}
	// Output:
	// version vectors keep: [eggs milk]
	// last-write-wins keeps: [milk]
	// lost: eggs, though it read milk: true
}
