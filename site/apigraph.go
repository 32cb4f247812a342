package site

import (
	"net/http"

	"github.com/lamport-kb/lamport/content"
	"github.com/lamport-kb/lamport/i18n"
)

// apiNode is a node of /api/graph.
type apiNode struct {
	Slug       string  `json:"slug"`
	Name       string  `json:"name"`
	Written    bool    `json:"written"`
	URL        string  `json:"url,omitempty"` // the page, for a written pattern
	Category   string  `json:"category"`
	Difficulty int     `json:"difficulty"`
	Rank       float64 `json:"rank"` // PageRank; the ranks sum to 1
	X          float64 `json:"x"`    // the server's layout, in a box of width × height
	Y          float64 `json:"y"`
}

// apiEdge is an edge of /api/graph: a typed relation or a mention.
type apiEdge struct {
	From string `json:"from"`
	To   string `json:"to"`
	Type string `json:"type"` // requires, combines-with, alternative-to or mentions
}

// apiPath is a learning path of /api/graph: its steps, and the patterns
// its prose mentions.
type apiPath struct {
	ID       string   `json:"id"`
	Name     string   `json:"name"`
	URL      string   `json:"url"`
	Steps    []string `json:"steps"`
	Mentions []string `json:"mentions"`
}

// handleAPIGraph is GET /api/graph[?lang=]: every node with its name in
// lang, rank and place in the layout, every edge the graph page draws, and
// the learning paths with their steps and mentions.
func (s *Server) handleAPIGraph(w http.ResponseWriter, r *http.Request) error {
	st, lang := s.current(), apiLang(r)
	if st.Graph == nil {
		return errNotFound
	}
	g := st.Graph
	rank := map[string]float64{}
	for _, sc := range g.PageRank() {
		rank[sc.Slug] = sc.Value
	}
	l := g.Layout()
	out := struct {
		Lang   string    `json:"lang"`
		Width  float64   `json:"width"`
		Height float64   `json:"height"`
		Nodes  []apiNode `json:"nodes"`
		Edges  []apiEdge `json:"edges"`
		Paths  []apiPath `json:"paths"`
	}{Lang: lang, Width: l.Width, Height: l.Height}
	for i, n := range g.Nodes() {
		an := apiNode{Slug: n.Slug, Name: n.Name[lang], Written: n.Written, Category: n.Category, Difficulty: n.Difficulty,
			Rank: rank[n.Slug], X: l.Points[i].X, Y: l.Points[i].Y}
		if n.Written {
			an.URL = content.PatternURL(lang, n.Slug)
		}
		out.Nodes = append(out.Nodes, an)
	}
	for _, e := range graphEdges(g) {
		out.Edges = append(out.Edges, apiEdge{e.From, e.To, e.Type})
	}
	for _, p := range g.Paths() {
		ap := apiPath{ID: p.ID, Name: p.Name[lang], URL: pathURL(lang, p.ID), Steps: p.Steps, Mentions: []string{}}
		for _, m := range g.PathMentions() {
			if m.From == p.ID {
				ap.Mentions = append(ap.Mentions, m.To)
			}
		}
		out.Paths = append(out.Paths, ap)
	}
	return writeJSON(w, http.StatusOK, out)
}

// apiStep is a step of an explained path.
type apiStep struct {
	From  string `json:"from"`
	To    string `json:"to"`
	Label string `json:"label"` // as read from From: requires, required-by, combines-with, alternative-to
	Text  string `json:"text"`  // the label in lang
}

// handleAPIPath is GET /api/graph/path?from=&to=[&lang=]: the shortest
// explained path between two catalog patterns over typed relations.
// Found is false when none joins them; a missing end is a 400, an unknown
// one a 404.
func (s *Server) handleAPIPath(w http.ResponseWriter, r *http.Request) error {
	st, lang := s.current(), apiLang(r)
	if st.Graph == nil {
		return errNotFound
	}
	from, to := r.URL.Query().Get("from"), r.URL.Query().Get("to")
	switch {
	case from == "" || to == "":
		return localError(http.StatusBadRequest, func(m *i18n.Messages) string { return m.Graph.PathNeedEnds })
	case st.Library.Entry(from) == nil:
		return unknownPattern(from)
	case st.Library.Entry(to) == nil:
		return unknownPattern(to)
	}
	m := i18n.For(lang)
	p, ok := st.Graph.Path(from, to)
	steps := []apiStep{}
	for _, s := range p {
		steps = append(steps, apiStep{s.From, s.To, s.Label, edgeLabel(m, s.Label)})
	}
	return writeJSON(w, http.StatusOK, map[string]any{"from": from, "to": to, "found": ok, "steps": steps})
}

// apiPlanStep is a step of /api/learning-path.
type apiPlanStep struct {
	Slug     string   `json:"slug"`
	Name     string   `json:"name"`
	URL      string   `json:"url,omitempty"`
	Written  bool     `json:"written"`
	Goal     bool     `json:"goal"`
	NeededBy []string `json:"needed_by"` // the steps that require it directly
	Reason   string   `json:"reason"`    // in lang
}

// handleAPILearningPath is GET /api/learning-path?goal=&known=[&lang=]:
// the planner of /{lang}/learn as JSON. goal and known take slugs,
// repeated or comma-separated; at least one goal is required.
func (s *Server) handleAPILearningPath(w http.ResponseWriter, r *http.Request) error {
	st, lang := s.current(), apiLang(r)
	if st.Graph == nil {
		return errNotFound
	}
	q := r.URL.Query()
	goals, err := choices(q, "goal", st.Library)
	if err != nil {
		return err
	}
	known, err := choices(q, "known", st.Library)
	if err != nil {
		return err
	}
	if len(goals) == 0 {
		return localError(http.StatusBadRequest, func(m *i18n.Messages) string { return m.Graph.LearnEmpty })
	}
	m := i18n.For(lang)
	pl := planReading(st.Graph, goals, known)
	steps := []apiPlanStep{}
	for _, step := range pl.Steps {
		as := apiPlanStep{Slug: step.Slug, Name: st.Library.Name(step.Slug, lang), Written: !step.Planned, Goal: step.Goal,
			NeededBy: append([]string{}, step.Needed...), Reason: stepReason(st.Library, m, lang, step)}
		if !step.Planned {
			as.URL = content.PatternURL(lang, step.Slug)
		}
		steps = append(steps, as)
	}
	return writeJSON(w, http.StatusOK, map[string]any{"goals": goals, "known": known, "steps": steps, "skipped": append([]string{}, pl.Skipped...)})
}
