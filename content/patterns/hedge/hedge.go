// Package hedge cuts tail latency by sending a second copy of a slow
// request to another replica and taking the first answer.
//
// A Hedger runs an operation once; if no answer has come back after
// Policy.Delay, it starts the operation again (a hedge), up to
// Policy.MaxAttempts attempts in all. The first success wins, and the
// context of every other attempt is cancelled when Do returns:
//
//	h := hedge.New[*Doc](hedge.Policy{MaxAttempts: 2, Delay: 40 * time.Millisecond}, hedge.Options{})
//	doc, err := h.Do(ctx, func(ctx context.Context, attempt int) (*Doc, error) {
//		return replicas[attempt%len(replicas)].Get(ctx, key) // a different replica per attempt
//	})
//
// The semantics follow gRPC's hedging policy (gRFC A6): an error that
// Policy.NonFatal accepts sends the next attempt at once instead of
// waiting for the delay; any other error ends the call and cancels the
// attempts still running; if every attempt fails, Do returns the last
// error. A Delay of 0 sends all attempts at once.
//
// The delay is the knob that trades load for latency: with two attempts,
// a hedge is sent only for calls whose first attempt is slower than the
// delay, so a delay at the 95th percentile of latency adds about 5% load.
// A Tracker makes the delay follow a percentile of recent latencies,
// capped at Policy.Delay. A Budget, shared by every Hedger that calls one
// dependency, bounds hedges to a fraction of calls, so that when every
// replica is slow hedging stops instead of doubling the load.
//
// Replay is the same algorithm as a pure function over given attempt
// outcomes: the formal model, used by the tests to check Do and by the
// demo to simulate thousands of calls deterministically.
//
// Hedge only operations that are safe to run twice: reads, idempotent
// writes, or writes the receiver deduplicates.
package hedge

import (
	"context"
	"sync/atomic"
	"time"
)

// Policy says when to hedge. It is shared by Hedger.Do and Replay.
type Policy struct {
	// MaxAttempts is the number of attempts in all, the first included.
	// Values below 1 mean 2 (one hedge); 1 disables hedging.
	MaxAttempts int
	// Delay is the wait after the start of one attempt before the next
	// is sent, if no answer has come. 0 sends all attempts at once. With
	// a Tracker it is the cap of the adaptive delay.
	Delay time.Duration
	// NonFatal reports whether an attempt's error leaves the call alive:
	// the next attempt is then sent at once. Any other error ends the
	// call. nil: every error is non-fatal.
	NonFatal func(error) bool
}

func (p Policy) withDefaults() Policy {
	if p.MaxAttempts < 1 {
		p.MaxAttempts = 2
	}
	if p.Delay < 0 {
		p.Delay = 0
	}
	return p
}

func (p Policy) nonFatal(err error) bool {
	return p.NonFatal == nil || p.NonFatal(err)
}

// Options configure a Hedger. Nil fields get the defaults.
type Options struct {
	// Budget limits hedges to a fraction of calls. It may be shared by
	// several Hedgers. nil: no limit.
	Budget *Budget
	// Tracker, if set, records the latency of every attempt that
	// completes, and the delay becomes its Percentile, capped at
	// Policy.Delay, once it holds enough samples.
	Tracker    *Tracker
	Percentile float64                                          // quantile in (0, 1) for the Tracker; default 0.95
	Now        func() time.Time                                 // nil: time.Now
	Sleep      func(ctx context.Context, d time.Duration) error // nil: a real timer; returns ctx.Err() if ctx ends first
}

// Hedger runs operations returning a T under a Policy. It is safe for
// concurrent use.
type Hedger[T any] struct {
	policy     Policy
	budget     *Budget
	tracker    *Tracker
	percentile float64
	now        func() time.Time
	sleep      func(context.Context, time.Duration) error

	calls, hedges, refused, hedgeWins atomic.Int64
}

// New returns a Hedger for p, configured by o.
func New[T any](p Policy, o Options) *Hedger[T] {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Sleep == nil {
		o.Sleep = sleepContext
	}
	if o.Percentile <= 0 || o.Percentile >= 1 {
		o.Percentile = 0.95
	}
	return &Hedger[T]{policy: p.withDefaults(), budget: o.Budget, tracker: o.Tracker,
		percentile: o.Percentile, now: o.Now, sleep: o.Sleep}
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

// Delay returns the delay the next call will use: Policy.Delay, or the
// Tracker's percentile if it is shorter and the Tracker is warm.
func (h *Hedger[T]) Delay() time.Duration {
	if h.tracker != nil {
		if q, ok := h.tracker.Quantile(h.percentile); ok {
			return min(q, h.policy.Delay)
		}
	}
	return h.policy.Delay
}

// result is one attempt's outcome, sent by its goroutine.
type result[T any] struct {
	attempt int
	value   T
	err     error
	took    time.Duration
}

// call is the state of one Do: the attempts sent, those still running,
// and the timer that sends the next one.
type call[T any] struct {
	h        *Hedger[T]
	ctx      context.Context
	op       func(ctx context.Context, attempt int) (T, error)
	results  chan result[T]
	delay    time.Duration
	sent     int
	running  int
	stopped  bool // no more attempts: the budget refused one
	timer    <-chan error
	stopTime context.CancelFunc
}

// Do calls op, and again with the next attempt number each time the
// delay passes without an answer or an attempt fails with a non-fatal
// error, up to MaxAttempts. It returns the first success; or the first
// fatal error; or, when every attempt sent has failed, the last error;
// or ctx.Err() if ctx ends first. When Do returns, the context passed to
// every attempt still running is cancelled: op must honour it. Attempt 0
// is the original request; op should send attempt i to a replica other
// than those of the attempts before it.
func (h *Hedger[T]) Do(ctx context.Context, op func(ctx context.Context, attempt int) (T, error)) (T, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // cancels the losers
	h.calls.Add(1)
	h.budget.deposit()
	c := &call[T]{h: h, ctx: ctx, op: op, delay: h.Delay(),
		results: make(chan result[T], h.policy.MaxAttempts)} // buffered: a loser never blocks
	c.launch()
	c.arm()
	defer func() { c.stopTime() }()
	var zero T
	for {
		select {
		case r := <-c.results:
			if done, v, err := c.settle(r); done {
				return v, err
			}
		case <-c.timer:
			c.timer = nil
			c.next()
		case <-ctx.Done():
			return zero, ctx.Err()
		}
	}
}

// launch starts the next attempt in its own goroutine.
func (c *call[T]) launch() {
	i := c.sent
	c.sent++
	c.running++
	start := c.h.now()
	go func() {
		v, err := c.op(c.ctx, i)
		c.results <- result[T]{attempt: i, value: v, err: err, took: c.h.now().Sub(start)}
	}()
}

// arm starts the hedge timer for the next attempt, if there is one.
func (c *call[T]) arm() {
	if c.stopTime != nil {
		c.stopTime()
	}
	tctx, stop := context.WithCancel(c.ctx)
	c.stopTime = stop
	if c.stopped || c.sent >= c.h.policy.MaxAttempts {
		c.timer = nil
		return
	}
	fired := make(chan error, 1)
	go func() { fired <- c.h.sleep(tctx, c.delay) }()
	c.timer = fired
}

// next sends a hedge if attempts and budget allow, and re-arms the timer.
func (c *call[T]) next() {
	if c.stopped || c.sent >= c.h.policy.MaxAttempts {
		return
	}
	if !c.h.budget.withdraw() {
		c.h.refused.Add(1)
		c.stopped = true
		c.arm()
		return
	}
	c.h.hedges.Add(1)
	c.launch()
	c.arm()
}

// settle handles one attempt's result and says whether Do is done.
func (c *call[T]) settle(r result[T]) (done bool, v T, err error) {
	c.running--
	if c.h.tracker != nil {
		c.h.tracker.Observe(r.took)
	}
	if r.err == nil {
		if r.attempt > 0 {
			c.h.hedgeWins.Add(1)
		}
		return true, r.value, nil
	}
	if !c.h.policy.nonFatal(r.err) {
		return true, v, r.err
	}
	c.next() // gRFC A6: a non-fatal error sends the next attempt at once
	if c.running == 0 {
		return true, v, r.err
	}
	return false, v, nil
}

// Stats counts what a Hedger has done since New.
type Stats struct {
	Calls     int64 // calls to Do
	Hedges    int64 // attempts sent after the first
	Refused   int64 // hedges the budget refused
	HedgeWins int64 // calls won by a hedge rather than the first attempt
}

// Stats returns the Hedger's counters. Hedges/Calls is the extra load
// hedging adds; HedgeWins/Hedges is how often a hedge paid off.
func (h *Hedger[T]) Stats() Stats {
	return Stats{Calls: h.calls.Load(), Hedges: h.hedges.Load(),
		Refused: h.refused.Load(), HedgeWins: h.hedgeWins.Load()}
}
