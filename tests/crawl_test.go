package tests

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// TestCrawl visits every page reachable from both home pages and fails on
// any internal link that does not answer 200, on any #fragment that names
// no element of its target page, and on a page without its description
// and social cards.
func TestCrawl(t *testing.T) {
	ts := mustServer(t)
	c := &crawler{base: ts.URL, ids: make(map[string]map[string]bool), status: make(map[string]int)}
	queue := []string{"/en/", "/zh/"}
	var fragments []link
	for len(queue) > 0 && len(c.status) < 3000 {
		path := queue[0]
		queue = queue[1:]
		if _, seen := c.status[path]; seen {
			continue
		}
		links := c.visit(t, path)
		for _, l := range links {
			if l.fragment != "" {
				fragments = append(fragments, l)
			}
			if _, seen := c.status[l.path]; !seen {
				queue = append(queue, l.path)
			}
		}
	}
	for path, code := range c.status {
		if code != http.StatusOK {
			t.Errorf("%s: status %d (linked from %s)", path, code, c.from(path))
		}
	}
	for _, l := range fragments {
		if ids := c.ids[l.path]; ids != nil && !ids[l.fragment] {
			t.Errorf("%s links to %s#%s: no element has that id", l.from, l.path, l.fragment)
		}
	}
	if len(c.status) < 20 {
		t.Errorf("crawled only %d pages", len(c.status))
	}
	t.Logf("crawled %d URLs, checked %d fragment links", len(c.status), len(fragments))
}

type link struct{ from, path, fragment string }

type crawler struct {
	base    string
	ids     map[string]map[string]bool // HTML page → its element ids
	status  map[string]int
	sources map[string]string
}

func (c *crawler) from(path string) string { return c.sources[path] }

// visit fetches one URL and returns its internal links.
func (c *crawler) visit(t *testing.T, path string) []link {
	resp, err := http.Get(c.base + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	c.status[path] = resp.StatusCode
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		return nil
	}
	doc, err := goquery.NewDocumentFromReader(resp.Body)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	checkCards(t, path, doc)
	ids := make(map[string]bool)
	doc.Find("[id]").Each(func(_ int, s *goquery.Selection) { ids[s.AttrOr("id", "")] = true })
	c.ids[path] = ids
	var links []link
	doc.Find("a[href], link[href], script[src]").Each(func(_ int, s *goquery.Selection) {
		ref := s.AttrOr("href", s.AttrOr("src", ""))
		if l, ok := c.resolve(path, ref); ok {
			links = append(links, l)
		}
	})
	return links
}

// resolve turns ref on page from into an internal link, dropping external
// ones (other hosts, mailto:, the repository).
func (c *crawler) resolve(from, ref string) (link, bool) {
	base, _ := url.Parse(c.base + from)
	u, err := base.Parse(ref)
	if err != nil || u.Host != base.Host || u.Scheme != base.Scheme {
		return link{}, false
	}
	path := u.EscapedPath()
	if u.RawQuery != "" {
		path += "?" + u.RawQuery
	}
	frag, _ := url.PathUnescape(u.EscapedFragment())
	if c.sources == nil {
		c.sources = make(map[string]string)
	}
	if _, ok := c.sources[path]; !ok {
		c.sources[path] = from
	}
	return link{from: from, path: path, fragment: frag}, true
}

// cards are the meta tags every page has: a description for search
// engines, and what OpenGraph and Twitter show of a shared link.
var cards = []string{`meta[name=description]`, `meta[property="og:title"]`, `meta[property="og:description"]`,
	`meta[property="og:url"]`, `meta[property="og:locale"]`, `meta[name="twitter:card"]`}

// checkCards fails when the page at path lacks one of the cards or leaves
// it empty.
func checkCards(t *testing.T, path string, doc *goquery.Document) {
	t.Helper()
	for _, sel := range cards {
		if strings.TrimSpace(doc.Find(sel).AttrOr("content", "")) == "" {
			t.Errorf("%s: no %s", path, sel)
		}
	}
}
