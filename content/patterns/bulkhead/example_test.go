package bulkhead_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/lamport-kb/lamport/content/patterns/bulkhead"
)

func Example() {
	b := bulkhead.New(bulkhead.Options{Name: "payments", MaxConcurrent: 2})
	var releases []func()
	for i := 1; i <= 3; i++ {
		release, ok := b.TryAcquire()
		fmt.Println("call", i, "admitted:", ok)
		if ok {
			releases = append(releases, release)
		}
	}
	releases[0]() // one call ends: its slot is free again
	_, ok := b.TryAcquire()
	fmt.Println("call 4 admitted:", ok)
	s := b.Stats()
	fmt.Printf("in flight %d, admitted %d, refused %d\n", s.InFlight, s.Admitted, s.Rejected)
	// Output:
	// call 1 admitted: true
	// call 2 admitted: true
	// call 3 admitted: false
	// call 4 admitted: true
	// in flight 2, admitted 3, refused 1
}

func ExampleBulkhead_Do() {
	b := bulkhead.New(bulkhead.Options{MaxConcurrent: 1})
	release, _ := b.TryAcquire() // a slow call holds the only slot
	defer release()
	err := b.Do(context.Background(), func(context.Context) error {
		return nil // not called
	})
	fmt.Println(err, errors.Is(err, bulkhead.ErrFull))
	// Output:
	// bulkhead: full true
}

func ExampleSize() {
	// 200 calls per second with a p99 latency of 80 ms hold 16 slots.
	fmt.Println(bulkhead.Size(200, 80*time.Millisecond))
	// Output:
	// 16
}
