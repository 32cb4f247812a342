package graph

import (
	"math"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/graph/layout"
	"gonum.org/v1/gonum/graph/simple"
	"gonum.org/v1/gonum/spatial/r2"
)

// Layout is a drawing of the whole graph: every node's place in a box of
// Width × Height, each at least Spacing from every other and at least
// Margin inside the box, and where its label goes. A node's label, in any
// language, drawn at its anchor (Point.LabelBox) overlaps no other label
// and no node's circle, and stays inside the box.
type Layout struct {
	Width, Height float64
	Points        []Point // one per node, in catalog order (Graph.Nodes)
}

// Point is a node's place in a Layout: its centre, the radius of its
// circle (which grows with its PageRank) and where its label sits.
type Point struct {
	Slug  string
	X, Y  float64
	R     float64
	Label Anchor
}

// The geometry of every layout, in SVG user units.
const (
	// Spacing is the least distance between two nodes' centres: room for a
	// node's circle and a short label beside it.
	Spacing = 50.0
	// Margin is the least distance from a node's centre to the box's edge.
	Margin = 60.0
	// cell is the area a node gets, as the side of a square: the box grows
	// with the graph, so there is always room to keep nodes apart.
	cell = 1.7 * Spacing
)

// layoutSeed seeds the force-directed layout: the same graph is drawn the
// same way every time.
const layoutSeed = 1978

// Layout returns the graph's layout. The first call computes it (about
// 150 ms for the content's 71 patterns on a 2-core VM); later calls return
// the same Layout.
func (g *Graph) Layout() Layout { return g.layout() }

// At returns slug's place in the layout.
func (l Layout) At(slug string) (Point, bool) {
	i := slices.IndexFunc(l.Points, func(p Point) bool { return p.Slug == slug })
	if i < 0 {
		return Point{}, false
	}
	return l.Points[i], true
}

// computeLayout draws g: gonum's Eades force-directed layout (Barnes-Hut
// repulsion, attraction along edges) over the typed edges and mentions,
// plus a weak pull of each pattern towards a hidden hub of its category so
// that planned patterns without edges stay near their kin, then scaled
// into a box that grows with the graph, then pushed apart until no two
// nodes are closer than Spacing, then each label placed (placeLabels).
//
// gonum reads a graph's nodes and neighbours in map order, and the
// starting positions and the sums of forces depend on that order; orderedGraph
// hands them over sorted by id, so the layout depends only on the graph
// and layoutSeed.
func (g *Graph) computeLayout() Layout {
	n := len(g.nodes)
	side := math.Ceil(math.Sqrt(float64(max(n, 1))))
	l := Layout{Width: side*cell + 2*Margin, Height: math.Ceil(float64(max(n, 1))/side)*cell + 2*Margin}
	if n == 0 {
		return l
	}
	pos := g.forces()
	fit(pos, l)
	separate(pos, l)
	l.Points = make([]Point, n)
	radius := g.radii()
	for i, node := range g.nodes {
		l.Points[i] = Point{Slug: node.Slug, X: round(pos[i].X), Y: round(pos[i].Y), R: radius[i]}
	}
	placeLabels(&l, g.labelSizes())
	return l
}

// forces runs the force-directed layout and returns each node's position,
// in gonum's units.
func (g *Graph) forces() []r2.Vec {
	w := simple.NewWeightedUndirectedGraph(0, 0)
	for i := range g.nodes {
		w.AddNode(simple.Node(i))
	}
	pull := func(a, b int, weight float64) {
		if a == b {
			return
		}
		old, _ := w.Weight(int64(a), int64(b))
		w.SetWeightedEdge(w.NewWeightedEdge(simple.Node(a), simple.Node(b), old+weight))
	}
	for _, e := range g.edges {
		pull(g.index[e.From], g.index[e.To], 1)
	}
	for _, m := range g.mentions {
		pull(g.index[m.From], g.index[m.To], 0.5)
	}
	hubs := map[string]int{}
	for i, node := range g.nodes {
		hub, ok := hubs[node.Category]
		if !ok {
			hub = len(g.nodes) + len(hubs)
			hubs[node.Category] = hub
			w.AddNode(simple.Node(hub))
		}
		pull(i, hub, 0.3)
	}
	// A rate above about 0.02 makes gonum's Eades diverge on this graph
	// (nodes start in the unit square, where repulsion is strong); 1000
	// steps at 0.01 let it settle (TestLayoutKeepsNeighboursNear).
	eades := layout.EadesR2{Repulsion: 1, Rate: 0.01, Updates: 600, Theta: 0.6, Src: rand.NewPCG(layoutSeed, layoutSeed)}
	opt := layout.NewOptimizerR2(newOrderedGraph(w), eades.Update)
	for opt.Update() {
	}
	pos := make([]r2.Vec, len(g.nodes))
	for i := range pos {
		pos[i] = opt.Coord2(int64(i))
	}
	return pos
}

// fit scales and moves pos, each axis on its own, so that the middle of
// the drawing (all but the outermost tenth of the nodes on each axis)
// fills l's box less its margins; nodes outside it, such as planned
// patterns that only their category's hub holds, are clamped to the edge.
func fit(pos []r2.Vec, l Layout) {
	xs, ys := make([]float64, len(pos)), make([]float64, len(pos))
	for i, p := range pos {
		xs[i], ys[i] = p.X, p.Y
	}
	slices.Sort(xs)
	slices.Sort(ys)
	cut := len(pos) / 20
	lo := r2.Vec{X: xs[cut], Y: ys[cut]}
	hi := r2.Vec{X: xs[len(xs)-1-cut], Y: ys[len(ys)-1-cut]}
	w, h := l.Width-2*Margin, l.Height-2*Margin
	sx, sy := w/math.Max(hi.X-lo.X, 1e-9), h/math.Max(hi.Y-lo.Y, 1e-9)
	for i, p := range pos {
		pos[i] = clamp(r2.Vec{X: Margin + (p.X-lo.X)*sx, Y: Margin + (p.Y-lo.Y)*sy}, l)
	}
}

// separate pushes every pair of nodes closer than Spacing apart, half the
// shortfall each, keeping them in the box, until no pair is too close. As
// a last resort, a node that still crowds another moves to the nearest
// point of a grid of pitch Spacing that is clear of every other node (the
// box has a cell of 1.7 × Spacing per node, so such points abound).
func separate(pos []r2.Vec, l Layout) {
	const rounds = 500
	for range rounds {
		if !pushApart(pos, l) {
			return
		}
	}
	for i := range pos {
		if crowded(pos, i) {
			pos[i] = freeSpot(pos, i, l)
		}
	}
}

// slack is how much further than Spacing separate parts nodes, so that
// rounding the coordinates keeps them Spacing apart.
const slack = 0.5

// pushApart makes one pass over every pair; it reports whether it moved
// any node.
func pushApart(pos []r2.Vec, l Layout) bool {
	moved := false
	for i := range pos {
		for j := i + 1; j < len(pos); j++ {
			d := r2.Sub(pos[j], pos[i])
			dist := math.Hypot(d.X, d.Y)
			if dist >= Spacing+slack {
				continue
			}
			moved = true
			if dist < 1e-9 { // the same place: part them along a fixed axis
				d, dist = r2.Vec{X: 1, Y: float64(j-i) * 1e-3}, 1
			}
			push := r2.Scale((Spacing+slack-dist)/2/dist, d)
			pos[i], pos[j] = clamp(r2.Sub(pos[i], push), l), clamp(r2.Add(pos[j], push), l)
		}
	}
	return moved
}

func clamp(p r2.Vec, l Layout) r2.Vec {
	return r2.Vec{X: math.Min(math.Max(p.X, Margin), l.Width-Margin), Y: math.Min(math.Max(p.Y, Margin), l.Height-Margin)}
}

// crowded reports whether node i is closer than Spacing to another.
func crowded(pos []r2.Vec, i int) bool {
	for j := range pos {
		if j != i && r2.Norm(r2.Sub(pos[i], pos[j])) < Spacing+slack/2 {
			return true
		}
	}
	return false
}

// freeSpot returns the point of a grid of pitch Spacing + slack over l's
// box nearest to pos[i] that is Spacing + slack from every other node, or
// pos[i] when none is.
func freeSpot(pos []r2.Vec, i int, l Layout) r2.Vec {
	best, bestDist := pos[i], math.Inf(1)
	for y := Margin; y <= l.Height-Margin; y += Spacing + slack {
		for x := Margin; x <= l.Width-Margin; x += Spacing + slack {
			p := r2.Vec{X: x, Y: y}
			d := r2.Norm(r2.Sub(p, pos[i]))
			if d < bestDist && farFromOthers(pos, i, p) {
				best, bestDist = p, d
			}
		}
	}
	return best
}

func farFromOthers(pos []r2.Vec, i int, p r2.Vec) bool {
	for j := range pos {
		if j != i && r2.Norm(r2.Sub(p, pos[j])) < Spacing+slack {
			return false
		}
	}
	return true
}

// round keeps one decimal: enough for a drawing, and it keeps the SVG
// small.
func round(v float64) float64 { return math.Round(v*10) / 10 }
