package view

import (
	"strconv"
	"strings"
)

// GraphSVG is a drawing of (part of) the knowledge graph, laid out by
// package graph: the whole graph on the graph page, a neighbourhood on a
// pattern page.
type GraphSVG struct {
	Label         string // the drawing's accessible name
	Width, Height float64
	Nodes         []GraphNode
	Edges         []GraphEdge
	Centre        string // the slug drawn as the centre of a local graph, else ""
}

// GraphNode is a pattern in a drawing.
type GraphNode struct {
	Slug     string
	Name     string // the full name, for the tooltip
	Label    GraphLabel
	URL      string // empty for a planned pattern
	Category string
	X, Y, R  float64
}

// GraphLabel is a node's label: a short name in one or two lines, drawn
// where the layout found room for it.
type GraphLabel struct {
	Lines     []string
	Anchor    string    // the SVG text-anchor: start, middle or end
	X         float64   // of every line
	Baselines []float64 // one per line
}

// GraphEdge is a relation in a drawing, as a segment between the two
// circles' rims.
type GraphEdge struct {
	From, To       string
	Type           string // requires, combines-with, alternative-to or mentions
	X1, Y1, X2, Y2 float64
}

// GraphData is the whole-graph page.
type GraphData struct {
	SVG        GraphSVG
	Summary    string
	Legend     []LegendItem // one per edge type, in display order
	Categories []Option     // the category filter, Value the id
	Rows       []EdgeRow    // the table of every edge
}

// LegendItem is an edge type as the legend and the filter show it.
type LegendItem struct {
	Type, Label string
}

// EdgeRow is one row of the table of edges.
type EdgeRow struct {
	From, To Link
	Label    string // the relation, read from From
	Type     string
	Compare  string // the comparison page, for an alternative
}

// PatternGraph is what a pattern page shows from the graph besides its
// related patterns.
type PatternGraph struct {
	Local        *GraphSVG // the neighbourhood, nil when the pattern has none
	ReferencedBy []Link    // the pages that mention it
	NextUp       []Recommendation
}

// Recommendation is a pattern to read next, with the reason.
type Recommendation struct {
	Link
	Why string
}

// num writes a coordinate for an SVG attribute.
func num(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

func viewBox(s GraphSVG) string { return "0 0 " + num(s.Width) + " " + num(s.Height) }

func nodeClass(n GraphNode, centre string) string {
	c := "node cat-" + n.Category
	if n.URL == "" {
		c += " planned"
	}
	if n.Slug == centre {
		c += " centre"
	}
	return c
}

// PathCard is a learning path in the list of paths.
type PathCard struct {
	Link
	Summary string
	Steps   string // "12 steps, 9 written"
}

// PathData is one learning path's page.
type PathData struct {
	ID, Title, Summary string
	HTML               string // the prose, trusted HTML from the content pipeline
	After              []Link // the paths to take first
	Steps              []Link // in order; a planned one has no URL
	Count              string
}

// LearnData is the learning planner: the form, and the plan once asked.
type LearnData struct {
	Goals, Known []Option // every written and planned pattern, the chosen ones selected
	Asked        bool     // the form was sent with at least one goal
	Steps        []LearnStep
	Skipped      string // the known patterns left out, or ""
	Error        string
}

// LearnStep is a pattern of the plan and why it is there.
type LearnStep struct {
	Link
	Why string
}

// slugOf is the slug at the end of a pattern's URL, or "" for a planned
// one.
func slugOf(l Link) string {
	if l.URL == "" {
		return ""
	}
	return l.URL[strings.LastIndexByte(l.URL, '/')+1:]
}

// CompareData is two patterns side by side.
type CompareData struct {
	A, B    CompareSide
	Options []Option // every written pattern, for the form
	PickA   string   // the form's current choices
	PickB   string
	Path    []PathStep // the shortest explained path from A to B
	NoPath  bool
	Error   string
}

// CompareSide is one pattern of a comparison. The HTML fields are
// trusted: excerpts of the pattern's own rendered sections.
type CompareSide struct {
	Link
	Planned               bool     // no page yet: the sections are not written
	Names                 []string // the name in every language, for a planned pattern
	Category              string
	Summary               string
	Definition, WhenToUse string
	Guarantees            []string
	Costs                 string
	Related               []RelatedGroup
}

// PathStep is one step of an explained path: From, Label, To.
type PathStep struct {
	From, To Link
	Label    string
}
