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
	down := func() bool { t := elapsed(); return t >= 3*time.Second && t < 12*time.Second }
	calls := 0
	inventory := func() error {
		calls++
		if down() {
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

	// What happened, counted as it happens.
	var requests, refused, sparedWhileDown, failedWhileDown int
	for range 18 {
		requests++
		wasDown := down()
		err := b.Execute(inventory)
		switch {
		case err == nil:
			fmt.Printf("%5s  ok\n", elapsed())
		case errors.Is(err, circuitbreaker.ErrOpen): // refused: open, or half-open with its probes out
			refused++
			if wasDown {
				sparedWhileDown++
			}
			fmt.Printf("%5s  fail fast (%v): serve the cached stock level\n", elapsed(), err)
		default:
			if wasDown {
				failedWhileDown++
			}
			fmt.Printf("%5s  error: %v\n", elapsed(), err)
		}
		now = now.Add(time.Second)
	}
	fmt.Printf("\n%d requests, %d reached the inventory service, %d were refused by the breaker.\n", requests, calls, refused)
	fmt.Printf("While the service was down, the breaker spared it %d calls; %d calls still reached it and failed.\n", sparedWhileDown, failedWhileDown)
	if late := refused - sparedWhileDown; late > 0 {
		fmt.Printf("Refused after it had recovered, before the next probe found it healthy: %d.\n", late)
	}
}
