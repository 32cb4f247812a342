package retry

import (
	"math"
	"sync"
)

// Budget is a retry token bucket shared by every caller of one dependency,
// with the token arithmetic of gRPC's retry throttling (gRFC A6): it
// starts full with MaxTokens; each retryable failure takes one token (never
// below zero) and each success adds TokenRatio (never beyond MaxTokens); a
// retry may follow a failure only if more than MaxTokens/2 tokens remain
// once that failure is counted. As in A6, only retryable failures count: an
// error wrapped with Permanent leaves the tokens as they are. The first
// attempt of every call still goes out.
//
// Counting a failure and deciding on the retry are one step under one lock,
// so however many goroutines share a Budget, fewer than MaxTokens/2 +
// TokenRatio × (successful attempts) retries are ever allowed.
//
// A nil *Budget is no budget: it allows every retry.
type Budget struct {
	maxTokens, ratio float64

	mu     sync.Mutex
	tokens float64
}

// NewBudget returns a full budget. gRFC A6 accepts maxTokens in (0, 1000]
// and any tokenRatio above 0; its example uses 10 and 0.1.
func NewBudget(maxTokens, tokenRatio float64) *Budget {
	return &Budget{maxTokens: maxTokens, ratio: tokenRatio, tokens: maxTokens}
}

// succeed counts a successful attempt.
func (b *Budget) succeed() {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.tokens = min(b.maxTokens, b.tokens+b.ratio)
}

// fail counts a retryable failure and reports whether a retry may follow.
func (b *Budget) fail() bool {
	if b == nil {
		return true
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.tokens = max(0, b.tokens-1)
	return b.tokens > b.maxTokens/2
}

// Tokens returns the tokens left; +Inf for the nil Budget, which never
// runs out.
func (b *Budget) Tokens() float64 {
	if b == nil {
		return math.Inf(1)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.tokens
}
