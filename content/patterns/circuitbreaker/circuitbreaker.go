// Package circuitbreaker stops calling a dependency that keeps failing, and
// probes it before trusting it again.
//
// A Breaker is a three-state machine. While Closed, calls pass and their
// outcomes are counted. When ReadyToTrip says the counts look bad (by
// default, five failures in a row) the breaker goes Open: calls fail fast
// with ErrOpen, without touching the dependency, for OpenTimeout. Then it
// goes HalfOpen and lets up to HalfOpenProbes calls through: a failure
// reopens it, and that many successes close it. A probe whose outcome is
// never reported cannot hold it there: after HalfOpenTimeout it opens again.
//
// The Closed counts are cumulative (cleared only by a state change or every
// Interval), or a rolling window: the last WindowCalls outcomes, or those of
// the last WindowDuration. FailureRate builds the usual trip predicate over
// such a window:
//
//	b := circuitbreaker.New(circuitbreaker.Settings{
//		WindowCalls: 100,
//		ReadyToTrip: circuitbreaker.FailureRate(20, 0.5), // half of at least 20
//	})
//
//	b := circuitbreaker.New(circuitbreaker.Settings{Name: "payments"})
//	err := b.Execute(func() error { return client.Charge(ctx, order) })
//	if errors.Is(err, circuitbreaker.ErrOpen) { // refused, open or half-open
//		// degrade: queue the charge, show a retry button, ...
//	}
//
// Every state change starts a new generation. An outcome reported for a
// call admitted in an older generation is ignored, so a slow call that
// started before the breaker opened cannot close it again.
//
// A Breaker is safe for concurrent use. Time comes from Settings.Now, so
// tests and demos can drive the clock.
package circuitbreaker

import (
	"errors"
	"fmt"
	"sync"
	"time"
)

// State is the state of a Breaker.
type State int

// The three states.
const (
	Closed   State = iota // calls pass; outcomes are counted
	Open                  // calls fail fast with ErrOpen
	HalfOpen              // a few probe calls pass; the rest fail with ErrTooManyProbes, which matches ErrOpen
)

// String returns the state's name: closed, open or half-open.
func (s State) String() string {
	switch s {
	case Closed:
		return "closed"
	case Open:
		return "open"
	case HalfOpen:
		return "half-open"
	}
	return fmt.Sprintf("State(%d)", int(s))
}

// Errors returned instead of calling the dependency. Every refusal matches
// ErrOpen with errors.Is, so one test catches both; ErrTooManyProbes tells
// the half-open refusal apart.
var (
	ErrOpen                = errors.New("circuit breaker is open")
	ErrTooManyProbes error = refusal("circuit breaker is half-open and its probes are in flight")
)

// refusal is a refusal other than ErrOpen itself; it wraps ErrOpen.
type refusal string

func (e refusal) Error() string { return string(e) }
func (e refusal) Unwrap() error { return ErrOpen }

// Counts are the outcomes seen in the current generation. With a window
// (Settings.WindowCalls or WindowDuration), while Closed, Successes and
// Failures cover only the window's outcomes and Requests is their sum:
// calls in flight count once they report.
type Counts struct {
	Requests             uint32
	Successes            uint32
	Failures             uint32
	ConsecutiveSuccesses uint32
	ConsecutiveFailures  uint32
}

func (c *Counts) success() {
	c.Successes++
	c.ConsecutiveSuccesses++
	c.ConsecutiveFailures = 0
}

func (c *Counts) failure() {
	c.Failures++
	c.ConsecutiveFailures++
	c.ConsecutiveSuccesses = 0
}

// Settings configure a Breaker. Zero values get the documented defaults.
type Settings struct {
	// Name identifies the breaker in OnStateChange and errors.
	Name string
	// ReadyToTrip decides, after each failure while Closed, whether to
	// open. Default: five consecutive failures.
	ReadyToTrip func(Counts) bool
	// OpenTimeout is how long the breaker stays Open before probing.
	// Default: 30 seconds.
	OpenTimeout time.Duration
	// HalfOpenProbes is how many calls may run while HalfOpen, and how
	// many must succeed to close. Default: 1.
	HalfOpenProbes uint32
	// HalfOpenTimeout is the longest the breaker stays HalfOpen: if the
	// probes have not closed or reopened it by then (an outcome was never
	// reported, a probe hangs), it opens again. Default: OpenTimeout;
	// negative: no limit.
	HalfOpenTimeout time.Duration
	// Interval clears the counts periodically while Closed, so old
	// failures are forgotten. Zero never clears them (only a state change
	// does).
	Interval time.Duration
	// WindowCalls, if positive, makes the Closed counts a rolling window
	// over the last WindowCalls outcomes.
	WindowCalls int
	// WindowDuration, if positive, makes the Closed counts a rolling
	// window over the outcomes of about the last WindowDuration, kept in
	// ten buckets of WindowDuration/10 (at least 1 ns): an outcome counts
	// while it is less than nine buckets old, and no longer once it is ten
	// buckets old. Set at most one of WindowCalls and WindowDuration; New
	// panics if both are.
	WindowDuration time.Duration
	// IsFailure classifies an error returned by the call. Default: every
	// non-nil error. Return false for errors that say nothing about the
	// dependency's health, such as a caller's context cancellation or a
	// validation error.
	IsFailure func(error) bool
	// OnStateChange is called, with the breaker's lock released, after
	// every transition. Calls made by concurrent goroutines may overlap,
	// so the callback must be safe for concurrent use.
	OnStateChange func(name string, from, to State)
	// Now returns the current time. Default: time.Now.
	Now func() time.Time
}

// Breaker is a circuit breaker. Create one with New.
type Breaker struct {
	s Settings

	mu         sync.Mutex
	state      State
	generation uint64
	counts     Counts
	window     *window      // the Closed outcomes, if Settings asks for a window
	expiry     time.Time    // when Open or HalfOpen ends, or when Closed counts are cleared
	changes    []transition // made under the lock, reported after it
}

type transition struct{ from, to State }

// New returns a Closed breaker with s, defaults filled in. It panics if s
// sets both WindowCalls and WindowDuration.
func New(s Settings) *Breaker {
	if s.WindowCalls > 0 && s.WindowDuration > 0 {
		panic("circuitbreaker: set WindowCalls or WindowDuration, not both")
	}
	if s.ReadyToTrip == nil {
		s.ReadyToTrip = func(c Counts) bool { return c.ConsecutiveFailures >= 5 }
	}
	if s.OpenTimeout <= 0 {
		s.OpenTimeout = 30 * time.Second
	}
	if s.HalfOpenProbes == 0 {
		s.HalfOpenProbes = 1
	}
	if s.HalfOpenTimeout == 0 {
		s.HalfOpenTimeout = s.OpenTimeout
	}
	if s.IsFailure == nil {
		s.IsFailure = func(err error) bool { return err != nil }
	}
	if s.Now == nil {
		s.Now = time.Now
	}
	b := &Breaker{s: s}
	b.newGeneration(s.Now())
	return b
}

// Execute runs fn if the breaker admits the call, records its outcome and
// returns its error. When the breaker refuses, fn is not called and the
// error matches ErrOpen (it is ErrOpen or ErrTooManyProbes). A panic in fn counts as a failure
// and is re-raised.
func (b *Breaker) Execute(fn func() error) error {
	gen, err := b.before()
	if err != nil {
		return err
	}
	defer func() {
		if r := recover(); r != nil {
			b.record(gen, false)
			panic(r)
		}
	}()
	err = fn()
	b.record(gen, !b.s.IsFailure(err))
	return err
}

// before admits a call or refuses it.
func (b *Breaker) before() (uint64, error) {
	b.mu.Lock()
	defer b.unlock()
	return b.admit(b.s.Now())
}

// Allow is the two-step form of Execute, for callers that cannot wrap the
// call in a function (streams, callbacks). If the call is admitted, the
// caller must call done exactly once with whether it succeeded.
func (b *Breaker) Allow() (done func(success bool), err error) {
	gen, err := b.before()
	if err != nil {
		return nil, err
	}
	var once sync.Once
	return func(success bool) { once.Do(func() { b.record(gen, success) }) }, nil
}

// admit counts a request if the state allows it.
func (b *Breaker) admit(now time.Time) (uint64, error) {
	b.advance(now)
	switch {
	case b.state == Open:
		return 0, ErrOpen
	case b.state == HalfOpen && b.counts.Requests >= b.s.HalfOpenProbes:
		return 0, ErrTooManyProbes
	}
	if b.window == nil || b.state != Closed {
		b.counts.Requests++ // a window counts the call when it reports
	}
	return b.generation, nil
}

// record applies an outcome, unless it belongs to an older generation.
func (b *Breaker) record(gen uint64, success bool) {
	b.mu.Lock()
	defer b.unlock()
	now := b.s.Now()
	b.advance(now)
	if gen != b.generation {
		return
	}
	if success {
		b.counts.success()
	} else {
		b.counts.failure()
	}
	if b.window != nil && b.state == Closed {
		b.window.add(now, !success)
		b.syncWindow(now)
	}
	switch {
	case success && b.state == HalfOpen && b.counts.ConsecutiveSuccesses >= b.s.HalfOpenProbes:
		b.setState(Closed, now)
	case !success && (b.state == HalfOpen || b.s.ReadyToTrip(b.counts)):
		b.setState(Open, now)
	}
}

// advance applies the changes that time alone causes: Open → HalfOpen
// after OpenTimeout, HalfOpen → Open after HalfOpenTimeout, clearing Closed
// counts every Interval, and old outcomes leaving a time window.
func (b *Breaker) advance(now time.Time) {
	if !b.expiry.IsZero() && !now.Before(b.expiry) {
		switch b.state {
		case Open:
			b.setState(HalfOpen, now)
		case HalfOpen:
			b.setState(Open, now)
		case Closed:
			b.newGeneration(now)
		}
	}
	b.syncWindow(now)
}

// syncWindow copies the window's outcomes into the Closed counts.
func (b *Breaker) syncWindow(now time.Time) {
	if b.window == nil || b.state != Closed {
		return
	}
	t := b.window.total(now)
	b.counts.Successes, b.counts.Failures = t.successes, t.failures
	b.counts.Requests = t.successes + t.failures
}

func (b *Breaker) setState(s State, now time.Time) {
	b.changes = append(b.changes, transition{b.state, s})
	b.state = s
	b.newGeneration(now)
}

// newGeneration clears the counts and sets when the state expires.
func (b *Breaker) newGeneration(now time.Time) {
	b.generation++
	b.counts = Counts{}
	b.window = nil
	b.expiry = time.Time{}
	switch {
	case b.state == Open:
		b.expiry = now.Add(b.s.OpenTimeout)
	case b.state == HalfOpen && b.s.HalfOpenTimeout > 0:
		b.expiry = now.Add(b.s.HalfOpenTimeout)
	case b.state == Closed && b.s.Interval > 0:
		b.expiry = now.Add(b.s.Interval)
	}
	if b.state == Closed {
		b.window = newWindow(b.s, now)
	}
}

// unlock releases the lock, then reports the transitions made under it,
// in order, so OnStateChange may call back into the breaker. Reports from
// different goroutines may interleave.
func (b *Breaker) unlock() {
	changes := b.changes
	b.changes = nil
	b.mu.Unlock()
	if b.s.OnStateChange == nil {
		return
	}
	for _, c := range changes {
		b.s.OnStateChange(b.s.Name, c.from, c.to)
	}
}

// State returns the current state, after any transition time has caused.
func (b *Breaker) State() State {
	b.mu.Lock()
	defer b.unlock()
	b.advance(b.s.Now())
	return b.state
}

// Counts returns the outcomes of the current generation.
func (b *Breaker) Counts() Counts {
	b.mu.Lock()
	defer b.unlock()
	b.advance(b.s.Now())
	return b.counts
}

// Name returns the breaker's name.
func (b *Breaker) Name() string { return b.s.Name }

// FailureRate returns a ReadyToTrip that trips once at least minCalls
// outcomes are counted and the share of failures among them is rate or
// more (0.5 for half). Use it with a window, so that the rate is the
// recent one.
func FailureRate(minCalls uint32, rate float64) func(Counts) bool {
	minCalls = max(minCalls, 1)
	return func(c Counts) bool {
		n := c.Successes + c.Failures
		return n >= minCalls && float64(c.Failures)/float64(n) >= rate
	}
}
