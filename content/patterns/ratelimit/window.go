package ratelimit

import (
	"math/bits"
	"sync"
	"time"
)

// SlidingWindow admits at most Limit events per Window, estimating the
// count over the sliding window from two fixed windows: the previous
// window's count weighted by how much of it the sliding window still
// covers, plus the current window's count. It needs two counters per key.
//
// The estimate assumes the previous window's events were spread evenly.
// When they were not, it is wrong both ways, and the bound it gives is
// weaker than "Limit per Window": each fixed window admits at most Limit,
// and any interval of length Δ ≤ Window at most Limit + ⌈Limit·Δ/Window⌉,
// so up to 2·Limit in one Window when both bursts sit at the ends of
// their fixed windows. It does cut the fixed window's 2·Limit in a moment
// at the edge to Limit + ⌈Limit·Δ/Window⌉. An exact limit needs a sliding
// log, one timestamp per admitted event.
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
	if !w.below(now) {
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

// below reports whether the weighted count over the window ending now,
// prev·(W−e)/W + count with e the time elapsed in the current window, is
// below the limit. It compares prev·(W−e) + count·W with limit·W in 128-bit
// integers: in floating point, a count that should equal the limit can
// come out just under it and admit one event too many.
func (w *SlidingWindow) below(now time.Time) bool {
	rest := uint64(w.window - now.Sub(w.start))
	win := uint64(w.window)
	h1, l1 := bits.Mul64(uint64(w.prev), rest)
	h2, l2 := bits.Mul64(uint64(w.count), win)
	lo, carry := bits.Add64(l1, l2, 0)
	hi, _ := bits.Add64(h1, h2, carry)
	hl, ll := bits.Mul64(uint64(w.limit), win)
	return hi < hl || hi == hl && lo < ll
}
