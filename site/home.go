package site

import (
	"net/http"

	"github.com/lamport-kb/lamport/content"
	"github.com/lamport-kb/lamport/i18n"
	"github.com/lamport-kb/lamport/site/view"
)

// handleRoot sends the reader to their language's home: the cookie first,
// then Accept-Language.
func (s *Server) handleRoot(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Vary", "Cookie, Accept-Language")
	http.Redirect(w, r, "/"+langOf(r)+"/", http.StatusFound)
	return nil
}

func (s *Server) handleHome(w http.ResponseWriter, r *http.Request) error {
	key := pageKey(r, "")
	if s.serveCached(w, r, key) {
		return nil
	}
	st, lang := s.current(), langOf(r)
	p := s.page(r, lang, "")
	p.Description = i18n.For(lang).HomeIntro
	p.Alternates = true
	d := view.HomeData{
		Categories:     categoryCards(st.Library, lang),
		StartHereTitle: st.Library.StartHere.Title.In(lang),
	}
	for _, slug := range st.Library.StartHere.Slugs {
		d.StartHere = append(d.StartHere, entryLink(st.Library, slug, lang))
	}
	s.renderPage(w, r, key, p, view.Home(p, d))
	return nil
}

// categoryCards lists every category with its written patterns first, then
// the planned ones.
func categoryCards(lib *content.Library, lang string) []view.CategoryCard {
	cards := make([]view.CategoryCard, 0, len(lib.Categories))
	index := make(map[string]int)
	for _, c := range lib.Categories {
		index[c.ID] = len(cards)
		cards = append(cards, view.CategoryCard{ID: c.ID, Name: c.Name.In(lang)})
	}
	var planned [][]view.Link = make([][]view.Link, len(cards))
	for _, e := range lib.Catalog {
		i, ok := index[e.Category]
		if !ok {
			continue
		}
		l := entryLink(lib, e.Slug, lang)
		if e.Written {
			cards[i].Written++
			cards[i].Patterns = append(cards[i].Patterns, l)
		} else {
			cards[i].Planned++
			planned[i] = append(planned[i], l)
		}
	}
	for i := range cards {
		cards[i].Patterns = append(cards[i].Patterns, planned[i]...)
	}
	return cards
}

// entryLink links a written pattern or names a planned one.
func entryLink(lib *content.Library, slug, lang string) view.Link {
	l := view.Link{Name: lib.Name(slug, lang)}
	if p := lib.Pattern(slug); p != nil {
		l.URL, l.Level = content.PatternURL(lang, slug), p.Difficulty
	}
	return l
}
