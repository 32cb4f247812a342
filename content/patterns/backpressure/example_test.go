package backpressure_test

import (
	"context"
	"fmt"

	"github.com/lamport-kb/lamport/content/patterns/backpressure"
)

// A Block buffer refuses nothing: a producer that finds it full waits (Put)
// or is told to wait (TryPut returns ErrFull).
func Example() {
	b := backpressure.New[string](2, backpressure.Block)
	for _, job := range []string{"a", "b", "c"} {
		fmt.Println(job, b.TryPut(job))
	}
	v, _ := b.Get(context.Background())
	fmt.Println("consumer took", v)
	fmt.Println("c", b.TryPut("c"))
	s := b.Stats()
	fmt.Println("held", b.Len(), "max", s.MaxLen, "rejected", s.Rejected)
	// Output:
	// a <nil>
	// b <nil>
	// c backpressure: buffer full
	// consumer took a
	// c <nil>
	// held 2 max 2 rejected 1
}

// DropOldest keeps the latest values, for data where only the newest matters
// (a gauge, a position).
func ExampleNew_dropOldest() {
	b := backpressure.New[int](3, backpressure.DropOldest)
	for v := 1; v <= 5; v++ {
		b.TryPut(v)
	}
	for b.Len() > 0 {
		v, _ := b.TryGet()
		fmt.Print(v, " ")
	}
	fmt.Println("evicted", b.Stats().Evicted)
	// Output: 3 4 5 evicted 2
}

// A Window is credit-based flow control: the sender spends credits, the
// receiver grants them back as it consumes (an HTTP/2 WINDOW_UPDATE).
func ExampleWindow() {
	w := backpressure.NewWindow(10, backpressure.HTTP2MaxWindow)
	ctx := context.Background()
	n, _ := w.Acquire(ctx, 25) // a 25-unit body: only 10 may go now
	fmt.Println("sent", n, "left", w.Available())
	w.Grant(10) // the receiver consumed 10
	n, _ = w.Acquire(ctx, 15)
	fmt.Println("sent", n, "left", w.Available())
	// Output:
	// sent 10 left 0
	// sent 10 left 0
}

// Pump moves items between stages without waiting; a full downstream
// buffer stops it, which leaves the items upstream.
func ExamplePump() {
	in := backpressure.New[int](4, backpressure.Block)
	out := backpressure.New[int](2, backpressure.Block)
	for v := range 4 {
		in.TryPut(v)
	}
	moved := backpressure.Pump(in, out, 10, func(v int) int { return v * 10 })
	fmt.Println("moved", moved, "upstream", in.Len(), "downstream", out.Len())
	// Output: moved 2 upstream 2 downstream 2
}
