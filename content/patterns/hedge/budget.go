package hedge

import (
	"math"
	"sync"
)

// unit is one token in the budget's fixed-point arithmetic, so that ten
// deposits of 0.1 make exactly one token.
const unit = 1_000_000

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
	ratio, burst int64 // in units

	mu     sync.Mutex
	tokens int64 // in units
}

// NewBudget returns a full budget that allows ratio hedges per call on
// average (0.05 is 5% extra load) and bursts of burst hedges. Negative
// values count as 0.
func NewBudget(ratio, burst float64) *Budget {
	r, c := fixed(ratio), fixed(burst)
	return &Budget{ratio: r, burst: c, tokens: c}
}

func fixed(x float64) int64 {
	return int64(math.Floor(min(max(x, 0), math.MaxInt64/(2*unit)) * unit)) // down: the bound holds for x itself
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
	if b.tokens < unit {
		return false
	}
	b.tokens -= unit
	return true
}

// Tokens returns the hedges the budget would allow now.
func (b *Budget) Tokens() float64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return float64(b.tokens) / unit
}
