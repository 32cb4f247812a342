package site

import (
	"strings"

	"github.com/lamport-kb/lamport/content"
	"github.com/lamport-kb/lamport/graph"
	"github.com/lamport-kb/lamport/i18n"
	"github.com/lamport-kb/lamport/site/view"
)

// relatedLabels are the graph labels a pattern page lists as related
// patterns, in order; mentions are the page's own links, and the
// patterns that mention it are its backlinks (patternGraph).
var relatedLabels = []string{content.Requires, graph.RequiredBy, content.CombinesWith, content.AlternativeTo}

// relatedGroups lists the patterns the graph links to slug, by the label
// of the link as seen from slug: a symmetric relation from either side,
// once, unless slug's own pattern.yaml relates to that pattern otherwise
// (it says best what it is to slug); an alternative with a link to the
// comparison of the two.
func relatedGroups(st *state, slug, lang string) []view.RelatedGroup {
	if st.Graph == nil {
		return nil
	}
	m := i18n.For(lang)
	own := map[string]string{} // what slug's pattern.yaml says of each pattern it names
	if p := st.Library.Pattern(slug); p != nil {
		for _, r := range p.Relations {
			own[r.Target] = r.Type
		}
	}
	var groups []view.RelatedGroup
	for _, label := range relatedLabels {
		g := view.RelatedGroup{Title: relationTitle(m, label)}
		for _, l := range st.Graph.Links(slug) {
			typ, declared := own[l.Slug]
			if l.Label != label || (content.Symmetric(label) && declared && typ != label) {
				continue
			}
			item := entryLink(st.Library, l.Slug, lang)
			if label == content.AlternativeTo && item.URL != "" {
				item.Compare = compareURL(lang, slug, l.Slug)
			}
			g.Items = append(g.Items, item)
		}
		if len(g.Items) > 0 {
			groups = append(groups, g)
		}
	}
	return groups
}

// localRadius is how many typed steps a pattern page's local graph shows.
const localRadius = 2

// nextUpCount is how many recommendations a pattern page shows.
const nextUpCount = 3

// patternGraph is what a pattern page shows from the graph besides its
// related patterns: its neighbourhood drawn, the pages and learning paths
// that mention it, and what to read next, with the reasons.
func patternGraph(st *state, slug, title, lang string) view.PatternGraph {
	g := st.Graph
	if g == nil {
		return view.PatternGraph{}
	}
	m := i18n.For(lang)
	pg := view.PatternGraph{}
	if l := g.LocalLayout(slug, localRadius); len(l.Points) > 1 {
		svg := drawing(g, l, typedEdges(g), lang, sprintf(m.Graph.LocalLabel, title))
		svg.Centre = slug
		pg.Local = &svg
	}
	for _, l := range g.Links(slug) {
		if l.Label == graph.MentionedBy {
			pg.ReferencedBy = append(pg.ReferencedBy, entryLink(st.Library, l.Slug, lang))
		}
	}
	for _, id := range g.PathsMentioning(slug) {
		if p := st.Library.Path(id); p != nil {
			pg.ReferencedBy = append(pg.ReferencedBy, view.Link{Name: sprintf(m.Graph.PathRef, p.Doc(lang).Title), URL: pathURL(lang, id)})
		}
	}
	for _, r := range g.Recommend(slug, nextUpCount) {
		var tags []string
		for _, t := range r.SharedTags {
			if tag := st.Library.Tag(t); tag != nil {
				tags = append(tags, tag.Name.In(lang))
			}
		}
		pg.NextUp = append(pg.NextUp, view.Recommendation{Link: entryLink(st.Library, r.Slug, lang),
			Why: m.Graph.NextReason(r.Hops, strings.Join(tags, m.ListSep))})
	}
	return pg
}
