package graph

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestPageRank(t *testing.T) {
	tests := []struct {
		name, spec string
		want       []string // slugs, highest first
	}{
		{"a prerequisite of many is core", "b c a d\nb requires a\nc requires a\nd requires a", []string{"a", "b", "c", "d"}},
		{"rank flows down a chain of requires", "a b c\na requires b\nb requires c", []string{"c", "b", "a"}},
		{"requires points one way", "a b\na requires b", []string{"b", "a"}},
		{"a symmetric edge points both ways", "c a b\na combines-with b", []string{"a", "b", "c"}},
		{"alternative-to counts like combines-with", "x y a b\nx alternative-to a\ny combines-with b", []string{"a", "b", "x", "y"}},
		{"planned patterns are ranked", "a b ~p\na requires p\nb requires p", []string{"p", "a", "b"}},
		{"mentions do not count", "a b\na mentions b", []string{"a", "b"}},
		{"declared twice counts twice", "a b c\na combines-with c\nc combines-with a\nb combines-with c", []string{"c", "a", "b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, s := range mustBuild(t, tt.spec).PageRank() {
				got = append(got, s.Slug)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ranking (-want +got):\n%s", diff)
			}
		})
	}
	if r := mustBuild(t, "").PageRank(); r != nil {
		t.Errorf("an empty catalog ranks %v", r)
	}
}

// TestPageRankProperties: on random graphs the scores are a probability
// distribution, sorted, independent of catalog order, and an extra
// requires edge raises its target.
func TestPageRankProperties(t *testing.T) {
	monotone := 0 // graphs where the extra edge was tried
	forRandomGraphs(t, func(t *testing.T, r *rand.Rand, spec string, g *Graph) {
		scores := g.PageRank()
		sum := 0.0
		for i, s := range scores {
			sum += s.Value
			if s.Value <= 0 {
				t.Errorf("%s scores %v", s.Slug, s.Value)
			}
			if i > 0 && s.Value > scores[i-1].Value+tie {
				t.Errorf("not sorted: %v", scores)
			}
		}
		if math.Abs(sum-1) > 1e-9 {
			t.Errorf("scores sum to %v", sum)
		}
		other := values(mustBuild(t, shuffled(r, spec)))
		for slug, v := range values(g) {
			if math.Abs(v-other[slug]) > 1e-9 {
				t.Errorf("%s scores %v, or %v with the catalog in another order", slug, v, other[slug])
			}
		}
		// p0 comes first of the DAG's order, so any written pattern may
		// require it; a new arc to it raises its score.
		if from := writtenOtherThan(g, "p0"); from != "" && !typedLink(g, from, "p0") {
			monotone++
			more := values(mustBuild(t, spec+"\n"+from+" requires p0"))
			if more["p0"] <= values(g)["p0"] {
				t.Errorf("%s requires p0 too: p0 scores %v, was %v", from, more["p0"], values(g)["p0"])
			}
		}
	})
	if monotone < 50 {
		t.Errorf("only %d random graphs tried an extra requires edge", monotone)
	}
}

func values(g *Graph) map[string]float64 {
	m := make(map[string]float64)
	for _, s := range g.PageRank() {
		m[s.Slug] = s.Value
	}
	return m
}

func writtenOtherThan(g *Graph, slug string) string {
	for _, n := range g.Nodes() {
		if n.Written && n.Slug != slug {
			return n.Slug
		}
	}
	return ""
}

// typedLink reports whether a typed edge joins from and to, either way.
func typedLink(g *Graph, from, to string) bool {
	for _, l := range g.Links(from) {
		if l.Slug == to && l.Label != Mentions && l.Label != MentionedBy {
			return true
		}
	}
	return false
}
