// Package static serves Lamport's front-end assets: our CSS and ES modules,
// and the npm libraries they load lazily (CodeMirror; Mermaid and KaTeX
// only for an author's preview of a figure not rendered yet),
// bundled by static/build into dist/ and embedded into the binary.
//
// Every asset is served under one content-hashed prefix,
// /static/{version}/..., where version is a digest of all of dist: URLs
// change whenever any asset changes, so responses are cached forever
// (Cache-Control: immutable). One version for the whole tree, rather than one
// hash per file, keeps the relative imports between esbuild's chunks valid.
// Compressible files are gzipped once, at Load, not per request.
//
// A fresh clone has an empty dist (only .keep): the site still works,
// unstyled, and Built reports false so the server can warn.
package static

//go:generate go run ./build -dir .

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

//go:embed all:dist
var dist embed.FS

// Assets is the loaded, hashed and precompressed asset tree.
type Assets struct {
	version string
	files   map[string]*file
}

type file struct {
	body, gzip []byte
	ctype      string
}

// Load reads the embedded dist tree.
func Load() (*Assets, error) {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		return nil, err
	}
	return LoadFS(sub)
}

// LoadFS reads an asset tree from fsys; tests pass an fstest.MapFS.
func LoadFS(fsys fs.FS) (*Assets, error) {
	a := &Assets{files: make(map[string]*file)}
	var names []string
	err := fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Name() == ".keep" {
			return err
		}
		body, err := fs.ReadFile(fsys, name)
		if err != nil {
			return err
		}
		a.files[name] = newFile(name, body)
		names = append(names, name)
		return nil
	})
	if err != nil {
		return nil, err
	}
	a.version = digest(names, a.files)
	return a, nil
}

func newFile(name string, body []byte) *file {
	f := &file{body: body, ctype: mime.TypeByExtension(path.Ext(name))}
	if f.ctype == "" {
		f.ctype = "application/octet-stream"
	}
	if compressible(f.ctype) {
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		zw.Write(body)
		zw.Close()
		if buf.Len() < len(body) {
			f.gzip = buf.Bytes()
		}
	}
	return f
}

func compressible(ctype string) bool {
	return strings.HasPrefix(ctype, "text/") || strings.Contains(ctype, "javascript") ||
		strings.Contains(ctype, "json") || strings.Contains(ctype, "svg")
}

func digest(names []string, files map[string]*file) string {
	sort.Strings(names)
	h := sha256.New()
	for _, n := range names {
		h.Write([]byte(n))
		h.Write(files[n].body)
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
}

// Version is the content hash that prefixes every asset URL.
func (a *Assets) Version() string { return a.version }

// Built reports whether the front end was bundled into this binary.
func (a *Assets) Built() bool { return a.files["site.css"] != nil && a.files["js/site.js"] != nil }

// URL returns the hashed URL of an asset, such as URL("site.css").
func (a *Assets) URL(name string) string { return "/static/" + a.version + "/" + name }

// Size returns the bytes an asset costs a reader: gzipped when gzip is
// accepted and smaller. It returns 0 for an unknown asset.
func (a *Assets) Size(name string, gzipped bool) int {
	f := a.files[name]
	switch {
	case f == nil:
		return 0
	case gzipped && f.gzip != nil:
		return len(f.gzip)
	}
	return len(f.body)
}

// ServeHTTP serves /static/{version}/{name}. A request for another version
// is a 404: serving today's bytes under yesterday's immutable URL would be
// cached forever as the wrong thing.
func (a *Assets) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	version, name, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/static/"), "/")
	f := a.files[name]
	if version != a.version || f == nil {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", f.ctype)
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("Vary", "Accept-Encoding")
	body := f.body
	if f.gzip != nil && AcceptsGzip(r) {
		h.Set("Content-Encoding", "gzip")
		body = f.gzip
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

// AcceptsGzip reports whether the request accepts a gzip response.
func AcceptsGzip(r *http.Request) bool {
	for _, enc := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(enc), ";")
		if strings.EqualFold(name, "gzip") && strings.TrimSpace(params) != "q=0" {
			return true
		}
	}
	return false
}

// staticImport matches the static imports esbuild writes into a minified
// module: `from"./chunk-X.js"` and bare `import"./chunk-X.js"`; dynamic
// `import("./x.js")` calls are lazy and deliberately not matched.
var staticImport = regexp.MustCompile(`(?:from|import)\s*"\./([^"]+\.js)"`)

// ModuleGraph returns the JavaScript module name and every module it
// imports statically, transitively: what a page must download before the
// script runs. The site lists them as modulepreload links.
func (a *Assets) ModuleGraph(name string) []string {
	var out []string
	seen := map[string]bool{}
	var visit func(string)
	visit = func(n string) {
		f := a.files[n]
		if seen[n] || f == nil {
			return
		}
		seen[n] = true
		out = append(out, n)
		for _, m := range staticImport.FindAllSubmatch(f.body, -1) {
			visit(path.Join(path.Dir(n), string(m[1])))
		}
	}
	visit(name)
	return out
}
