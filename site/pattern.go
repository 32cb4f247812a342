package site

import (
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/lamport-kb/lamport/content"
	"github.com/lamport-kb/lamport/site/view"
)

func (s *Server) handlePattern(w http.ResponseWriter, r *http.Request) error {
	key := pageKey(r, "")
	if s.serveCached(w, r, key) {
		return nil
	}
	st, lang := s.current(), langOf(r)
	slug := chi.URLParam(r, "slug")
	p := st.Library.Pattern(slug)
	if p == nil {
		if e := st.Library.Entry(slug); e != nil && !e.Written {
			return s.handlePlanned(w, r, e)
		}
		return errNotFound
	}
	dc := p.Doc(lang)
	d := view.PatternData{
		Doc:      dc,
		Category: view.Link{Name: st.Library.Category(p.Category).Name.In(lang), URL: content.CategoryURL(lang, p.Category)},
		Level:    p.Difficulty,
		Tags:     tagLinks(st.Library, p.Tags, lang),
		Aliases:  p.Aliases[lang],
		Related:  relatedGroups(st, p.Slug, lang),
		EditURL:  s.editURL(dc),
	}
	if !dc.Updated.IsZero() {
		d.Updated = dc.Updated.Format("2006-01-02")
	}
	if p.Demo != nil {
		d.DemoPath, d.DemoHTML = strings.TrimPrefix(p.Demo.Path, "patterns/"), p.Demo.HTML
		d.PlayURL = content.PlayURL(lang, p.Slug)
	}
	d.Prev, d.Next = neighbours(st, p, lang)
	d.Graph = patternGraph(st, p.Slug, dc.Title, lang)
	pg := s.page(r, lang, dc.Title)
	pg.Description, pg.Nav, pg.Alternates, pg.Kind = dc.Summary, "patterns", true, "article"
	s.renderPage(w, r, key, pg, view.PatternPage(pg, d))
	return nil
}

// neighbours are the previous and next written patterns in catalog order.
func neighbours(st *state, p *content.Pattern, lang string) (prev, next *view.Link) {
	i := st.index.position[p.Slug]
	if i > 0 {
		l := entryLink(st.Library, st.Library.Patterns[i-1].Slug, lang)
		prev = &l
	}
	if i+1 < len(st.Library.Patterns) {
		l := entryLink(st.Library, st.Library.Patterns[i+1].Slug, lang)
		next = &l
	}
	return prev, next
}

// editURL links to the page's source file in the repository.
func (s *Server) editURL(d *content.Doc) string {
	return strings.TrimSuffix(s.cfg.RepoURL, "/") + "/edit/" + s.cfg.Branch + "/content/" + d.Path
}
