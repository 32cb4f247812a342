package site

import (
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/lamport-kb/lamport/search"
)

// recordingHandler keeps every log record, at every level.
type recordingHandler struct {
	mu      sync.Mutex
	records []slog.Record
}

func (h *recordingHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h *recordingHandler) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.records = append(h.records, r)
	return nil
}
func (h *recordingHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *recordingHandler) WithGroup(string) slog.Handler      { return h }

// abandonedSearcher answers as bleve does when the request's context ends
// mid-search.
type abandonedSearcher struct{}

func (abandonedSearcher) Search(ctx context.Context, _ search.Query) (*search.Results, error) {
	return nil, fmt.Errorf("search: %w", ctx.Err())
}

// TestClientClosedIsNotAnError abandons a search: the log has no ERROR, a
// debug line says the client closed the request, and the access log's
// status is 499, not 500.
func TestClientClosedIsNotAnError(t *testing.T) {
	s := mustServer(t)
	s.Swap(State{Library: s.current().Library, Search: abandonedSearcher{}})
	rec := &recordingHandler{}
	s.log = slog.New(rec)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	s.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/en/search?q=retry", nil).WithContext(ctx))
	var debug bool
	status := int64(-1)
	for _, r := range rec.records {
		if r.Level >= slog.LevelError {
			t.Errorf("logged at %v: %s", r.Level, r.Message)
		}
		debug = debug || (r.Level == slog.LevelDebug && r.Message == "client closed request")
		r.Attrs(func(a slog.Attr) bool {
			if r.Message == "request" && a.Key == "status" {
				status = a.Value.Int64()
			}
			return true
		})
	}
	if !debug || status != statusClientClosed {
		t.Errorf("debug line logged: %t; access log status %d, want %d", debug, status, statusClientClosed)
	}
}
