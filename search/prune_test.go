package search

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/lamport-kb/lamport/i18n"
)

// hitIDs runs q and returns the IDs of its hits, best first, and their scores.
func hitIDs(t *testing.T, idx *Index, q query.Query, n int) ([]string, []float64) {
	t.Helper()
	res, err := idx.bleve.SearchInContext(context.Background(), bleve.NewSearchRequestOptions(q, n, 0, false))
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	var scores []float64
	for _, h := range res.Hits {
		ids = append(ids, h.ID)
		scores = append(scores, h.Score)
	}
	return ids, scores
}

// TestPhraseOfOneToken: a phrase whose text is one token of its field is
// searched as that term, with the hits and scores of Bleve's phrase query;
// a longer one is still a phrase.
func TestPhraseOfOneToken(t *testing.T) {
	idx := sharedIndex(t)
	for _, c := range []struct{ field, text string }{
		{fBodyEN, "retry"}, {fBodyEN, "retries"}, {fTitleEN, "breaker"}, {fBodyZH, "熔断"},
		{fBodyEN, "token bucket"}, {fBodyZH, "令牌桶"},
	} {
		// Beside another clause, so that the boost counts (a query of one
		// clause is normalized by its own weight).
		p := bleve.NewMatchPhraseQuery(c.text)
		p.SetField(c.field)
		p.SetBoost(3)
		wantIDs, wantScores := hitIDs(t, idx, disjunction(p, match(fAlias, c.text, 1)), 1000)
		gotIDs, gotScores := hitIDs(t, idx, disjunction(phrase(c.field, c.text, 3), match(fAlias, c.text, 1)), 1000)
		if len(wantIDs) == 0 {
			t.Fatalf("%s %q matches nothing", c.field, c.text)
		}
		if !slices.Equal(gotIDs, wantIDs) || !slices.Equal(gotScores, wantScores) {
			t.Errorf("%s %q: %d hits %v…, want Bleve's phrase query's %d %v…", c.field, c.text,
				len(gotIDs), gotIDs[:min(3, len(gotIDs))], len(wantIDs), wantIDs[:min(3, len(wantIDs))])
		}
	}
}

// TestPruneKeepsRanking: restricting a query to one language's fields
// changes no hit and no order, for every judged query in both languages.
func TestPruneKeepsRanking(t *testing.T) {
	idx := sharedIndex(t)
	for _, j := range loadJudged(t) {
		for _, lang := range i18n.Langs {
			for _, relaxed := range []bool{false, true} {
				q := buildQuery(j.query, lang, true, relaxed, idx.dict, idx)
				want, _ := hitIDs(t, idx, q, window)
				got, _ := hitIDs(t, idx, prune(q, inLang(lang)), window)
				if !slices.Equal(got, want) {
					t.Errorf("%q in %s (relaxed %v): pruned %v…, unpruned %v…", j.query, lang, relaxed,
						got[:min(5, len(got))], want[:min(5, len(want))])
				}
			}
		}
	}
}

// TestPruneLeavesOneLanguage: a pruned query has no leaf on the other
// language's fields, and keeps the shared ones (aliases, the language).
func TestPruneLeavesOneLanguage(t *testing.T) {
	idx := sharedIndex(t)
	for _, c := range []struct{ text, lang string }{
		{"retry with backoff", i18n.English}, {"熔断器打开以后多久会再试", i18n.Chinese},
		{"熔断器", i18n.English}, {"gobreaker 半开", i18n.Chinese},
	} {
		q := prune(buildQuery(c.text, c.lang, true, false, idx.dict, idx), inLang(c.lang))
		fields := map[string]bool{}
		var walk func(query.Query)
		walk = func(q query.Query) {
			switch q := q.(type) {
			case *query.BooleanQuery:
				for _, c := range []query.Query{q.Must, q.Should, q.MustNot} {
					if c != nil {
						walk(c)
					}
				}
			case *query.ConjunctionQuery:
				for _, c := range q.Conjuncts {
					walk(c)
				}
			case *query.DisjunctionQuery:
				for _, c := range q.Disjuncts {
					walk(c)
				}
			case query.FieldableQuery:
				fields[q.Field()] = true
			}
		}
		walk(q)
		for f := range fields {
			if l := fieldLang(f); l != "" && l != c.lang {
				t.Errorf("%q in %s: a leaf on %s", c.text, c.lang, f)
			}
		}
		if !fields["lang"] {
			t.Errorf("%q in %s: the language filter is gone (%v)", c.text, c.lang, fields)
		}
	}
}

// TestSnippetMarksPhrase: a question found verbatim marks the whole
// phrase, not only its separate words (the should clause's matches are
// located too).
func TestSnippetMarksPhrase(t *testing.T) {
	idx := sharedIndex(t)
	res, err := idx.Search(context.Background(), Query{Text: "降载和限流有什么区别", Lang: i18n.Chinese})
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range res.Hits {
		if h.id == "zh/load-shedding#faq" {
			if want := "<mark>降载和限流有什么区别</mark>"; !strings.Contains(h.Snippet, want) {
				t.Errorf("snippet %q does not mark %s", h.Snippet, want)
			}
			return
		}
	}
	t.Fatalf("zh/load-shedding#faq not among %d hits", len(res.Hits))
}
