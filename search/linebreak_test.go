package search

import (
	"context"
	"testing"
)

// TestPhraseAcrossLineBreak: circuitbreaker/zh.md wraps "记为\n失败" across
// lines; the section must still be found by the phrase, which needs the
// break gone from the indexed text (a space would split the bigram 为失).
func TestPhraseAcrossLineBreak(t *testing.T) {
	idx := sharedIndex(t)
	const want = "/zh/patterns/circuit-breaker#implementation"
	res, err := idx.Search(context.Background(), Query{Text: "记为失败", Lang: "zh", Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, h := range res.Hits {
		if h.URL == want {
			return
		}
		got = append(got, h.URL)
	}
	t.Errorf("记为失败: want %s among the hits, got %v", want, got)
}
