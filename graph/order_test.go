package graph

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestReadingOrder(t *testing.T) {
	g := mustBuild(t, `
t r c i ~p x y
r requires t i
c requires t
i requires p
y requires x
x requires p`)
	tests := []struct {
		goals []string
		want  []string
	}{
		{[]string{"r"}, []string{"t", "p", "i", "r"}},
		{[]string{"c", "r"}, []string{"t", "c", "p", "i", "r"}}, // c is ready before p, and first in the catalog
		{[]string{"r", "r", "t"}, []string{"t", "p", "i", "r"}},
		{[]string{"y"}, []string{"p", "x", "y"}},
		{[]string{"t"}, []string{"t"}},
		{[]string{"nope"}, nil},
		{nil, nil},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, g.ReadingOrder(tt.goals...)); diff != "" {
			t.Errorf("ReadingOrder(%v) (-want +got):\n%s", tt.goals, diff)
		}
	}
	if diff := cmp.Diff([]string{"t", "p", "i"}, g.Prerequisites("r")); diff != "" {
		t.Errorf("Prerequisites(r) (-want +got):\n%s", diff)
	}
	if pre := g.Prerequisites("t"); pre == nil || len(pre) != 0 {
		t.Errorf("Prerequisites(t) = %#v, want empty", pre)
	}
	if pre := g.Prerequisites("nope"); pre != nil {
		t.Errorf("Prerequisites(nope) = %v, want nil", pre)
	}
}

// TestReadingOrderProperties: on random graphs the order holds exactly
// the closure of requires, every pattern after its prerequisites, and
// never puts a pattern before an earlier one in the catalog that was
// already ready.
func TestReadingOrderProperties(t *testing.T) {
	forRandomGraphs(t, func(t *testing.T, r *rand.Rand, spec string, g *Graph) {
		goal := g.Nodes()[r.IntN(len(g.Nodes()))].Slug
		order := g.ReadingOrder(goal)
		want := closure(g, goal)
		got := slices.Sorted(slices.Values(order))
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("ReadingOrder(%s) holds (-want +got):\n%s", goal, diff)
		}
		pos := make(map[string]int)
		for i, s := range order {
			pos[s] = i
		}
		for _, e := range g.Edges() {
			if _, in := pos[e.From]; in && e.Type == "requires" && pos[e.To] > pos[e.From] {
				t.Errorf("%v: %s comes before its prerequisite %s", order, e.From, e.To)
			}
		}
		for i := 1; i < len(order); i++ {
			prev, cur := g.Node(order[i-1]), g.Node(order[i])
			if g.index[cur.Slug] < g.index[prev.Slug] && readyAt(g, cur.Slug, order[:i-1]) {
				t.Errorf("%v: %s was ready before %s and comes first in the catalog", order, cur.Slug, prev.Slug)
			}
		}
		if pre := g.Prerequisites(goal); !slices.Equal(pre, order[:len(order)-1]) || slices.Contains(pre, goal) {
			t.Errorf("Prerequisites(%s) = %v, ReadingOrder %v", goal, pre, order)
		}
	})
}

// closure is every slug that slug requires, directly or not, and slug,
// sorted: the naive way.
func closure(g *Graph, slug string) []string {
	set := map[string]bool{slug: true}
	for changed := true; changed; {
		changed = false
		for _, e := range g.Edges() {
			if e.Type == "requires" && set[e.From] && !set[e.To] {
				set[e.To], changed = true, true
			}
		}
	}
	var s []string
	for slug := range set {
		s = append(s, slug)
	}
	slices.Sort(s)
	return s
}

// readyAt reports whether every prerequisite of slug is in read.
func readyAt(g *Graph, slug string, read []string) bool {
	for _, e := range g.Edges() {
		if e.From == slug && e.Type == "requires" && !slices.Contains(read, e.To) {
			return false
		}
	}
	return true
}
