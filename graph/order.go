package graph

import (
	"gonum.org/v1/gonum/graph"
	"gonum.org/v1/gonum/graph/simple"
	"gonum.org/v1/gonum/graph/topo"
)

// Prerequisites returns what to read before slug: every pattern it
// requires, directly or through others, in reading order (see
// ReadingOrder). It is empty for a pattern that requires nothing, nil for
// an unknown slug.
func (g *Graph) Prerequisites(slug string) []string {
	order := g.ReadingOrder(slug)
	if len(order) == 0 {
		return nil
	}
	return order[:len(order)-1]
}

// ReadingOrder returns goals and everything they require, directly or
// through others, each once, in an order where every pattern comes after
// the prerequisites it needs; where requires leaves the order free, in
// catalog order. Unknown slugs are ignored.
func (g *Graph) ReadingOrder(goals ...string) []string {
	closure := make(map[int]bool)
	var visit func(int)
	visit = func(u int) {
		if closure[u] {
			return
		}
		closure[u] = true
		for _, v := range g.requires[u] {
			visit(v)
		}
	}
	for _, s := range goals {
		if i, ok := g.index[s]; ok {
			visit(i)
		}
	}
	if len(closure) == 0 {
		return nil
	}
	// Edges point from a prerequisite to what needs it: topological
	// order is reading order.
	d := simple.NewDirectedGraph()
	for u := range closure {
		d.AddNode(simple.Node(u))
	}
	for u := range closure {
		for _, v := range g.requires[u] {
			d.SetEdge(simple.Edge{F: simple.Node(v), T: simple.Node(u)})
		}
	}
	sorted, err := topo.SortStabilized(d, nil) // nil: ties by node ID, which is catalog order
	if err != nil {
		panic("graph: requires has a cycle after Build: " + err.Error())
	}
	return g.slugs(sorted)
}

func (g *Graph) slugs(nodes []graph.Node) []string {
	s := make([]string, len(nodes))
	for i, n := range nodes {
		s[i] = g.nodes[n.ID()].Slug
	}
	return s
}
