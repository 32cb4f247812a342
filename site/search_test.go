package site

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/google/go-cmp/cmp"

	"github.com/lamport-kb/lamport/content"
	"github.com/lamport-kb/lamport/i18n"
	"github.com/lamport-kb/lamport/search"
)

// querySearcher answers every query with the same results and remembers
// the query.
type querySearcher struct{ got search.Query }

func (f *querySearcher) Search(ctx context.Context, q search.Query) (*search.Results, error) {
	f.got = q
	return &search.Results{Total: 47, Suggestion: "熔断器",
		Categories: []search.Facet{{Value: "resilience", Count: 40}, {Value: "coordination", Count: 7}},
		Tags:       []search.Facet{{Value: "fault-tolerance", Count: 12}},
		Hits: []search.Hit{
			{Slug: "circuit-breaker", Lang: "zh", Kind: "section", SectionID: "definition", Title: "熔断器", Heading: "定义",
				URL: "/zh/patterns/circuit-breaker#definition", Snippet: "<mark>熔断器</mark>是", Text: "熔断器是",
				Marks: []search.Mark{{Start: 0, End: 3}}, Score: 1.5},
			{Slug: "fencing-token", Lang: "en", Kind: "planned", Title: "Fencing Token", URL: "/en/patterns/fencing-token",
				Planned: true, Score: 0.5},
		}}, nil
}

// TestAPISearch: GET /api/search passes its parameters to the index and
// answers JSON; a bad parameter is a 400 with a JSON message in the
// reader's language.
func TestAPISearch(t *testing.T) {
	idx := &querySearcher{}
	s, _ := searchServer(t, idx)
	w := get(t, s, "/api/search?q=+熔段器+&prefer=zh&limit=3&offset=6&category=resilience&tag=fault-tolerance")
	if w.Code != 200 || !strings.HasPrefix(w.Header().Get("Content-Type"), "application/json") {
		t.Fatalf("status %d, type %q: %s", w.Code, w.Header().Get("Content-Type"), w.Body)
	}
	var got apiSearchResults
	if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	want := apiSearchResults{Query: "熔段器", Prefer: "zh", Category: "resilience", Tag: "fault-tolerance", Total: 47, Offset: 6,
		Suggestion: "熔断器",
		Hits: []apiSearchHit{
			{Slug: "circuit-breaker", Lang: "zh", Title: "熔断器", Section: "definition", Heading: "定义",
				URL: "/zh/patterns/circuit-breaker#definition", Snippet: "<mark>熔断器</mark>是", Text: "熔断器是", Marks: [][2]int{{0, 3}}, Score: 1.5},
			{Slug: "fencing-token", Lang: "en", Title: "Fencing Token", URL: "/en/patterns/fencing-token", Marks: [][2]int{}, Score: 0.5, Planned: true},
		},
		Categories: []apiFacet{{Value: "resilience", Name: "弹性与容错", Count: 40}, {Value: "coordination", Name: "集群协调与成员管理", Count: 7}},
		Tags:       []apiFacet{{Value: "fault-tolerance", Name: "容错", Count: 12}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("JSON (-want +got):\n%s", diff)
	}
	if q := (search.Query{Text: "熔段器", Prefer: "zh", Category: "resilience", Tag: "fault-tolerance", Offset: 6, Limit: 3}); idx.got != q {
		t.Errorf("the index was asked %+v, want %+v", idx.got, q)
	}
	get(t, s, "/api/search?q=retry&lang=en&prefer=zh")
	if idx.got != (search.Query{Text: "retry", Lang: "en", Limit: 10}) {
		t.Errorf("with lang, prefer is moot; the index was asked %+v", idx.got)
	}
	for _, tt := range []struct{ url, accept, want string }{
		{"/api/search", "en", "The q parameter"},
		{"/api/search?q=%20", "zh-CN", "缺少参数 q"},
		{"/api/search?q=x&lang=fr", "en", "lang must be one of en, zh"},
		{"/api/search?q=x&prefer=de", "en", "lang must be one of en, zh"},
		{"/api/search?q=x&limit=0", "zh", "limit 必须是 1 到"},
		{"/api/search?q=x&limit=ten", "en", "limit must be a whole number"},
		{"/api/search?q=x&offset=-1", "en", "The page must be a whole number"},
		{"/api/search?q=x&offset=100000", "zh", "页码必须是"},
		{"/api/search?q=x&category=nope", "en", "Unknown category “nope”."},
		{"/api/search?q=x&tag=nope&prefer=zh", "en", "没有这个标签：“nope”。"},
	} {
		w := get(t, s, tt.url, "Accept-Language", tt.accept)
		var e struct{ Error string }
		json.Unmarshal(w.Body.Bytes(), &e)
		if w.Code != 400 || !strings.Contains(e.Error, tt.want) {
			t.Errorf("%s: %d %q, want 400 with %q", tt.url, w.Code, e.Error, tt.want)
		}
	}
}

// TestSearchPage: the results page shows the reader's language first
// with the other language badged, planned patterns marked, facets whose
// links filter, paging links, "did you mean", and a language switch that
// keeps the query and its filters.
func TestSearchPage(t *testing.T) {
	idx := &querySearcher{}
	s, _ := searchServer(t, idx)
	w := get(t, s, "/zh/search?q=熔段器&category=resilience&page=2")
	if w.Code != 200 {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	if want := (search.Query{Text: "熔段器", Prefer: "zh", Category: "resilience", Offset: 20, Limit: 20}); idx.got != want {
		t.Errorf("the index was asked %+v, want %+v", idx.got, want)
	}
	doc, err := goquery.NewDocumentFromReader(w.Body)
	if err != nil {
		t.Fatal(err)
	}
	text := func(sel string) string { return strings.Join(strings.Fields(doc.Find(sel).Text()), " ") }
	attr := func(sel, name string) string { v, _ := doc.Find(sel).Attr(name); return v }
	checks := []struct{ what, got, want string }{
		{"count", text("[data-testid=result-count]"), "共 47 条结果：“熔段器”"},
		{"did you mean", text("[data-testid=did-you-mean]"), "你是不是要找：熔断器？"},
		{"did you mean link", attr("[data-testid=did-you-mean] a", "href"), "/zh/search?category=resilience&q=%E7%86%94%E6%96%AD%E5%99%A8"},
		{"lang badge", text("[data-testid=lang-badge]"), "English"},
		{"lang badge lang", attr("[data-testid=lang-badge]", "lang"), "en"},
		{"planned", text(".planned-hit .planned-badge"), "规划中"},
		{"planned link", attr(".planned-hit a", "href"), "/en/patterns/fencing-token"},
		{"selected category", text("[data-testid=facet-category] a.selected"), "弹性与容错"},
		{"unselect link", attr("[data-testid=facet-category] a.selected", "href"), "/zh/search?q=%E7%86%94%E6%AE%B5%E5%99%A8"},
		{"other category", attr("[data-testid=facet-category] li:nth-child(2) a", "href"), "/zh/search?category=coordination&q=%E7%86%94%E6%AE%B5%E5%99%A8"},
		{"category count", text("[data-testid=facet-category] li:nth-child(2) .count"), "7"},
		{"tag link", attr("[data-testid=facet-tag] a", "href"), "/zh/search?category=resilience&q=%E7%86%94%E6%AE%B5%E5%99%A8&tag=fault-tolerance"},
		{"paging", text("[data-testid=paging] [aria-current]"), "第 2 页，共 3 页"},
		{"prev", attr("[data-testid=paging] a[rel=prev]", "href"), "/zh/search?category=resilience&q=%E7%86%94%E6%AE%B5%E5%99%A8"},
		{"next", attr("[data-testid=paging] a[rel=next]", "href"), "/zh/search?category=resilience&page=3&q=%E7%86%94%E6%AE%B5%E5%99%A8"},
		{"list start", attr("[data-testid=results]", "start"), "21"},
		{"language switch", attr("[data-testid=lang-switch]", "href"), "/en/search?category=resilience&q=%E7%86%94%E6%AE%B5%E5%99%A8"},
		{"header box", attr("[data-testid=site-search] input", "value"), "熔段器"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: %q, want %q", c.what, c.got, c.want)
		}
	}
	for _, tt := range []struct{ url, want string }{
		{"/en/search?q=x&page=0", "The page must be a whole number from 1 to 8"},
		{"/zh/search?q=x&page=abc", "页码必须是 1 到 8 之间的整数"},
		{"/en/search?q=x&category=nope", "Unknown category “nope”."},
		{"/zh/search?q=x&tag=nope", "没有这个标签：“nope”。"},
	} {
		w := get(t, s, tt.url)
		if w.Code != 400 || !strings.Contains(w.Body.String(), tt.want) {
			t.Errorf("%s: %d, want 400 with %q; body %.300s", tt.url, w.Code, tt.want, w.Body)
		}
	}
}

// TestPlannedPage: a planned pattern's URL shows its planned page, in
// either language; an unknown slug is still a 404.
func TestPlannedPage(t *testing.T) {
	s := mustServer(t)
	e := plannedEntry(t)
	for _, lang := range []string{"en", "zh"} {
		path := content.PatternURL(lang, e.Slug)
		w := get(t, s, path)
		if w.Code != 200 {
			t.Fatalf("%s: status %d", path, w.Code)
		}
		doc, _ := goquery.NewDocumentFromReader(w.Body)
		if got, want := doc.Find("[data-testid=planned] h1").Text(), fmt.Sprintf(i18n.For(lang).PlannedTitle, e.Name.In(lang)); got != want {
			t.Errorf("%s: title %q, want %q", path, got, want)
		}
		if href, _ := doc.Find(".breadcrumbs li:nth-child(2) a").Attr("href"); href != "/"+lang+"/patterns/?category="+e.Category {
			t.Errorf("%s: category link %q", path, href)
		}
		if doc.Find(`meta[name=robots][content=noindex]`).Length() != 1 {
			t.Errorf("%s: a planned page must not be indexed", path)
		}
	}
	if w := get(t, s, "/en/patterns/no-such-thing"); w.Code != 404 {
		t.Errorf("unknown slug: %d", w.Code)
	}
}
