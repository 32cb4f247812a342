package ratelimit_test

import (
	"fmt"
	"time"

	"github.com/lamport-kb/lamport/content/patterns/ratelimit"
)

func Example() {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := ratelimit.Options{Now: func() time.Time { return now }}
	l := ratelimit.NewWithOptions(2, 3, clock) // 2 per second, bursts of 3

	for i := 1; i <= 5; i++ {
		fmt.Println(i, l.Allow())
	}
	now = now.Add(time.Second) // two tokens come back
	fmt.Println("after 1s:", l.Allow(), l.Allow(), l.Allow())
	// Output:
	// 1 true
	// 2 true
	// 3 true
	// 4 false
	// 5 false
	// after 1s: true true false
}

func ExampleLimiter_Reserve() {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l := ratelimit.NewWithOptions(10, 1, ratelimit.Options{Now: func() time.Time { return now }})
	for range 3 {
		fmt.Println(l.Reserve().Delay())
	}
	// Output:
	// 0s
	// 100ms
	// 200ms
}
