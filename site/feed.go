package site

import (
	"cmp"
	"html"
	"net/http"
	"slices"
	"time"

	"github.com/gorilla/feeds"

	"github.com/lamport-kb/lamport/content"
	"github.com/lamport-kb/lamport/i18n"
)

// feedEntries bounds the feed: the most recently changed patterns.
const feedEntries = 50

// handleFeed is GET /{lang}/feed.xml: an Atom feed of the written
// patterns in lang, the most recently updated first. An entry's id is the
// page's URL, so a reader's feed client shows an updated pattern as the
// same entry, changed.
func (s *Server) handleFeed(w http.ResponseWriter, r *http.Request) error {
	st, lang := s.current(), langOf(r)
	f := patternFeed(st.Library, lang, s.cfg.BaseURL)
	atom, err := f.ToAtom()
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/atom+xml; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	_, err = w.Write([]byte(atom))
	return err
}

// handleRootFeed is GET /feed.xml: the feed in the reader's language.
func (s *Server) handleRootFeed(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Vary", "Cookie, Accept-Language")
	http.Redirect(w, r, "/"+langOf(r)+"/feed.xml", http.StatusFound)
	return nil
}

// patternFeed builds the feed of lib's patterns in lang. Pages without an
// updated date come last, dated by the newest page, so every entry has the
// date Atom requires.
func patternFeed(lib *content.Library, lang, base string) *feeds.Feed {
	m := i18n.For(lang)
	type entry struct {
		p       *content.Pattern
		updated time.Time
	}
	var entries []entry
	var newest time.Time
	for _, p := range lib.Patterns {
		u := p.Doc(lang).Updated
		entries = append(entries, entry{p, u})
		if u.After(newest) {
			newest = u
		}
	}
	slices.SortStableFunc(entries, func(a, b entry) int { return b.updated.Compare(a.updated) })
	f := &feeds.Feed{
		Title:       m.FeedTitle,
		Link:        &feeds.Link{Href: base + content.HomeURL(lang)},
		Id:          base + "/" + lang + "/feed.xml",
		Description: m.Tagline,
		Author:      &feeds.Author{Name: m.SiteName},
		Updated:     newest,
	}
	for _, e := range entries[:min(len(entries), feedEntries)] {
		d := e.p.Doc(lang)
		url := base + content.PatternURL(lang, e.p.Slug)
		f.Items = append(f.Items, &feeds.Item{
			Title:       d.Title,
			Link:        &feeds.Link{Href: url},
			Id:          url,
			Description: html.EscapeString(d.Summary),
			Updated:     cmp.Or(e.updated, newest),
		})
	}
	return f
}
