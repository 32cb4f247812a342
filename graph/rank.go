package graph

import (
	"cmp"
	"math"
	"slices"

	"gonum.org/v1/gonum/graph/network"
	"gonum.org/v1/gonum/graph/simple"

	"github.com/lamport-kb/lamport/content"
)

// Score is a node's PageRank.
type Score struct {
	Slug  string
	Value float64 // the scores of a graph sum to 1
}

// PageRank returns every node with its PageRank, highest first, ties by
// slug: the "core patterns" are the first few. See the package doc for
// the edges it counts.
func (g *Graph) PageRank() []Score { return g.rank }

const (
	damping = 0.85
	// tolerance stops gonum's power iteration. It starts from a random
	// vector, so scores vary by about this much from run to run; scores
	// closer than tie are ranked as equal, by slug.
	tolerance = 1e-12
	tie       = 1e-9
)

// pageRank computes the ranking once, at Build.
func (g *Graph) pageRank() []Score {
	if len(g.nodes) == 0 {
		return nil
	}
	w := simple.NewWeightedDirectedGraph(0, 0)
	for i := range g.nodes {
		w.AddNode(simple.Node(i))
	}
	for _, e := range g.edges {
		from, to := g.index[e.From], g.index[e.To]
		addWeight(w, from, to)
		if content.Symmetric(e.Type) {
			addWeight(w, to, from)
		}
	}
	ranks := network.PageRank(w, damping, tolerance)
	scores := make([]Score, len(g.nodes))
	for i, n := range g.nodes {
		scores[i] = Score{n.Slug, ranks[int64(i)]}
	}
	slices.SortFunc(scores, func(a, b Score) int {
		if math.Abs(a.Value-b.Value) > tie {
			return cmp.Compare(b.Value, a.Value)
		}
		return cmp.Compare(a.Slug, b.Slug)
	})
	return scores
}

// addWeight adds 1 to the weight of the arc from → to: a pair that two
// edges join the same way counts twice.
func addWeight(w *simple.WeightedDirectedGraph, from, to int) {
	weight, _ := w.Weight(int64(from), int64(to))
	w.SetWeightedEdge(w.NewWeightedEdge(simple.Node(from), simple.Node(to), weight+1))
}
