package site

import (
	"net/http"

	"github.com/lamport-kb/lamport/content"
	"github.com/lamport-kb/lamport/graph"
	"github.com/lamport-kb/lamport/i18n"
	"github.com/lamport-kb/lamport/site/view"
)

// handlePlanned serves the page of a catalog entry that has no chapter
// yet, at the URL its chapter will have: search finds planned patterns by
// name and links here, so a reader learns it is planned, where it
// belongs, and which written patterns to read meanwhile. It is not
// indexed by robots.
func (s *Server) handlePlanned(w http.ResponseWriter, r *http.Request, e *content.Entry) error {
	key := pageKey(r, "")
	if s.serveCached(w, r, key) {
		return nil
	}
	st, lang := s.current(), langOf(r)
	m := i18n.For(lang)
	other := i18n.Other(lang)
	d := view.PlannedData{Name: e.Name.In(lang), OtherName: e.Name.In(other), OtherLang: other}
	if c := st.Library.Category(e.Category); c != nil {
		d.Category = view.Link{Name: c.Name.In(lang), URL: content.CategoryURL(lang, c.ID)}
	}
	d.Related = plannedRelated(st, e.Slug, lang, m)
	p := s.page(r, lang, sprintf(m.PlannedTitle, d.Name))
	p.Nav, p.NoIndex, p.Alternates = "patterns", true, false
	s.renderPage(w, r, key, p, view.PlannedPage(p, d))
	return nil
}

// plannedRelated groups the written patterns linked to slug in the graph
// by the label of the link, as seen from slug.
func plannedRelated(st *state, slug, lang string, m *i18n.Messages) []view.RelatedGroup {
	if st.Graph == nil {
		return nil
	}
	var groups []view.RelatedGroup
	for _, label := range graph.Labels {
		g := view.RelatedGroup{Title: relationTitle(m, label)}
		for _, l := range st.Graph.Links(slug) {
			if l.Label == label && st.Library.Pattern(l.Slug) != nil {
				g.Items = append(g.Items, entryLink(st.Library, l.Slug, lang))
			}
		}
		if len(g.Items) > 0 {
			groups = append(groups, g)
		}
	}
	return groups
}

// relationTitle names a graph label; mentions have no heading of their
// own on pattern pages, so they read as "related".
func relationTitle(m *i18n.Messages, label string) string {
	if t, ok := m.Relation[label]; ok {
		return t
	}
	return m.Related
}
