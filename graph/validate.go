package graph

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"gonum.org/v1/gonum/graph/simple"
	"gonum.org/v1/gonum/graph/topo"

	"github.com/lamport-kb/lamport/content"
)

// cycles reports one cycle of requires per strongly connected component
// that has one (gonum's Tarjan), at the line of the cycle's first edge. A
// pattern that requires itself is a cycle of one; content.Load rejects it
// first, so only a library made by hand has one.
func (g *Graph) cycles() content.Problems {
	var problems content.Problems
	d := simple.NewDirectedGraph()
	for i := range g.nodes {
		d.AddNode(simple.Node(i))
	}
	for from, tos := range g.requires {
		for _, to := range tos {
			if from == to {
				problems = append(problems, g.cycleProblem([]int{from, from}))
				continue
			}
			d.SetEdge(simple.Edge{F: simple.Node(from), T: simple.Node(to)})
		}
	}
	for _, scc := range topo.TarjanSCC(d) {
		if len(scc) < 2 {
			continue
		}
		members := make(map[int]bool)
		start := len(g.nodes)
		for _, n := range scc {
			members[int(n.ID())] = true
			start = min(start, int(n.ID()))
		}
		problems = append(problems, g.cycleProblem(g.cycleFrom(start, members)))
	}
	return problems
}

// cycleFrom returns the shortest cycle of requires from start back to
// start that stays inside members, as nodes, start at both ends.
func (g *Graph) cycleFrom(start int, members map[int]bool) []int {
	parent := map[int]int{}
	queue := []int{start}
	for len(queue) > 0 {
		u := queue[0]
		queue = queue[1:]
		for _, v := range g.requires[u] {
			if v == start {
				cycle := []int{start}
				for w := u; w != start; w = parent[w] {
					cycle = append(cycle, w)
				}
				cycle = append(cycle, start)
				slices.Reverse(cycle[1 : len(cycle)-1])
				return cycle
			}
			if _, seen := parent[v]; !seen && members[v] {
				parent[v] = u
				queue = append(queue, v)
			}
		}
	}
	panic("graph: a strongly connected component without a cycle")
}

// cycleProblem locates a cycle at the declaration of its first edge.
func (g *Graph) cycleProblem(cycle []int) content.Problem {
	from, to := g.nodes[cycle[0]].Slug, g.nodes[cycle[1]].Slug
	names := make([]string, len(cycle))
	for i, n := range cycle {
		names[i] = g.nodes[n].Slug
	}
	msg := fmt.Sprintf("requires forms a cycle: %s (requires must not loop: drop or retype one of its edges)", strings.Join(names, " → "))
	for _, e := range g.edges {
		if e.From == from && e.To == to && e.Type == content.Requires {
			return content.Problem{File: e.File, Line: e.Line, Msg: msg}
		}
	}
	panic("graph: a cycle edge that no pattern.yaml declares")
}

func problem(file string, line int, format string, args ...any) content.Problem {
	return content.Problem{File: file, Line: line, Msg: fmt.Sprintf(format, args...)}
}

// sortProblems orders problems as content.Load does: by file, then line.
func sortProblems(ps content.Problems) {
	slices.SortStableFunc(ps, func(a, b content.Problem) int {
		return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line))
	})
}
