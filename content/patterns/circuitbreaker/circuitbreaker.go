// Package circuitbreaker stops calling a dependency that keeps failing, and
// probes it before trusting it again.
//
// A Breaker is a three-state machine. While Closed, calls pass and their
// outcomes are counted. When ReadyToTrip says the counts look bad (by
// default, five failures in a row) the breaker goes Open: calls fail fast
// with ErrOpen, without touching the dependency, for OpenTimeout. Then it
// goes HalfOpen and lets up to HalfOpenProbes calls through: a failure
// reopens it, and that many successes close it.
//
//	b := circuitbreaker.New(circuitbreaker.Settings{Name: "payments"})
//	err := b.Execute(func() error { return client.Charge(ctx, order) })
//	if errors.Is(err, circuitbreaker.ErrOpen) {
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
	HalfOpen              // a few probe calls pass; the rest fail with ErrTooManyProbes
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

// Errors returned instead of calling the dependency.
var (
	ErrOpen          = errors.New("circuit breaker is open")
	ErrTooManyProbes = errors.New("circuit breaker is half-open and its probes are in flight")
)

// Counts are the outcomes seen in the current generation.
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
	// Interval clears the counts periodically while Closed, so old
	// failures are forgotten. Zero never clears them (only a state change
	// does).
	Interval time.Duration
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
	expiry     time.Time    // when Open ends, or when Closed counts are cleared
	changes    []transition // made under the lock, reported after it
}

type transition struct{ from, to State }

// New returns a Closed breaker with s, defaults filled in.
func New(s Settings) *Breaker {
	if s.ReadyToTrip == nil {
		s.ReadyToTrip = func(c Counts) bool { return c.ConsecutiveFailures >= 5 }
	}
	if s.OpenTimeout <= 0 {
		s.OpenTimeout = 30 * time.Second
	}
	if s.HalfOpenProbes == 0 {
		s.HalfOpenProbes = 1
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
// error is ErrOpen or ErrTooManyProbes. A panic in fn counts as a failure
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
	b.counts.Requests++
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
		if b.state == HalfOpen && b.counts.ConsecutiveSuccesses >= b.s.HalfOpenProbes {
			b.setState(Closed, now)
		}
	} else {
		b.counts.failure()
		if b.state == HalfOpen || b.s.ReadyToTrip(b.counts) {
			b.setState(Open, now)
		}
	}
}

// advance applies the transitions that time alone causes: Open → HalfOpen
// after OpenTimeout, and clearing Closed counts every Interval.
func (b *Breaker) advance(now time.Time) {
	if b.expiry.IsZero() || now.Before(b.expiry) {
		return
	}
	switch b.state {
	case Open:
		b.setState(HalfOpen, now)
	case Closed:
		b.newGeneration(now)
	}
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
	b.expiry = time.Time{}
	switch {
	case b.state == Open:
		b.expiry = now.Add(b.s.OpenTimeout)
	case b.state == Closed && b.s.Interval > 0:
		b.expiry = now.Add(b.s.Interval)
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
