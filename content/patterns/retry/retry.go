// Package retry re-runs a failed operation after growing, randomised
// delays, and caps how much extra load retries may add.
//
// A Policy computes the delay before each retry: exponential growth from
// Initial by Multiplier, capped at Max, with jitter so that many clients
// that failed together do not retry together:
//
//	r := retry.New(retry.Policy{MaxAttempts: 5, Initial: 100 * time.Millisecond}, retry.Options{})
//	err := r.Do(ctx, func(ctx context.Context) error {
//		return client.Get(ctx, key)
//	})
//
// Do never sleeps past the context's deadline: when the next delay would
// end after it, Do stops and returns the last error. An error wrapped with
// Permanent stops retrying at once; one wrapped with After asks for at
// least the given delay (a server's Retry-After).
//
// A Budget, shared by all the Retriers that call one dependency, limits
// retries the way gRPC's retry throttling does: every failure spends a
// token, every success earns back a fraction of one, and retries are
// allowed only while more than half the tokens remain. When a dependency
// is down, retries stop instead of multiplying the load.
//
// Only retry operations that are safe to repeat: idempotent, or
// deduplicated by the receiver.
package retry

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"
)

// Jitter selects how a delay is randomised. The names follow Marc
// Brooker's "Exponential Backoff And Jitter" (AWS Architecture Blog).
type Jitter int

// The jitter strategies.
const (
	FullJitter         Jitter = iota // uniform in [0, d]: the default, and usually the best
	EqualJitter                      // d/2 plus uniform in [0, d/2]
	DecorrelatedJitter               // uniform in [Initial, 3 × previous delay], capped
	NoJitter                         // exactly d: only for a single client
)

// Policy is a retry schedule. Zero fields get the documented defaults.
type Policy struct {
	MaxAttempts int           // calls in total, the first included; default 4
	Initial     time.Duration // base delay; default 100 ms
	Max         time.Duration // cap on one delay; default 10 s
	Multiplier  float64       // growth per attempt; default 2
	Jitter      Jitter        // default FullJitter
}

func (p Policy) withDefaults() Policy {
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = 4
	}
	if p.Initial <= 0 {
		p.Initial = 100 * time.Millisecond
	}
	if p.Max <= 0 {
		p.Max = 10 * time.Second
	}
	if p.Multiplier < 1 {
		p.Multiplier = 2
	}
	return p
}

// Backoff returns the delay before retry number n (1 for the first retry),
// given the previous delay (used by DecorrelatedJitter) and a random
// source.
func (p Policy) Backoff(n int, prev time.Duration, rnd *rand.Rand) time.Duration {
	p = p.withDefaults()
	ceiling := float64(p.Initial)
	for i := 1; i < n && ceiling < float64(p.Max); i++ {
		ceiling *= p.Multiplier
	}
	d := time.Duration(min(ceiling, float64(p.Max)))
	switch p.Jitter {
	case FullJitter:
		return time.Duration(rnd.Int64N(int64(d) + 1))
	case EqualJitter:
		return d/2 + time.Duration(rnd.Int64N(int64(d/2)+1))
	case DecorrelatedJitter:
		hi := max(3*prev, p.Initial)
		return min(p.Max, p.Initial+time.Duration(rnd.Int64N(int64(hi-p.Initial)+1)))
	}
	return d
}

// Retrier runs operations under a Policy. It is safe for concurrent use.
type Retrier struct {
	policy Policy
	budget *Budget
	now    func() time.Time
	sleep  func(context.Context, time.Duration) error

	mu  sync.Mutex
	rnd *rand.Rand
}

// Options configure a Retrier. Nil fields get the defaults.
type Options struct {
	// Budget is shared by the Retriers that call one dependency.
	// nil: every retry is allowed.
	Budget *Budget
	Now    func() time.Time                                 // nil: time.Now
	Sleep  func(ctx context.Context, d time.Duration) error // nil: a real timer; returns ctx.Err() if ctx ends first
	// Rand is the random source of the jitter. nil: a source seeded at
	// random.
	Rand *rand.Rand
}

func (o Options) withDefaults() Options {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Sleep == nil {
		o.Sleep = sleepContext
	}
	if o.Rand == nil {
		o.Rand = rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
	}
	return o
}

// New returns a Retrier for p, configured by o.
func New(p Policy, o Options) *Retrier {
	o = o.withDefaults()
	return &Retrier{policy: p.withDefaults(), budget: o.Budget, now: o.Now, sleep: o.Sleep, rnd: o.Rand}
}

func sleepContext(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Do calls op until it succeeds, returns a permanent error, the attempts
// run out, the budget refuses a retry, or the context would expire before
// the next attempt. It returns nil or an *Error holding the last error.
func (r *Retrier) Do(ctx context.Context, op func(context.Context) error) error {
	var prev time.Duration
	for attempt := 1; ; attempt++ {
		err := op(ctx)
		switch {
		case err == nil:
			r.budget.record(true)
		case !isPermanent(err):
			// As in gRFC A6, only a retryable failure spends a token: a
			// permanent error (a malformed request) says nothing about
			// the dependency's health.
			r.budget.record(false)
		}
		if err == nil {
			return nil
		}
		if stop := r.stop(ctx, attempt, err); stop != "" {
			return &Error{Attempts: attempt, Reason: stop, Err: unwrapPermanent(err)}
		}
		delay := r.delay(attempt, prev, err)
		if dl, ok := ctx.Deadline(); ok && r.now().Add(delay).After(dl) {
			return &Error{Attempts: attempt, Reason: "deadline", Err: err}
		}
		if serr := r.sleep(ctx, delay); serr != nil {
			return &Error{Attempts: attempt, Reason: "canceled", Err: err}
		}
		prev = delay
	}
}

// stop says why no retry follows attempt, or "".
func (r *Retrier) stop(ctx context.Context, attempt int, err error) string {
	switch {
	case isPermanent(err):
		return "permanent"
	case attempt >= r.policy.MaxAttempts:
		return "attempts"
	case ctx.Err() != nil:
		return "canceled"
	case !r.budget.allowRetry():
		return "budget"
	}
	return ""
}

func (r *Retrier) delay(attempt int, prev time.Duration, err error) time.Duration {
	r.mu.Lock()
	d := r.policy.Backoff(attempt, prev, r.rnd)
	r.mu.Unlock()
	var after *afterError
	if errors.As(err, &after) && after.delay > d {
		d = after.delay
	}
	return d
}

// Error is the failure of Do: the last error and why retrying stopped
// ("permanent", "attempts", "budget", "deadline" or "canceled").
type Error struct {
	Attempts int
	Reason   string
	Err      error
}

func (e *Error) Error() string {
	return fmt.Sprintf("gave up after %d attempts (%s): %v", e.Attempts, e.Reason, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

type permanentError struct{ err error }

func (e permanentError) Error() string { return e.err.Error() }
func (e permanentError) Unwrap() error { return e.err }

// Permanent marks err as not worth retrying (a validation error, a 404).
func Permanent(err error) error { return permanentError{err} }

func isPermanent(err error) bool {
	var p permanentError
	return errors.As(err, &p)
}

func unwrapPermanent(err error) error {
	var p permanentError
	if errors.As(err, &p) {
		return p.err
	}
	return err
}

type afterError struct {
	err   error
	delay time.Duration
}

func (e *afterError) Error() string { return e.err.Error() }
func (e *afterError) Unwrap() error { return e.err }

// After marks err as retryable no sooner than d, as a server's
// Retry-After header asks.
func After(err error, d time.Duration) error { return &afterError{err, d} }
