package main

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestReload: a reload of unchanged content keeps the open search index
// (opening it a second time would block on its lock), and a reload after
// an edit serves the edit, in pages and in search, from one new State. The
// content is the one-pattern fixture, so the test costs the same at any
// corpus size.
func TestReload(t *testing.T) {
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS("../../content/testdata/site")); err != nil {
		t.Fatal(err)
	}
	m := &Main{Config: Config{Addr: "127.0.0.1:0", DataDir: t.TempDir(), ContentDir: dir, BaseURL: "http://x.test"}, Log: slog.New(slog.DiscardHandler)}
	if err := m.Open(); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	first := m.state

	reloadWithin(t, m, 5*time.Minute)
	if m.state.Search != first.Search {
		t.Error("a reload of unchanged content opened a new index")
	}

	page := filepath.Join(dir, "patterns", "sample", "en.md")
	src, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(src), "summary: A sample.", "summary: A sample, zanzibarquux.", 1)
	if err := os.WriteFile(page, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	reloadWithin(t, m, 5*time.Minute)
	if m.state.Search == first.Search || m.state.Library.Hash == first.Library.Hash {
		t.Fatal("an edit did not build a new State")
	}
	for _, url := range []string{"/en/patterns/sample", "/en/search?q=zanzibarquux"} {
		if body := get(t, m, url); !strings.Contains(body, "zanzibarquux") {
			t.Errorf("after the reload %s does not show the edit", url)
		}
	}
}

// reloadWithin reloads m's content and fails t when that takes longer
// than limit (a hang guard, not a speed check).
func reloadWithin(t *testing.T, m *Main, limit time.Duration) {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- m.reload() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(limit):
		t.Fatalf("reload still running after %v", limit)
	}
}

func get(t *testing.T, m *Main, url string) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.site.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, url, nil))
	body, _ := io.ReadAll(rec.Body)
	if rec.Code != http.StatusOK {
		t.Fatalf("GET %s: %d", url, rec.Code)
	}
	return string(body)
}
