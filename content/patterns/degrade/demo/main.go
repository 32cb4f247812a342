// Demo: a product page asks a price service for prices once a second. The
// service goes down at t=4s and comes back at t=13s. Watch the page answer
// with the last good price while it is fresh enough, then with the list
// price, and mark every degraded answer so users and dashboards can see it.
// At t=2s a drill skips the service for one request, to prove the fallback
// works before it is needed.
//
// The clock is simulated, so the program finishes at once and prints the
// same story every time. Edit the options (say MaxStale) and run it again.
package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/lamport-kb/lamport/content/patterns/degrade"
)

func main() {
	start := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	now := start
	elapsed := func() time.Duration { return now.Sub(start) }

	// The dependency: healthy except between 4 s and 13 s.
	calls := 0
	priceService := func(_ context.Context, sku string) (string, error) {
		calls++
		if t := elapsed(); t >= 4*time.Second && t < 13*time.Second {
			return "", errors.New("503 service unavailable")
		}
		return fmt.Sprintf("€%d.99", 10+int(elapsed()/time.Second)), nil
	}

	drill := false
	prices := degrade.New(priceService, degrade.Options[string, string]{
		MaxStale: 5 * time.Second,
		Now:      func() time.Time { return now },
		Drill:    func(string) bool { return drill },
		Default: func(context.Context, string, error) (string, error) {
			return "€12.00", nil // the list price, from a local file
		},
	})

	for i := range 16 {
		drill = i == 2
		r, err := prices.Get(context.Background(), "espresso")
		switch {
		case err != nil:
			fmt.Printf("%5s  error: %v\n", elapsed(), err)
		case r.Source == degrade.Stale:
			fmt.Printf("%5s  %s  X-Degraded: stale, age %s (%v)\n", elapsed(), r.Value, r.Age, r.Cause)
		case r.Source == degrade.Default:
			fmt.Printf("%5s  %s  X-Degraded: list price (%v)\n", elapsed(), r.Value, r.Cause)
		default:
			fmt.Printf("%5s  %s  live\n", elapsed(), r.Value)
		}
		now = now.Add(time.Second)
	}

	s := prices.Stats()
	fmt.Printf("\n%d requests, %d calls reached the price service: %d live answers, %d stale, %d list price, %d errors.\n",
		s.Total(), calls, s.Primary, s.Stale, s.Default, s.Failed+s.Rejected)
	fmt.Printf("Every request got a price; %d of them were marked degraded.\n", s.Degraded())
}
