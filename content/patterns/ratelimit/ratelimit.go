// Package ratelimit admits at most a given rate of events, with bursts,
// and refuses or delays the excess.
//
// Limiter is a token bucket: it holds up to burst tokens and refills at
// limit tokens per second; each event takes one. A full bucket lets a burst
// through at once; after that events pass at the refill rate. Refilling is
// computed from the elapsed time whenever the bucket is used, so a Limiter
// needs no goroutine or ticker and costs nothing while idle.
//
//	l := ratelimit.New(100, 20) // 100 events/s, bursts of 20
//	if !l.Allow() {
//		return errTooManyRequests // HTTP 429
//	}
//
// Allow refuses the excess (an API answering 429); Wait delays it (a
// client pacing its own calls) and fails at once if the wait would pass
// the context's deadline; Reserve returns how long to wait and lets the
// caller decide.
//
// Keyed keeps one Limiter per key (client, tenant, API key) with a bound on
// the number of keys, forgetting the least recently used only once its
// bucket is full again. SlidingWindow is the other common algorithm, a
// quota per window (100 per minute) estimated from two fixed windows; it is
// what many APIs document to their users, and in the worst case it admits
// twice its quota within one window.
//
// Every type here is safe for concurrent use and takes its time from an
// injectable clock.
package ratelimit

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"time"
)

// Limit is a rate in events per second.
type Limit float64

// Inf is no limit at all.
const Inf = Limit(math.MaxFloat64)

// Every converts an interval between events into a Limit.
func Every(interval time.Duration) Limit {
	if interval <= 0 {
		return Inf
	}
	return Limit(float64(time.Second) / float64(interval))
}

// ErrWouldExceedDeadline is returned by Wait when the event could not be
// admitted before the context's deadline.
var ErrWouldExceedDeadline = errors.New("ratelimit: wait would exceed the context deadline")

// Options configure the clock of a Limiter, Keyed or SlidingWindow. The
// zero value is the real clock.
type Options struct {
	Now   func() time.Time                                 // nil: time.Now
	Sleep func(ctx context.Context, d time.Duration) error // nil: a real timer; returns ctx.Err() if ctx ends first
}

func (o Options) now() time.Time {
	if o.Now == nil {
		return time.Now()
	}
	return o.Now()
}

func (o Options) sleep(ctx context.Context, d time.Duration) error {
	if o.Sleep != nil {
		return o.Sleep(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Limiter is a token bucket.
type Limiter struct {
	limit Limit
	burst int
	opts  Options

	mu        sync.Mutex
	tokens    float64
	last      time.Time // when tokens was last brought up to date
	lastEvent time.Time // when the latest admitted event or reservation acts
}

// New returns a full bucket of burst tokens refilled at limit per second.
func New(limit Limit, burst int) *Limiter { return NewWithOptions(limit, burst, Options{}) }

// NewWithOptions is New with the clock in o.
func NewWithOptions(limit Limit, burst int, o Options) *Limiter {
	return &Limiter{limit: limit, burst: burst, opts: o, tokens: float64(burst), last: o.now()}
}

// advance refills the bucket for the time elapsed since last.
func (l *Limiter) advance(now time.Time) {
	if elapsed := now.Sub(l.last); elapsed > 0 {
		l.tokens = min(float64(l.burst), l.tokens+elapsed.Seconds()*float64(l.limit))
		l.last = now
	}
}

// Allow reports whether one event may happen now, and takes its token if so.
func (l *Limiter) Allow() bool { return l.AllowN(1) }

// AllowN reports whether n events may happen now, and takes n tokens if so.
func (l *Limiter) AllowN(n int) bool {
	if l.limit == Inf {
		return true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.opts.now()
	l.advance(now)
	if l.tokens < float64(n) {
		return false
	}
	l.tokens -= float64(n)
	l.lastEvent = now
	return true
}

// Tokens returns the tokens available now.
func (l *Limiter) Tokens() float64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.advance(l.opts.now())
	return l.tokens
}

// Reservation is a promise of tokens at a future time.
type Reservation struct {
	l      *Limiter
	ok     bool
	n      int
	act    time.Time // when the tokens are available
	cancel sync.Once
}

// OK reports whether the reservation can ever be honoured (n ≤ burst).
func (r *Reservation) OK() bool { return r.ok }

// Delay is how long to wait before acting, from now.
func (r *Reservation) Delay() time.Duration {
	if !r.ok {
		return forever
	}
	return max(0, r.act.Sub(r.l.opts.now()))
}

// forever is the delay of a reservation that can never be honoured.
const forever = time.Duration(math.MaxInt64)

// Cancel gives back the tokens of a reservation that will not be used,
// as far as no later reservation has relied on them, so events queued
// behind it are not delayed for nothing. It does nothing once the
// reservation is due.
//
// A later reservation was timed on the debt this one left: it acts
// (lastEvent − act) later, on tokens that refilled in between. Those
// r·(lastEvent − act) tokens stay taken, or the later reservation and a
// new event would share them; only the rest, n − r·(lastEvent − act), is
// restored. This is golang.org/x/time/rate's CancelAt.
func (r *Reservation) Cancel() {
	if !r.ok || r.l.limit == Inf {
		return
	}
	r.cancel.Do(func() {
		l := r.l
		l.mu.Lock()
		defer l.mu.Unlock()
		now := l.opts.now()
		if !now.Before(r.act) {
			return
		}
		restore := float64(r.n) - l.lastEvent.Sub(r.act).Seconds()*float64(l.limit)
		if restore <= 0 {
			return
		}
		l.advance(now)
		l.tokens = min(float64(l.burst), l.tokens+restore)
		if r.act.Equal(l.lastEvent) { // the latest reservation: the one before it is now the latest
			if prev := r.act.Add(-l.limit.durationFor(float64(r.n))); !prev.Before(now) {
				l.lastEvent = prev
			}
		}
	})
}

// durationFor is the time the bucket takes to refill tokens.
func (limit Limit) durationFor(tokens float64) time.Duration {
	return time.Duration(tokens / float64(limit) * float64(time.Second))
}

// Reserve reserves one token; see ReserveN.
func (l *Limiter) Reserve() *Reservation { return l.ReserveN(1) }

// ReserveN takes n tokens now, possibly going into debt, and returns when
// they are really available. The bucket's debt delays later events, so
// reservations are served in order. A request for more than burst tokens
// can never be honoured: it returns a reservation that is not OK.
func (l *Limiter) ReserveN(n int) *Reservation {
	now := l.opts.now()
	if l.limit == Inf {
		return &Reservation{l: l, ok: true, n: n, act: now}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if n > l.burst || l.limit <= 0 {
		return &Reservation{l: l, n: n}
	}
	l.advance(now)
	l.tokens -= float64(n)
	act := now
	if l.tokens < 0 {
		act = now.Add(l.limit.durationFor(-l.tokens))
	}
	l.lastEvent = act
	return &Reservation{l: l, ok: true, n: n, act: act}
}

// Wait blocks until an event may happen, or returns an error without
// waiting if ctx would expire first, or when ctx is cancelled while
// waiting (the token is given back).
func (l *Limiter) Wait(ctx context.Context) error {
	r := l.Reserve()
	if !r.OK() {
		return fmt.Errorf("ratelimit: a burst of %d cannot admit 1 event", l.burst)
	}
	d := r.Delay()
	if d == 0 {
		return nil
	}
	if dl, ok := ctx.Deadline(); ok && l.opts.now().Add(d).After(dl) {
		r.Cancel()
		return ErrWouldExceedDeadline
	}
	if err := l.opts.sleep(ctx, d); err != nil {
		r.Cancel()
		return err
	}
	return nil
}
