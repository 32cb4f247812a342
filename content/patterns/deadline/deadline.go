// Package deadline bounds how long a request may take and carries what is
// left of that bound to every goroutine and service that works for it.
//
// A timeout is a duration one caller is willing to wait; a deadline is the
// instant at which the whole request stops being useful. The package keeps
// the two apart. A Policy turns the caller's deadline (carried by its
// context) into per-attempt deadlines that never extend it:
//
//	p := deadline.Policy{PerTry: 300 * time.Millisecond, Attempts: 3, Reserve: 20 * time.Millisecond}
//	err := p.Do(ctx, func(ctx context.Context) error {
//		return inventory.Reserve(ctx, item) // must honour ctx
//	})
//
// Each attempt gets min(deadline − Reserve, now + PerTry); an attempt that
// would have less than MinTry is not started, and Do returns
// ErrBudgetExhausted instead of sending work that cannot finish in time.
//
// Across a process boundary the remaining time travels as a relative
// timeout, in the format of gRPC's grpc-timeout header: Header encodes what
// is left of a context (rounded down, so the callee is never promised more
// time than the caller has), and Server.Context turns an incoming value
// back into a context, minus a margin for the reply's trip and capped by
// the server's own limit. Relative values need no synchronised clocks.
//
// Percentile picks a per-attempt timeout from observed latencies, and Run
// bounds a call to a function that does not honour its context, returning
// at the deadline while the abandoned work runs on.
//
// Every function here is safe for concurrent use. Policy and Server take
// their clock from a Now field; nil means time.Now.
package deadline

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ErrBudgetExhausted is returned when too little time is left to start
// the work at all. It matches context.DeadlineExceeded with errors.Is, so
// callers that map deadline errors to 504 or DEADLINE_EXCEEDED need no new
// case.
var ErrBudgetExhausted error = budgetError{}

type budgetError struct{}

func (budgetError) Error() string { return "deadline: not enough time left to start" }

// Is makes ErrBudgetExhausted match context.DeadlineExceeded.
func (budgetError) Is(target error) bool { return target == context.DeadlineExceeded }

// Timeout reports true, like context.DeadlineExceeded.
func (budgetError) Timeout() bool { return true }

// Remaining returns the time left at now before ctx's deadline, and false
// when ctx has no deadline. It is negative once the deadline has passed.
func Remaining(ctx context.Context, now time.Time) (time.Duration, bool) {
	d, ok := ctx.Deadline()
	if !ok {
		return 0, false
	}
	return d.Sub(now), true
}

// Policy bounds the attempts of one call made on behalf of a request.
// The zero value makes one attempt bounded only by the caller's deadline.
type Policy struct {
	PerTry   time.Duration // timeout of one attempt; 0: only the caller's deadline
	Attempts int           // attempts in total, the first included; default 1
	Reserve  time.Duration // kept back from the caller's deadline for its own work after the call
	MinTry   time.Duration // an attempt with less time than this is not started; default 1 ms

	// Retry reports whether a failed attempt may be repeated. Nil retries
	// only attempts that ran out of their own time (the error matches
	// context.DeadlineExceeded). Only retry idempotent operations.
	Retry func(err error) bool

	Now func() time.Time // nil: time.Now
}

func (p Policy) now() time.Time {
	if p.Now == nil {
		return time.Now()
	}
	return p.Now()
}

func (p Policy) attempts() int { return max(p.Attempts, 1) }

func (p Policy) minTry() time.Duration {
	if p.MinTry <= 0 {
		return time.Millisecond
	}
	return p.MinTry
}

func (p Policy) retry(err error) bool {
	if p.Retry != nil {
		return p.Retry(err)
	}
	return errors.Is(err, context.DeadlineExceeded)
}

// End returns the deadline of an attempt that starts at now under parent:
// the earlier of parent's deadline less Reserve and now plus PerTry. It
// returns false when neither bounds the attempt.
func (p Policy) End(parent context.Context, now time.Time) (time.Time, bool) {
	end, bounded := time.Time{}, false
	if d, ok := parent.Deadline(); ok {
		end, bounded = d.Add(-p.Reserve), true
	}
	if p.PerTry > 0 {
		if try := now.Add(p.PerTry); !bounded || try.Before(end) {
			end, bounded = try, true
		}
	}
	return end, bounded
}

// Attempt derives the context of one attempt from parent, with the
// deadline End computes. It returns ErrBudgetExhausted, and no new
// context, when less than MinTry would be left, and parent's error when
// parent has ended. The returned cancel function is never nil.
func (p Policy) Attempt(parent context.Context) (context.Context, context.CancelFunc, error) {
	if err := parent.Err(); err != nil {
		return parent, func() {}, err
	}
	now := p.now()
	end, bounded := p.End(parent, now)
	if !bounded {
		ctx, cancel := context.WithCancel(parent)
		return ctx, cancel, nil
	}
	if end.Sub(now) < p.minTry() {
		return parent, func() {}, ErrBudgetExhausted
	}
	ctx, cancel := context.WithDeadline(parent, end)
	return ctx, cancel, nil
}

// Do calls op up to Attempts times, each under the context Attempt
// derives, and returns nil at the first success. It stops early when an
// error is not retryable, when parent ends, or when the next attempt
// could not get MinTry; then the error wraps ErrBudgetExhausted and the
// last attempt's error. Do returns no later than op does, so if op honours
// its context, Do returns by parent's deadline less Reserve.
func (p Policy) Do(parent context.Context, op func(ctx context.Context) error) error {
	var last error
	for n := 0; n < p.attempts(); n++ {
		ctx, cancel, err := p.Attempt(parent)
		if err != nil {
			if last == nil {
				return err
			}
			return fmt.Errorf("%w after %d attempts: %w", err, n, last)
		}
		last = op(ctx)
		cancel()
		if last == nil || !p.retry(last) {
			return last
		}
	}
	return last
}
