package graph

import (
	"slices"
	"strings"

	"github.com/lamport-kb/lamport/content"
)

// Step is one edge of a path, as the reader walks it: From, seen from
// From, is Label to To ("retry-backoff-jitter requires timeout-deadline").
type Step struct {
	From, To string
	Label    string // content.Requires, RequiredBy, content.CombinesWith or content.AlternativeTo
}

// Path is a walk along typed edges, each step starting where the last one
// ended.
type Path []Step

// String explains the path in English, for logs and tests: "a requires b,
// which combines with c".
func (p Path) String() string {
	var b strings.Builder
	for i, s := range p {
		if i == 0 {
			b.WriteString(s.From)
		} else {
			b.WriteString(", which")
		}
		b.WriteString(" " + phrase(s.Label) + " " + s.To)
	}
	return b.String()
}

func phrase(label string) string {
	switch label {
	case RequiredBy:
		return "is required by"
	case content.CombinesWith:
		return "combines with"
	case content.AlternativeTo:
		return "is an alternative to"
	}
	return label
}

// Path returns the shortest explained path from one pattern to another
// over typed edges, each taken in either direction, and whether there is
// one. A pattern's path to itself is empty. Among equally short paths it
// returns the one whose steps come first in catalog order, the label of a
// step chosen in the order of Labels.
func (g *Graph) Path(from, to string) (Path, bool) {
	src, ok1 := g.index[from]
	dst, ok2 := g.index[to]
	if !ok1 || !ok2 {
		return nil, false
	}
	t := g.search(src, len(g.nodes))
	if t.dist[dst] < 0 {
		return nil, false
	}
	return t.path(g, dst), true
}

// Hop is a pattern near another: its distance in typed steps and the
// explained path to it.
type Hop struct {
	Slug string
	Dist int
	Path Path
}

// Neighbourhood returns the patterns at most k typed steps from slug, not
// slug itself, nearest first and then in catalog order.
func (g *Graph) Neighbourhood(slug string, k int) []Hop {
	src, ok := g.index[slug]
	if !ok || k < 1 {
		return nil
	}
	t := g.search(src, k)
	var hops []Hop
	for i, d := range t.dist {
		if d > 0 {
			hops = append(hops, Hop{g.nodes[i].Slug, d, t.path(g, i)})
		}
	}
	slices.SortStableFunc(hops, func(a, b Hop) int { return a.Dist - b.Dist })
	return hops
}

// tree is a breadth-first search tree: the distance of every node from
// the root (-1 when out of reach) and the arc that first reached it.
type tree struct {
	dist []int
	via  []arc // via[v].to is v's parent
}

// search walks the typed edges breadth first from src, at most depth
// steps. Nodes are expanded in order of discovery and every node's arcs
// are sorted by catalog order then label, so the first path to reach a
// node is the one whose steps come first in catalog order.
func (g *Graph) search(src, depth int) tree {
	t := tree{dist: make([]int, len(g.nodes)), via: make([]arc, len(g.nodes))}
	for i := range t.dist {
		t.dist[i] = -1
	}
	t.dist[src] = 0
	for queue := []int{src}; len(queue) > 0; queue = queue[1:] {
		u := queue[0]
		if t.dist[u] == depth {
			continue
		}
		for _, a := range g.typed[u] {
			if t.dist[a.to] < 0 {
				t.dist[a.to] = t.dist[u] + 1
				t.via[a.to] = arc{u, a.label}
				queue = append(queue, a.to)
			}
		}
	}
	return t
}

// path is the tree's path from the root to v.
func (t tree) path(g *Graph, v int) Path {
	p := make(Path, t.dist[v])
	for i := len(p) - 1; i >= 0; i-- {
		parent := t.via[v]
		p[i] = Step{From: g.nodes[parent.to].Slug, To: g.nodes[v].Slug, Label: parent.label}
		v = parent.to
	}
	return p
}
