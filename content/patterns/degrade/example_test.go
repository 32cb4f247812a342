package degrade_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/lamport-kb/lamport/content/patterns/degrade"
)

// A price service answers once, then fails: the second answer is the last
// good price, marked stale, with its age.
func ExampleFallback_Get() {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	down := false
	price := func(_ context.Context, sku string) (int, error) {
		if down {
			return 0, errors.New("503 service unavailable")
		}
		return 1999, nil
	}
	prices := degrade.New(price, degrade.Options[string, int]{
		MaxStale: 10 * time.Minute,
		Now:      func() time.Time { return now },
	})

	r, _ := prices.Get(context.Background(), "espresso")
	fmt.Println(r.Value, r.Source)

	down, now = true, now.Add(3*time.Minute)
	r, _ = prices.Get(context.Background(), "espresso")
	fmt.Println(r.Value, r.Source, r.Age, r.Degraded(), r.Cause)
	// Output:
	// 1999 primary
	// 1999 stale 3m0s true 503 service unavailable
}

// With no remembered value, the default answers; the error reaches the
// caller only when nothing can answer.
func ExampleOptions_default() {
	broken := func(context.Context, string) ([]string, error) { return nil, errors.New("timeout") }
	recs := degrade.New(broken, degrade.Options[string, []string]{
		Default: func(context.Context, string, error) ([]string, error) {
			return []string{"bestseller-1", "bestseller-2"}, nil // static, precomputed
		},
	})
	r, err := recs.Get(context.Background(), "user-42")
	fmt.Println(r.Value, r.Source, err)
	fmt.Printf("%+v\n", recs.Stats())
	// Output:
	// [bestseller-1 bestseller-2] default <nil>
	// {Primary:0 Stale:0 Default:1 Failed:0 Rejected:0}
}
