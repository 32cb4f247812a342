package site

import (
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/lamport-kb/lamport/content"
)

// TestRelatedBothWays: a symmetric relation (combines with, alternative
// to) listed in one pattern.yaml shows on both patterns' pages, once.
func TestRelatedBothWays(t *testing.T) {
	s := mustServer(t)
	lib := s.current().Library
	checked := 0
	for _, p := range lib.Patterns {
		for _, rel := range p.Relations {
			target := lib.Pattern(rel.Target)
			if !content.Symmetric(rel.Type) || target == nil {
				continue
			}
			links := relatedLinks(t, s, content.PatternURL("en", target.Slug))
			if n := links[content.PatternURL("en", p.Slug)]; n != 1 {
				t.Errorf("%s %s %s, but %s's related patterns link %s %d times", p.Slug, rel.Type, target.Slug, target.Slug, p.Slug, n)
			}
			checked++
		}
	}
	if checked == 0 {
		t.Skip("no symmetric relation between two written patterns")
	}
}

// relatedLinks counts the links of a page's related-patterns section by URL.
func relatedLinks(t *testing.T, s *Server, url string) map[string]int {
	t.Helper()
	w := get(t, s, url)
	doc, err := goquery.NewDocumentFromReader(w.Body)
	if err != nil {
		t.Fatal(err)
	}
	links := make(map[string]int)
	doc.Find(`[data-testid="related"] > ul:not([data-testid]) a:not(.compare-link)`).Each(func(_ int, a *goquery.Selection) {
		href, _ := a.Attr("href")
		links[href]++
	})
	return links
}
