// Package retry re-runs a failed operation after growing, randomised
// delays, and caps how much extra load retries may add.
//
// A Policy computes the delay before each retry: exponential growth from
// Initial by Multiplier, capped at Max, with jitter so that many clients
// that failed together do not retry together:
//
//	r := retry.New(retry.Policy{MaxAttempts: 5, Initial: 100 * time.Millisecond, AttemptTimeout: time.Second}, retry.Options{})
//	err := r.Do(ctx, func(ctx context.Context) error {
//		return client.Get(ctx, key)
//	})
//
// Each attempt gets its own context, which ends AttemptTimeout after the
// attempt starts (or at the caller's deadline, if sooner). Do never sleeps
// past the caller's deadline: when the next delay would end after it, Do
// stops at once. When the caller's context ends, Do returns an *Error that
// matches both the last error and ctx.Err() under errors.Is.
//
// An error wrapped with Permanent stops retrying at once. One wrapped with
// After asks for at least the given delay (a server's Retry-After); Do
// waits that long if it is at most Policy.Max, and gives up otherwise
// rather than retry sooner than the server asked.
//
// A Budget, shared by all the Retriers that call one dependency, limits
// retries the way gRPC's retry throttling does: every retryable failure
// spends a token, every success earns back a fraction of one, and retries
// are allowed only while more than half the tokens remain. When a
// dependency is down, retries stop instead of multiplying the load.
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
	DecorrelatedJitter               // uniform in [Initial, 3 × previous delay], the first previous being Initial; capped
	NoJitter                         // exactly d: only for a single client
)

// Policy is a retry schedule. Zero fields get the documented defaults.
type Policy struct {
	MaxAttempts int           // calls in total, the first included; default 4
	Initial     time.Duration // base delay; default 100 ms
	Max         time.Duration // cap on one delay, a server's Retry-After included; default 10 s
	Multiplier  float64       // growth per attempt; default 2
	Jitter      Jitter        // default FullJitter
	// AttemptTimeout bounds each attempt: the operation's context ends
	// that long after the attempt starts (context.WithTimeout, so on the
	// real clock), or at the caller's deadline if that comes first.
	// 0: no bound of its own.
	AttemptTimeout time.Duration
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
// given the previous delay and a random source. Only DecorrelatedJitter
// uses prev, as Brooker's sleep = min(cap, random_between(base, sleep × 3))
// with sleep starting at base: a prev below Initial (0 before the first
// retry) counts as Initial, so the first delay is uniform in
// [Initial, 3 × Initial].
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
		hi := 3 * max(prev, p.Initial)
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
// run out, the budget refuses a retry, the server asks for a delay beyond
// Max, or the context ends or would end before the next attempt. It
// returns nil or an *Error holding the last error.
func (r *Retrier) Do(ctx context.Context, op func(context.Context) error) error {
	var prev time.Duration
	for attempt := 1; ; attempt++ {
		err := r.call(ctx, op)
		if err == nil {
			r.budget.succeed()
			return nil
		}
		// As in gRFC A6, only a retryable failure spends a token: a
		// permanent error (a malformed request) says nothing about the
		// dependency's health.
		allowed := isPermanent(err) || r.budget.fail()
		if stop := r.stop(ctx, attempt, err, allowed); stop != nil {
			return stop
		}
		delay, ok := r.delay(attempt, prev, err)
		if !ok {
			return &Error{Attempts: attempt, Reason: "retry-after", Err: err}
		}
		if dl, ok := ctx.Deadline(); ok && r.now().Add(delay).After(dl) {
			return &Error{Attempts: attempt, Reason: "deadline", Err: err, ctxErr: context.DeadlineExceeded}
		}
		if serr := r.sleep(ctx, delay); serr != nil {
			return ended(ctx, attempt, err, serr)
		}
		prev = delay
	}
}

// call runs one attempt, under its own timeout if the policy sets one.
func (r *Retrier) call(ctx context.Context, op func(context.Context) error) error {
	if r.policy.AttemptTimeout <= 0 {
		return op(ctx)
	}
	actx, cancel := context.WithTimeout(ctx, r.policy.AttemptTimeout)
	defer cancel()
	return op(actx)
}

// stop returns the error that ends Do after attempt failed with err, or
// nil when a retry may follow. allowed is the budget's answer.
func (r *Retrier) stop(ctx context.Context, attempt int, err error, allowed bool) *Error {
	switch {
	case ctx.Err() != nil: // first, so that the error always matches ctx.Err()
		return ended(ctx, attempt, unwrapPermanent(err), ctx.Err())
	case isPermanent(err):
		return &Error{Attempts: attempt, Reason: "permanent", Err: unwrapPermanent(err)}
	case attempt >= r.policy.MaxAttempts:
		return &Error{Attempts: attempt, Reason: "attempts", Err: err}
	case !allowed:
		return &Error{Attempts: attempt, Reason: "budget", Err: err}
	}
	return nil
}

// ended is the Error of a Do whose context ended: reason "deadline" or
// "canceled", matching ctx.Err() (cerr if ctx reports none).
func ended(ctx context.Context, attempt int, err, cerr error) *Error {
	if ctx.Err() != nil {
		cerr = ctx.Err()
	}
	reason := "canceled"
	if errors.Is(cerr, context.DeadlineExceeded) {
		reason = "deadline"
	}
	return &Error{Attempts: attempt, Reason: reason, Err: err, ctxErr: cerr}
}

// delay returns the wait before the retry that follows attempt, and false
// when the server asked for longer than Max.
func (r *Retrier) delay(attempt int, prev time.Duration, err error) (time.Duration, bool) {
	r.mu.Lock()
	d := r.policy.Backoff(attempt, prev, r.rnd)
	r.mu.Unlock()
	var after *afterError
	if errors.As(err, &after) {
		if after.delay > r.policy.Max {
			return 0, false
		}
		d = max(d, after.delay)
	}
	return d, true
}

// Error is the failure of Do: the last error and why retrying stopped
// ("permanent", "attempts", "budget", "retry-after", "deadline" or
// "canceled"). It matches Err under errors.Is and errors.As and, when
// the context ended or its deadline left no time for another attempt
// ("canceled", "deadline"), ctx.Err() too: context.Canceled or
// context.DeadlineExceeded.
type Error struct {
	Attempts int
	Reason   string
	Err      error

	ctxErr error
}

func (e *Error) Error() string {
	return fmt.Sprintf("gave up after %d attempts (%s): %v", e.Attempts, e.Reason, e.Err)
}

// Unwrap returns the last error and, if the context ended, its error.
func (e *Error) Unwrap() []error {
	if e.ctxErr == nil {
		return []error{e.Err}
	}
	return []error{e.Err, e.ctxErr}
}

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
// Retry-After header asks. Do gives up instead when d is beyond
// Policy.Max.
func After(err error, d time.Duration) error { return &afterError{err, d} }
