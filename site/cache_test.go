package site

import (
	"slices"
	"strconv"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/lamport-kb/lamport/content"
)

// TestPageCacheIgnoresUnknownQuery: 5,000 distinct ?utm= values used to
// make 5,000 entries (RSS 59 → 864 MB) and fill the cache so that real
// pages were no longer kept. They are one page, so one entry.
func TestPageCacheIgnoresUnknownQuery(t *testing.T) {
	s := mustServer(t)
	for i := range 5000 {
		if w := get(t, s, "/en/patterns/circuit-breaker?utm="+strconv.Itoa(i)); w.Code != 200 {
			t.Fatalf("status %d", w.Code)
		}
	}
	if n := len(s.current().pages.pages); n != 1 {
		t.Fatalf("5,000 query strings of one page made %d cache entries, want 1", n)
	}
	get(t, s, "/en/patterns/retry-backoff-jitter")
	if n := len(s.current().pages.pages); n != 2 {
		t.Errorf("a real page after the flood: %d entries, want 2", n)
	}
}

// TestPageCacheQueryPages: the pattern list reads its filters, so each
// filter is its own page, and spellings of one filter share one entry.
func TestPageCacheQueryPages(t *testing.T) {
	s := mustServer(t)
	lib := s.current().Library
	// count is how many patterns of the corpus match, whatever its size.
	count := func(match func(p *content.Pattern) bool) int {
		n := 0
		for _, p := range lib.Patterns {
			if match(p) {
				n++
			}
		}
		return n
	}
	all := func(*content.Pattern) bool { return true }
	level := func(d int) func(*content.Pattern) bool {
		return func(p *content.Pattern) bool { return p.Difficulty == d }
	}
	clientSide := func(p *content.Pattern) bool {
		return p.Category == "resilience" && slices.Contains(p.Tags, "client-side")
	}
	tests := []struct {
		path    string
		items   int // patterns listed
		entries int // cache entries after the request
	}{
		{"/en/patterns/", count(all), 1},
		{"/en/patterns/?level=1", count(level(1)), 2},
		{"/en/patterns/?level=2", count(level(2)), 3},
		{"/en/patterns/?level=02&utm=x", count(level(2)), 3},
		{"/en/patterns/?utm=y", count(all), 3},
		{"/en/patterns/?category=resilience&tag=client-side", count(clientSide), 4},
		{"/en/patterns/?tag=client-side&category=resilience&level=", count(clientSide), 4},
	}
	if tests[5].items == 0 || tests[1].items == tests[0].items {
		t.Fatal("the corpus no longer exercises these filters: pick others")
	}
	for _, tt := range tests {
		w := get(t, s, tt.path)
		if w.Code != 200 {
			t.Fatalf("%s: status %d", tt.path, w.Code)
		}
		doc, err := goquery.NewDocumentFromReader(w.Body)
		if err != nil {
			t.Fatal(err)
		}
		if n := doc.Find("[data-testid=patterns] > li").Length(); n != tt.items {
			t.Errorf("%s lists %d patterns, want %d", tt.path, n, tt.items)
		}
		if n := len(s.current().pages.pages); n != tt.entries {
			t.Errorf("after %s: %d cache entries, want %d", tt.path, n, tt.entries)
		}
	}
	if w := get(t, s, "/en/patterns/?level=9"); w.Code != 400 || len(s.current().pages.pages) != 4 {
		t.Errorf("a bad filter: status %d, %d entries; want 400 and nothing cached", w.Code, len(s.current().pages.pages))
	}
}

// TestPageCacheEvicts: the bound is in bytes, both encodings counted, and
// the least recently used page makes room for a new one.
func TestPageCacheEvicts(t *testing.T) {
	page := func(c byte) []byte { b := make([]byte, 1000); b[0] = c; return b }
	one := len("a") + 1000 + len(newPageCache(1<<20).put("a", page('a')).gzip)
	c := newPageCache(2*one + one/2)
	c.put("a", page('a'))
	c.put("b", page('b'))
	c.get("a") // b is now the least recently used
	c.put("c", page('c'))
	if c.get("a") == nil || c.get("b") != nil || c.get("c") == nil {
		t.Errorf("after a, b, read a, c: a=%v b=%v c=%v; want b evicted", c.get("a") != nil, c.get("b") != nil, c.get("c") != nil)
	}
	if c.size > c.max || c.size != 2*one {
		t.Errorf("size %d, max %d, want %d", c.size, c.max, 2*one)
	}
	c.put("huge", make([]byte, 10*one))
	if c.get("huge") != nil || c.get("a") == nil {
		t.Error("a page larger than the bound was stored or evicted others")
	}
	c.put("a", page('a'))
	if c.size != 2*one || len(c.pages) != 2 || c.lru.Len() != 2 {
		t.Errorf("storing a again: size %d, %d entries, %d in the list", c.size, len(c.pages), c.lru.Len())
	}
}
