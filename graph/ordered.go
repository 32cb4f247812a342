package graph

import (
	"cmp"
	"slices"

	gg "gonum.org/v1/gonum/graph"
	"gonum.org/v1/gonum/graph/iterator"
	"gonum.org/v1/gonum/graph/simple"
)

// orderedGraph is a weighted undirected gonum graph whose nodes and
// neighbours are listed in order of id, where simple's graphs list them in
// map order: gonum's layout reads them in the order it is given, so with
// this the same graph is always drawn the same way. The graph must not
// change once wrapped: the orders are computed once.
type orderedGraph struct {
	*simple.WeightedUndirectedGraph
	nodes []gg.Node
	from  map[int64][]gg.Node
}

func newOrderedGraph(g *simple.WeightedUndirectedGraph) orderedGraph {
	o := orderedGraph{WeightedUndirectedGraph: g, nodes: sortedNodes(g.Nodes()), from: map[int64][]gg.Node{}}
	for _, n := range o.nodes {
		o.from[n.ID()] = sortedNodes(g.From(n.ID()))
	}
	return o
}

func (g orderedGraph) Nodes() gg.Nodes { return iterator.NewOrderedNodes(g.nodes) }

func (g orderedGraph) From(id int64) gg.Nodes { return iterator.NewOrderedNodes(g.from[id]) }

func sortedNodes(it gg.Nodes) []gg.Node {
	nodes := gg.NodesOf(it)
	slices.SortFunc(nodes, func(a, b gg.Node) int { return cmp.Compare(a.ID(), b.ID()) })
	return nodes
}
