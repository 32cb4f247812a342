package graph

import (
	"cmp"
	"math"
	"slices"

	"gonum.org/v1/gonum/spatial/r2"
)

// Node radii, by PageRank: the least central node gets minRadius, the most
// central maxRadius, by the square root of the score so that the area
// tracks it.
const (
	minRadius = 5.0
	maxRadius = 13.0
)

// edgePad keeps labels this far inside the drawing's box.
const edgePad = 2.0

// radii sizes g's nodes by PageRank, in catalog order. The extremes are
// taken over all scores, not from the ranking's ends: scores within tie of
// each other are ranked by slug, so the last may not be the least.
func (g *Graph) radii() []float64 {
	r := make([]float64, len(g.nodes))
	if len(g.rank) == 0 {
		return r
	}
	top, low := math.Inf(-1), math.Inf(1)
	for _, s := range g.rank {
		top, low = max(top, s.Value), min(low, s.Value)
	}
	for _, s := range g.rank {
		f := 0.0
		if top-low > tie {
			f = math.Sqrt((s.Value - low) / (top - low))
		}
		r[g.index[s.Slug]] = round(minRadius + (maxRadius-minRadius)*f)
	}
	return r
}

// placeLabels gives every point of l an anchor for its label where the
// label, as wide and tall as the node's widest in any language, overlaps
// no other label and no circle and stays inside the box. Nodes are served
// largest first (the core patterns get the first choice); a node with no
// free anchor where it stands moves to the nearest place that has one and
// keeps Spacing from every other node. When no such place is left, the
// whole drawing is spread out by a tenth and placed again, so placement
// always ends: far enough apart, every label fits below its node.
func placeLabels(l *Layout, sizes [][2]float64) {
	for !tryPlace(l, sizes) {
		spread(l, 1.1)
	}
}

// tryPlace places every label of l, moving nodes as placeLabels says; it
// reports false when a node has nowhere to go.
func tryPlace(l *Layout, sizes [][2]float64) bool {
	placed := make([]Box, 0, len(l.Points))
	for _, i := range largestFirst(l.Points) {
		p := &l.Points[i]
		if a, ok := freeAnchor(l, i, p.X, p.Y, sizes[i], placed); ok {
			p.Label = a
		} else if x, y, a, ok := nearestFree(l, i, sizes[i], placed); ok {
			p.X, p.Y, p.Label = x, y, a
		} else {
			return false
		}
		placed = append(placed, labelBox(*p, p.Label, sizes[i][0], sizes[i][1]))
	}
	return true
}

// largestFirst orders the points by radius, largest first, ties in
// catalog order.
func largestFirst(points []Point) []int {
	order := make([]int, len(points))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(points[b].R, points[a].R) })
	return order
}

// freeAnchor returns the first anchor at which node i, standing at (x, y),
// has room for a label of size: inside the box, clear of every placed
// label and of every circle (its own included).
func freeAnchor(l *Layout, i int, x, y float64, size [2]float64, placed []Box) (Anchor, bool) {
	p := l.Points[i]
	p.X, p.Y = x, y
	for a := range anchors {
		b := labelBox(p, a, size[0], size[1])
		if b.Inside(l.Width-edgePad, l.Height-edgePad) && b.X0 >= edgePad && b.Y0 >= edgePad &&
			!hitsAny(b, placed) && !hitsCircles(b, l.Points, i, x, y) {
			return a, true
		}
	}
	return 0, false
}

func hitsAny(b Box, boxes []Box) bool {
	return slices.ContainsFunc(boxes, b.Overlaps)
}

// hitsCircles reports whether b overlaps a node's circle, node i standing
// at (x, y) and the others where they are. A circle is taken a unit wider
// for its outline.
func hitsCircles(b Box, points []Point, i int, x, y float64) bool {
	for j, q := range points {
		if j == i {
			q.X, q.Y = x, y
		}
		if b.HitsCircle(q.X, q.Y, q.R+1) {
			return true
		}
	}
	return false
}

// step is the distance between the places nearestFree tries.
const step = 4.0

// reach is how far nearestFree looks for a place: past it, moving the node
// would take it from its neighbours, and spreading the drawing is better.
const reach = 3 * Spacing

// nearestFree looks for a place for node i on rings of growing radius
// around it up to reach, step apart, each tried every step along its
// length, and returns the first where the node keeps Spacing from every other node and
// Margin from the box's edge, its circle misses every placed label, and it
// has a free anchor.
func nearestFree(l *Layout, i int, size [2]float64, placed []Box) (x, y float64, a Anchor, ok bool) {
	p := l.Points[i]
	for d := step; d < reach; d += step {
		n := math.Ceil(2 * math.Pi * d / step)
		for k := range int(n) {
			angle := 2*math.Pi*float64(k)/n - math.Pi/2
			x, y := round(p.X+d*math.Cos(angle)), round(p.Y+d*math.Sin(angle))
			if !roomFor(l, i, x, y, placed) {
				continue
			}
			if a, ok := freeAnchor(l, i, x, y, size, placed); ok {
				return x, y, a, true
			}
		}
	}
	return 0, 0, 0, false
}

// roomFor reports whether node i may stand at (x, y): inside the box by
// Margin, Spacing from every other node, its circle clear of every placed
// label.
func roomFor(l *Layout, i int, x, y float64, placed []Box) bool {
	if x < Margin || y < Margin || x > l.Width-Margin || y > l.Height-Margin {
		return false
	}
	for j, q := range l.Points {
		if j != i && math.Hypot(q.X-x, q.Y-y) < Spacing {
			return false
		}
	}
	for _, b := range placed {
		if b.HitsCircle(x, y, l.Points[i].R+1) {
			return false
		}
	}
	return true
}

// spread scales l about its top-left margin corner by f, box and points,
// and widens the box by at least 2 × Spacing on each axis (a box of one
// node is all margin, and scaling would not grow it).
func spread(l *Layout, f float64) {
	origin := r2.Vec{X: Margin, Y: Margin}
	grow := func(side float64) float64 {
		return math.Ceil(max((side-2*Margin)*f, side-2*Margin+2*Spacing) + 2*Margin)
	}
	l.Width, l.Height = grow(l.Width), grow(l.Height)
	for i, p := range l.Points {
		v := r2.Add(origin, r2.Scale(f, r2.Sub(r2.Vec{X: p.X, Y: p.Y}, origin)))
		l.Points[i].X, l.Points[i].Y = round(v.X), round(v.Y)
	}
}
