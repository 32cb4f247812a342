package graph

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gonum.org/v1/gonum/graph/path"
	"gonum.org/v1/gonum/graph/simple"
)

func TestPath(t *testing.T) {
	const spec = `
a b c d e ~p f
a requires b
c combines-with b
d alternative-to c
e requires p
d requires p
b combines-with a
a mentions f`
	g := mustBuild(t, spec)
	tests := []struct {
		from, to string
		want     string // Path.String
		ok       bool
	}{
		{"a", "c", "a requires b, which combines with c", true},
		{"c", "a", "c combines with b, which is required by a", true},
		// a requires b and b combines with a: requires comes first in Labels.
		{"b", "a", "b is required by a", true},
		{"a", "d", "a requires b, which combines with c, which is an alternative to d", true},
		{"d", "e", "d requires p, which is required by e", true}, // through a planned pattern
		{"a", "f", "", false}, // a mention is not a typed edge
		{"a", "a", "", true},
		{"a", "nope", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.from+"→"+tt.to, func(t *testing.T) {
			p, ok := g.Path(tt.from, tt.to)
			if p.String() != tt.want || ok != tt.ok {
				t.Errorf("Path = %q, %v; want %q, %v", p, ok, tt.want, tt.ok)
			}
		})
	}
	// Equally short paths: the one through the pattern first in the catalog.
	for _, catalog := range []string{"a c b d", "a b c d"} {
		g := mustBuild(t, catalog+"\na combines-with b c\nd combines-with b c")
		p, _ := g.Path("a", "d")
		want := Path{{"a", catalog[2:3], "combines-with"}, {catalog[2:3], "d", "combines-with"}}
		if diff := cmp.Diff(want, p); diff != "" {
			t.Errorf("catalog %s: path (-want +got):\n%s", catalog, diff)
		}
	}
}

func TestNeighbourhood(t *testing.T) {
	g := mustBuild(t, `
c a b d e
a requires b
b combines-with d
d requires e
a alternative-to c
a mentions e`)
	brief := func(hops []Hop) []string {
		var s []string
		for _, h := range hops {
			s = append(s, h.Slug+": "+h.Path.String())
		}
		return s
	}
	tests := []struct {
		slug string
		k    int
		want []string
	}{
		{"a", 1, []string{"c: a is an alternative to c", "b: a requires b"}},
		{"a", 2, []string{"c: a is an alternative to c", "b: a requires b", "d: a requires b, which combines with d"}},
		{"a", 9, []string{"c: a is an alternative to c", "b: a requires b", "d: a requires b, which combines with d",
			"e: a requires b, which combines with d, which requires e"}},
		{"e", 1, []string{"d: e is required by d"}},
		{"a", 0, nil},
		{"nope", 1, nil},
	}
	for _, tt := range tests {
		hops := g.Neighbourhood(tt.slug, tt.k)
		if diff := cmp.Diff(tt.want, brief(hops)); diff != "" {
			t.Errorf("Neighbourhood(%s, %d) (-want +got):\n%s", tt.slug, tt.k, diff)
		}
		for _, h := range hops {
			if h.Dist != len(h.Path) {
				t.Errorf("%s: distance %d, path %v", h.Slug, h.Dist, h.Path)
			}
		}
	}
}

// TestPathProperties: on random graphs a path is as short as gonum's
// breadth-first distance, walks real links from end to end, and agrees
// with Neighbourhood.
func TestPathProperties(t *testing.T) {
	forRandomGraphs(t, func(t *testing.T, r *rand.Rand, spec string, g *Graph) {
		oracle := simple.NewUndirectedGraph()
		for i := range g.Nodes() {
			oracle.AddNode(simple.Node(i))
		}
		for _, e := range g.Edges() {
			oracle.SetEdge(simple.Edge{F: simple.Node(g.index[e.From]), T: simple.Node(g.index[e.To])})
		}
		for _, from := range g.Nodes() {
			shortest := path.DijkstraFrom(simple.Node(g.index[from.Slug]), oracle)
			near := make(map[string]Hop)
			for _, h := range g.Neighbourhood(from.Slug, len(g.Nodes())) {
				near[h.Slug] = h
			}
			for _, to := range g.Nodes() {
				p, ok := g.Path(from.Slug, to.Slug)
				_, weight := shortest.To(int64(g.index[to.Slug]))
				switch {
				case !ok:
					if !math.IsInf(weight, 1) {
						t.Errorf("no path %s → %s, gonum finds one of %v", from.Slug, to.Slug, weight)
					}
				case float64(len(p)) != weight:
					t.Errorf("path %s → %s of %d steps, gonum's is %v: %v", from.Slug, to.Slug, len(p), weight, p)
				case from != to && !cmp.Equal(near[to.Slug].Path, p):
					t.Errorf("Neighbourhood's path to %s is %v, Path's %v", to.Slug, near[to.Slug].Path, p)
				}
				checkWalk(t, g, from.Slug, to.Slug, p)
			}
		}
	})
}

// checkWalk fails unless p walks from one step to the next along links
// of g, from from to to.
func checkWalk(t *testing.T, g *Graph, from, to string, p Path) {
	t.Helper()
	at := from
	for _, s := range p {
		if s.From != at || !hasLink(g, s.From, Link{s.Label, s.To}) {
			t.Errorf("step %+v from %s is not a link", s, at)
		}
		at = s.To
	}
	if len(p) > 0 && at != to {
		t.Errorf("path %v ends at %s, not %s", p, at, to)
	}
}

func hasLink(g *Graph, slug string, l Link) bool {
	for _, m := range g.Links(slug) {
		if m == l {
			return true
		}
	}
	return false
}
