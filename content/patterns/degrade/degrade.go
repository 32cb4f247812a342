// Package degrade answers with something reduced but useful when a
// dependency fails: the last good value, or a default.
//
// A Fallback wraps a primary function, the call to the dependency. Get calls
// it and, when it succeeds, remembers the value per key. When it fails with
// an error the caller wants to degrade on (a timeout, an open circuit
// breaker, a shed request, a 5xx), Get answers instead, in this order:
//
//  1. Stale: the last good value for the key, if it is at most MaxStale old
//     (the stale-if-error rule of RFC 5861);
//  2. Default: the answer of Options.Default (a static value, a generic
//     page, a cheaper source), with at most MaxConcurrentDefaults calls in
//     flight, so a fallback cannot overload what it calls;
//  3. otherwise the primary's error.
//
// Every answer says where it came from (Result.Source), how old it is
// (Result.Age) and why the primary was not used (Result.Cause), so a handler
// can mark the response as degraded and Stats can be exported as metrics.
//
//	prices := degrade.New(client.Price, degrade.Options[string, Price]{
//		Timeout:  300 * time.Millisecond,
//		MaxStale: 10 * time.Minute,
//		Default:  func(ctx context.Context, sku string, _ error) (Price, error) { return listPrice(sku) },
//	})
//	r, err := prices.Get(ctx, sku)
//	if r.Degraded() {
//		w.Header().Set("X-Degraded", r.Source.String())
//	}
//
// Errors that say nothing about the dependency's health (a bad request, the
// caller's own cancellation) are returned as they are, never hidden behind
// a fallback: see Options.ShouldDegrade. Options.Drill skips the primary on
// purpose for chosen keys, so fallbacks run in production before they are
// needed.
//
// A Fallback is safe for concurrent use. Time comes from Options.Now.
package degrade

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"
)

// Source says which path produced an answer.
type Source int

// The sources of an answer, from best to worst.
const (
	Primary Source = iota // the dependency answered
	Stale                 // the last good value, at most MaxStale old
	Default               // Options.Default answered
)

// String returns the source's name: primary, stale or default.
func (s Source) String() string {
	switch s {
	case Primary:
		return "primary"
	case Stale:
		return "stale"
	case Default:
		return "default"
	}
	return fmt.Sprintf("Source(%d)", int(s))
}

// Errors of the package.
var (
	// ErrDrill is the cause of a degraded answer when Options.Drill
	// skipped the primary on purpose.
	ErrDrill = errors.New("degrade: drill, primary skipped")
	// ErrFallbackLimit is returned, wrapping the primary's error, when
	// MaxConcurrentDefaults calls of Default are already in flight.
	ErrFallbackLimit = errors.New("degrade: too many fallbacks in flight")
)

// Result is an answer and where it came from.
type Result[V any] struct {
	Value  V
	Source Source
	// Age is, for a Stale answer, the time since the call that fetched the
	// value started: an upper bound on how old the data is. Zero otherwise.
	Age time.Duration
	// Cause is why the primary was not used; nil for a Primary answer.
	Cause error
}

// Degraded reports whether the answer did not come from the primary.
func (r Result[V]) Degraded() bool { return r.Source != Primary }

// Stats count the outcomes of Get. Each call counts exactly once.
type Stats struct {
	Primary  uint64 // answered by the primary
	Stale    uint64 // answered with the last good value
	Default  uint64 // answered by Options.Default
	Failed   uint64 // no answer: the primary's (or the default's) error
	Rejected uint64 // no answer: MaxConcurrentDefaults were in flight
}

// Degraded returns the number of answers that did not come from the
// primary.
func (s Stats) Degraded() uint64 { return s.Stale + s.Default }

// Total returns the number of calls counted.
func (s Stats) Total() uint64 {
	return s.Primary + s.Stale + s.Default + s.Failed + s.Rejected
}

// Options configure a Fallback. Zero values get the documented defaults.
type Options[K comparable, V any] struct {
	// Timeout bounds each primary call; its expiry is a failure to degrade
	// on. Zero: no timeout beyond the caller's context.
	Timeout time.Duration
	// MaxStale is the oldest last good value served (stale-if-error).
	// Zero means one minute; a negative value serves no stale values and
	// remembers none.
	MaxStale time.Duration
	// MaxEntries bounds how many keys keep a last good value; the key
	// least recently refreshed is forgotten first. Default: 1024.
	MaxEntries int
	// Default computes an answer when there is no stale value. It should
	// be local and cheap; if it calls another dependency, give that call a
	// timeout of its own. Nil: no default, the primary's error is
	// returned.
	Default func(ctx context.Context, key K, cause error) (V, error)
	// MaxConcurrentDefaults bounds the calls of Default in flight; one
	// more is refused at once with ErrFallbackLimit. Default: 10.
	MaxConcurrentDefaults int
	// ShouldDegrade decides whether an error of the primary may be
	// answered by a fallback. Default: every error. Return false for
	// errors the caller must see, such as a validation error. The caller's
	// own cancellation is never degraded.
	ShouldDegrade func(error) bool
	// Drill, if set, is asked before each primary call; true skips the
	// primary and answers as if it had failed with ErrDrill.
	Drill func(key K) bool
	// Now returns the current time. Default: time.Now.
	Now func() time.Time
}

// Fallback answers Get from a primary function, or degrades. Create one
// with New.
type Fallback[K comparable, V any] struct {
	primary func(context.Context, K) (V, error)
	o       Options[K, V]
	last    *store[K, V]  // nil when stale answers are off
	slots   chan struct{} // one token per Default call in flight

	primaryN, staleN, defaultN, failedN, rejectedN atomic.Uint64
}

// New returns a Fallback around primary with o, defaults filled in.
func New[K comparable, V any](primary func(ctx context.Context, key K) (V, error), o Options[K, V]) *Fallback[K, V] {
	if o.MaxStale == 0 {
		o.MaxStale = time.Minute
	}
	if o.MaxEntries <= 0 {
		o.MaxEntries = 1024
	}
	if o.MaxConcurrentDefaults <= 0 {
		o.MaxConcurrentDefaults = 10
	}
	if o.ShouldDegrade == nil {
		o.ShouldDegrade = func(err error) bool { return err != nil }
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	f := &Fallback[K, V]{primary: primary, o: o, slots: make(chan struct{}, o.MaxConcurrentDefaults)}
	if o.MaxStale > 0 {
		f.last = newStore[K, V](o.MaxEntries)
	}
	return f
}

// Get calls the primary for key and returns its value, or a degraded
// answer when the primary fails with an error ShouldDegrade accepts. The
// error is non-nil only when there is no answer at all: then it is the
// primary's error (wrapped with ErrFallbackLimit, or joined with the
// default's error, when those are why).
func (f *Fallback[K, V]) Get(ctx context.Context, key K) (Result[V], error) {
	began := f.o.Now()
	v, err := f.call(ctx, key)
	if err == nil {
		if f.last != nil {
			f.last.put(key, v, began)
		}
		f.primaryN.Add(1)
		return Result[V]{Value: v, Source: Primary}, nil
	}
	if !f.degradable(ctx, err) {
		f.failedN.Add(1)
		return Result[V]{Cause: err}, err
	}
	return f.degrade(ctx, key, err)
}

// call runs the primary under Timeout, unless a drill skips it.
func (f *Fallback[K, V]) call(ctx context.Context, key K) (V, error) {
	if f.o.Drill != nil && f.o.Drill(key) {
		var zero V
		return zero, ErrDrill
	}
	if f.o.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, f.o.Timeout)
		defer cancel()
	}
	return f.primary(ctx, key)
}

// degradable reports whether a fallback may answer for err: not when the
// caller has gone, and not when ShouldDegrade says the caller must see it.
func (f *Fallback[K, V]) degradable(ctx context.Context, err error) bool {
	if ctx.Err() != nil {
		return false
	}
	return errors.Is(err, ErrDrill) || f.o.ShouldDegrade(err)
}

// degrade answers with the last good value, else the default, else cause.
func (f *Fallback[K, V]) degrade(ctx context.Context, key K, cause error) (Result[V], error) {
	if f.last != nil {
		if v, at, ok := f.last.get(key); ok {
			if age := f.o.Now().Sub(at); age <= f.o.MaxStale {
				f.staleN.Add(1)
				return Result[V]{Value: v, Source: Stale, Age: age, Cause: cause}, nil
			}
		}
	}
	if f.o.Default == nil {
		f.failedN.Add(1)
		return Result[V]{Cause: cause}, cause
	}
	return f.fallBack(ctx, key, cause)
}

// fallBack runs Default if a slot is free; it never waits for one.
func (f *Fallback[K, V]) fallBack(ctx context.Context, key K, cause error) (Result[V], error) {
	select {
	case f.slots <- struct{}{}:
		defer func() { <-f.slots }()
	default:
		f.rejectedN.Add(1)
		return Result[V]{Cause: cause}, fmt.Errorf("%w: %w", ErrFallbackLimit, cause)
	}
	v, err := f.o.Default(ctx, key, cause)
	if err != nil {
		f.failedN.Add(1)
		return Result[V]{Cause: cause}, errors.Join(cause, err)
	}
	f.defaultN.Add(1)
	return Result[V]{Value: v, Source: Default, Cause: cause}, nil
}

// Stats returns the counts of outcomes so far.
func (f *Fallback[K, V]) Stats() Stats {
	return Stats{
		Primary:  f.primaryN.Load(),
		Stale:    f.staleN.Load(),
		Default:  f.defaultN.Load(),
		Failed:   f.failedN.Load(),
		Rejected: f.rejectedN.Load(),
	}
}

// Remembered returns how many keys have a last good value.
func (f *Fallback[K, V]) Remembered() int {
	if f.last == nil {
		return 0
	}
	return f.last.len()
}
