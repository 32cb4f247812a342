package site

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/lamport-kb/lamport/i18n"
	"github.com/lamport-kb/lamport/search"
	"github.com/lamport-kb/lamport/site/view"
)

func (s *Server) handleSearch(w http.ResponseWriter, r *http.Request) error {
	st, lang := s.current(), langOf(r)
	m := i18n.For(lang)
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	d := view.SearchData{Query: q}
	if q != "" && st.Search != nil {
		res, err := runSearch(r, st, search.Query{Text: q, Lang: lang, Limit: 30})
		if err != nil {
			return err
		}
		d.Total, d.Took = res.Total, res.Took.Round(time.Microsecond).String()
		for _, h := range res.Hits {
			d.Hits = append(d.Hits, view.SearchHit{Title: h.Title, Heading: h.Heading, URL: h.URL, Snippet: h.Snippet})
		}
	}
	p := s.page(r, lang, m.SearchTitle)
	p.Nav, p.Query, p.NoIndex = "search", q, true
	p.Description, p.KeepQuery = m.SearchEmpty, true
	if q != "" {
		p.SwitchQuery = url.Values{"q": {q}}.Encode()
	}
	s.render(w, r, http.StatusOK, p, view.SearchPage(p, d))
	return nil
}

// runSearch runs q on the state's index and turns the index's refusals
// into the errors the adapter answers: 400 for a query too long, 503 with
// Retry-After when searches are busy or ran out of time.
func runSearch(r *http.Request, st *state, q search.Query) (*search.Results, error) {
	m := i18n.For(langOf(r))
	res, err := st.Search.Search(r.Context(), q)
	switch {
	case errors.Is(err, search.ErrQueryTooLong):
		return nil, httpError(http.StatusBadRequest, sprintf(m.SearchTooLong, search.MaxQueryRunes, search.MaxQueryWords))
	case errors.Is(err, search.ErrBusy),
		errors.Is(err, context.DeadlineExceeded) && r.Context().Err() == nil: // our deadline, not the client's
		return nil, errSearchBusy(http.StatusServiceUnavailable, 1)
	}
	return res, err
}

// apiSearchResults is the JSON of GET /api/search.
type apiSearchResults struct {
	Query string
	Lang  string // "" when every language was searched
	Total int    // matching documents before grouping
	Hits  []apiSearchHit
}

type apiSearchHit struct {
	Slug, Lang, Title string
	Section, Heading  string // the section's id and title; empty for the page itself
	URL               string
	Snippet           string // HTML: the matched words inside <mark>
	Score             float64
}

// handleAPISearch answers GET /api/search?q=&lang=&limit= with JSON:
// lang (en, zh) limits the results to one language, limit (1 to
// search.MaxLimit, default 10) their number.
func (s *Server) handleAPISearch(w http.ResponseWriter, r *http.Request) error {
	st, m := s.current(), i18n.For(langOf(r))
	params := r.URL.Query()
	q := search.Query{Text: strings.TrimSpace(params.Get("q")), Lang: params.Get("lang"), Limit: 10}
	switch {
	case q.Text == "":
		return httpError(http.StatusBadRequest, m.SearchNoQuery)
	case q.Lang != "" && !i18n.Supported(q.Lang):
		return httpError(http.StatusBadRequest, sprintf(m.SearchBadLang, strings.Join(i18n.Langs, ", ")))
	case params.Has("limit"):
		n, err := strconv.Atoi(params.Get("limit"))
		if err != nil || n < 1 || n > search.MaxLimit {
			return httpError(http.StatusBadRequest, sprintf(m.SearchBadLimit, search.MaxLimit))
		}
		q.Limit = n
	}
	out := apiSearchResults{Query: q.Text, Lang: q.Lang, Hits: []apiSearchHit{}}
	if st.Search != nil {
		res, err := runSearch(r, st, q)
		if err != nil {
			return err
		}
		out.Total = res.Total
		for _, h := range res.Hits {
			out.Hits = append(out.Hits, apiSearchHit{Slug: h.Slug, Lang: h.Lang, Title: h.Title, Section: h.SectionID,
				Heading: h.Heading, URL: h.URL, Snippet: h.Snippet, Score: h.Score})
		}
	}
	return writeJSON(w, http.StatusOK, out)
}
