package site

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/httprate"

	"github.com/lamport-kb/lamport/i18n"
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
			retry, _ := strconv.Atoi(w.Header().Get("Retry-After")) // httprate sets it
			s.serveError(w, r, errSearchBusy(http.StatusTooManyRequests, retry))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// errSearchBusy answers a search refused for load (429 when this client
// searches too often, 503 when the server searches at capacity) with the
// localized page of the error adapter. It is expected under a flood, so
// it is not logged beyond the access log.
func errSearchBusy(status, retry int) error {
	return retryError(status, max(retry, 1), func(m *i18n.Messages) string { return m.SearchBusy })
}
