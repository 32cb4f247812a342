package hedge

import "sync"

// Budget bounds the hedges of every Hedger that shares it to a fraction
// of their calls: a token bucket that each call fills by Ratio, up to
// Burst, and each hedge empties by one. A hedge is sent only if a whole
// token is there; the first attempt of a call is always sent. Over any
// run, hedges ≤ Burst + Ratio × calls, so a slowdown of every replica,
// when every call would hedge, adds at most Ratio to the load instead of
// doubling it. It is safe for concurrent use.
//
// A nil *Budget allows every hedge.
type Budget struct {
	ratio, burst float64

	mu     sync.Mutex
	tokens float64
}

// NewBudget returns a full budget that allows ratio hedges per call on
// average (0.05 is 5% extra load) and bursts of burst hedges. Negative
// values count as 0.
func NewBudget(ratio, burst float64) *Budget {
	ratio, burst = max(ratio, 0), max(burst, 0)
	return &Budget{ratio: ratio, burst: burst, tokens: burst}
}

// deposit records a call.
func (b *Budget) deposit() {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.tokens = min(b.burst, b.tokens+b.ratio)
}

// withdraw takes a token for a hedge, or reports that there is none.
func (b *Budget) withdraw() bool {
	if b == nil {
		return true
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// Tokens returns the hedges the budget would allow now.
func (b *Budget) Tokens() float64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.tokens
}
