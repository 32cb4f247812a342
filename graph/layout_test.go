package graph

import (
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// contentGraph builds the graph of the embedded content.
func contentGraph(t testing.TB) *Graph {
	t.Helper()
	lib, err := contentLibrary()
	if err != nil {
		t.Fatal(err)
	}
	g, err := Build(lib)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// TestLayoutDeterministic builds the same graph twice, and the content's
// graph twice, and expects the same coordinates each time.
func TestLayoutDeterministic(t *testing.T) {
	spec := `
a b c d ~e ~f
a requires b
b combines-with c
c alternative-to d
d mentions a`
	if diff := cmp.Diff(mustBuild(t, spec).Layout(), mustBuild(t, spec).Layout()); diff != "" {
		t.Errorf("two builds of one spec are laid out differently (-first +second):\n%s", diff)
	}
	if diff := cmp.Diff(contentGraph(t).Layout(), contentGraph(t).Layout()); diff != "" {
		t.Errorf("two builds of the content are laid out differently (-first +second):\n%s", diff)
	}
}

// TestLayoutGeometry checks the layout's promises on small graphs and on
// the content: one point per node in catalog order, every point inside the
// box by Margin, and no two closer than Spacing.
func TestLayoutGeometry(t *testing.T) {
	graphs := map[string]*Graph{
		"one":      mustBuild(t, "a"),
		"two":      mustBuild(t, "a b\na requires b"),
		"isolated": mustBuild(t, "a b c d e f g h i j"),
		"star":     mustBuild(t, "a b c d e f g\na combines-with b c d e f g"),
		"dense":    mustBuild(t, "a b c d\na combines-with b c d\nb combines-with c d\nc combines-with d"),
		"content":  contentGraph(t),
	}
	for name, g := range graphs {
		t.Run(name, func(t *testing.T) {
			l := g.Layout()
			if len(l.Points) != len(g.Nodes()) {
				t.Fatalf("%d points for %d nodes", len(l.Points), len(g.Nodes()))
			}
			for i, p := range l.Points {
				if p.Slug != g.Nodes()[i].Slug {
					t.Errorf("point %d is %s, node %d is %s", i, p.Slug, i, g.Nodes()[i].Slug)
				}
			}
			checkGeometry(t, name, l)
		})
	}
}

// TestLayoutKeepsNeighboursNear checks that the forces did their work on
// the content: patterns joined by a typed edge are on average closer than
// two patterns taken at random.
func TestLayoutKeepsNeighboursNear(t *testing.T) {
	g := contentGraph(t)
	l := g.Layout()
	dist := func(a, b string) float64 {
		p, _ := l.At(a)
		q, _ := l.At(b)
		return math.Hypot(p.X-q.X, p.Y-q.Y)
	}
	var linked float64
	for _, e := range g.Edges() {
		linked += dist(e.From, e.To)
	}
	linked /= float64(len(g.Edges()))
	var all float64
	var pairs int
	for i, p := range l.Points {
		for _, q := range l.Points[i+1:] {
			all += dist(p.Slug, q.Slug)
			pairs++
		}
	}
	all /= float64(pairs)
	if linked > 0.7*all {
		t.Errorf("linked patterns are %.0f apart on average, any two %.0f: the layout does not group neighbours", linked, all)
	}
	t.Logf("mean distance: linked %.0f, any two %.0f; box %g × %g", linked, all, l.Width, l.Height)
	if _, ok := l.At("no-such-pattern"); ok {
		t.Error("At found an unknown slug")
	}
}

// BenchmarkLayout lays out the content's graph.
func BenchmarkLayout(b *testing.B) {
	g := contentGraph(b)
	for b.Loop() {
		g.computeLayout()
	}
}

// TestLocalLayout checks a neighbourhood's drawing: the centre first and in
// the middle, the rings in order, every node inside the box and Spacing
// from the others, and the second ring dropped when it would crowd.
func TestLocalLayout(t *testing.T) {
	g := mustBuild(t, `
a b c d e ~f
a requires b
b combines-with c
c alternative-to d
e mentions a`)
	l := g.LocalLayout("a", 2)
	var slugs []string
	for _, p := range l.Points {
		slugs = append(slugs, p.Slug)
	}
	if diff := cmp.Diff([]string{"a", "b", "c"}, slugs); diff != "" {
		t.Errorf("points (-want +got):\n%s", diff)
	}
	if c := l.Points[0]; c.X != l.Width/2 || c.Y != l.Height/2 {
		t.Errorf("centre at (%g, %g) in a box of %g × %g", c.X, c.Y, l.Width, l.Height)
	}
	if got := len(g.LocalLayout("a", 1).Points); got != 2 {
		t.Errorf("one hop from a: %d points, want 2", got)
	}
	if g.LocalLayout("nope", 2).Points != nil {
		t.Error("an unknown slug has a local layout")
	}
	content := contentGraph(t)
	for _, n := range content.Nodes() {
		l := content.LocalLayout(n.Slug, 2)
		if len(l.Points) > MaxLocal+1 {
			t.Errorf("%s: %d points, more than %d", n.Slug, len(l.Points), MaxLocal+1)
		}
		checkGeometry(t, n.Slug, l)
	}
}

// checkGeometry fails when a point of l is outside its box less the
// margin or closer than Spacing to another.
func checkGeometry(t *testing.T, name string, l Layout) {
	t.Helper()
	for i, p := range l.Points {
		if p.X < Margin || p.Y < Margin || p.X > l.Width-Margin || p.Y > l.Height-Margin {
			t.Errorf("%s: %s at (%g, %g) is outside the box %g × %g less its margin", name, p.Slug, p.X, p.Y, l.Width, l.Height)
		}
		for _, q := range l.Points[i+1:] {
			if d := math.Hypot(p.X-q.X, p.Y-q.Y); d < Spacing {
				t.Errorf("%s: %s and %s are %.1f apart, less than %g", name, p.Slug, q.Slug, d, Spacing)
			}
		}
	}
}
