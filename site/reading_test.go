package site

import (
	"encoding/xml"
	"io"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/lamport-kb/lamport/store"
)

func mustDoc(t *testing.T, w *httptest.ResponseRecorder) *goquery.Document {
	t.Helper()
	if w.Code != 200 {
		t.Fatalf("status %d: %.300s", w.Code, w.Body.String())
	}
	doc, err := goquery.NewDocumentFromReader(w.Body)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

type atomFeed struct {
	Title   string `xml:"title"`
	ID      string `xml:"id"`
	Updated string `xml:"updated"`
	Entries []struct {
		Title   string `xml:"title"`
		ID      string `xml:"id"`
		Updated string `xml:"updated"`
		Link    struct {
			Href string `xml:"href,attr"`
		} `xml:"link"`
		Summary string `xml:"summary"`
	} `xml:"entry"`
}

// TestFeed reads each language's Atom feed: every written pattern once, the
// most recently updated first, linked to its page in that language.
func TestFeed(t *testing.T) {
	s := mustServer(t)
	lib, _ := corpus()
	for _, lang := range []string{"en", "zh"} {
		t.Run(lang, func(t *testing.T) {
			w := get(t, s, "/"+lang+"/feed.xml")
			if w.Code != 200 || w.Header().Get("Content-Type") != "application/atom+xml; charset=utf-8" {
				t.Fatalf("status %d, type %q", w.Code, w.Header().Get("Content-Type"))
			}
			var f atomFeed
			if err := xml.Unmarshal(w.Body.Bytes(), &f); err != nil {
				t.Fatal(err)
			}
			if want := min(len(lib.Patterns), feedEntries); len(f.Entries) != want {
				t.Errorf("%d entries, want %d", len(f.Entries), want)
			}
			seen := map[string]bool{}
			for i, e := range f.Entries {
				if !strings.HasPrefix(e.Link.Href, "http://x.test/"+lang+"/patterns/") || e.ID != e.Link.Href {
					t.Errorf("entry %q: link %q, id %q", e.Title, e.Link.Href, e.ID)
				}
				if seen[e.ID] {
					t.Errorf("entry %s twice", e.ID)
				}
				seen[e.ID] = true
				if i > 0 && e.Updated > f.Entries[i-1].Updated {
					t.Errorf("entry %q (%s) after an older one (%s)", e.Title, e.Updated, f.Entries[i-1].Updated)
				}
				if e.Title == "" || e.Summary == "" || e.Updated == "" {
					t.Errorf("entry %+v lacks a title, summary or date", e)
				}
			}
			if f.Updated != f.Entries[0].Updated {
				t.Errorf("feed updated %s, newest entry %s", f.Updated, f.Entries[0].Updated)
			}
		})
	}
	if f := get(t, s, "/zh/feed.xml").Body.String(); !strings.Contains(f, "<title>熔断器</title>") {
		t.Error("the Chinese feed does not name 熔断器")
	}
	root := get(t, s, "/feed.xml", "Accept-Language", "zh-CN")
	if root.Code != 302 || root.Header().Get("Location") != "/zh/feed.xml" {
		t.Errorf("/feed.xml: %d → %q", root.Code, root.Header().Get("Location"))
	}
	head := mustDoc(t, get(t, s, "/en/patterns/"))
	if head.Find(`link[rel=alternate][type="application/atom+xml"][href="/en/feed.xml"]`).Length() != 1 {
		t.Error("pages do not link the feed from the head")
	}
}

// queueRunner is a fakeRunner that reports a load.
type queueRunner struct{ fakeRunner }

func (queueRunner) Queued() int  { return 3 }
func (queueRunner) Running() int { return 2 }

// TestMetrics makes requests of each kind and reads them back from the
// metrics handler; the public router does not serve /metrics.
func TestMetrics(t *testing.T) {
	lib, _ := corpus()
	s := mustServer(t)
	s2, err := New(Config{Runner: queueRunner{}}, State{Library: lib}, s.assets, nil)
	if err != nil {
		t.Fatal(err)
	}
	s = s2
	get(t, s, "/en/patterns/circuit-breaker") // miss
	get(t, s, "/en/patterns/circuit-breaker") // hit
	get(t, s, "/en/no-such-page")
	get(t, s, "/en/search?q=breaker")
	get(t, s, "/en/search") // not a query
	post(t, s, "/api/run", "application/json", `{"body":"package main"}`)
	if get(t, s, "/metrics").Code != 404 {
		t.Error("the public router serves /metrics")
	}
	w := httptest.NewRecorder()
	s.Metrics().ServeHTTP(w, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(w.Body)
	for _, want := range []string{
		`lamport_http_requests_total{code="200",route="/{lang}/patterns/{slug}"} 2`,
		`lamport_http_requests_total{code="404",route="/{lang}/*"} 1`,
		`lamport_http_request_duration_seconds_count{route="/{lang}/patterns/{slug}"} 2`,
		`lamport_page_cache_requests_total{result="hit"} 1`,
		`lamport_page_cache_requests_total{result="miss"} 1`,
		`lamport_playground_runs_total{outcome="ok"} 1`,
		`lamport_search_queries_total{outcome="ok",source="page"} 1`,
		`lamport_playground_queue_depth 3`,
		`lamport_playground_running 2`,
		`go_goroutines `,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	if t.Failed() {
		t.Logf("metrics:\n%s", grepLines(string(body), "^lamport_"))
	}
}

func grepLines(s, pattern string) string {
	re := regexp.MustCompile(pattern)
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if re.MatchString(l) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// TestLanguageSwitchKeepsQuery: the switch of a search or a filtered list
// carries the query, of a shared program its id.
func TestLanguageSwitchKeepsQuery(t *testing.T) {
	s := mustServer(t)
	tests := []struct{ path, want string }{
		{"/en/search?q=%E7%86%94%E6%96%AD", "/zh/search?q=%E7%86%94%E6%96%AD"},
		{"/zh/patterns/?level=1&category=resilience&utm=x", "/en/patterns/?category=resilience&level=1"},
		{"/en/patterns/circuit-breaker", "/zh/patterns/circuit-breaker"},
		{"/en/tags/latency", "/zh/tags/latency"},
		{"/zh/play/", "/en/play/"},
	}
	for _, tt := range tests {
		doc := mustDoc(t, get(t, s, tt.path))
		if got := doc.Find("a.lang-switch").AttrOr("href", ""); got != tt.want {
			t.Errorf("%s: switch to %q, want %q", tt.path, got, tt.want)
		}
	}
}

// TestStandalonePlayground: /{lang}/play/ opens on Hello, World with a
// menu of the demos; the menu's GET form leads to a demo.
func TestStandalonePlayground(t *testing.T) {
	s := mustServer(t)
	doc := mustDoc(t, get(t, s, "/zh/play/"))
	if src := doc.Find("[data-testid=play-source]").Text(); !strings.Contains(src, `fmt.Println("Hello, 世界")`) {
		t.Errorf("source %q", src)
	}
	opts := doc.Find("[data-testid=play-examples] select[name=example] option")
	if opts.Length() < 5 || opts.First().AttrOr("value", "x") != "" || doc.Find(`option[value="circuit-breaker"]`).Text() != "熔断器" {
		t.Errorf("examples menu: %d options, %q", opts.Length(), opts.Text())
	}
	if doc.Find(`.site-nav a[aria-current="page"][href="/zh/play/"]`).Length() != 1 {
		t.Error("the header's Playground entry is not marked current")
	}
	if w := get(t, s, "/en/play/?example=circuit-breaker"); w.Code != 302 || w.Header().Get("Location") != "/en/play/circuit-breaker" {
		t.Errorf("example: %d → %q", w.Code, w.Header().Get("Location"))
	}
	if w := get(t, s, "/zh/play/?example=nope"); w.Code != 400 || !strings.Contains(w.Body.String(), "没有名为 &#34;nope&#34; 的示例。") {
		t.Errorf("unknown example: %d %.400s", w.Code, w.Body.String())
	}
	if w := get(t, s, "/en/play"); w.Code != 301 || w.Header().Get("Location") != "/en/play/" {
		t.Errorf("/en/play: %d → %q", w.Code, w.Header().Get("Location"))
	}
	demo := mustDoc(t, get(t, s, "/en/play/circuit-breaker"))
	if demo.Find(`option[value="circuit-breaker"][selected]`).Length() != 1 || demo.Find("form.play").AttrOr("data-edit-key", "") != "/play/circuit-breaker" {
		t.Error("a demo's playground does not select it in the menu or lacks its edit key")
	}
}

// TestSharedPage: a shared program is titled by its first comment and
// links back to the pattern whose package it imports; its language switch
// keeps the program.
func TestSharedPage(t *testing.T) {
	st, err := store.Open(":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	s := mustServer(t)
	s.cfg.Shares = st
	src := "// Demo: a breaker that trips. It then probes.\npackage main\n\nimport \"github.com/lamport-kb/lamport/content/patterns/circuitbreaker\"\n\nvar _ = circuitbreaker.New\n"
	id, err := st.Put(t.Context(), src)
	if err != nil {
		t.Fatal(err)
	}
	doc := mustDoc(t, get(t, s, "/p/"+id+"?lang=zh"))
	if h1 := doc.Find("h1").Text(); h1 != "Demo: a breaker that trips" {
		t.Errorf("h1 %q", h1)
	}
	if !strings.HasPrefix(doc.Find("title").Text(), "Demo: a breaker that trips · ") {
		t.Errorf("title %q", doc.Find("title").Text())
	}
	if og := doc.Find(`meta[property="og:title"]`).AttrOr("content", ""); !strings.HasPrefix(og, "Demo: a breaker that trips") {
		t.Errorf("og:title %q", og)
	}
	if doc.Find(`meta[name=description]`).AttrOr("content", "") == "" || doc.Find(`meta[name="twitter:card"]`).AttrOr("content", "") == "" {
		t.Error("the shared page has no description or no Twitter card")
	}
	if a := doc.Find("[data-testid=play-from] a"); a.AttrOr("href", "") != "/zh/patterns/circuit-breaker" || a.Text() != "熔断器" {
		t.Errorf("link back %q → %q", a.Text(), a.AttrOr("href", ""))
	}
	if got := doc.Find("a.lang-switch").AttrOr("href", ""); got != "/p/"+id+"?lang=en" {
		t.Errorf("switch %q", got)
	}
	if doc.Find("form.play").AttrOr("data-edit-key", "") != "/p/"+id {
		t.Error("no edit key")
	}
}

func TestFirstComment(t *testing.T) {
	tests := []struct{ src, want string }{
		{"// Demo: one. Two.\npackage main", "Demo: one"},
		{"package main\n\n// Later comment.\nfunc main() {}", "Later comment"},
		{"/* Block title */\npackage main", "Block title"},
		{"package main\nfunc main() {}", ""},
		{"// " + strings.Repeat("長", 100) + "\npackage main", strings.Repeat("長", maxTitle-1) + "…"},
		{"// Title even if broken\npackage main\nfunc (", "Title even if broken"},
	}
	for _, tt := range tests {
		if got := firstComment(tt.src); got != tt.want {
			t.Errorf("firstComment(%.30q) = %q, want %q", tt.src, got, tt.want)
		}
	}
}

// TestNavigationTree: the sidebar lists every written pattern once, in
// its category, marks the current page, and counts the planned ones.
func TestNavigationTree(t *testing.T) {
	s := mustServer(t)
	lib, _ := corpus()
	doc := mustDoc(t, get(t, s, "/zh/patterns/circuit-breaker"))
	tree := doc.Find("[data-testid=sidebar] .tree")
	if n := tree.Find("li > ul > li > a").Length(); n != len(lib.Patterns) {
		t.Errorf("%d pattern links in the tree, want %d", n, len(lib.Patterns))
	}
	if cur := tree.Find(`a[aria-current="page"]`); cur.Length() != 1 || cur.Text() != "熔断器" {
		t.Errorf("current page %q", cur.Text())
	}
	planned := 0
	for _, e := range lib.Catalog {
		if !e.Written {
			planned++
		}
	}
	counted := 0
	tree.Find(".tree-planned").Each(func(_ int, p *goquery.Selection) {
		var n int
		for _, r := range p.Text() {
			if r >= '0' && r <= '9' {
				n = n*10 + int(r-'0')
			}
		}
		counted += n
	})
	if counted != planned {
		t.Errorf("the tree counts %d planned patterns, the catalog plans %d", counted, planned)
	}
}

// TestPageMeta: every kind of page has a description and its social cards.
func TestPageMeta(t *testing.T) {
	s := mustServer(t)
	s.cfg.Runner = fakeRunner{}
	for _, path := range []string{"/en/", "/zh/patterns/", "/en/patterns/circuit-breaker", "/zh/tags/", "/en/tags/latency",
		"/en/search?q=x", "/zh/play/", "/en/play/retry-backoff-jitter", "/zh/about", "/en/nope"} {
		w := get(t, s, path)
		doc, err := goquery.NewDocumentFromReader(w.Body)
		if err != nil {
			t.Fatal(err)
		}
		for _, sel := range []string{`meta[name=description]`, `meta[property="og:title"]`, `meta[property="og:description"]`,
			`meta[property="og:url"]`, `meta[name="twitter:card"]`} {
			if v := doc.Find(sel).AttrOr("content", ""); v == "" {
				t.Errorf("%s: no %s", path, sel)
			}
		}
	}
	doc := mustDoc(t, get(t, s, "/zh/patterns/circuit-breaker"))
	if doc.Find(`meta[property="og:type"]`).AttrOr("content", "") != "article" || doc.Find(`meta[property="og:locale"]`).AttrOr("content", "") != "zh_CN" {
		t.Error("a Chinese pattern page is not an article in zh_CN")
	}
}

// TestHomePage: written patterns come first, the start-here path starts
// with written ones, and the plan counts every catalog entry.
func TestHomePage(t *testing.T) {
	s := mustServer(t)
	lib, _ := corpus()
	doc := mustDoc(t, get(t, s, "/zh/"))
	if n := doc.Find("[data-testid=patterns] > li").Length(); n != len(lib.Patterns) {
		t.Errorf("%d written patterns listed, want %d", n, len(lib.Patterns))
	}
	if doc.Find("[data-testid=start-here] ol .planned").Length() != 0 {
		t.Error("the start-here path lists a planned pattern among its steps")
	}
	if got, want := doc.Find("[data-testid=plan-total]").Text(), sprintf("共 %d 个模式，已完成 %d 个", len(lib.Catalog), len(lib.Patterns)); got != want {
		t.Errorf("plan total %q, want %q", got, want)
	}
	if doc.Find("[data-testid=recent] li").Length() == 0 || doc.Find(`[data-testid=home-play][href="/zh/play/"]`).Length() != 1 {
		t.Error("no recent patterns or no playground link")
	}
	if doc.Find(`[data-testid=home-graph][href="/zh/graph"]`).Length() != 1 {
		t.Error("no link to the graph")
	}
	var dates []string
	doc.Find("[data-testid=recent] time").Each(func(_ int, s *goquery.Selection) { dates = append(dates, s.AttrOr("datetime", "")) })
	if !slices.IsSortedFunc(dates, func(a, b string) int { return strings.Compare(b, a) }) {
		t.Errorf("recent patterns not newest first: %v", dates)
	}
	written := 0
	doc.Find("[data-testid=categories] progress").Each(func(_ int, s *goquery.Selection) {
		n, _ := strconv.Atoi(s.AttrOr("value", ""))
		written += n
	})
	if written != len(lib.Patterns) {
		t.Errorf("the plan's progress bars count %d written patterns, want %d", written, len(lib.Patterns))
	}
	if strings.Contains(doc.Find("[data-testid=start-here] h2").Text(), ":") {
		t.Error("ASCII colon in the Chinese start-here heading")
	}
}

// TestFooter: every page's footer links the repository, the about page and
// the feed in the page's language, and the licence only once there is one
// to link.
func TestFooter(t *testing.T) {
	s := mustServer(t)
	links := func(doc *goquery.Document) []string {
		var got []string
		doc.Find(".site-footer nav a").Each(func(_ int, a *goquery.Selection) {
			got = append(got, a.AttrOr("href", "")+" "+a.Text())
		})
		return got
	}
	want := []string{"https://github.com/lamport-kb/lamport 源代码仓库", "/zh/about 关于", "/zh/feed.xml Atom 订阅"}
	if got := links(mustDoc(t, get(t, s, "/zh/patterns/"))); !slices.Equal(got, want) {
		t.Errorf("footer links %q, want %q", got, want)
	}
	s = mustServer(t)
	s.links.License = "https://github.com/lamport-kb/lamport/blob/main/LICENSE"
	doc := mustDoc(t, get(t, s, "/en/"))
	if a := doc.Find(`.site-footer a[rel~="license"]`); a.AttrOr("href", "") != s.links.License || a.Text() != "Licence" {
		t.Errorf("licence link %q → %q", a.Text(), a.AttrOr("href", ""))
	}
}
