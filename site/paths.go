package site

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/lamport-kb/lamport/content"
	"github.com/lamport-kb/lamport/i18n"
	"github.com/lamport-kb/lamport/site/view"
)

// pathURL is a learning path's page.
func pathURL(lang, id string) string { return "/" + lang + "/paths/" + id }

func (s *Server) handlePaths(w http.ResponseWriter, r *http.Request) error {
	key := pageKey(r, "")
	if s.serveCached(w, r, key) {
		return nil
	}
	st, lang := s.current(), langOf(r)
	m := i18n.For(lang)
	var cards []view.PathCard
	for _, p := range st.Library.Paths {
		d := p.Doc(lang)
		cards = append(cards, view.PathCard{Link: view.Link{Name: d.Title, URL: pathURL(lang, p.ID)}, Summary: d.Summary,
			Steps: m.Graph.PathSteps(len(p.Slugs), written(st.Library, p.Slugs))})
	}
	pg := s.page(r, lang, m.Graph.PathsTitle)
	pg.Nav, pg.Alternates, pg.Description = "paths", true, m.Graph.PathsIntro
	s.renderPage(w, r, key, pg, view.PathsPage(pg, cards))
	return nil
}

func (s *Server) handlePath(w http.ResponseWriter, r *http.Request) error {
	key := pageKey(r, "")
	if s.serveCached(w, r, key) {
		return nil
	}
	st, lang := s.current(), langOf(r)
	p := st.Library.Path(chi.URLParam(r, "id"))
	if p == nil {
		return errNotFound
	}
	m, doc := i18n.For(lang), p.Doc(lang)
	d := view.PathData{ID: p.ID, Title: doc.Title, Summary: doc.Summary, HTML: doc.HTML,
		Count: m.Graph.PathSteps(len(p.Slugs), written(st.Library, p.Slugs))}
	for _, a := range p.After {
		if ap := st.Library.Path(a); ap != nil {
			d.After = append(d.After, view.Link{Name: ap.Doc(lang).Title, URL: pathURL(lang, a)})
		}
	}
	for _, slug := range p.Slugs {
		d.Steps = append(d.Steps, entryLink(st.Library, slug, lang))
	}
	pg := s.page(r, lang, doc.Title)
	pg.Nav, pg.Alternates, pg.Description = "paths", true, doc.Summary
	s.renderPage(w, r, key, pg, view.PathPage(pg, d))
	return nil
}

// written counts the slugs that have a page.
func written(lib *content.Library, slugs []string) int {
	n := 0
	for _, s := range slugs {
		if lib.Pattern(s) != nil {
			n++
		}
	}
	return n
}
