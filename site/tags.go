package site

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/lamport-kb/lamport/content"
	"github.com/lamport-kb/lamport/i18n"
	"github.com/lamport-kb/lamport/site/view"
)

func (s *Server) handleTags(w http.ResponseWriter, r *http.Request) error {
	key := pageKey(r, "")
	if s.serveCached(w, r, key) {
		return nil
	}
	st, lang := s.current(), langOf(r)
	var d view.TagsData
	for _, t := range st.Library.Tags {
		if n := len(st.index.byTag[t.ID]); n > 0 {
			d.Tags = append(d.Tags, view.TagCount{Link: view.Link{Name: t.Name.In(lang), URL: content.TagURL(lang, t.ID)}, Count: n})
		}
	}
	m := i18n.For(lang)
	p := s.page(r, lang, m.TagsTitle)
	p.Nav, p.Alternates, p.Description = "tags", true, m.TagsIntro
	s.renderPage(w, r, key, p, view.TagsIndex(p, d))
	return nil
}

func (s *Server) handleTag(w http.ResponseWriter, r *http.Request) error {
	key := pageKey(r, "")
	if s.serveCached(w, r, key) {
		return nil
	}
	st, lang := s.current(), langOf(r)
	t := st.Library.Tag(chi.URLParam(r, "tag"))
	if t == nil || len(st.index.byTag[t.ID]) == 0 {
		return errNotFound
	}
	d := view.TagData{Name: t.Name.In(lang)}
	for _, p := range st.index.byTag[t.ID] {
		d.Items = append(d.Items, patternItem(st.Library, p, lang))
	}
	m := i18n.For(lang)
	p := s.page(r, lang, sprintf(m.TagTitle, d.Name))
	p.Nav, p.Alternates = "tags", true
	s.renderPage(w, r, key, p, view.TagPage(p, d))
	return nil
}
