package graph

import (
	"cmp"
	"slices"
)

// MaxHops is how far Recommend looks for graph proximity.
const MaxHops = 3

// Recommendation is a written pattern suggested beside another, with the
// reasons for its score.
type Recommendation struct {
	Slug       string
	Score      float64  // 1/Hops (0 when Hops is 0) plus the Jaccard similarity of the tags
	Hops       int      // steps away over typed edges and mentions; 0 beyond MaxHops
	SharedTags []string // tags both patterns have, in the other pattern's order
}

// Recommend returns up to n written patterns to read beside slug, best
// first, ties by slug. A pattern's score is 1/d when it is d ≤ MaxHops
// steps from slug over typed edges and mentions, either way, plus the
// Jaccard similarity of the two patterns' tags (shared tags over all
// tags); patterns that score 0 are left out, and so is slug itself.
func (g *Graph) Recommend(slug string, n int) []Recommendation {
	src, ok := g.index[slug]
	if !ok || n < 1 {
		return nil
	}
	dist := g.hops(src)
	var recs []Recommendation
	for i, node := range g.nodes {
		if i == src || !node.Written {
			continue
		}
		r := Recommendation{Slug: node.Slug, Hops: dist[i], SharedTags: shared(node.Tags, g.nodes[src].Tags)}
		if r.Hops > 0 {
			r.Score = 1 / float64(r.Hops)
		}
		if len(r.SharedTags) > 0 {
			r.Score += float64(len(r.SharedTags)) / float64(union(node.Tags, g.nodes[src].Tags))
		}
		if r.Score > 0 {
			recs = append(recs, r)
		}
	}
	slices.SortFunc(recs, func(a, b Recommendation) int {
		return cmp.Or(cmp.Compare(b.Score, a.Score), cmp.Compare(a.Slug, b.Slug))
	})
	return recs[:min(n, len(recs))]
}

// hops returns every node's distance from src over typed edges and
// mentions, up to MaxHops; 0 for src and for nodes further away.
func (g *Graph) hops(src int) []int {
	dist := make([]int, len(g.nodes))
	seen := make([]bool, len(g.nodes))
	seen[src] = true
	for queue := []int{src}; len(queue) > 0; queue = queue[1:] {
		u := queue[0]
		if dist[u] == MaxHops {
			continue
		}
		for _, v := range g.near[u] {
			if !seen[v] {
				seen[v], dist[v] = true, dist[u]+1
				queue = append(queue, v)
			}
		}
	}
	return dist
}

// shared returns the tags of a that b has too, in a's order.
func shared(a, b []string) []string {
	var s []string
	for _, t := range a {
		if slices.Contains(b, t) && !slices.Contains(s, t) {
			s = append(s, t)
		}
	}
	return s
}

// union counts the distinct tags of a and b together.
func union(a, b []string) int {
	all := slices.Concat(a, b)
	slices.Sort(all)
	return len(slices.Compact(all))
}
