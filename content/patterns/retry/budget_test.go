package retry

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func noSleep(context.Context, time.Duration) error { return nil }

func TestBudget(t *testing.T) {
	b := NewBudget(10, 0.1)
	r := New(Policy{MaxAttempts: 3}, Options{Budget: b, Sleep: noSleep})
	calls := 0
	for range 10 {
		r.Do(context.Background(), func(context.Context) error { calls++; return errFlaky })
	}
	// 10 tokens, retries while more than 5 remain once the failure is
	// counted: the first Do makes 3 calls (10→7), the second 2 (→5, no
	// retry), the last 8 one each.
	if calls != 3+2+8 {
		t.Errorf("calls = %d, want 13", calls)
	}
	if b.Tokens() != 0 {
		t.Errorf("tokens = %v, want 0", b.Tokens())
	}
	for range 60 {
		b.succeed()
	}
	if math.Abs(b.Tokens()-6) > 1e-9 {
		t.Errorf("after 60 successes tokens = %v, want 6", b.Tokens())
	}
	for range 100 {
		b.succeed()
	}
	if b.Tokens() != 10 {
		t.Errorf("tokens exceed the maximum: %v", b.Tokens())
	}
}

// TestBudgetIgnoresPermanent checks the gRFC A6 rule that only retryable
// failures count against the budget: permanent errors spend no token, so a
// flood of bad requests cannot switch retries off for everyone else.
func TestBudgetIgnoresPermanent(t *testing.T) {
	b := NewBudget(10, 0.1)
	r := New(Policy{MaxAttempts: 3}, Options{Budget: b, Sleep: noSleep})
	bad := Permanent(errors.New("404 not found"))
	for range 50 {
		r.Do(context.Background(), func(context.Context) error { return bad })
	}
	if b.Tokens() != 10 {
		t.Errorf("after 50 permanent errors tokens = %v, want 10", b.Tokens())
	}
	calls := 0
	r.Do(context.Background(), func(context.Context) error { calls++; return errFlaky })
	if calls != 3 || b.Tokens() != 7 {
		t.Errorf("a 503 after the 404s: %d calls, tokens %v; want 3 calls, 7 tokens", calls, b.Tokens())
	}
}

// TestBudgetTokens drives Do with random outcomes and checks the budget
// against the model step by step: τ stays in [0, τmax], a retryable
// failure sets τ to max(0, τ-1), a success to min(τmax, τ+r), a permanent
// error leaves it, and a retry follows a retryable failure exactly when
// τ > τmax/2 afterwards (and attempts remain).
func TestBudgetTokens(t *testing.T) {
	rnd := seeded()
	for range 200 {
		maxTokens, ratio := float64(1+rnd.IntN(1000)), rnd.Float64()+1e-3
		b := NewBudget(maxTokens, ratio)
		p := Policy{MaxAttempts: 1 + rnd.IntN(6)}
		r := New(p, Options{Budget: b, Sleep: noSleep})
		tau, pFail := maxTokens, rnd.Float64()
		for range 300 {
			attempt, retry := 0, false
			r.Do(context.Background(), func(context.Context) error {
				attempt++
				if attempt > 1 && !retry {
					t.Fatalf("a retry the model refused (τ = %v of %v)", tau, maxTokens)
				}
				var err error
				switch x := rnd.Float64(); {
				case x < pFail*0.8:
					err = errFlaky
					tau = max(0, tau-1)
					retry = tau > maxTokens/2 && attempt < p.MaxAttempts
				case x < pFail:
					err, retry = Permanent(errFlaky), false
				default:
					tau = min(maxTokens, tau+ratio)
					retry = false
				}
				return err
			})
			if retry {
				t.Fatalf("no retry where the model allows one (τ = %v of %v)", tau, maxTokens)
			}
			if got := b.Tokens(); got != tau || got < 0 || got > maxTokens {
				t.Fatalf("tokens = %v, model %v, max %v", got, tau, maxTokens)
			}
		}
	}
}

// TestBudgetRetryBound: however many goroutines share a budget, the
// retries R it lets through satisfy R < τmax/2 + r·S, where S counts the
// successful attempts; during an outage (S = 0) fewer than τmax/2.
func TestBudgetRetryBound(t *testing.T) {
	rnd := seeded()
	for i := range 40 {
		maxTokens, ratio := float64(1+rnd.IntN(100)), rnd.Float64()+1e-3
		pFail := []float64{1, rnd.Float64()}[i%2] // every other run is an outage
		b := NewBudget(maxTokens, ratio)
		var retries, successes atomic.Int64
		var wg sync.WaitGroup
		for g := range 4 {
			r := New(Policy{MaxAttempts: 1 + rnd.IntN(8)}, Options{Budget: b, Sleep: noSleep})
			grnd := rand.New(rand.NewPCG(uint64(i), uint64(g)))
			wg.Go(func() {
				for range 500 {
					attempt := 0
					r.Do(context.Background(), func(context.Context) error {
						if attempt++; attempt > 1 {
							retries.Add(1)
						}
						if grnd.Float64() < pFail {
							return errFlaky
						}
						successes.Add(1)
						return nil
					})
				}
			})
		}
		wg.Wait()
		R, S := float64(retries.Load()), float64(successes.Load())
		if bound := maxTokens/2 + ratio*S; R >= bound+1e-9*S {
			t.Fatalf("τmax %v, r %v, failure rate %v: %v retries, %v successes: bound %v", maxTokens, ratio, pFail, R, S, bound)
		}
	}
}
