package hedge

import (
	"math"
	"slices"
	"sync"
	"time"
)

// Tracker keeps the latencies of the last Window attempts and answers
// quantiles over them, so a hedge delay can follow "the 95th percentile
// of recent latency" as the service changes. It is safe for concurrent
// use.
//
// Only attempts that complete are observed: an attempt cancelled because
// another won is not, so under heavy hedging the tail is under-sampled.
// That is one reason Hedger caps the adaptive delay at Policy.Delay.
type Tracker struct {
	minSamples int

	mu   sync.Mutex
	ring []time.Duration
	next int
	full bool
}

// NewTracker returns a Tracker over the last window latencies (default
// 1000) that answers quantiles once it holds minSamples (default 100,
// at most window).
func NewTracker(window, minSamples int) *Tracker {
	if window <= 0 {
		window = 1000
	}
	if minSamples <= 0 {
		minSamples = 100
	}
	return &Tracker{minSamples: min(minSamples, window), ring: make([]time.Duration, window)}
}

// Observe records one latency, replacing the oldest when the window is
// full.
func (t *Tracker) Observe(d time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.ring[t.next] = d
	t.next++
	if t.next == len(t.ring) {
		t.next, t.full = 0, true
	}
}

// Len returns the number of latencies held.
func (t *Tracker) Len() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.len()
}

func (t *Tracker) len() int {
	if t.full {
		return len(t.ring)
	}
	return t.next
}

// Quantile returns the q-quantile of the latencies held, and false while
// fewer than minSamples are held.
func (t *Tracker) Quantile(q float64) (time.Duration, bool) {
	t.mu.Lock()
	samples := slices.Clone(t.ring[:t.len()])
	t.mu.Unlock()
	if len(samples) < t.minSamples {
		return 0, false
	}
	return Percentile(samples, q), true
}

// Percentile returns the q-quantile of samples by the nearest-rank
// method: the smallest sample with at least a fraction q of the samples
// at or below it. q is clamped to [0, 1]. It returns 0 for no samples
// and sorts samples in place.
func Percentile(samples []time.Duration, q float64) time.Duration {
	if len(samples) == 0 {
		return 0
	}
	slices.Sort(samples)
	rank := int(math.Ceil(min(max(q, 0), 1) * float64(len(samples))))
	return samples[max(rank, 1)-1]
}
