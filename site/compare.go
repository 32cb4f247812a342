package site

import (
	"net/http"
	"strings"

	"github.com/PuerkitoBio/goquery"

	"github.com/lamport-kb/lamport/content"
	"github.com/lamport-kb/lamport/i18n"
	"github.com/lamport-kb/lamport/site/view"
)

// handleCompare shows two catalog patterns side by side (?a=&b=): an
// excerpt of each one's definition, when to use it, its guarantees and
// its costs, its category and relations, and the shortest explained path
// between them. A planned pattern shows what the catalog knows of it (its
// names in every language, category and relations), each section marked
// not written yet. Without a and b it shows the form; a missing, unknown
// or repeated pattern is a 4xx with the form and a message in the reader's
// language.
func (s *Server) handleCompare(w http.ResponseWriter, r *http.Request) error {
	st, lang := s.current(), langOf(r)
	if st.Graph == nil {
		return errNotFound
	}
	m := i18n.For(lang)
	a, b := r.URL.Query().Get("a"), r.URL.Query().Get("b")
	d := view.CompareData{PickA: a, PickB: b, Options: catalogOptions(st, lang)}
	status := http.StatusOK
	if err := checkPair(st.Library, a, b, r.URL.RawQuery == ""); err != nil {
		status, d.Error = err.status, err.message(m)
	} else if a != "" {
		d.A, d.B = compareSide(st, a, lang), compareSide(st, b, lang)
		d.Path, d.NoPath = explainedPath(st, a, b, lang)
	}
	title := m.Graph.ComparePick
	if d.A.Name != "" {
		title = sprintf(m.Graph.CompareTitle, d.A.Name, d.B.Name)
	}
	p := s.page(r, lang, title)
	p.Nav, p.Description, p.SwitchQuery = "graph", m.Graph.CompareIntro, r.URL.RawQuery
	s.render(w, r, status, p, view.ComparePage(p, d))
	return nil
}

// checkPair validates a comparison's patterns; an empty query is the
// bare form and no error.
func checkPair(lib *content.Library, a, b string, bare bool) *statusError {
	switch {
	case bare:
		return nil
	case a == "" || b == "":
		return localError(http.StatusBadRequest, func(m *i18n.Messages) string { return m.Graph.CompareNeed })
	case lib.Entry(a) == nil:
		return unknownPattern(a)
	case lib.Entry(b) == nil:
		return unknownPattern(b)
	case a == b:
		return localError(http.StatusBadRequest, func(m *i18n.Messages) string { return m.Graph.CompareSame })
	}
	return nil
}

// unknownPattern is the 404 of a slug that names no catalog pattern.
func unknownPattern(slug string) *statusError {
	return localError(http.StatusNotFound, func(m *i18n.Messages) string { return m.Graph.Unknown(slug) })
}

// compareSide is one pattern's column: a written pattern's excerpts, or
// what the catalog knows of a planned one.
func compareSide(st *state, slug, lang string) view.CompareSide {
	e := st.Library.Entry(slug)
	side := view.CompareSide{Link: entryLink(st.Library, slug, lang), Related: relatedGroups(st, slug, lang)}
	if c := st.Library.Category(e.Category); c != nil {
		side.Category = c.Name.In(lang)
	}
	p := st.Library.Pattern(slug)
	if p == nil {
		side.Planned = true
		for _, l := range i18n.Langs {
			side.Names = append(side.Names, e.Name.In(l))
		}
		return side
	}
	d := p.Doc(lang)
	side.Summary = d.Summary
	for _, sec := range d.Sections {
		switch sec.ID {
		case "definition":
			side.Definition = excerpt(sec.HTML)
		case "when-to-use":
			side.WhenToUse = excerpt(sec.HTML)
		case "formalization":
			side.Guarantees = guarantees(sec.HTML)
		case "pitfalls":
			side.Costs = excerpt(sec.HTML)
		}
	}
	return side
}

// excerpt is the first paragraph of a section's HTML, and the list that
// follows it if any: enough to compare, with the section a click away.
func excerpt(html string) string {
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(html))
	if err != nil {
		return ""
	}
	first := doc.Find("body > p").First()
	out, _ := goquery.OuterHtml(first)
	if next := first.Next(); next.Is("ul, ol") {
		list, _ := goquery.OuterHtml(next)
		out += list
	}
	return out
}

// guarantees are the stated guarantees of a formal model, each the inner
// HTML of its paragraph (the test that checks it included).
func guarantees(html string) []string {
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(html))
	if err != nil {
		return nil
	}
	var out []string
	doc.Find(".guarantee").Each(func(_ int, g *goquery.Selection) {
		if h, err := g.Html(); err == nil {
			out = append(out, h)
		}
	})
	return out
}

// explainedPath is the graph's shortest explained path from a to b, each
// step named in lang, and whether there is none.
func explainedPath(st *state, a, b, lang string) ([]view.PathStep, bool) {
	path, ok := st.Graph.Path(a, b)
	if !ok {
		return nil, true
	}
	m := i18n.For(lang)
	steps := make([]view.PathStep, len(path))
	for i, s := range path {
		steps[i] = view.PathStep{From: entryLink(st.Library, s.From, lang), To: entryLink(st.Library, s.To, lang), Label: edgeLabel(m, s.Label)}
	}
	return steps, false
}

// catalogOptions lists the catalog's patterns for a form, in catalog
// order, the planned ones marked.
func catalogOptions(st *state, lang string) []view.Option {
	m := i18n.For(lang)
	opts := make([]view.Option, 0, len(st.Library.Catalog))
	for _, e := range st.Library.Catalog {
		label := st.Library.Name(e.Slug, lang)
		if st.Library.Pattern(e.Slug) == nil {
			label = sprintf(m.PlannedTitle, label)
		}
		opts = append(opts, view.Option{Value: e.Slug, Label: label})
	}
	return opts
}
