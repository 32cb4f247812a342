package graph

import (
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestRecommend(t *testing.T) {
	g := mustBuild(t, `
a b c d e f ~p g
a requires b
b combines-with c
c alternative-to d
a combines-with p
a tags x y
e tags x y
f tags y z
g mentions a`)
	tests := []struct {
		slug string
		n    int
		want []Recommendation
	}{
		{"a", 9, []Recommendation{
			{Slug: "b", Score: 1, Hops: 1},                         // one step
			{Slug: "e", Score: 1, SharedTags: []string{"x", "y"}},  // no edge, the same tags; ties by slug
			{Slug: "g", Score: 1, Hops: 1},                         // a mention is a step too
			{Slug: "c", Score: 0.5, Hops: 2},                       // two steps
			{Slug: "d", Score: 1.0 / 3, Hops: 3},                   // three steps; p is planned, so not listed
			{Slug: "f", Score: 1.0 / 3, SharedTags: []string{"y"}}, // one of three tags
		}},
		{"a", 2, []Recommendation{{Slug: "b", Score: 1, Hops: 1}, {Slug: "e", Score: 1, SharedTags: []string{"x", "y"}}}},
		{"d", 9, []Recommendation{{Slug: "c", Score: 1, Hops: 1}, {Slug: "b", Score: 0.5, Hops: 2}, {Slug: "a", Score: 1.0 / 3, Hops: 3}}},
		{"p", 1, []Recommendation{{Slug: "a", Score: 1, Hops: 1}}}, // a planned pattern can be asked about
		{"a", 0, nil},
		{"nope", 3, nil},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, g.Recommend(tt.slug, tt.n)); diff != "" {
			t.Errorf("Recommend(%s, %d) (-want +got):\n%s", tt.slug, tt.n, diff)
		}
	}
}

// TestRecommendProperties: on random graphs recommendations are written
// patterns other than the one asked about, best first, and do not depend
// on catalog order.
func TestRecommendProperties(t *testing.T) {
	forRandomGraphs(t, func(t *testing.T, r *rand.Rand, spec string, g *Graph) {
		other := mustBuild(t, shuffled(r, spec))
		for _, n := range g.Nodes() {
			recs := g.Recommend(n.Slug, len(g.Nodes()))
			for i, rec := range recs {
				if rec.Slug == n.Slug || !g.Node(rec.Slug).Written || rec.Score <= 0 {
					t.Errorf("Recommend(%s) lists %+v", n.Slug, rec)
				}
				if i > 0 && (rec.Score > recs[i-1].Score || rec.Score == recs[i-1].Score && rec.Slug < recs[i-1].Slug) {
					t.Errorf("Recommend(%s) is out of order: %+v", n.Slug, recs)
				}
			}
			if diff := cmp.Diff(recs, other.Recommend(n.Slug, len(g.Nodes()))); diff != "" {
				t.Errorf("Recommend(%s) changes with catalog order (-before +after):\n%s", n.Slug, diff)
			}
		}
	})
}
