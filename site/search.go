package site

import (
	"context"
	"errors"
	"net/http"
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
		res, err := st.Search.Search(r.Context(), search.Query{Text: q, Lang: lang, Limit: 30})
		switch {
		case errors.Is(err, search.ErrQueryTooLong):
			return httpError(http.StatusBadRequest, sprintf(m.SearchTooLong, search.MaxQueryRunes, search.MaxQueryWords))
		case errors.Is(err, search.ErrBusy),
			errors.Is(err, context.DeadlineExceeded) && r.Context().Err() == nil: // our deadline, not the client's
			return errSearchBusy(http.StatusServiceUnavailable, 1)
		case err != nil:
			return err
		}
		d.Total, d.Took = res.Total, res.Took.Round(time.Microsecond).String()
		for _, h := range res.Hits {
			d.Hits = append(d.Hits, view.SearchHit{Title: h.Title, Heading: h.Heading, URL: h.URL, Snippet: h.Snippet})
		}
	}
	p := s.page(r, lang, m.SearchTitle)
	p.Nav, p.Query, p.NoIndex = "search", q, true
	s.render(w, r, http.StatusOK, p, view.SearchPage(p, d))
	return nil
}
