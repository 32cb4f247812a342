// Package bulkhead caps how many calls may be in flight to one dependency or
// for one tenant, so that a slow or failing part cannot take every goroutine,
// connection and request slot of the process with it.
//
// A Bulkhead has MaxConcurrent slots. A call takes a slot before it starts
// and gives it back when it ends. When every slot is taken, a new call
// either fails at once with ErrFull (MaxQueue 0, the default) or waits in a
// FIFO queue of at most MaxQueue callers for at most MaxWait; a caller still
// waiting then gets ErrTimeout.
//
//	payments := bulkhead.New(bulkhead.Options{Name: "payments", MaxConcurrent: 20})
//	err := payments.Do(ctx, func(ctx context.Context) error {
//		return client.Charge(ctx, order)
//	})
//	if errors.Is(err, bulkhead.ErrFull) {
//		// shed: answer 503, queue the charge for later, ...
//	}
//
// Give each dependency (or tenant) its own Bulkhead, or use a Group, which
// creates one per key: the point is that a compartment that fills up leaves
// the others alone.
//
// Slots are handed over in arrival order: a freed slot goes to the caller at
// the head of the queue, and TryAcquire never overtakes a waiting caller.
// Size sizes a bulkhead with Little's law.
//
// A Bulkhead is safe for concurrent use. Its clock comes from Options.Now and
// Options.Sleep, so tests and demos can drive time.
package bulkhead

import (
	"context"
	"errors"
	"math"
	"sync"
	"time"
)

// Errors returned instead of running the call.
var (
	// ErrFull means every slot was taken and the queue was full (or
	// disabled), so the call was refused at once.
	ErrFull = errors.New("bulkhead: full")
	// ErrTimeout means the call waited MaxWait in the queue without getting
	// a slot.
	ErrTimeout = errors.New("bulkhead: no slot within the maximum wait")
)

// DefaultMaxConcurrent is the number of slots of a Bulkhead whose
// Options.MaxConcurrent is zero.
const DefaultMaxConcurrent = 10

// Options configure a Bulkhead. The zero value is a bulkhead of
// DefaultMaxConcurrent slots that refuses at once when they are all taken.
type Options struct {
	// Name identifies the bulkhead in metrics and logs.
	Name string
	// MaxConcurrent is the number of slots: at most this many calls are in
	// flight at any time. Zero or less means DefaultMaxConcurrent.
	MaxConcurrent int
	// MaxQueue is how many callers may wait for a slot when all are taken.
	// Zero or less means none: a call that finds no free slot fails with
	// ErrFull at once.
	MaxQueue int
	// MaxWait bounds how long a queued caller waits before ErrTimeout.
	// Zero or less means as long as the caller's context allows.
	MaxWait time.Duration

	Now   func() time.Time                                 // nil: time.Now
	Sleep func(ctx context.Context, d time.Duration) error // nil: a real timer; returns ctx.Err() if ctx ends first
}

// Stats is a snapshot of a Bulkhead's gauges and counters.
type Stats struct {
	InFlight int // calls holding a slot now
	Waiting  int // callers in the queue now

	Admitted uint64        // calls that got a slot, at once or after waiting
	Queued   uint64        // calls that had to wait (admitted or not)
	Rejected uint64        // calls refused at once with ErrFull
	TimedOut uint64        // queued calls that got ErrTimeout
	Canceled uint64        // queued calls whose context ended first
	WaitTime time.Duration // total time spent in the queue
}

// Bulkhead limits the number of calls in flight. Create one with New.
type Bulkhead struct {
	o Options

	mu       sync.Mutex
	inFlight int
	queue    []*waiter // FIFO; removed from the middle when a waiter gives up
	stats    Stats
}

// waiter is a queued caller. Release sets granted, under the bulkhead's
// lock, when it hands the caller a slot, then cancels its wait.
type waiter struct {
	granted bool
	wake    context.CancelFunc
}

// New returns a Bulkhead with the given options; zero fields get their
// documented defaults.
func New(o Options) *Bulkhead {
	if o.MaxConcurrent <= 0 {
		o.MaxConcurrent = DefaultMaxConcurrent
	}
	o.MaxQueue = max(o.MaxQueue, 0)
	o.MaxWait = max(o.MaxWait, 0)
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Sleep == nil {
		o.Sleep = sleep
	}
	return &Bulkhead{o: o}
}

// sleep is the default Options.Sleep: a real timer that stops early when
// ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Name returns Options.Name.
func (b *Bulkhead) Name() string { return b.o.Name }

// Do runs fn in a slot: it acquires one, calls fn and releases the slot when
// fn returns or panics. It returns the error from Acquire without calling fn
// when no slot could be had.
func (b *Bulkhead) Do(ctx context.Context, fn func(context.Context) error) error {
	release, err := b.Acquire(ctx)
	if err != nil {
		return err
	}
	defer release()
	return fn(ctx)
}

// TryAcquire takes a slot if one is free and nobody is waiting for one. It
// never waits. On success it returns a release function; calling it more
// than once has no further effect.
func (b *Bulkhead) TryAcquire() (release func(), ok bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.admitNowLocked() {
		b.stats.Rejected++
		return nil, false
	}
	return b.releaser(), true
}

// Acquire takes a slot, waiting in the queue if the options allow it. It
// returns a release function to call exactly when the work is done (extra
// calls have no effect), or ErrFull, ErrTimeout or the context's error.
func (b *Bulkhead) Acquire(ctx context.Context) (release func(), err error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	b.mu.Lock()
	if b.admitNowLocked() {
		b.mu.Unlock()
		return b.releaser(), nil
	}
	if len(b.queue) >= b.o.MaxQueue {
		b.stats.Rejected++
		b.mu.Unlock()
		return nil, ErrFull
	}
	wctx, wake := context.WithCancel(ctx)
	defer wake()
	w := &waiter{wake: wake}
	b.queue = append(b.queue, w)
	b.stats.Queued++
	b.mu.Unlock()

	start := b.o.Now()
	b.wait(wctx)
	return b.settle(ctx, w, start)
}

// admitNowLocked takes a free slot for a caller that arrives now. A caller
// never overtakes the queue: with anyone waiting, free slots are theirs.
func (b *Bulkhead) admitNowLocked() bool {
	if b.inFlight >= b.o.MaxConcurrent || len(b.queue) > 0 {
		return false
	}
	b.inFlight++
	b.stats.Admitted++
	return true
}

// wait blocks until ctx ends (a slot was handed over, or the caller gave
// up) or MaxWait has passed.
func (b *Bulkhead) wait(ctx context.Context) {
	if b.o.MaxWait == 0 {
		<-ctx.Done()
		return
	}
	b.o.Sleep(ctx, b.o.MaxWait) // its error says only which of the two happened first
}

// settle decides the outcome of a wait. A slot handed over wins over a
// timeout or a cancellation that happened at the same time, because the slot
// is already counted as in flight and must reach a caller that will
// release it.
func (b *Bulkhead) settle(ctx context.Context, w *waiter, start time.Time) (func(), error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.stats.WaitTime += b.o.Now().Sub(start)
	if w.granted {
		b.stats.Admitted++
		return b.releaser(), nil
	}
	b.removeLocked(w)
	if err := ctx.Err(); err != nil {
		b.stats.Canceled++
		return nil, err
	}
	b.stats.TimedOut++
	return nil, ErrTimeout
}

// removeLocked takes a waiter that gave up out of the queue.
func (b *Bulkhead) removeLocked(w *waiter) {
	for i, q := range b.queue {
		if q == w {
			b.queue = append(b.queue[:i], b.queue[i+1:]...)
			return
		}
	}
}

// releaser returns an idempotent release function for one slot.
func (b *Bulkhead) releaser() func() {
	var once sync.Once
	return func() { once.Do(b.release) }
}

// release frees a slot, or hands it straight to the first waiter, so the
// number in flight does not change and no newcomer can take it first.
func (b *Bulkhead) release() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.queue) == 0 {
		b.inFlight--
		return
	}
	w := b.queue[0]
	b.queue[0] = nil
	b.queue = b.queue[1:]
	w.granted = true
	w.wake()
}

// Stats returns a snapshot of the gauges and counters.
func (b *Bulkhead) Stats() Stats {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.stats
	s.InFlight = b.inFlight
	s.Waiting = len(b.queue)
	return s
}

// Size returns the number of slots Little's law asks for: a dependency that
// receives rate calls per second, each in flight for latency, holds
// rate × latency slots on average. The result is rounded up and is at least
// 1. Size for a high percentile of latency, not the mean, and add headroom.
func Size(rate float64, latency time.Duration) int {
	l := rate * latency.Seconds()
	if math.IsNaN(l) || l <= 1 {
		return 1
	}
	if l >= math.MaxInt32 {
		return math.MaxInt32
	}
	// Float rounding can lift an exact product a hair above an integer.
	return int(math.Ceil(l - 1e-9))
}
