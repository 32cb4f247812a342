package tests

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/lamport-kb/lamport"
	"github.com/lamport-kb/lamport/playground"

	"github.com/lamport-kb/lamport/content"
	"github.com/lamport-kb/lamport/graph"
	"github.com/lamport-kb/lamport/search"
	"github.com/lamport-kb/lamport/site"
	"github.com/lamport-kb/lamport/static"
	"github.com/lamport-kb/lamport/store"
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

// searchablePlanned returns a catalog entry without a page, to search
// by its name, or nil once every pattern is written.
func searchablePlanned(lib *content.Library) *content.Entry {
	// timestamp-oracle while it is planned: no written page mentions its
	// name, so it is found first by the planned prior alone (a planned name
	// a written page discusses, such as 分段日志 in the write-ahead log's
	// pitfalls, is not).
	if e := lib.Entry("timestamp-oracle"); e != nil && !e.Written {
		return e
	}
	if planned := lib.Planned(); len(planned) > 0 {
		return planned[0]
	}
	return nil
}

var (
	playOnce sync.Once
	play     *playground.Service
	playDir  string // its workspace, of this test binary alone; TestMain removes it
	playErr  error
)

// mustPlayground returns one real playground per test binary, warmed as
// the server warms it (both clock modes), so no test's deadline pays for a
// cold build of the standard library and modernc.org/sqlite. It builds in
// the go command's own cache, as the server does, shared with
// tests/sandbox and with TestFirstRun's build of the server.
func mustPlayground(tb testing.TB) *playground.Service {
	tb.Helper()
	playOnce.Do(func() {
		playDir, playErr = os.MkdirTemp("", "lamport-tests-playground-")
		if playErr != nil {
			return
		}
		play, playErr = playground.New(playground.Config{
			WorkDir: playDir,
			Module:  lamport.Source(),
			// A cold cache builds modernc.org/sqlite, real and fake-time,
			// in minutes on a 2-core machine.
			BuildTimeout: 10 * time.Minute,
		})
		if playErr == nil {
			playErr = play.Warm(context.Background())
		}
	})
	if playErr != nil {
		tb.Fatal(playErr)
	}
	return play
}

var (
	indexOnce sync.Once
	index     *search.Index
	indexDir  string // of this test binary alone; TestMain removes it
	indexErr  error
)

// mustIndex builds the search index of the embedded content once per test
// binary: every server of the suite searches the same library, and at 72
// patterns a build costs seconds of CPU each time. Servers share it
// read-only; TestMain closes it.
func mustIndex(tb testing.TB) *search.Index {
	tb.Helper()
	l := mustLibrary(tb)
	indexOnce.Do(func() {
		indexDir, indexErr = os.MkdirTemp("", "lamport-tests-index-")
		if indexErr == nil {
			index, indexErr = search.Open(indexDir, l)
		}
	})
	if indexErr != nil {
		tb.Fatal(indexErr)
	}
	return index
}

// mustGraph builds the embedded content's graph once per test binary,
// as site.Build does for the real server.
var mustGraph = func() func(testing.TB) *graph.Graph {
	once := sync.OnceValues(func() (*graph.Graph, error) { return graph.Build(lib) })
	return func(tb testing.TB) *graph.Graph {
		tb.Helper()
		mustLibrary(tb)
		g, err := once()
		if err != nil {
			tb.Fatalf("the embedded content's graph: %v", err)
		}
		return g
	}
}()

// mustServer starts the real site over the embedded content, with the
// shared search index, and closes it when the test ends.
func mustServer(tb testing.TB) *httptest.Server { return mustServerWith(tb, nil) }

// mustServerWith is mustServer with a playground runner.
func mustServerWith(tb testing.TB, runner playground.Runner) *httptest.Server {
	tb.Helper()
	l, idx := mustLibrary(tb), mustIndex(tb)
	assets, err := static.Load()
	if err != nil {
		tb.Fatal(err)
	}
	cfg := site.Config{BaseURL: "http://lamport.test", RepoURL: "https://github.com/lamport-kb/lamport", Branch: "main", Runner: runner}
	if runner != nil { // with the playground, sharing too, on a real SQLite file
		shares, err := store.Open(filepath.Join(tb.TempDir(), "lamport.db"))
		if err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() { shares.Close() })
		cfg.Shares = shares
	}
	s, err := site.New(cfg, site.State{Library: l, Graph: mustGraph(tb), Search: idx}, assets, nil)
	if err != nil {
		tb.Fatal(err)
	}
	ts := httptest.NewServer(s)
	tb.Cleanup(func() {
		ts.Close()
		s.Close()
	})
	return ts
}
