package deadline_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/lamport-kb/lamport/content/patterns/deadline"
)

// A caller with 500 ms left makes attempts of at most 300 ms each and
// keeps 50 ms for itself: the later attempts get only what is left.
func ExamplePolicy_End() {
	now := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	parent, cancel := context.WithDeadline(context.Background(), now.Add(500*time.Millisecond))
	defer cancel()
	p := deadline.Policy{PerTry: 300 * time.Millisecond, Reserve: 50 * time.Millisecond}
	for _, at := range []time.Duration{0, 200 * time.Millisecond, 400 * time.Millisecond} {
		end, _ := p.End(parent, now.Add(at))
		fmt.Printf("attempt at %v: deadline at %v\n", at, end.Sub(now))
	}
	// Output:
	// attempt at 0s: deadline at 300ms
	// attempt at 200ms: deadline at 450ms
	// attempt at 400ms: deadline at 450ms
}

// The wire format is gRPC's: at most eight digits and a unit, rounded
// down.
func ExampleEncode() {
	for _, d := range []time.Duration{time.Second, 995 * time.Millisecond, 90 * time.Second, 1234567891} {
		fmt.Println(d, "→", deadline.Encode(d))
	}
	// Output:
	// 1s → 1000000u
	// 995ms → 995000u
	// 1m30s → 90000000u
	// 1.234567891s → 1234567u
}

// A server trusts the caller's timeout less a margin, and never grants
// more than its own cap.
func ExampleServer_Budget() {
	s := deadline.Server{Max: 2 * time.Second, Margin: 10 * time.Millisecond}
	for _, h := range []string{"300m", "10S", ""} {
		b, _, _ := s.Budget(h)
		fmt.Printf("%q → %v\n", h, b)
	}
	// Output:
	// "300m" → 290ms
	// "10S" → 2s
	// "" → 2s
}

// A request that arrives with its time already spent is refused before
// any work starts.
func ExampleServer_Context() {
	s := deadline.Server{MinWork: 20 * time.Millisecond}
	_, cancel, err := s.Context(context.Background(), "5m")
	defer cancel()
	fmt.Println(err, errors.Is(err, context.DeadlineExceeded))
	// Output:
	// deadline: not enough time left to start true
}

// Percentile picks the timeout that would have cut off at most 1% of the
// observed calls.
func ExamplePercentile() {
	var samples []time.Duration
	for i := 1; i <= 100; i++ {
		samples = append(samples, time.Duration(i)*time.Millisecond)
	}
	fmt.Println(deadline.Percentile(samples, 0.5), deadline.Percentile(samples, 0.99))
	// Output:
	// 50ms 99ms
}
