package graph

import (
	"cmp"
	"path"
	"slices"
	"sync"

	"github.com/lamport-kb/lamport/content"
	"github.com/lamport-kb/lamport/i18n"
)

// Labels of an edge seen from one of its ends, besides the relation types
// of content (content.Requires, content.CombinesWith, content.AlternativeTo).
const (
	RequiredBy  = "required-by"  // the inverse of requires
	Mentions    = "mentions"     // the page links to the other in its prose
	MentionedBy = "mentioned-by" // the other page links to this one
)

// Labels lists every label in display order.
var Labels = []string{content.Requires, RequiredBy, content.CombinesWith, content.AlternativeTo, Mentions, MentionedBy}

// Inverse returns the label an edge has from its other end: required-by
// for requires and back, mentioned-by for mentions and back; a symmetric
// type is its own inverse.
func Inverse(label string) string {
	switch label {
	case content.Requires:
		return RequiredBy
	case RequiredBy:
		return content.Requires
	case Mentions:
		return MentionedBy
	case MentionedBy:
		return Mentions
	}
	return label
}

// Graph is the relation graph of one library. It is immutable and safe
// for concurrent use.
type Graph struct {
	nodes    []*Node
	index    map[string]int // slug → position in nodes
	edges    []Edge
	mentions []Mention
	links    [][]Link // per node, in display order
	typed    [][]arc  // per node, typed edges in both directions, for searches
	near     [][]int  // per node, every neighbour by a typed edge or a mention
	requires [][]int  // per node, its direct prerequisites, in catalog order
	rank     []Score
	layout   func() Layout // computed on first use

	paths        []*PathNode
	pathMentions []Mention // From is a path's id
}

// Node is a pattern of the catalog, written or planned.
type Node struct {
	Slug       string
	Name       content.Names // the page title when written, else the catalog's name
	Written    bool          // it has a page
	Category   string
	Difficulty int
	Tags       []string // a written pattern's tags; nil when planned
}

// Edge is a typed relation as a pattern.yaml declares it.
type Edge struct {
	From, To string // slugs; From's pattern.yaml declares the edge
	Type     string // content.Requires, content.CombinesWith or content.AlternativeTo
	File     string // the declaring pattern.yaml, inside the content FS
	Line     int
}

// Mention is a [[link]] from one page's prose to another pattern, in any
// language.
type Mention struct {
	From, To string
}

// Link is an edge seen from one of its ends.
type Link struct {
	Label string // one of Labels, as seen from this end
	Slug  string // the other end
}

// arc is a typed edge in one direction, for the searches.
type arc struct {
	to    int
	label string
}

// Build makes the graph of lib and validates it. It returns
// content.Problems, each at a pattern.yaml's file:line, when requires has
// a cycle or a relation is listed twice or names a slug outside the
// catalog.
func Build(lib *content.Library) (*Graph, error) {
	g := &Graph{index: make(map[string]int)}
	var problems content.Problems
	g.addNodes(lib, &problems)
	g.addEdges(lib, &problems)
	g.addMentions(lib)
	g.addPaths(lib)
	g.connect()
	problems = append(problems, g.cycles()...)
	if len(problems) > 0 {
		sortProblems(problems)
		return nil, problems
	}
	g.rank = g.pageRank()
	g.layout = sync.OnceValue(g.computeLayout)
	return g, nil
}

// addNodes adds the catalog's entries, in order, and marks the written
// ones from lib.Patterns.
func (g *Graph) addNodes(lib *content.Library, problems *content.Problems) {
	for _, e := range lib.Catalog {
		g.index[e.Slug] = len(g.nodes)
		n := &Node{Slug: e.Slug, Name: content.Names{}, Category: e.Category, Difficulty: e.Difficulty}
		for _, lang := range i18n.Langs {
			n.Name[lang] = cmp.Or(e.Name.In(lang), e.Slug)
		}
		g.nodes = append(g.nodes, n)
	}
	for _, p := range lib.Patterns {
		i, ok := g.index[p.Slug]
		if !ok {
			*problems = append(*problems, problem(yamlFile(p), 0, "slug %q is not in the catalog", p.Slug))
			continue
		}
		n := g.nodes[i]
		n.Written, n.Tags = true, p.Tags
		for _, lang := range i18n.Langs {
			if d := p.Doc(lang); d != nil && d.Title != "" {
				n.Name[lang] = d.Title
			}
		}
	}
}

// addEdges adds the typed relations of every written pattern, in catalog
// order and then file order.
func (g *Graph) addEdges(lib *content.Library, problems *content.Problems) {
	for _, p := range g.written(lib) {
		file := yamlFile(p)
		seen := make(map[content.Relation]int) // Type and Target → first line
		for _, r := range p.Relations {
			key := content.Relation{Type: r.Type, Target: r.Target}
			_, known := g.index[r.Target]
			first, dup := seen[key]
			switch {
			case !known:
				*problems = append(*problems, problem(file, r.Line, "%s: unknown slug %q (not in the catalog)", r.Type, r.Target))
			case dup:
				*problems = append(*problems, problem(file, r.Line, "%s lists %q twice (first at line %d)", r.Type, r.Target, first))
			default:
				seen[key] = r.Line
				g.edges = append(g.edges, Edge{From: p.Slug, To: r.Target, Type: r.Type, File: file, Line: r.Line})
			}
		}
	}
}

// addMentions adds one mention per pair of patterns that a page's
// [[links]] join, in any language.
func (g *Graph) addMentions(lib *content.Library) {
	for _, p := range g.written(lib) {
		seen := make(map[string]bool)
		for _, lang := range i18n.Langs {
			d := p.Docs[lang]
			if d == nil {
				continue
			}
			for _, l := range d.Links {
				if _, known := g.index[l.Slug]; !known || l.Slug == p.Slug || seen[l.Slug] {
					continue
				}
				seen[l.Slug] = true
				g.mentions = append(g.mentions, Mention{From: p.Slug, To: l.Slug})
			}
		}
	}
}

// written returns lib's patterns that are in the catalog, in catalog order.
func (g *Graph) written(lib *content.Library) []*content.Pattern {
	var ps []*content.Pattern
	for _, p := range lib.Patterns {
		if _, ok := g.index[p.Slug]; ok {
			ps = append(ps, p)
		}
	}
	slices.SortStableFunc(ps, func(a, b *content.Pattern) int { return g.index[a.Slug] - g.index[b.Slug] })
	return ps
}

// connect builds the per-node lookups from the edges and mentions.
func (g *Graph) connect() {
	n := len(g.nodes)
	g.links, g.typed, g.near, g.requires = make([][]Link, n), make([][]arc, n), make([][]int, n), make([][]int, n)
	for _, e := range g.edges {
		from, to := g.index[e.From], g.index[e.To]
		g.typed[from] = append(g.typed[from], arc{to, e.Type})
		g.typed[to] = append(g.typed[to], arc{from, Inverse(e.Type)})
		if e.Type == content.Requires {
			g.requires[from] = append(g.requires[from], to)
		}
		g.link(from, to, e.Type)
	}
	for _, m := range g.mentions {
		g.link(g.index[m.From], g.index[m.To], Mentions)
	}
	for i := range g.nodes {
		g.sortLinks(i)
		slices.SortFunc(g.typed[i], func(a, b arc) int {
			if a.to != b.to {
				return a.to - b.to
			}
			return labelOrder(a.label) - labelOrder(b.label)
		})
		slices.Sort(g.requires[i])
		g.near[i] = slices.Compact(slices.Sorted(slices.Values(g.near[i])))
	}
}

// link records an edge from both ends.
func (g *Graph) link(from, to int, label string) {
	g.links[from] = append(g.links[from], Link{label, g.nodes[to].Slug})
	g.links[to] = append(g.links[to], Link{Inverse(label), g.nodes[from].Slug})
	g.near[from] = append(g.near[from], to)
	g.near[to] = append(g.near[to], from)
}

// sortLinks puts a node's links in display order, then catalog order, and
// drops repeats (a symmetric edge that both sides declare).
func (g *Graph) sortLinks(i int) {
	slices.SortStableFunc(g.links[i], func(a, b Link) int {
		if a.Label != b.Label {
			return labelOrder(a.Label) - labelOrder(b.Label)
		}
		return g.index[a.Slug] - g.index[b.Slug]
	})
	g.links[i] = slices.Compact(g.links[i])
}

func labelOrder(label string) int { return slices.Index(Labels, label) }

func yamlFile(p *content.Pattern) string { return path.Join(p.Dir, "pattern.yaml") }

// Nodes returns every node, in catalog order.
func (g *Graph) Nodes() []*Node { return g.nodes }

// Node returns the node with the given slug, or nil.
func (g *Graph) Node(slug string) *Node {
	if i, ok := g.index[slug]; ok {
		return g.nodes[i]
	}
	return nil
}

// Edges returns every typed edge, in the order the pattern.yaml files
// declare them (patterns in catalog order).
func (g *Graph) Edges() []Edge { return g.edges }

// Mentions returns every mention, pages in catalog order, each page's in
// order of first appearance (English first).
func (g *Graph) Mentions() []Mention { return g.mentions }

// Links returns every edge at slug, typed and mentions, seen from slug: in
// display order of their labels (Labels), then catalog order of the other
// end, each label and pattern once.
func (g *Graph) Links(slug string) []Link {
	if i, ok := g.index[slug]; ok {
		return g.links[i]
	}
	return nil
}
