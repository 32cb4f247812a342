package site

import (
	"math"

	"github.com/lamport-kb/lamport/content"
	"github.com/lamport-kb/lamport/graph"
	"github.com/lamport-kb/lamport/i18n"
	"github.com/lamport-kb/lamport/site/view"
)

// drawing turns a layout of g into the data of an SVG: each node with its
// short label in lang where the layout placed it, and the given edges
// between laid-out nodes, cut to the circles' rims.
func drawing(g *graph.Graph, l graph.Layout, edges []view.GraphEdge, lang, label string) view.GraphSVG {
	m := i18n.For(lang)
	s := view.GraphSVG{Label: label, Width: l.Width, Height: l.Height}
	at := make(map[string]int, len(l.Points))
	for _, pt := range l.Points {
		n := g.Node(pt.Slug)
		lines := n.Label(lang)
		anchor, x, baselines := pt.LabelText(lines)
		gn := view.GraphNode{Slug: n.Slug, Name: n.Name[lang], Category: n.Category, X: pt.X, Y: pt.Y, R: pt.R,
			Label: view.GraphLabel{Lines: lines, Anchor: anchor, X: x, Baselines: baselines}}
		if n.Written {
			gn.URL = content.PatternURL(lang, n.Slug)
		} else {
			gn.Name = sprintf(m.PlannedTitle, gn.Name)
		}
		at[n.Slug] = len(s.Nodes)
		s.Nodes = append(s.Nodes, gn)
	}
	for _, e := range edges {
		i, ok1 := at[e.From]
		j, ok2 := at[e.To]
		if ok1 && ok2 {
			s.Edges = append(s.Edges, rim(e, s.Nodes[i], s.Nodes[j]))
		}
	}
	return s
}

// rim cuts an edge so it runs between the rims of its two circles, and the
// arrowhead of a requires edge touches its target.
func rim(e view.GraphEdge, a, b view.GraphNode) view.GraphEdge {
	dx, dy := b.X-a.X, b.Y-a.Y
	d := math.Hypot(dx, dy)
	if d == 0 {
		d = 1
	}
	ux, uy := dx/d, dy/d
	e.X1, e.Y1 = round1(a.X+ux*a.R), round1(a.Y+uy*a.R)
	e.X2, e.Y2 = round1(b.X-ux*(b.R+1)), round1(b.Y-uy*(b.R+1))
	return e
}

func round1(v float64) float64 { return math.Round(v*10) / 10 }

// graphEdges lists every pair the graph joins, once: each typed edge (a
// symmetric one that both sides declare, once), then each mention between
// patterns that no typed edge joins.
func graphEdges(g *graph.Graph) []view.GraphEdge {
	seen := map[[2]string]bool{}
	var out []view.GraphEdge
	add := func(from, to, typ string) {
		key, back := [2]string{from, to}, [2]string{to, from}
		if seen[key] || seen[back] {
			return
		}
		seen[key] = true
		out = append(out, view.GraphEdge{From: from, To: to, Type: typ})
	}
	for _, e := range g.Edges() {
		add(e.From, e.To, e.Type)
	}
	for _, mn := range g.Mentions() {
		add(mn.From, mn.To, graph.Mentions)
	}
	return out
}

// typedEdges is graphEdges without the mentions.
func typedEdges(g *graph.Graph) []view.GraphEdge {
	var out []view.GraphEdge
	for _, e := range graphEdges(g) {
		if e.Type != graph.Mentions {
			out = append(out, e)
		}
	}
	return out
}
