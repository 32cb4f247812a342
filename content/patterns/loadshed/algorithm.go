package loadshed

import (
	"math"
	"time"
)

// Sample is what one completed request tells the limit algorithm.
type Sample struct {
	RTT      time.Duration // from admission to Done or Drop
	InFlight int           // requests in flight when it was admitted, itself included
	Dropped  bool          // reported with Token.Drop
}

// Algorithm computes the next concurrency limit from the current one and
// a sample. The Shedder clamps the result to [MinLimit, MaxLimit].
type Algorithm interface {
	Next(limit int, s Sample) int
}

// AIMD is a loss-based limit: additive increase, multiplicative decrease,
// as in TCP congestion control. A sample slower than Timeout, or dropped,
// multiplies the limit by Backoff; any other sample adds one, but only
// while at least half the limit is in use, so that an idle server does not
// grow a limit it has never tested.
type AIMD struct {
	// Backoff is the factor applied on a loss. Default 0.9.
	Backoff float64
	// Timeout is the latency above which a sample counts as a loss.
	// Default 5 s.
	Timeout time.Duration
}

// Next implements Algorithm.
func (a *AIMD) Next(limit int, s Sample) int {
	backoff, timeout := a.Backoff, a.Timeout
	if backoff <= 0 || backoff >= 1 {
		backoff = 0.9
	}
	if timeout <= 0 {
		timeout = 5 * time.Second
	}
	switch {
	case s.Dropped || s.RTT > timeout:
		return int(float64(limit) * backoff)
	case s.InFlight*2 >= limit:
		return limit + 1
	}
	return limit
}

// Gradient is a delay-based limit after Netflix's Gradient2. It keeps a
// long-term average of latency and compares each sample with it: while
// latency stays near the average the limit grows by QueueSize, and as a
// queue builds (latency above Tolerance times the average) the limit
// shrinks by up to half, smoothed. A Gradient keeps state, so give each
// Shedder its own.
type Gradient struct {
	// Smoothing is how much of each new estimate is taken. Default 0.2.
	Smoothing float64
	// Tolerance is the latency growth, as a multiple of the long-term
	// average, accepted before the limit shrinks. Default 1.5.
	Tolerance float64
	// QueueSize is the headroom added to the limit. Default 4.
	QueueSize float64
	// LongWindow is the number of samples the long-term average spans.
	// Default 600.
	LongWindow int

	estimate float64 // the limit, unrounded
	longRTT  float64 // nanoseconds, exponentially averaged
}

// Next implements Algorithm.
func (g *Gradient) Next(limit int, s Sample) int {
	g.defaults()
	if math.Abs(g.estimate-float64(limit)) >= 1 {
		g.estimate = float64(limit) // first call, or the Shedder clamped the last value
	}
	short := float64(max(s.RTT, 1))
	g.observe(short)
	if s.InFlight*2 < limit && !s.Dropped {
		return limit // app-limited: the sample says nothing about capacity
	}
	gradient := min(1, max(0.5, g.Tolerance*g.longRTT/short))
	if s.Dropped {
		gradient = 0.5
	}
	next := g.estimate*gradient + g.QueueSize
	g.estimate = g.estimate*(1-g.Smoothing) + next*g.Smoothing
	return int(g.estimate)
}

func (g *Gradient) defaults() {
	if g.Smoothing <= 0 || g.Smoothing > 1 {
		g.Smoothing = 0.2
	}
	if g.Tolerance < 1 {
		g.Tolerance = 1.5
	}
	if g.QueueSize <= 0 {
		g.QueueSize = 4
	}
	if g.LongWindow <= 0 {
		g.LongWindow = 600
	}
}

// observe folds a sample into the long-term average, and pulls the average
// down quickly when latency has recovered far below it.
func (g *Gradient) observe(short float64) {
	if g.longRTT == 0 {
		g.longRTT = short
		return
	}
	g.longRTT += (short - g.longRTT) * 2 / float64(g.LongWindow+1)
	if g.longRTT/short > 2 {
		g.longRTT *= 0.95
	}
}
