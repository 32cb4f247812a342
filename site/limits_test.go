package site

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/lamport-kb/lamport/search"
)

// fakeSearcher answers every query with err, or with no hits, and counts
// the queries that reached it.
type fakeSearcher struct {
	err   error
	calls atomic.Int64
}

func (f *fakeSearcher) Search(ctx context.Context, q search.Query) (*search.Results, error) {
	f.calls.Add(1)
	if f.err != nil {
		return nil, f.err
	}
	return &search.Results{}, nil
}

func searchServer(t *testing.T, idx Searcher) (*Server, *bytes.Buffer) {
	t.Helper()
	s := mustServer(t)
	var log bytes.Buffer
	s.log = slog.New(slog.NewTextHandler(&log, nil))
	s.Swap(State{Library: s.current().Library, Search: idx})
	return s, &log
}

func searchFrom(s http.Handler, addr, path string) *httptest.ResponseRecorder {
	r := httptest.NewRequest("GET", path, nil)
	r.RemoteAddr = addr + ":4000"
	w := httptest.NewRecorder()
	s.ServeHTTP(w, r)
	return w
}

// TestSearchRateLimit: one client gets searchesPerMinute searches, then a
// localized 429 page; other clients and the empty search page are not
// affected.
func TestSearchRateLimit(t *testing.T) {
	idx := &fakeSearcher{}
	s, _ := searchServer(t, idx)
	for i := range searchesPerMinute {
		if w := searchFrom(s, "192.0.2.1", fmt.Sprintf("/zh/search?q=q%d", i)); w.Code != 200 {
			t.Fatalf("search %d: status %d", i, w.Code)
		}
	}
	w := searchFrom(s, "192.0.2.1", "/zh/search?q=again")
	if w.Code != http.StatusTooManyRequests || w.Header().Get("Retry-After") == "" ||
		!strings.HasPrefix(w.Header().Get("Content-Type"), "text/html") || !strings.Contains(w.Body.String(), "搜索请求太多") {
		t.Errorf("over the limit: status %d, Retry-After %q, type %q; body %.300s", w.Code, w.Header().Get("Retry-After"), w.Header().Get("Content-Type"), w.Body.String())
	}
	if w := searchFrom(s, "192.0.2.1", "/zh/search"); w.Code != 200 {
		t.Errorf("the empty search page over the limit: status %d", w.Code)
	}
	if w := searchFrom(s, "192.0.2.2", "/zh/search?q=x"); w.Code != 200 {
		t.Errorf("another client: status %d", w.Code)
	}
	if n := idx.calls.Load(); n != searchesPerMinute+1 {
		t.Errorf("%d searches reached the index, want %d", n, searchesPerMinute+1)
	}
}

// TestSearchRefusals: the index's refusals become quick localized pages,
// not 500s logged as errors.
func TestSearchRefusals(t *testing.T) {
	tests := []struct {
		err    error
		status int
		text   string
	}{
		{search.ErrBusy, http.StatusServiceUnavailable, "Too many searches"},
		{fmt.Errorf("bleve: %w", context.DeadlineExceeded), http.StatusServiceUnavailable, "Too many searches"},
		{fmt.Errorf("%w: at most 10 words", search.ErrQueryTooLong), http.StatusBadRequest, "at most 200 characters and 10 words"},
	}
	for _, tt := range tests {
		t.Run(tt.err.Error(), func(t *testing.T) {
			s, log := searchServer(t, &fakeSearcher{err: tt.err})
			w := searchFrom(s, "192.0.2.1", "/en/search?q=retry")
			if w.Code != tt.status || !strings.Contains(w.Body.String(), tt.text) {
				t.Errorf("status %d, want %d; body %.300s", w.Code, tt.status, w.Body.String())
			}
			if tt.status == http.StatusServiceUnavailable && w.Header().Get("Retry-After") == "" {
				t.Error("503 without Retry-After")
			}
			if strings.Contains(log.String(), "level=ERROR") {
				t.Errorf("logged as an error: %s", log)
			}
		})
	}
}

// TestLimitsBehindProxy: behind a trusted proxy, clients are told apart by
// X-Forwarded-For and do not share the proxy's bucket; an untrusted peer's
// X-Forwarded-For is ignored, so a client cannot dodge its limit by
// inventing addresses.
func TestLimitsBehindProxy(t *testing.T) {
	search := func(s http.Handler, peer, forwarded string, i int) int {
		r := httptest.NewRequest("GET", fmt.Sprintf("/en/search?q=q%d", i), nil)
		r.RemoteAddr = peer + ":4000"
		r.Header.Set("X-Forwarded-For", forwarded)
		w := httptest.NewRecorder()
		s.ServeHTTP(w, r)
		return w.Code
	}
	s, _ := searchServer(t, &fakeSearcher{})
	s.cfg.TrustedProxies = []string{"10.0.0.0/8"}
	s.router = s.routes()
	for i := range searchesPerMinute + 5 { // one client each, through the proxy
		if code := search(s, "10.0.0.7", fmt.Sprintf("198.51.100.%d", i), i); code != 200 {
			t.Fatalf("client %d behind the proxy: status %d", i, code)
		}
	}
	refused := 0
	for i := range searchesPerMinute + 5 { // an untrusted peer forging the header
		if search(s, "192.0.2.9", fmt.Sprintf("203.0.113.%d", i), i) == http.StatusTooManyRequests {
			refused++
		}
	}
	if refused != 5 {
		t.Errorf("%d of an untrusted peer's searches refused, want 5: its X-Forwarded-For must be ignored", refused)
	}
}
