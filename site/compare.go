package site

import (
	"net/http"
	"strings"

	"github.com/PuerkitoBio/goquery"

	"github.com/lamport-kb/lamport/content"
	"github.com/lamport-kb/lamport/i18n"
	"github.com/lamport-kb/lamport/site/view"
)

// handleCompare shows two written patterns side by side (?a=&b=): an
// excerpt of each one's definition, when to use it, its guarantees and
// its costs, its relations, and the shortest explained path between them.
// Without a and b it shows the form; a missing, unknown, planned or
// repeated pattern is a 4xx with the form and a message in the reader's
// language.
func (s *Server) handleCompare(w http.ResponseWriter, r *http.Request) error {
	st, lang := s.current(), langOf(r)
	if st.Graph == nil {
		return errNotFound
	}
	m := i18n.For(lang)
	a, b := r.URL.Query().Get("a"), r.URL.Query().Get("b")
	d := view.CompareData{PickA: a, PickB: b, Options: writtenOptions(st, lang)}
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
	case lib.Pattern(a) == nil:
		return unknownPattern(a)
	case lib.Pattern(b) == nil:
		return unknownPattern(b)
	case a == b:
		return localError(http.StatusBadRequest, func(m *i18n.Messages) string { return m.Graph.CompareSame })
	}
	return nil
}

// unknownPattern is the 404 of a slug that names no written pattern.
func unknownPattern(slug string) *statusError {
	return localError(http.StatusNotFound, func(m *i18n.Messages) string { return m.Graph.Unknown(slug) })
}

// compareSide is one written pattern's column.
func compareSide(st *state, slug, lang string) view.CompareSide {
	p := st.Library.Pattern(slug)
	d := p.Doc(lang)
	side := view.CompareSide{Link: entryLink(st.Library, slug, lang), Summary: d.Summary, Related: relatedGroups(st, slug, lang)}
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

// writtenOptions lists the written patterns for a form, in catalog order.
func writtenOptions(st *state, lang string) []view.Option {
	opts := make([]view.Option, 0, len(st.Library.Patterns))
	for _, p := range st.Library.Patterns {
		opts = append(opts, view.Option{Value: p.Slug, Label: p.Doc(lang).Title})
	}
	return opts
}
