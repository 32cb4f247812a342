package ratelimit

import (
	"sync"
	"time"
)

// SlidingWindow admits at most Limit events per Window, estimating the
// count over the sliding window from two fixed windows: the previous
// window's count weighted by how much of it the sliding window still
// covers, plus the current window's count. It smooths the burst at window
// edges that a plain fixed-window counter allows (up to twice the limit
// around a boundary) with two counters per key.
type SlidingWindow struct {
	limit  int
	window time.Duration
	opts   Options

	mu          sync.Mutex
	start       time.Time // start of the current fixed window
	prev, count int
}

// NewSlidingWindow returns a limiter of limit events per window, reading
// the time from o.Now (a SlidingWindow never waits, so o.Sleep is unused).
func NewSlidingWindow(limit int, window time.Duration, o Options) *SlidingWindow {
	now := o.now()
	return &SlidingWindow{limit: limit, window: window, opts: o, start: now.Truncate(window)}
}

// Allow reports whether an event may happen now, and counts it if so.
func (w *SlidingWindow) Allow() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	now := w.opts.now()
	w.roll(now)
	if w.estimate(now) >= float64(w.limit) {
		return false
	}
	w.count++
	return true
}

// roll moves to the fixed window that contains now.
func (w *SlidingWindow) roll(now time.Time) {
	current := now.Truncate(w.window)
	switch {
	case current.Equal(w.start):
	case current.Sub(w.start) == w.window:
		w.prev, w.count, w.start = w.count, 0, current
	default: // a whole window or more passed without events
		w.prev, w.count, w.start = 0, 0, current
	}
}

// estimate is the weighted event count over the window ending now.
func (w *SlidingWindow) estimate(now time.Time) float64 {
	elapsed := now.Sub(w.start)
	weight := float64(w.window-elapsed) / float64(w.window)
	return float64(w.prev)*weight + float64(w.count)
}
