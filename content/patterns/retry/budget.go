package retry

import "sync"

// Budget is a retry token bucket shared by every caller of one dependency,
// with the token arithmetic of gRPC's retry throttling (gRFC A6): it
// starts full with MaxTokens; each failed attempt spends one token and each
// success adds TokenRatio, never beyond MaxTokens; a retry is allowed only
// while more than MaxTokens/2 tokens remain. As in A6, only retryable
// failures count: an error wrapped with Permanent leaves the tokens as they
// are. Under a steady failure rate above the point where spending outpaces
// earning, retries stop; the first attempt of every call still goes out.
//
// A nil *Budget allows every retry.
type Budget struct {
	maxTokens, ratio float64

	mu     sync.Mutex
	tokens float64
}

// NewBudget returns a full budget. gRPC accepts maxTokens in (0, 1000] and
// tokenRatio in (0, 1]; typical values are 10 and 0.1.
func NewBudget(maxTokens, tokenRatio float64) *Budget {
	return &Budget{maxTokens: maxTokens, ratio: tokenRatio, tokens: maxTokens}
}

func (b *Budget) record(success bool) {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if success {
		b.tokens = min(b.maxTokens, b.tokens+b.ratio)
	} else {
		b.tokens = max(0, b.tokens-1)
	}
}

func (b *Budget) allowRetry() bool {
	if b == nil {
		return true
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.tokens > b.maxTokens/2
}

// Tokens returns the tokens left.
func (b *Budget) Tokens() float64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.tokens
}
