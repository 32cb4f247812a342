// Demo: 50 clients hit a service at the same instant, and it fails every
// call during its first 2 seconds. Each client retries with exponential
// backoff (100 ms, doubling, capped at 2 s). Without jitter they retry in
// lockstep: every retry wave hits the service at once. With full jitter the
// same retries spread out. Then a retry budget meets an outage, and
// permanent errors meet the budget.
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

const (
	clients = 50
	outage  = 2 * time.Second        // the service fails every call before this
	bucket  = 200 * time.Millisecond // one histogram bar
	burst   = 10 * time.Millisecond  // "at once": within this window
)

var (
	errUnavailable = errors.New("503 service unavailable")
	errNotFound    = errors.New("404 not found")
)

func main() {
	policy := retry.Policy{MaxAttempts: 8, Initial: 100 * time.Millisecond, Max: 2 * time.Second}
	for _, j := range []struct {
		name   string
		jitter retry.Jitter
	}{{"no jitter", retry.NoJitter}, {"full jitter", retry.FullJitter}} {
		policy.Jitter = j.jitter
		retries := simulate(policy)
		fmt.Printf("%s: retries reaching the service, per %v (the %d first calls, at 0 s, not shown)\n", j.name, bucket, clients)
		histogram(retries)
		fmt.Printf("  %d retries in all; at most %d of them within the same %v\n\n", len(retries), busiest(retries), burst)
	}
	budgetDemo()
	permanentDemo()
}

// simulate returns the virtual times of every retry the clients make.
func simulate(policy retry.Policy) []time.Duration {
	var retries []time.Duration
	for c := range clients {
		var now time.Duration // this client's virtual clock
		sleep := func(ctx context.Context, d time.Duration) error { now += d; return nil }
		r := retry.New(policy, retry.Options{Sleep: sleep, Rand: rand.New(rand.NewPCG(uint64(c), 42))})
		r.Do(context.Background(), func(context.Context) error {
			if now > 0 {
				retries = append(retries, now)
			}
			if now < outage {
				return errUnavailable
			}
			return nil
		})
	}
	return retries
}

func histogram(calls []time.Duration) {
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

// busiest returns the most calls that fall in one window of length burst.
func busiest(calls []time.Duration) int {
	per := map[time.Duration]int{}
	most := 0
	for _, t := range calls {
		per[t/burst]++
		most = max(most, per[t/burst])
	}
	return most
}

// budgetDemo: the service is down for good. Without a budget every request
// makes every attempt; with gRPC-style throttling retries stop once the
// failures have spent half the tokens.
func budgetDemo() {
	const requests, maxTokens, ratio = 20, 10, 0.1
	policy := retry.Policy{MaxAttempts: 4}
	fmt.Printf("an outage: %d requests, %d attempts each at most\n", requests, policy.MaxAttempts)
	for _, budget := range []*retry.Budget{nil, retry.NewBudget(maxTokens, ratio)} {
		attempts, retries := 0, 0
		r := retry.New(policy, retry.Options{Budget: budget, Sleep: noSleep})
		for range requests {
			n := 0
			r.Do(context.Background(), func(context.Context) error {
				attempts, n = attempts+1, n+1
				if n > 1 {
					retries++
				}
				return errUnavailable
			})
		}
		name := "without a budget"
		if budget != nil {
			name = fmt.Sprintf("with a budget (%v tokens, ratio %v)", maxTokens, ratio)
		}
		fmt.Printf("  %-38s %2d attempts (%2d retries) sent to the dead service\n", name, attempts, retries)
	}
	fmt.Println()
}

// permanentDemo: a run of 404s, permanent errors, then a 503. As in gRFC
// A6 the 404s spend no tokens, so the 503 is still retried.
func permanentDemo() {
	const notFound = 6
	budget := retry.NewBudget(10, 0.1)
	r := retry.New(retry.Policy{MaxAttempts: 4}, retry.Options{Budget: budget, Sleep: noSleep})
	before := budget.Tokens()
	permanent := 0
	for range notFound {
		err := r.Do(context.Background(), func(context.Context) error { return retry.Permanent(errNotFound) })
		var re *retry.Error
		if errors.As(err, &re) && re.Reason == "permanent" {
			permanent++
		}
	}
	after := budget.Tokens()
	attempts := 0
	r.Do(context.Background(), func(context.Context) error {
		if attempts++; attempts < 3 {
			return errUnavailable
		}
		return nil
	})
	fmt.Printf("permanent errors: %d requests got a 404 and were not retried; tokens %v before, %v after\n", permanent, before, after)
	fmt.Printf("  the next request failed %d times with a 503, was retried each time, and succeeded on attempt %d\n", attempts-1, attempts)
}

func noSleep(context.Context, time.Duration) error { return nil }
