package site

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/lamport-kb/lamport/content"
	"github.com/lamport-kb/lamport/i18n"
	"github.com/lamport-kb/lamport/site/view"
)

// listFilter is the pattern list's query: ?category=&tag=&level=.
type listFilter struct {
	category, tag string
	level         int
}

func parseListFilter(r *http.Request, lib *content.Library) (listFilter, error) {
	q := r.URL.Query()
	f := listFilter{category: q.Get("category"), tag: q.Get("tag")}
	if f.category != "" && !(lib.Category(f.category) != nil) {
		return f, httpError(http.StatusBadRequest, "unknown category "+strconv.Quote(f.category))
	}
	if f.tag != "" && lib.Tag(f.tag) == nil {
		return f, httpError(http.StatusBadRequest, "unknown tag "+strconv.Quote(f.tag))
	}
	if v := q.Get("level"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 3 {
			return f, httpError(http.StatusBadRequest, "level must be 1, 2 or 3")
		}
		f.level = n
	}
	return f, nil
}

// query is the filter in canonical form, for the page cache: ?level=02
// and ?level=2&utm=x are the same page.
func (f listFilter) query() string {
	q := url.Values{}
	if f.category != "" {
		q.Set("category", f.category)
	}
	if f.tag != "" {
		q.Set("tag", f.tag)
	}
	if f.level != 0 {
		q.Set("level", strconv.Itoa(f.level))
	}
	return q.Encode()
}

func (f listFilter) match(p *content.Pattern) bool {
	return (f.category == "" || p.Category == f.category) &&
		(f.level == 0 || p.Difficulty == f.level) &&
		(f.tag == "" || slices.Contains(p.Tags, f.tag))
}

func (s *Server) handlePatterns(w http.ResponseWriter, r *http.Request) error {
	st, lang := s.current(), langOf(r)
	f, err := parseListFilter(r, st.Library)
	if err != nil {
		return err
	}
	key := pageKey(r, f.query())
	if s.serveCached(w, r, key) {
		return nil
	}
	m := i18n.For(lang)
	d := view.ListData{Filtered: f != listFilter{}}
	for _, c := range st.Library.Categories {
		d.Categories = append(d.Categories, view.Option{Value: c.ID, Label: c.Name.In(lang), Selected: c.ID == f.category})
	}
	for _, t := range st.Library.Tags {
		if len(st.index.byTag[t.ID]) > 0 {
			d.Tags = append(d.Tags, view.Option{Value: t.ID, Label: t.Name.In(lang), Selected: t.ID == f.tag})
		}
	}
	for level := 1; level <= 3; level++ {
		d.Levels = append(d.Levels, view.Option{Value: strconv.Itoa(level), Label: m.Level(level), Selected: level == f.level})
	}
	for _, p := range st.Library.Patterns {
		if f.match(p) {
			d.Items = append(d.Items, patternItem(st.Library, p, lang))
		}
	}
	pg := s.page(r, lang, m.ListTitle)
	pg.Nav, pg.Alternates, pg.Description = "patterns", !d.Filtered, m.ListIntro
	pg.SwitchQuery, pg.KeepQuery = f.query(), true
	s.renderPage(w, r, key, pg, view.PatternList(pg, d))
	return nil
}

func patternItem(lib *content.Library, p *content.Pattern, lang string) view.PatternItem {
	dc := p.Doc(lang)
	it := view.PatternItem{Name: dc.Title, URL: content.PatternURL(lang, p.Slug), Summary: dc.Summary, Level: p.Difficulty}
	if c := lib.Category(p.Category); c != nil {
		it.Category = c.Name.In(lang)
	}
	it.Tags = tagLinks(lib, p.Tags, lang)
	return it
}

func tagLinks(lib *content.Library, ids []string, lang string) []view.Link {
	links := make([]view.Link, 0, len(ids))
	for _, id := range ids {
		name := id
		if t := lib.Tag(id); t != nil {
			name = t.Name.In(lang)
		}
		links = append(links, view.Link{Name: name, URL: content.TagURL(lang, id)})
	}
	return links
}
