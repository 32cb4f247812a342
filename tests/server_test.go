package tests

import (
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/lamport-kb/lamport/content"
	"github.com/lamport-kb/lamport/search"
	"github.com/lamport-kb/lamport/site"
	"github.com/lamport-kb/lamport/static"
)

var (
	libOnce sync.Once
	lib     *content.Library
	libErr  error
)

// mustLibrary loads the embedded content once per test binary.
func mustLibrary(tb testing.TB) *content.Library {
	tb.Helper()
	libOnce.Do(func() { lib, libErr = content.Load(content.FS()) })
	if libErr != nil {
		tb.Fatalf("loading the embedded content: %v", libErr)
	}
	return lib
}

// mustServer starts the real site over the embedded content, with a search
// index in a temporary directory, and closes it when the test ends.
func mustServer(tb testing.TB) *httptest.Server {
	tb.Helper()
	l := mustLibrary(tb)
	idx, err := search.Open(tb.TempDir(), l)
	if err != nil {
		tb.Fatal(err)
	}
	assets, err := static.Load()
	if err != nil {
		tb.Fatal(err)
	}
	s, err := site.New(site.Config{BaseURL: "http://lamport.test", RepoURL: "https://github.com/lamport-kb/lamport", Branch: "main"}, l, idx, assets, nil)
	if err != nil {
		tb.Fatal(err)
	}
	ts := httptest.NewServer(s)
	tb.Cleanup(func() {
		ts.Close()
		s.Close()
		idx.Close()
	})
	return ts
}
