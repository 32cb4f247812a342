// Demo: a client calls an inventory service once a second. The service goes
// down at t=3s and comes back at t=12s. Watch the breaker trip, fail fast
// while the service is down, probe after its cool-down, and close again.
//
// The clock is simulated, so the program finishes at once and prints the
// same story every time. Edit the settings and run it again.
package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/lamport-kb/lamport/content/patterns/circuitbreaker"
)

func main() {
	start := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	now := start
	elapsed := func() time.Duration { return now.Sub(start) }

	// The dependency: healthy except between 3 s and 12 s.
	calls := 0
	inventory := func() error {
		calls++
		if t := elapsed(); t >= 3*time.Second && t < 12*time.Second {
			return errors.New("503 service unavailable")
		}
		return nil
	}

	b := circuitbreaker.New(circuitbreaker.Settings{
		Name:        "inventory",
		ReadyToTrip: func(c circuitbreaker.Counts) bool { return c.ConsecutiveFailures >= 3 },
		OpenTimeout: 4 * time.Second,
		Now:         func() time.Time { return now },
		OnStateChange: func(name string, from, to circuitbreaker.State) {
			fmt.Printf("%5s  ── breaker %s: %s → %s\n", elapsed(), name, from, to)
		},
	})

	for range 18 {
		err := b.Execute(inventory)
		switch {
		case err == nil:
			fmt.Printf("%5s  ok\n", elapsed())
		case errors.Is(err, circuitbreaker.ErrOpen):
			fmt.Printf("%5s  fail fast (%v): serve the cached stock level\n", elapsed(), err)
		default:
			fmt.Printf("%5s  error: %v\n", elapsed(), err)
		}
		now = now.Add(time.Second)
	}
	fmt.Printf("\n18 requests, %d reached the inventory service; the breaker spared it %d calls while it was down.\n", calls, 18-calls)
}
