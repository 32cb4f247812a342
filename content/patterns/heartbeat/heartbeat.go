// Package heartbeat implements failure detection by heartbeats: every
// member sends a small message to a monitor at a fixed interval, and the
// monitor suspects a member from which nothing has arrived for too long.
//
// Two detectors judge the arrivals, both measured on the monitor's own
// clock, never on the timestamps the members put in their messages:
//
//   - Timeout suspects a member when the time since its last heartbeat
//     exceeds a fixed timeout;
//   - Phi is an accrual detector (Hayashibara et al.) in the form Apache
//     Cassandra uses: it keeps a window of inter-arrival times and
//     reports φ = Δ / (mean · ln 10), the suspicion level under an
//     exponential model of the intervals; it suspects above a threshold,
//     so its effective timeout follows the intervals it observes.
//
// Member and Monitor are sim.Handlers that run them on a simulated cluster
// (package sim), where members crash and restart, links are cut, slowed
// and lossy, and clocks drift. History watches a run and checks, after
// every event, completeness (a crashed member is suspected within the
// detector's bound) and accuracy (a member that stayed up and reachable
// through a window of the timeout's length is not suspected).
package heartbeat

import (
	"math"
	"time"
)

// Detector judges one member's liveness from the arrival times of its
// heartbeats, read on the monitor's clock.
type Detector interface {
	// Heartbeat records an arrival at at.
	Heartbeat(at time.Time)
	// Suspect reports whether the member is suspected at now.
	Suspect(now time.Time) bool
}

// Timeout is the fixed-timeout detector. The zero value with After set
// suspects a member from which nothing has arrived yet only once After
// has passed since Start.
type Timeout struct {
	After time.Duration // silence longer than this is suspicious
	last  time.Time
}

// NewTimeout returns a detector that suspects after d of silence,
// counted from start until the first heartbeat arrives.
func NewTimeout(d time.Duration, start time.Time) *Timeout {
	return &Timeout{After: d, last: start}
}

// Heartbeat records an arrival; an arrival older than the last one (a
// reordered message) changes nothing.
func (t *Timeout) Heartbeat(at time.Time) {
	if at.After(t.last) {
		t.last = at
	}
}

// Suspect reports whether more than After has passed since the last
// arrival.
func (t *Timeout) Suspect(now time.Time) bool { return now.Sub(t.last) > t.After }

// Phi is the accrual detector. Make one with NewPhi.
type Phi struct {
	threshold   float64
	maxInterval time.Duration
	window      []time.Duration // the latest inter-arrival times, a ring
	next        int
	sum         time.Duration
	last        time.Time
}

// PhiFactor scales φ to the base-10 scale of the threshold: φ is
// −log10 of the probability that a heartbeat is still to come, and
// under an exponential model that is Δ / (mean · ln 10).
var PhiFactor = 1 / math.Ln10

// NewPhi returns a φ-accrual detector that suspects above threshold
// (Cassandra's phi_convict_threshold; 8 there), keeps the latest size
// intervals (1,000 in Cassandra), ignores intervals longer than
// maxInterval (a partition should not teach it to wait longer), and
// starts, at start, with one interval of maxInterval.
func NewPhi(threshold float64, size int, maxInterval time.Duration, start time.Time) *Phi {
	p := &Phi{threshold: threshold, maxInterval: maxInterval, window: make([]time.Duration, 0, max(size, 1)), last: start}
	p.add(maxInterval)
	return p
}

// Heartbeat records an arrival and, unless it is too long, the interval
// since the previous one.
func (p *Phi) Heartbeat(at time.Time) {
	if !at.After(p.last) {
		return
	}
	if d := at.Sub(p.last); d <= p.maxInterval {
		p.add(d)
	}
	p.last = at
}

func (p *Phi) add(d time.Duration) {
	if len(p.window) < cap(p.window) {
		p.window = append(p.window, d)
	} else {
		p.sum -= p.window[p.next]
		p.window[p.next] = d
		p.next = (p.next + 1) % len(p.window)
	}
	p.sum += d
}

// Mean returns the mean of the intervals in the window.
func (p *Phi) Mean() time.Duration { return p.sum / time.Duration(len(p.window)) }

// Level returns φ at now: the silence since the last arrival in units of
// the mean interval, on the base-10 scale.
func (p *Phi) Level(now time.Time) float64 {
	return PhiFactor * float64(now.Sub(p.last)) / float64(p.Mean())
}

// Suspect reports whether φ exceeds the threshold.
func (p *Phi) Suspect(now time.Time) bool { return p.Level(now) > p.threshold }

// Bound returns the longest silence φ tolerates: threshold · ln 10 times
// the largest mean the window can hold, maxInterval.
func (p *Phi) Bound() time.Duration {
	return time.Duration(p.threshold / PhiFactor * float64(p.maxInterval))
}
