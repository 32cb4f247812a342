package sample

import "testing"

func TestTakeNeverNegative(t *testing.T) {
	b := &Bucket{tokens: 1}
	b.Take()
	if b.Take() || b.tokens < 0 {
		t.Fatal("took a token it did not have")
	}
}

// helper is not a test: it has no *testing.T parameter.
func TestHelper() {}
