package site

import (
	"bytes"
	"compress/gzip"
	"net/http"
	"strconv"
	"sync"

	"github.com/lamport-kb/lamport/static"
)

// pageCache holds rendered pages of one library version, plain and
// gzipped. Pages are pure functions of the URL and the theme cookie, so a
// page is rendered and compressed once and then served from memory; a new
// library gets a new, empty cache. The number of entries is bounded, so
// unusual query strings cannot grow it without limit: past the bound,
// pages are rendered but not kept.
type pageCache struct {
	mu    sync.RWMutex
	pages map[string]*cachedPage
	max   int
}

type cachedPage struct {
	body, gzip []byte
}

func newPageCache(max int) *pageCache {
	return &pageCache{pages: make(map[string]*cachedPage), max: max}
}

func cacheKey(r *http.Request) string { return r.URL.RequestURI() + "\x00" + theme(r) }

func (c *pageCache) get(key string) *cachedPage {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.pages[key]
}

func (c *pageCache) put(key string, body []byte) *cachedPage {
	// The default level: BestCompression doubled the time of a first view
	// (BenchmarkPatternPage) for little gain in size.
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.DefaultCompression)
	zw.Write(body)
	zw.Close()
	p := &cachedPage{body: body, gzip: buf.Bytes()}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.pages) < c.max {
		c.pages[key] = p
	}
	return p
}

// serveCached writes the cached page for r and reports whether there was one.
func (s *Server) serveCached(w http.ResponseWriter, r *http.Request) bool {
	p := s.current().pages.get(cacheKey(r))
	if p == nil {
		return false
	}
	writePage(w, r, p)
	return true
}

// writePage writes a 200 page, gzipped when the client accepts it.
func writePage(w http.ResponseWriter, r *http.Request, p *cachedPage) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Vary", "Cookie, Accept-Encoding")
	body := p.body
	if static.AcceptsGzip(r) {
		h.Set("Content-Encoding", "gzip")
		body = p.gzip
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}
