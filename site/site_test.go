package site

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/lamport-kb/lamport/content"
	"github.com/lamport-kb/lamport/graph"
	"github.com/lamport-kb/lamport/playground"
	"github.com/lamport-kb/lamport/static"
	"github.com/lamport-kb/lamport/store"
)

// corpus is the embedded content, loaded once per test binary: servers
// are cheap, loading 70 patterns is not.
var corpus = sync.OnceValues(func() (*content.Library, error) { return content.Load(content.FS()) })

// corpusGraph is the embedded content's graph, built once per test binary.
var corpusGraph = sync.OnceValues(func() (*graph.Graph, error) {
	lib, err := corpus()
	if err != nil {
		return nil, err
	}
	return graph.Build(lib)
})

// plannedEntry returns the first catalog entry without a page; the test
// is skipped once every pattern is written.
func plannedEntry(t *testing.T) *content.Entry {
	t.Helper()
	lib, err := corpus()
	if err != nil {
		t.Fatal(err)
	}
	planned := lib.Planned()
	if len(planned) == 0 {
		t.Skip("every pattern of the catalog is written")
	}
	return planned[0]
}

// mustServer returns a Server over the embedded content, without search.
func mustServer(tb testing.TB) *Server {
	tb.Helper()
	lib, err := corpus()
	if err != nil {
		tb.Fatal(err)
	}
	assets, err := static.LoadFS(fstest.MapFS{
		"site.css":      {Data: []byte("body{}")},
		"js/site.js":    {Data: []byte(`import"./chunk-A.js"`)},
		"js/chunk-A.js": {Data: []byte(`var a`)},
	})
	if err != nil {
		tb.Fatal(err)
	}
	g, err := corpusGraph()
	if err != nil {
		tb.Fatal(err)
	}
	s, err := New(Config{BaseURL: "http://x.test", RepoURL: "https://github.com/lamport-kb/lamport", Branch: "main"}, State{Library: lib, Graph: g}, assets, nil)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(s.Close)
	return s
}

func get(t *testing.T, s http.Handler, path string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest("GET", path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	s.ServeHTTP(w, r)
	return w
}

func TestPatternPageStructure(t *testing.T) {
	s := mustServer(t)
	for _, lang := range []string{"en", "zh"} {
		t.Run(lang, func(t *testing.T) {
			w := get(t, s, "/"+lang+"/patterns/circuit-breaker")
			if w.Code != 200 {
				t.Fatalf("status %d", w.Code)
			}
			doc, err := goquery.NewDocumentFromReader(w.Body)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			doc.Find("article h2[id]").Each(func(_ int, h *goquery.Selection) { ids = append(ids, h.AttrOr("id", "")) })
			want := append(append([]string{}, content.SectionIDs...), "related")
			if strings.Join(ids, " ") != strings.Join(want, " ") {
				t.Errorf("sections = %v, want %v", ids, want)
			}
			if n := doc.Find(`[data-testid=toc] a[href="#definition"]`).Length(); n != 1 {
				t.Errorf("toc has %d links to #definition", n)
			}
			if doc.Find(`link[rel=modulepreload]`).Length() != 1 {
				t.Error("the statically imported chunk is not preloaded")
			}
			if href := doc.Find("a.lang-switch").AttrOr("href", ""); !strings.HasSuffix(href, "/patterns/circuit-breaker") || strings.HasPrefix(href, "/"+lang) {
				t.Errorf("language switch links to %q", href)
			}
			if doc.Find(".breadcrumbs li").Length() != 3 {
				t.Error("breadcrumbs should have three items")
			}
			if doc.Find("[data-testid=related] li").Length() == 0 {
				t.Error("no related patterns")
			}
		})
	}
}

func TestThemeCookie(t *testing.T) {
	s := mustServer(t)
	tests := []struct{ cookie, want string }{
		{"theme=dark", `data-theme="dark"`},
		{"theme=light", `data-theme="light"`},
		{"theme=evil", ``},
		{"", ``},
	}
	for _, tt := range tests {
		body := get(t, s, "/en/", "Cookie", tt.cookie).Body.String()
		has := strings.Contains(body, "data-theme=")
		if (tt.want == "") == has || (tt.want != "" && !strings.Contains(body, tt.want)) {
			t.Errorf("cookie %q: want %q in <html>", tt.cookie, tt.want)
		}
	}
}

func TestErrorAdapter(t *testing.T) {
	s := mustServer(t)
	tests := []struct {
		err    error
		status int
		text   string
	}{
		{errNotFound, 404, "Page not found"},
		{httpError(400, "level must be 1"), 400, "level must be 1"},
		{errors.New("disk on fire"), 500, "Something went wrong"},
	}
	for _, tt := range tests {
		w := httptest.NewRecorder()
		s.handle(func(http.ResponseWriter, *http.Request) error { return tt.err })(w, httptest.NewRequest("GET", "/en/x", nil))
		if w.Code != tt.status || !strings.Contains(w.Body.String(), tt.text) {
			t.Errorf("%v: status %d, want %d with %q", tt.err, w.Code, tt.status, tt.text)
		}
		if strings.Contains(w.Body.String(), "disk on fire") {
			t.Error("an internal error leaked to the page")
		}
	}
}

func TestPanicBecomes500(t *testing.T) {
	s := mustServer(t)
	h := s.recoverPanic(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") }))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/zh/", nil))
	if w.Code != 500 || !strings.Contains(w.Body.String(), "出错了") {
		t.Errorf("status %d; body %.200s", w.Code, w.Body.String())
	}
}

func TestPageCache(t *testing.T) {
	s := mustServer(t)
	first := get(t, s, "/en/patterns/retry-backoff-jitter", "Accept-Encoding", "gzip")
	again := get(t, s, "/en/patterns/retry-backoff-jitter", "Accept-Encoding", "gzip")
	plain := get(t, s, "/en/patterns/retry-backoff-jitter")
	dark := get(t, s, "/en/patterns/retry-backoff-jitter", "Cookie", "theme=dark")
	if first.Header().Get("Content-Encoding") != "gzip" || first.Body.String() != again.Body.String() {
		t.Error("a repeated request was not served the same gzipped page")
	}
	if plain.Header().Get("Content-Encoding") != "" || !strings.Contains(plain.Body.String(), "<h2 id=\"definition\">") {
		t.Error("a client without gzip got a compressed or wrong page")
	}
	if !strings.Contains(dark.Body.String(), `data-theme="dark"`) || strings.Contains(plain.Body.String(), `data-theme="dark"`) {
		t.Error("the theme is not part of the cache key")
	}
}

func TestLiveReload(t *testing.T) {
	s := mustServer(t)
	s.cfg.Live = true
	s.router = s.routes()
	ts := httptest.NewServer(s)
	defer ts.Close()
	resp, err := http.Get(ts.URL + "/_live")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	buf := make([]byte, 64)
	n, _ := resp.Body.Read(buf) // ": connected"
	if !strings.Contains(string(buf[:n]), "connected") {
		t.Fatalf("first event %q", buf[:n])
	}
	s.Swap(State{Library: s.current().Library})
	got, _ := io.ReadAll(io.LimitReader(resp.Body, int64(len("event: reload\n"))))
	if string(got) != "event: reload\n" {
		t.Errorf("after Swap the stream sent %q", got)
	}
}

// BenchmarkPatternPage measures the server-side render of a pattern page,
// from routing to the last byte, with the page cache emptied before each
// request: the cost of a first view (render, gzip, store).
func BenchmarkPatternPage(b *testing.B) { benchmarkPage(b, false) }

// BenchmarkPatternPageCached measures a repeat view, served from the cache.
func BenchmarkPatternPageCached(b *testing.B) { benchmarkPage(b, true) }

func benchmarkPage(b *testing.B, cached bool) {
	s := mustServer(b)
	r := httptest.NewRequest("GET", "/en/patterns/circuit-breaker", nil)
	r.Header.Set("Accept-Encoding", "gzip")
	b.ReportAllocs()
	var took []time.Duration
	for b.Loop() {
		if !cached {
			s.current().pages = newPageCache(pageCacheBytes)
		}
		start := time.Now()
		w := httptest.NewRecorder()
		s.ServeHTTP(w, r)
		if w.Code != 200 {
			b.Fatal(w.Code)
		}
		took = append(took, time.Since(start))
	}
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(took[len(took)*99/100].Microseconds()), "p99-µs")
}

// fakeRunner answers like the playground without building anything.
type fakeRunner struct{ err error }

// Format answers like gofmt: "bad" is a syntax error, "slow" hits the
// time limit, anything else comes back "formatted".
func (f fakeRunner) Format(_ context.Context, src string) (*playground.Formatted, error) {
	switch {
	case f.err != nil:
		return nil, f.err
	case src == "bad":
		return &playground.Formatted{Body: src, Error: "prog.go:1:1: expected 'package', found bad"}, nil
	case src == "slow":
		return &playground.Formatted{Body: src, Limit: "time"}, nil
	}
	return &playground.Formatted{Body: "formatted " + src}, nil
}

func (f fakeRunner) Run(_ context.Context, req playground.Request) (*playground.Response, error) {
	if f.err != nil {
		return nil, f.err
	}
	msg := "ran " + strconv.Itoa(len(req.Source))
	if req.FakeTime {
		msg += " on the fake clock"
	}
	if req.Source == "image" {
		msg += "\nIMAGE:PHN2Zz48L3N2Zz4=\nafter"
	}
	return &playground.Response{Events: []playground.Event{{Message: msg, Kind: "stdout"}}}, nil
}

func TestPlaygroundAPI(t *testing.T) {
	tests := []struct {
		name, path, ctype, body string
		runner                  playground.Runner
		status                  int
		want                    string
	}{
		{"run json", "/api/run", "application/json", `{"body":"package main"}`, fakeRunner{}, 200, `"Message":"ran 12"`},
		{"run form", "/api/run", "application/x-www-form-urlencoded", "body=abc", fakeRunner{}, 200, `"Message":"ran 3"`},
		{"bad json", "/api/run", "application/json", `{`, fakeRunner{}, 400, "not valid JSON"},
		{"busy", "/api/run", "application/json", `{"body":"x"}`, fakeRunner{err: playground.ErrBusy}, 429, "The playground is busy"},
		{"no runner", "/api/run", "application/json", `{"body":"x"}`, nil, 503, "not available"},
		{"fmt", "/api/fmt", "application/json", `{"body":"x"}`, fakeRunner{}, 200, `"Body":"formatted x"`},
		{"fmt error", "/api/fmt", "application/json", `{"body":"bad"}`, fakeRunner{}, 200, `"Error":"prog.go:1:1: expected`},
		{"fmt limit", "/api/fmt", "application/json", `{"body":"slow"}`, fakeRunner{}, 200, `"Error":"Formatting stopped: the time limit was reached."`},
		{"fmt limit zh", "/api/fmt?lang=zh", "application/json", `{"body":"slow"}`, fakeRunner{}, 200, `"Error":"格式化已中止：超出了时间限制。"`},
		{"fmt busy", "/api/fmt", "application/json", `{"body":"x"}`, fakeRunner{err: playground.ErrBusy}, 429, `"Error":"The playground is busy`},
		{"fmt without playground", "/api/fmt", "application/json", `{"body":"x"}`, nil, 503, `"Error":"The playground is not available`},
		{"play page posts", "/en/play/circuit-breaker", "application/x-www-form-urlencoded", "body=package+main", fakeRunner{}, 200, "ran 12"},
		{"fake time json", "/api/run", "application/json", `{"body":"x","fakeTime":true}`, fakeRunner{}, 200, "ran 1 on the fake clock"},
		{"fake time form", "/en/play/circuit-breaker", "application/x-www-form-urlencoded", "body=x&faketime=on", fakeRunner{}, 200, "ran 1 on the fake clock"},
		{"fake time stays checked", "/en/play/circuit-breaker", "application/x-www-form-urlencoded", "body=x&faketime=on", fakeRunner{}, 200, `value="on" checked`},
		{"image line drawn", "/en/play/circuit-breaker", "application/x-www-form-urlencoded", "body=image", fakeRunner{}, 200, `<img class="play-image" src="data:image/svg+xml;base64,PHN2Zz48L3N2Zz4="`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := mustServer(t)
			s.cfg.Runner = tt.runner
			r := httptest.NewRequest("POST", tt.path, strings.NewReader(tt.body))
			r.Header.Set("Content-Type", tt.ctype)
			w := httptest.NewRecorder()
			s.ServeHTTP(w, r)
			if w.Code != tt.status || !strings.Contains(w.Body.String(), tt.want) {
				t.Errorf("status %d, body %.300s; want %d with %q", w.Code, w.Body.String(), tt.status, tt.want)
			}
		})
	}
	page := get(t, mustServer(t), "/zh/play/rate-limiting")
	if page.Code != 200 || !strings.Contains(page.Body.String(), `data-testid="play-source"`) || !strings.Contains(page.Body.String(), "ratelimit.NewKeyed") {
		t.Errorf("play page: %d", page.Code)
	}
	if get(t, mustServer(t), "/en/play/no-such").Code != 404 {
		t.Error("play page of an unknown pattern is not a 404")
	}
}

func TestShare(t *testing.T) {
	store, err := store.Open(":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	s := mustServer(t)
	s.cfg.Shares = store
	r := httptest.NewRequest("POST", "/api/share", strings.NewReader(`{"body":"package main\n// shared\n"}`))
	r.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	s.ServeHTTP(w, r)
	var res struct{ ID, URL string }
	if err := json.Unmarshal(w.Body.Bytes(), &res); err != nil || w.Code != 200 || res.URL != "/p/"+res.ID {
		t.Fatalf("share: %d %s", w.Code, w.Body.String())
	}
	page := get(t, s, res.URL, "Accept-Language", "zh-CN")
	if page.Code != 200 || !strings.Contains(page.Body.String(), "// shared") || !strings.Contains(page.Body.String(), "在线运行") {
		t.Errorf("shared page: %d %.300s", page.Code, page.Body.String())
	}
	if get(t, s, "/p/doesnotexist").Code != 404 {
		t.Error("an unknown snippet is not a 404")
	}
}
