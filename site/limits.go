package site

import (
	"net/http"
	"strings"
	"time"

	"github.com/go-chi/httprate"

	"github.com/lamport-kb/lamport/i18n"
	"github.com/lamport-kb/lamport/site/view"
)

// searchesPerMinute is how often one client may search. A reader types a
// query every few seconds at most; a script looping on /search gets 429s
// after its first second. The search index bounds the total work on its
// own (search.ErrBusy); this keeps one client from taking all of it.
const searchesPerMinute = 60

// limitSearches is the per-client rate limit of the search route. Only
// searches count, not visits to the empty search page. Over the limit the
// reader gets the localized busy page (429) with a Retry-After.
func (s *Server) limitSearches(next http.Handler) http.Handler {
	limiter := httprate.NewRateLimiter(searchesPerMinute, time.Minute)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key, _ := clientKey(r)
		if strings.TrimSpace(r.URL.Query().Get("q")) != "" && limiter.OnLimit(w, r, key) {
			s.serveBusy(w, r, http.StatusTooManyRequests)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// serveBusy answers a search refused for load: 429 when this client
// searches too often, 503 when the server is searching at capacity. It is
// expected under a flood, so it is not logged beyond the access log.
func (s *Server) serveBusy(w http.ResponseWriter, r *http.Request, status int) {
	if w.Header().Get("Retry-After") == "" {
		w.Header().Set("Retry-After", "1")
	}
	lang := langOf(r)
	m := i18n.For(lang)
	p := s.page(r, lang, m.SearchTitle)
	p.Nav, p.NoIndex = "search", true
	s.render(w, r, status, p, view.ErrorPage(p, view.ErrorData{Status: status, Title: m.SearchTitle, Message: m.SearchBusy}))
}
