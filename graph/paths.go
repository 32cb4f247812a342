package graph

import (
	"slices"

	"github.com/lamport-kb/lamport/content"
	"github.com/lamport-kb/lamport/i18n"
)

// PathNode is a learning path of the catalog: a node of the graph apart
// from the patterns, joined to the patterns it lists as steps and to those
// its prose mentions.
type PathNode struct {
	ID    string
	Name  content.Names // the path's title in every language
	Steps []string      // the slugs it lists, in reading order
}

// addPaths adds lib's learning paths, in list order, and a mention from a
// path to each pattern its prose links to, in any language, once per pair.
func (g *Graph) addPaths(lib *content.Library) {
	for _, p := range lib.Paths {
		n := &PathNode{ID: p.ID, Name: content.Names{}, Steps: p.Slugs}
		seen := map[string]bool{}
		for _, lang := range i18n.Langs {
			d := p.Docs[lang]
			if d == nil {
				continue
			}
			n.Name[lang] = d.Title
			for _, l := range d.Links {
				if _, known := g.index[l.Slug]; known && !seen[l.Slug] {
					seen[l.Slug] = true
					g.pathMentions = append(g.pathMentions, Mention{From: p.ID, To: l.Slug})
				}
			}
		}
		g.paths = append(g.paths, n)
	}
}

// Paths returns the learning paths, in the catalog's list order.
func (g *Graph) Paths() []*PathNode { return g.paths }

// PathMentions returns the mentions from the paths' prose: From is a
// path's id, To a pattern's slug; paths in list order, each path's in
// order of first appearance (English first). They are not among Mentions
// (which join patterns) and count for no algorithm: a path's prose
// introduces patterns, it does not relate them.
func (g *Graph) PathMentions() []Mention { return g.pathMentions }

// PathsMentioning returns the ids of the paths whose prose mentions slug,
// in list order.
func (g *Graph) PathsMentioning(slug string) []string {
	var ids []string
	for _, m := range g.pathMentions {
		if m.To == slug && !slices.Contains(ids, m.From) {
			ids = append(ids, m.From)
		}
	}
	return ids
}
