package site

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/lamport-kb/lamport/content"
	"github.com/lamport-kb/lamport/graph"
	"github.com/lamport-kb/lamport/i18n"
	"github.com/lamport-kb/lamport/site/view"
)

// maxChoices bounds each list of the planner, so a request's work is
// bounded.
const maxChoices = 20

// plan is a reading order for some goals, less what the reader knows.
type plan struct {
	Steps   []planStep
	Skipped []string // known patterns the goals need, left out
}

// planStep is a pattern to read and the reason: a goal, or the patterns
// of the plan that require it directly.
type planStep struct {
	Slug    string
	Goal    bool
	Needed  []string // the patterns of the plan that require it, in plan order
	Planned bool
}

// planReading orders goals and their prerequisites (graph.ReadingOrder),
// drops the known ones, and gives each step its reason: a goal, or the
// patterns that require it.
func planReading(g *graph.Graph, goals, known []string) plan {
	var pl plan
	order := g.ReadingOrder(goals...)
	for _, slug := range order {
		if slices.Contains(known, slug) && !slices.Contains(goals, slug) {
			pl.Skipped = append(pl.Skipped, slug)
			continue
		}
		st := planStep{Slug: slug, Goal: slices.Contains(goals, slug), Planned: !g.Node(slug).Written}
		for _, other := range order {
			if requires(g, other, slug) {
				st.Needed = append(st.Needed, other)
			}
		}
		pl.Steps = append(pl.Steps, st)
	}
	return pl
}

// requires reports whether from's pattern.yaml declares that it requires to.
func requires(g *graph.Graph, from, to string) bool {
	return slices.Contains(g.Links(from), graph.Link{Label: content.Requires, Slug: to})
}

// choices reads a list of slugs from the query (repeated or
// comma-separated), checking that each is in the catalog.
func choices(q url.Values, name string, lib *content.Library) ([]string, error) {
	var out []string
	for _, v := range q[name] {
		for _, s := range strings.Split(v, ",") {
			if s = strings.TrimSpace(s); s == "" || slices.Contains(out, s) {
				continue
			}
			if lib.Entry(s) == nil {
				return nil, localError(http.StatusBadRequest, func(m *i18n.Messages) string { return m.Graph.Unknown(s) })
			}
			out = append(out, s)
		}
	}
	if len(out) > maxChoices {
		return nil, localError(http.StatusBadRequest, func(m *i18n.Messages) string { return m.Graph.TooManyGoals })
	}
	return out, nil
}

// handleLearn is the learning planner: the form always, and the plan
// when the query names goals. A slug outside the catalog is a 400 with
// the form and the message.
func (s *Server) handleLearn(w http.ResponseWriter, r *http.Request) error {
	st, lang := s.current(), langOf(r)
	if st.Graph == nil {
		return errNotFound
	}
	m := i18n.For(lang)
	q := r.URL.Query()
	status := http.StatusOK
	var d view.LearnData
	goals, err := choices(q, "goal", st.Library)
	known, err2 := choices(q, "known", st.Library)
	if err == nil {
		err = err2
	}
	if se, ok := err.(*statusError); ok {
		status, d.Error, goals, known = se.status, se.message(m), nil, nil
	}
	d.Goals, d.Known = learnOptions(st, lang, goals), learnOptions(st, lang, known)
	switch {
	case len(goals) > 0:
		d.Asked = true
		pl := planReading(st.Graph, goals, known)
		for _, step := range pl.Steps {
			d.Steps = append(d.Steps, view.LearnStep{Link: entryLink(st.Library, step.Slug, lang), Why: stepReason(st.Library, m, lang, step)})
		}
		if len(pl.Skipped) > 0 {
			d.Skipped = m.Graph.LearnSkipped(len(pl.Skipped), names(st.Library, pl.Skipped, lang, m))
		}
	case q.Has("goal") && d.Error == "":
		status, d.Error = http.StatusBadRequest, m.Graph.LearnEmpty
	}
	p := s.page(r, lang, m.Graph.LearnTitle)
	p.Nav, p.Description, p.SwitchQuery = "paths", m.Graph.LearnIntro, r.URL.RawQuery
	p.NoIndex = r.URL.RawQuery != ""
	s.render(w, r, status, p, view.LearnPage(p, d))
	return nil
}

// stepReason explains why a step is in the plan.
func stepReason(lib *content.Library, m *i18n.Messages, lang string, step planStep) string {
	why := []string{}
	if step.Goal {
		why = append(why, m.Graph.LearnGoal)
	}
	if len(step.Needed) > 0 {
		why = append(why, m.Graph.LearnNeeded(names(lib, step.Needed, lang, m)))
	}
	out := strings.Join(why, m.ListSep)
	if step.Planned {
		out += m.ListSep + m.Graph.PathPlanned
	}
	return out
}

func names(lib *content.Library, slugs []string, lang string, m *i18n.Messages) string {
	out := make([]string, len(slugs))
	for i, s := range slugs {
		out[i] = lib.Name(s, lang)
	}
	return strings.Join(out, m.ListSep)
}

// learnOptions lists every catalog pattern for the planner's form, in
// catalog order, the chosen ones selected.
func learnOptions(st *state, lang string, chosen []string) []view.Option {
	opts := make([]view.Option, 0, len(st.Library.Catalog))
	for _, e := range st.Library.Catalog {
		opts = append(opts, view.Option{Value: e.Slug, Label: st.Library.Name(e.Slug, lang), Selected: slices.Contains(chosen, e.Slug)})
	}
	return opts
}
