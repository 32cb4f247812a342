package search

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestGate(t *testing.T) {
	g := newGate(1, time.Millisecond)
	leave, err := g.enter(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := g.enter(context.Background()); !errors.Is(err, ErrBusy) {
		t.Errorf("second search with one slot: err = %v, want ErrBusy", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := newGateHeld(t).enter(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("a caller that gave up: err = %v, want context.Canceled", err)
	}
	leave()
	leave, err = g.enter(context.Background())
	if err != nil {
		t.Errorf("after the slot was given back: %v", err)
	} else {
		leave()
	}
}

// newGateHeld returns a one-slot gate whose slot is taken, with a wait
// longer than any test.
func newGateHeld(t *testing.T) *gate {
	g := newGate(1, time.Hour)
	if _, err := g.enter(context.Background()); err != nil {
		t.Fatal(err)
	}
	return g
}

// TestSearchBounds: every search goes through the gate, under a deadline,
// with bounded words and hits.
func TestSearchBounds(t *testing.T) {
	idx := ownIndex(t)
	search := func(ctx context.Context, text string) error {
		_, err := idx.Search(ctx, Query{Text: text, Lang: "en"})
		return err
	}
	bg := context.Background()
	if err := search(bg, "a b c d e f g h i j k"); !errors.Is(err, ErrQueryTooLong) {
		t.Errorf("eleven words: err = %v, want ErrQueryTooLong", err)
	}
	if err := search(bg, strings.TrimSpace(strings.Repeat("retry ", 30))); err != nil {
		t.Errorf("one word thirty times: %v", err)
	}
	expired, cancel := context.WithDeadline(bg, time.Now().Add(-time.Second))
	defer cancel()
	if err := search(expired, "retry"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("the caller's deadline did not reach Bleve: err = %v", err)
	}
	timeout := idx.timeout
	idx.timeout = -1
	if err := search(bg, "retry"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("the search's own deadline did not reach Bleve: err = %v", err)
	}
	idx.timeout = timeout
	idx.gate = newGate(1, time.Millisecond)
	leave, _ := idx.gate.enter(bg)
	if err := search(bg, "retry"); !errors.Is(err, ErrBusy) {
		t.Errorf("with every slot taken: err = %v, want ErrBusy", err)
	}
	leave()
	if err := search(bg, "retry"); err != nil {
		t.Errorf("with a free slot: %v", err)
	}
	if n := idx.request("retry", Query{Text: "retry", Limit: 100000}, false).Size; n != 3*MaxLimit {
		t.Errorf("a query for 100,000 hits asks Bleve for %d", n)
	}
}

// TestPrefixExpansion: the as-you-type prefix becomes the most frequent
// matching terms, at most maxExpansions of them.
func TestPrefixExpansion(t *testing.T) {
	idx := sharedIndex(t)
	terms := idx.prefixTerms(fBodyRaw, "re", maxPrefixPostings)
	if len(terms) != maxExpansions {
		t.Fatalf("re expands to %d terms, want %d (the corpus has more)", len(terms), maxExpansions)
	}
	for _, term := range terms {
		if !strings.HasPrefix(term, "re") {
			t.Errorf("term %q does not start with re", term)
		}
	}
	for _, want := range []string{"retry", "request"} {
		found := false
		for _, term := range terms {
			found = found || term == want
		}
		if !found {
			t.Errorf("the frequent %q is not among %v", want, terms)
		}
	}
}

// TestPrefixPostingsBudget: the completions of a prefix together occur in
// at most the budget's documents, the most frequent first, and a budget
// smaller than the likeliest term's documents still keeps that one term.
func TestPrefixPostingsBudget(t *testing.T) {
	idx := sharedIndex(t)
	all := idx.prefixTerms(fBodyRaw, "re", 1<<62)
	docs := func(term string) uint64 {
		dict, err := idx.bleve.FieldDictPrefix(fBodyRaw, []byte(term))
		if err != nil {
			t.Fatal(err)
		}
		defer dict.Close()
		e, err := dict.Next()
		if err != nil || e == nil || e.Term != term {
			t.Fatalf("term %q not in %s", term, fBodyRaw)
		}
		return e.Count
	}
	first := docs(all[0])
	for _, budget := range []uint64{1, first, 3 * first, 10 * first} {
		got := idx.prefixTerms(fBodyRaw, "re", budget)
		if len(got) == 0 || got[0] != all[0] {
			t.Fatalf("budget %d: %v, want the likeliest %q first", budget, got, all[0])
		}
		var sum uint64
		for i, term := range got {
			if term != all[i] {
				t.Fatalf("budget %d: %v is not a prefix of the likeliest completions %v", budget, got, all)
			}
			sum += docs(term)
		}
		if len(got) > 1 && sum > budget {
			t.Errorf("budget %d: %v occur in %d documents", budget, got, sum)
		}
		if len(got) < len(all) && sum+docs(all[len(got)]) <= budget {
			t.Errorf("budget %d: %v stops before %q, which fits", budget, got, all[len(got)])
		}
	}
}
