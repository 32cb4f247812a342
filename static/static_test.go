package static

import (
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
)

func testAssets(t *testing.T) *Assets {
	t.Helper()
	a, err := LoadFS(fstest.MapFS{
		"site.css":      {Data: []byte(strings.Repeat("body { color: red }\n", 50))},
		"js/site.js":    {Data: []byte("export const x = 1;")},
		"fonts/a.woff2": {Data: []byte{0, 1, 2}},
		".keep":         {},
	})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestServe(t *testing.T) {
	a := testAssets(t)
	tests := []struct {
		name, path, accept string
		status             int
		ctype, encoding    string
	}{
		{"css gzipped", a.URL("site.css"), "gzip, br", 200, "text/css; charset=utf-8", "gzip"},
		{"css plain", a.URL("site.css"), "", 200, "text/css; charset=utf-8", ""},
		{"gzip refused", a.URL("site.css"), "gzip;q=0", 200, "text/css; charset=utf-8", ""},
		{"tiny js not worth gzip", a.URL("js/site.js"), "gzip", 200, "text/javascript; charset=utf-8", ""},
		{"font", a.URL("fonts/a.woff2"), "gzip", 200, "font/woff2", ""},
		{"old version", "/static/000000000000/site.css", "", 404, "", ""},
		{"unknown file", a.URL("nope.css"), "", 404, "", ""},
		{"keep file hidden", a.URL(".keep"), "", 404, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", tt.path, nil)
			r.Header.Set("Accept-Encoding", tt.accept)
			w := httptest.NewRecorder()
			a.ServeHTTP(w, r)
			if w.Code != tt.status {
				t.Fatalf("status = %d, want %d", w.Code, tt.status)
			}
			if tt.status != 200 {
				return
			}
			if got := w.Header().Get("Content-Type"); got != tt.ctype {
				t.Errorf("Content-Type = %q, want %q", got, tt.ctype)
			}
			if got := w.Header().Get("Content-Encoding"); got != tt.encoding {
				t.Errorf("Content-Encoding = %q, want %q", got, tt.encoding)
			}
			if !strings.Contains(w.Header().Get("Cache-Control"), "immutable") {
				t.Errorf("Cache-Control = %q, want immutable", w.Header().Get("Cache-Control"))
			}
		})
	}
}

func TestGzipRoundTrip(t *testing.T) {
	a := testAssets(t)
	r := httptest.NewRequest("GET", a.URL("site.css"), nil)
	r.Header.Set("Accept-Encoding", "gzip")
	w := httptest.NewRecorder()
	a.ServeHTTP(w, r)
	zr, err := gzip.NewReader(w.Body)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(zr)
	if !strings.HasPrefix(string(body), "body { color: red }") || a.Size("site.css", true) >= a.Size("site.css", false) {
		t.Errorf("gzip body or sizes wrong: %q, %d vs %d", body[:20], a.Size("site.css", true), a.Size("site.css", false))
	}
}

func TestVersionChangesWithContent(t *testing.T) {
	a := testAssets(t)
	b, _ := LoadFS(fstest.MapFS{"site.css": {Data: []byte("x")}, "js/site.js": {Data: []byte("y")}})
	if a.Version() == b.Version() || len(a.Version()) != 12 {
		t.Errorf("versions %q and %q should differ and be 12 hex digits", a.Version(), b.Version())
	}
	if !a.Built() {
		t.Error("Built() = false with site.css and js/site.js present")
	}
	if a.Size("missing", true) != 0 {
		t.Error("Size of a missing file should be 0")
	}
}

func TestHead(t *testing.T) {
	a := testAssets(t)
	w := httptest.NewRecorder()
	a.ServeHTTP(w, httptest.NewRequest(http.MethodHead, a.URL("site.css"), nil))
	if w.Code != 200 || w.Body.Len() != 0 {
		t.Errorf("HEAD: status %d, body %d bytes", w.Code, w.Body.Len())
	}
}

// TestEmbeddedBuild checks the real bundle when it was built (make does).
func TestEmbeddedBuild(t *testing.T) {
	a, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if !a.Built() {
		t.Skip("static/dist is not built; run `go generate ./static`")
	}
	if a.Size("site.css", true) > 12<<10 {
		t.Errorf("site.css is %d bytes gzipped; keep it under 12 KiB", a.Size("site.css", true))
	}
	checkPageScript(t, a)
}

// checkPageScript keeps what every page downloads small: the libraries
// (Mermaid, KaTeX, the code editor) must stay lazy chunks.
func checkPageScript(t *testing.T, a *Assets) {
	t.Helper()
	total := 0
	for _, name := range a.ModuleGraph("js/site.js") {
		total += a.Size(name, true)
		if strings.HasPrefix(name, "js/editor-") {
			t.Errorf("site.js imports the code editor (%s) statically; it must load lazily", name)
		}
	}
	if total > 8<<10 {
		t.Errorf("site.js and its static imports are %d bytes gzipped; keep them under 8 KiB", total)
	}
}

func TestModuleGraph(t *testing.T) {
	a, err := LoadFS(fstest.MapFS{
		"js/site.js":    {Data: []byte(`import{a as i}from"./chunk-A.js";import"./chunk-B.js";import("./lazy.js")`)},
		"js/chunk-A.js": {Data: []byte(`import"./chunk-B.js";export const a=1`)},
		"js/chunk-B.js": {Data: []byte(`var x`)},
		"js/lazy.js":    {Data: []byte(`import"./chunk-B.js"`)},
	})
	if err != nil {
		t.Fatal(err)
	}
	got := a.ModuleGraph("js/site.js")
	want := []string{"js/site.js", "js/chunk-A.js", "js/chunk-B.js"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("ModuleGraph = %v, want %v", got, want)
	}
}
