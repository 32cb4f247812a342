// Package sample exists to be included.
package sample

// Limit is a rate.
type Limit float64

// Bucket holds tokens.
type Bucket struct{ tokens float64 }

// Take takes one token.
func (b *Bucket) Take() bool {
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// Defaults.
const (
	DefaultBurst = 10
	DefaultRate  = 5
)
