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
		Recent:         recentlyChanged(st.Library, lang, recentCount),
		StartHereTitle: st.Library.StartHere.Title.In(lang),
		PlayURL:        content.PlaygroundURL(lang),
	}
	for _, c := range d.Categories {
		d.WrittenCount, d.PlannedCount = d.WrittenCount+c.Written, d.PlannedCount+c.Planned
	}
	for _, p := range st.Library.Patterns {
		d.Written = append(d.Written, patternItem(st.Library, p, lang))
	}
	for _, slug := range st.Library.StartHere.Slugs {
		if l := entryLink(st.Library, slug, lang); l.URL != "" {
			d.StartHere = append(d.StartHere, l)
		} else {
			d.StartLater = append(d.StartLater, l.Name)
		}
	}
	s.renderPage(w, r, key, p, view.Home(p, d))
	return nil
}

// recentCount is how many recently changed patterns the home page lists.
const recentCount = 6

// categoryCards counts every category's written and planned patterns.
func categoryCards(lib *content.Library, lang string) []view.CategoryCard {
	cards := make([]view.CategoryCard, 0, len(lib.Categories))
	index := make(map[string]int)
	for _, c := range lib.Categories {
		index[c.ID] = len(cards)
		cards = append(cards, view.CategoryCard{ID: c.ID, Name: c.Name.In(lang)})
	}
	for _, e := range lib.Catalog {
		if i, ok := index[e.Category]; ok && e.Written {
			cards[i].Written++
		} else if ok {
			cards[i].Planned++
		}
	}
	return cards
}

// handleAbout is the about page.
func (s *Server) handleAbout(w http.ResponseWriter, r *http.Request) error {
	key := pageKey(r, "")
	if s.serveCached(w, r, key) {
		return nil
	}
	lang := langOf(r)
	m := i18n.For(lang)
	p := s.page(r, lang, m.AboutTitle)
	p.Description, p.Alternates = m.AboutIntro, true
	s.renderPage(w, r, key, p, view.AboutPage(p))
	return nil
}

// entryLink links a written pattern or names a planned one.
func entryLink(lib *content.Library, slug, lang string) view.Link {
	l := view.Link{Name: lib.Name(slug, lang)}
	if p := lib.Pattern(slug); p != nil {
		l.URL, l.Level = content.PatternURL(lang, slug), p.Difficulty
	}
	return l
}
