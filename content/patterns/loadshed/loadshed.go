// Package loadshed protects a server from more work than it can finish in
// time: it rejects requests early, when accepting them would only make every
// request late.
//
// A Shedder sits at the server's front door. Each request asks Allow for
// admission and, when it is admitted, reports its outcome on the returned
// Token. Allow refuses a request for one of three reasons, checked in this
// order:
//
//   - ErrDeadline: the caller's deadline is closer than the fastest
//     response the server has ever given, so the work would be wasted.
//   - ErrQueueTimeout: the request already waited in a queue longer than
//     allowed. The allowance is QueueInterval normally and QueueTarget while
//     the queue has been standing (no request got through quickly) for a
//     whole QueueInterval, after the CoDel idea of watching queueing time
//     rather than queue length.
//   - ErrOverloaded: the number of requests in flight has reached the
//     concurrency limit for the request's Priority. Lower priorities may use
//     only a share of the limit (Options.Shares), so they are shed first.
//
// The concurrency limit is not a constant: after every completion an
// Algorithm computes the next limit from the request's latency, the number
// in flight and whether it was dropped. AIMD (the default) and Gradient
// follow the algorithms of Netflix's concurrency-limits library. The limit
// always stays within [MinLimit, MaxLimit].
//
//	s := loadshed.New(loadshed.Options{})
//	tok, err := s.Allow(loadshed.Request{Priority: loadshed.Critical, Arrived: received})
//	if err != nil {
//		http.Error(w, "overloaded", http.StatusServiceUnavailable) // fast, cheap refusal
//		return
//	}
//	defer tok.Done()
//
// A Shedder is safe for concurrent use. Time comes from Options.Now.
package loadshed

import (
	"errors"
	"fmt"
	"sync"
	"time"
)

// Priority is how much a request matters when the server must choose. The
// four levels and their names follow the criticality levels of Kratos v1
// (go-kratos/kratos, pkg/net/criticality).
type Priority int

// The priorities, from the first to be shed to the last.
const (
	Sheddable     Priority = iota // frequent partial and occasional full unavailability is acceptable
	SheddablePlus                 // partial unavailability is acceptable: batch jobs that retry later
	Critical                      // user-visible if it fails; the default of production traffic
	CriticalPlus                  // the most critical requests; they may use the whole limit
)

const numPriorities = 4

// String returns the priority's name, spelled as in Kratos v1.
func (p Priority) String() string {
	switch p {
	case Sheddable:
		return "SHEDDABLE"
	case SheddablePlus:
		return "SHEDDABLE_PLUS"
	case Critical:
		return "CRITICAL"
	case CriticalPlus:
		return "CRITICAL_PLUS"
	}
	return fmt.Sprintf("Priority(%d)", int(p))
}

// The reasons Allow refuses a request.
var (
	ErrOverloaded   = errors.New("loadshed: concurrency limit reached")
	ErrQueueTimeout = errors.New("loadshed: request waited in the queue too long")
	ErrDeadline     = errors.New("loadshed: request cannot finish before its deadline")
)

// Request describes a request asking for admission.
type Request struct {
	// Priority decides which share of the limit the request may use.
	Priority Priority
	// Arrived is when the request reached the server (read off the
	// socket, put in a queue). Zero: no queueing time is checked.
	Arrived time.Time
	// Deadline is when the caller stops waiting. Zero: no deadline.
	Deadline time.Time
}

// Options configure a Shedder. Zero values get the documented defaults.
type Options struct {
	// InitialLimit is the concurrency limit before any sample. Default 20.
	InitialLimit int
	// MinLimit and MaxLimit bound the limit. Defaults 1 and 1000.
	MinLimit, MaxLimit int
	// Algorithm computes the next limit after each completion.
	// Default: &AIMD{}. It is called with the Shedder's lock held, so it
	// needs no locking of its own and must not call the Shedder.
	Algorithm Algorithm
	// Shares[p] is the fraction of the limit that requests of priority p
	// may fill. Default {0.5, 0.75, 0.9, 1}. New makes the shares
	// non-decreasing in priority and caps them at 1.
	Shares [numPriorities]float64
	// QueueTarget is the queueing time a request may have while the
	// queue is standing. Default 5 ms.
	QueueTarget time.Duration
	// QueueInterval is the longest queueing time ever admitted, and how
	// long the queue must stand before QueueTarget applies. Default 100 ms.
	QueueInterval time.Duration
	// Now returns the current time. Default: time.Now.
	Now func() time.Time
}

// Stats are a Shedder's counters, for metrics and tests.
type Stats struct {
	Limit    int // the current concurrency limit
	InFlight int // admitted requests not yet finished
	Admitted uint64
	// Shed counts refusals by reason and by priority.
	ShedOverloaded, ShedQueue, ShedDeadline uint64
	ShedByPriority                          [numPriorities]uint64
}

// Shedder admits or refuses requests. Create one with New.
type Shedder struct {
	o Options

	mu       sync.Mutex
	limit    int
	inFlight int
	minRTT   time.Duration // fastest completion seen; 0 before the first
	lastGood time.Time     // last admission that had queued at most QueueTarget
	stats    Stats
}

// New returns a Shedder with o, defaults filled in.
func New(o Options) *Shedder {
	o = withDefaults(o)
	return &Shedder{o: o, limit: clamp(o.InitialLimit, o.MinLimit, o.MaxLimit), lastGood: o.Now()}
}

func withDefaults(o Options) Options {
	if o.InitialLimit <= 0 {
		o.InitialLimit = 20
	}
	if o.MinLimit <= 0 {
		o.MinLimit = 1
	}
	if o.MaxLimit <= 0 {
		o.MaxLimit = 1000
	}
	o.MaxLimit = max(o.MaxLimit, o.MinLimit)
	if o.Algorithm == nil {
		o.Algorithm = &AIMD{}
	}
	if o.Shares == [numPriorities]float64{} {
		o.Shares = [numPriorities]float64{0.5, 0.75, 0.9, 1}
	}
	for p := range o.Shares {
		o.Shares[p] = min(o.Shares[p], 1)
		if p > 0 {
			o.Shares[p] = max(o.Shares[p], o.Shares[p-1])
		}
	}
	if o.QueueTarget <= 0 {
		o.QueueTarget = 5 * time.Millisecond
	}
	if o.QueueInterval <= 0 {
		o.QueueInterval = 100 * time.Millisecond
	}
	o.QueueInterval = max(o.QueueInterval, o.QueueTarget)
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// Allow admits r and returns a Token on which to report its outcome, or
// refuses it with ErrDeadline, ErrQueueTimeout or ErrOverloaded. A refused
// request has cost the server almost nothing; answer it at once (HTTP 503,
// gRPC UNAVAILABLE) so that the caller can retry elsewhere or degrade.
func (s *Shedder) Allow(r Request) (*Token, error) {
	now := s.o.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(r, now); err != nil {
		s.countShed(r.Priority, err)
		return nil, err
	}
	s.inFlight++
	s.stats.Admitted++
	return &Token{s: s, start: now, inFlight: s.inFlight}, nil
}

// check applies the three admission rules in order of cost to the caller.
func (s *Shedder) check(r Request, now time.Time) error {
	if !r.Deadline.IsZero() && !now.Add(s.minRTT).Before(r.Deadline) {
		return ErrDeadline
	}
	if !r.Arrived.IsZero() {
		wait := now.Sub(r.Arrived)
		if wait > s.maxWait(now) {
			return ErrQueueTimeout
		}
		if wait <= s.o.QueueTarget {
			s.lastGood = now
		}
	}
	if s.inFlight >= s.threshold(r.Priority) {
		return ErrOverloaded
	}
	return nil
}

// maxWait is the queueing time allowed now: QueueInterval, or only
// QueueTarget once no request has got through quickly for a whole
// QueueInterval (a standing queue).
func (s *Shedder) maxWait(now time.Time) time.Duration {
	if now.Sub(s.lastGood) > s.o.QueueInterval {
		return s.o.QueueTarget
	}
	return s.o.QueueInterval
}

// threshold is how many requests may be in flight when one of priority p
// is admitted: its share of the limit, at least 1.
func (s *Shedder) threshold(p Priority) int {
	p = min(max(p, Sheddable), CriticalPlus)
	return max(1, int(float64(s.limit)*s.o.Shares[p]))
}

func (s *Shedder) countShed(p Priority, err error) {
	switch err {
	case ErrDeadline:
		s.stats.ShedDeadline++
	case ErrQueueTimeout:
		s.stats.ShedQueue++
	default:
		s.stats.ShedOverloaded++
	}
	s.stats.ShedByPriority[min(max(p, Sheddable), CriticalPlus)]++
}

// Limit returns the current concurrency limit.
func (s *Shedder) Limit() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.limit
}

// Stats returns a snapshot of the counters.
func (s *Shedder) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats
	st.Limit, st.InFlight = s.limit, s.inFlight
	return st
}

// finish releases a token's slot and, unless the outcome is ignored,
// feeds its sample to the Algorithm.
func (s *Shedder) finish(t *Token, o outcome) {
	now := s.o.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.inFlight--
	if o == ignored {
		return
	}
	rtt := now.Sub(t.start)
	if o == succeeded && (s.minRTT == 0 || rtt < s.minRTT) {
		s.minRTT = rtt
	}
	next := s.o.Algorithm.Next(s.limit, Sample{RTT: rtt, InFlight: t.inFlight, Dropped: o == dropped})
	s.limit = clamp(next, s.o.MinLimit, s.o.MaxLimit)
}

func clamp(v, lo, hi int) int { return min(max(v, lo), hi) }

type outcome int

const (
	succeeded outcome = iota
	dropped
	ignored
)

// Token is an admitted request's slot. Call exactly one of Done, Drop or
// Ignore when the request ends; later calls do nothing.
type Token struct {
	s        *Shedder
	start    time.Time
	inFlight int // requests in flight when this one was admitted, itself included
	once     sync.Once
}

// Done reports that the request completed; its latency is a sample.
func (t *Token) Done() { t.end(succeeded) }

// Drop reports that the request failed because of overload (it timed
// out, or a dependency refused it): the Algorithm treats it as a loss.
func (t *Token) Drop() { t.end(dropped) }

// Ignore releases the slot without a sample, for outcomes that say
// nothing about load, such as the caller cancelling.
func (t *Token) Ignore() { t.end(ignored) }

func (t *Token) end(o outcome) { t.once.Do(func() { t.s.finish(t, o) }) }
