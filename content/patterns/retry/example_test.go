package retry_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/lamport-kb/lamport/content/patterns/retry"
)

func Example() {
	var slept time.Duration
	sleep := func(ctx context.Context, d time.Duration) error { slept += d; return nil }
	r := retry.New(retry.Policy{MaxAttempts: 4, Initial: 100 * time.Millisecond, Jitter: retry.NoJitter},
		retry.Options{Sleep: sleep})

	attempts := 0
	err := r.Do(context.Background(), func(ctx context.Context) error {
		attempts++
		if attempts < 3 {
			return errors.New("503 service unavailable")
		}
		return nil
	})
	fmt.Println(err, attempts, slept)
	// Output: <nil> 3 300ms
}

func ExamplePolicy_Backoff() {
	p := retry.Policy{Initial: 100 * time.Millisecond, Max: time.Second, Jitter: retry.FullJitter}
	rnd := rand.New(rand.NewPCG(7, 7))
	for n := 1; n <= 5; n++ {
		fmt.Println(n, p.Backoff(n, 0, rnd).Round(time.Millisecond))
	}
	// Output:
	// 1 96ms
	// 2 4ms
	// 3 304ms
	// 4 120ms
	// 5 236ms
}

func ExamplePermanent() {
	r := retry.New(retry.Policy{}, retry.Options{})
	err := r.Do(context.Background(), func(context.Context) error {
		return retry.Permanent(errors.New("400 bad request"))
	})
	fmt.Println(err)
	// Output: gave up after 1 attempts (permanent): 400 bad request
}
