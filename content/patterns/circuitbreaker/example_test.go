package circuitbreaker_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/lamport-kb/lamport/content/patterns/circuitbreaker"
)

func Example() {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	b := circuitbreaker.New(circuitbreaker.Settings{
		Name:        "inventory",
		ReadyToTrip: func(c circuitbreaker.Counts) bool { return c.ConsecutiveFailures >= 2 },
		OpenTimeout: 5 * time.Second,
		Now:         func() time.Time { return now },
		OnStateChange: func(name string, from, to circuitbreaker.State) {
			fmt.Printf("%s: %s → %s\n", name, from, to)
		},
	})
	down := errors.New("connection refused")
	for range 3 {
		err := b.Execute(func() error { return down })
		fmt.Println("call:", err)
	}
	now = now.Add(5 * time.Second)
	fmt.Println("probe:", b.Execute(func() error { return nil }))
	// Output:
	// call: connection refused
	// inventory: closed → open
	// call: connection refused
	// call: circuit breaker is open
	// inventory: open → half-open
	// inventory: half-open → closed
	// probe: <nil>
}

func ExampleBreaker_Allow() {
	b := circuitbreaker.New(circuitbreaker.Settings{})
	done, err := b.Allow()
	if err != nil {
		fmt.Println("refused:", err)
		return
	}
	// ... make the call, e.g. open a stream ...
	done(true)
	fmt.Println(b.State(), b.Counts().Successes)
	// Output: closed 1
}
