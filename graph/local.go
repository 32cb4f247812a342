package graph

import "math"

// boldWidth is how much wider the centre's label is, drawn in bold
// (DejaVu Sans Bold's letters are about 1.1 times as wide as its regular
// ones).
const boldWidth = 1.15

// MaxLocal is the most patterns a local layout shows besides its centre:
// past it, the second ring is left out, so the drawing stays legible.
const MaxLocal = 24

// LocalLayout draws slug's neighbourhood: slug at the centre, the patterns
// one typed step away on a first ring and, when k is 2 and the whole
// neighbourhood has at most MaxLocal patterns, those two steps away on a
// second ring. Each ring is in catalog order, starting at the top and
// going clockwise, and is wide enough that no two nodes are closer than
// Spacing; the labels are placed as Layout's are, which may move a node
// off its ring. The Layout's Points are the centre first, then each ring; it
// is empty for an unknown slug.
func (g *Graph) LocalLayout(slug string, k int) Layout {
	if g.Node(slug) == nil {
		return Layout{}
	}
	hops := g.Neighbourhood(slug, min(max(k, 1), 2))
	if len(hops) > MaxLocal {
		hops = g.Neighbourhood(slug, 1)
	}
	rings := [][]string{{slug}}
	for _, h := range hops {
		for len(rings) <= h.Dist {
			rings = append(rings, nil)
		}
		rings[h.Dist] = append(rings[h.Dist], h.Slug)
	}
	radius, radii := 0.0, g.radii()
	var points []Point
	for d, ring := range rings {
		if d > 0 {
			// The circumference holds len(ring) nodes at Spacing (a chord is
			// shorter than its arc, hence the 1.1).
			// Whole units, so that a point rounded to the ring's top or
			// side stays inside the box's margin.
			radius = math.Ceil(math.Max(radius+1.6*Spacing, 1.1*float64(len(ring))*Spacing/(2*math.Pi)))
		}
		for i, s := range ring {
			angle := 2*math.Pi*float64(i)/float64(len(ring)) - math.Pi/2
			points = append(points, Point{Slug: s, X: round(radius * math.Cos(angle)), Y: round(radius * math.Sin(angle)), R: radii[g.index[s]]})
		}
	}
	side := 2 * (radius + Margin)
	sizes := make([][2]float64, len(points))
	for i := range points {
		points[i].X += side / 2
		points[i].Y += side / 2
		sizes[i] = g.labelSize(g.index[points[i].Slug])
	}
	sizes[0][0] *= boldWidth
	l := Layout{Width: side, Height: side, Points: points}
	placeLabels(&l, sizes)
	return l
}
