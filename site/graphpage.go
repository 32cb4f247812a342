package site

import (
	"net/http"

	"github.com/lamport-kb/lamport/content"
	"github.com/lamport-kb/lamport/graph"
	"github.com/lamport-kb/lamport/i18n"
	"github.com/lamport-kb/lamport/site/view"
)

// handleGraph serves the whole knowledge graph: every catalog node, laid
// out once per content version by package graph and drawn as SVG here, so
// the page reads without JavaScript; graph.js adds pan, zoom, hover,
// filters and focus.
func (s *Server) handleGraph(w http.ResponseWriter, r *http.Request) error {
	key := pageKey(r, "")
	if s.serveCached(w, r, key) {
		return nil
	}
	st, lang := s.current(), langOf(r)
	if st.Graph == nil {
		return errNotFound
	}
	m := i18n.For(lang)
	p := s.page(r, lang, m.Graph.Title)
	p.Nav, p.Alternates, p.Description = "graph", true, m.Graph.Intro
	s.renderPage(w, r, key, p, view.GraphPage(p, graphData(st, lang)))
	return nil
}

// graphData is the graph page's data in lang.
func graphData(st *state, lang string) view.GraphData {
	g, m := st.Graph, i18n.For(lang)
	edges := graphEdges(g)
	d := view.GraphData{SVG: drawing(g, g.Layout(), edges, lang, m.Graph.Label)}
	written := 0
	for _, n := range g.Nodes() {
		if n.Written {
			written++
		}
	}
	d.Summary = m.Graph.Summary(len(g.Nodes()), written, len(edges))
	for _, typ := range append(content.RelationTypes[:len(content.RelationTypes):len(content.RelationTypes)], graph.Mentions) {
		d.Legend = append(d.Legend, view.LegendItem{Type: typ, Label: edgeLabel(m, typ)})
	}
	for _, c := range st.Library.Categories {
		d.Categories = append(d.Categories, view.Option{Value: c.ID, Label: c.Name.In(lang)})
	}
	for _, e := range edges {
		row := view.EdgeRow{From: entryLink(st.Library, e.From, lang), To: entryLink(st.Library, e.To, lang),
			Label: edgeLabel(m, e.Type), Type: e.Type}
		if e.Type == content.AlternativeTo && row.From.URL != "" && row.To.URL != "" {
			row.Compare = compareURL(lang, e.From, e.To)
		}
		d.Rows = append(d.Rows, row)
	}
	return d
}

// edgeLabel names a graph label for the reader: the relation headings of
// the pattern pages, and the graph's own words for mentions.
func edgeLabel(m *i18n.Messages, label string) string {
	switch label {
	case graph.Mentions:
		return m.Graph.Mention
	case graph.MentionedBy:
		return m.Graph.MentionedBy
	}
	return relationTitle(m, label)
}

// compareURL is the comparison page of two patterns.
func compareURL(lang, a, b string) string { return "/" + lang + "/compare?a=" + a + "&b=" + b }
