package site

import (
	"bytes"
	"compress/gzip"
	"container/list"
	"net/http"
	"strconv"
	"sync"

	"github.com/lamport-kb/lamport/static"
)

// pageCacheBytes bounds the page cache of one library: every page of a
// few hundred patterns in two languages and three themes, with room for
// the filtered lists readers use.
const pageCacheBytes = 64 << 20

// pageCache holds rendered pages of one library version, plain and
// gzipped. Pages are pure functions of their route, the query parameters
// they read and the theme cookie, so a page is rendered and compressed
// once and then served from memory; a new library gets a new, empty cache.
//
// The key is built by pageKey from what the page reads, never from the raw
// URL: ?utm_source=… or any other unknown parameter maps to the same entry,
// so arbitrary query strings cannot multiply it. The cache is bounded by
// the bytes it holds (both encodings) and evicts the least recently used
// page to make room, so a burst of rarely read pages (every combination of
// the list's filters) cannot keep the popular ones out.
type pageCache struct {
	mu    sync.Mutex
	pages map[string]*list.Element // of *cachedPage
	lru   list.List                // most recently used first
	size  int                      // bytes held
	max   int
}

type cachedPage struct {
	key        string
	body, gzip []byte
}

func (p *cachedPage) bytes() int { return len(p.key) + len(p.body) + len(p.gzip) }

func newPageCache(maxBytes int) *pageCache {
	return &pageCache{pages: make(map[string]*list.Element), max: maxBytes}
}

// pageKey is the cache key of the page r asks for: its path, query (the
// parameters the page reads, normalized by its handler; "" for pages that
// read none) and the theme.
func pageKey(r *http.Request, query string) string {
	return r.URL.Path + "?" + query + "\x00" + theme(r)
}

func (c *pageCache) get(key string) *cachedPage {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.pages[key]
	if e == nil {
		return nil
	}
	c.lru.MoveToFront(e)
	return e.Value.(*cachedPage)
}

// put compresses body, stores both encodings under key, evicting the least
// recently used pages past the bound, and returns the page. A page larger
// than the whole bound is returned without being stored.
func (c *pageCache) put(key string, body []byte) *cachedPage {
	// The default level: BestCompression doubled the time of a first view
	// (BenchmarkPatternPage) for little gain in size.
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.DefaultCompression)
	zw.Write(body)
	zw.Close()
	p := &cachedPage{key: key, body: body, gzip: buf.Bytes()}
	if p.bytes() > c.max {
		return p
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e := c.pages[key]; e != nil { // rendered twice at once: keep one
		c.remove(e)
	}
	c.pages[key] = c.lru.PushFront(p)
	c.size += p.bytes()
	for c.size > c.max {
		c.remove(c.lru.Back())
	}
	return p
}

func (c *pageCache) remove(e *list.Element) {
	p := c.lru.Remove(e).(*cachedPage)
	delete(c.pages, p.key)
	c.size -= p.bytes()
}

// serveCached writes the cached page stored under key and reports whether
// there was one.
func (s *Server) serveCached(w http.ResponseWriter, r *http.Request, key string) bool {
	p := s.current().pages.get(key)
	s.metrics.cacheResult(p != nil)
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
