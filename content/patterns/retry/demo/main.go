// Demo: 50 clients hit a service at the same instant, and it fails every
// call during its first 2 seconds. Each client retries with exponential
// backoff (100 ms, doubling, capped at 2 s). Without jitter they retry in
// lockstep: every retry wave hits the service at once. With full jitter the
// same retries spread out. Then a retry budget meets an outage.
//
// Time is simulated, so this finishes at once and prints the same thing on
// every run. Try EqualJitter or DecorrelatedJitter, or another Multiplier.
package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/lamport-kb/lamport/content/patterns/retry"
)

const clients = 50

var errUnavailable = errors.New("503 service unavailable")

func main() {
	for _, j := range []struct {
		name   string
		jitter retry.Jitter
	}{{"no jitter", retry.NoJitter}, {"full jitter", retry.FullJitter}} {
		fmt.Printf("%s: retries reaching the service, per 200 ms (first calls at 0 s not shown)\n", j.name)
		histogram(simulate(j.jitter))
		fmt.Println()
	}
	budgetDemo()
}

// simulate returns the virtual times of every call the clients make.
func simulate(jitter retry.Jitter) []time.Duration {
	var calls []time.Duration
	policy := retry.Policy{MaxAttempts: 8, Initial: 100 * time.Millisecond, Max: 2 * time.Second, Jitter: jitter}
	for c := range clients {
		var now time.Duration // this client's virtual clock
		sleep := func(ctx context.Context, d time.Duration) error { now += d; return nil }
		r := retry.New(policy, retry.Options{Sleep: sleep, Rand: rand.New(rand.NewPCG(uint64(c), 42))})
		r.Do(context.Background(), func(context.Context) error {
			if now > 0 {
				calls = append(calls, now)
			}
			if now < 2*time.Second {
				return errUnavailable
			}
			return nil
		})
	}
	return calls
}

func histogram(calls []time.Duration) {
	const bucket = 200 * time.Millisecond
	counts := make([]int, 17)
	for _, t := range calls {
		if i := int(t / bucket); i < len(counts) {
			counts[i]++
		}
	}
	for i, n := range counts {
		fmt.Printf("  %3.1fs %3d %s\n", (time.Duration(i) * bucket).Seconds(), n, strings.Repeat("#", n/2))
	}
}

// budgetDemo: the service is down for good. Without a budget every request
// makes 4 attempts; with gRPC-style throttling retries stop once the
// failure rate has spent half the tokens.
func budgetDemo() {
	fmt.Println("an outage: 20 requests, 4 attempts each at most")
	for _, budget := range []*retry.Budget{nil, retry.NewBudget(10, 0.1)} {
		noSleep := func(context.Context, time.Duration) error { return nil }
		r := retry.New(retry.Policy{MaxAttempts: 4}, retry.Options{Budget: budget, Sleep: noSleep})
		attempts := 0
		for range 20 {
			r.Do(context.Background(), func(context.Context) error { attempts++; return errUnavailable })
		}
		name := "without a budget"
		if budget != nil {
			name = "with a budget (10 tokens, ratio 0.1)"
		}
		fmt.Printf("  %-38s %2d attempts sent to the dead service\n", name, attempts)
	}
}
