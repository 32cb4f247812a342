package consumers_test

import (
	"fmt"
	"time"

	"github.com/lamport-kb/lamport/content/patterns/consumers"
)

func Example() {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	q := consumers.New(consumers.Options{
		VisibilityTimeout: 30 * time.Second,
		Now:               func() time.Time { return now },
	})
	q.Send("", "resize photo 1")
	q.Send("", "resize photo 2")

	a, _ := q.Receive("A") // A takes message 1 and crashes
	b, _ := q.Receive("B") // B takes message 2
	fmt.Println("A got", a.Body, "| B got", b.Body)
	fmt.Println("B ack:", q.Ack(b.Receipt))

	now = now.Add(30 * time.Second) // A's lease runs out
	c, _ := q.Receive("B")
	fmt.Println("B got", c.Body, "attempt", c.Attempt)
	fmt.Println("A ack (too late):", q.Ack(a.Receipt))
	fmt.Println("B ack:", q.Ack(c.Receipt))
	// Output:
	// A got resize photo 1 | B got resize photo 2
	// B ack: <nil>
	// B got resize photo 1 attempt 2
	// A ack (too late): consumers: stale receipt: the lease expired or the message was settled
	// B ack: <nil>
}

func ExampleQueue_Send_keys() {
	q := consumers.New(consumers.Options{})
	q.Send("order-7", "created")
	q.Send("order-7", "paid")
	q.Send("order-9", "created")

	first, _ := q.Receive("A")
	second, _ := q.Receive("B") // order-7 is busy, so B gets order-9
	_, ok := q.Receive("C")     // "paid" waits until "created" is acked
	fmt.Println(first.Key, first.Body, "|", second.Key, second.Body, "| C got one:", ok)
	_ = q.Ack(first.Receipt)
	third, _ := q.Receive("C")
	fmt.Println(third.Key, third.Body)
	// Output:
	// order-7 created | order-9 created | C got one: false
	// order-7 paid
}
