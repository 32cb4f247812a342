package site

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/google/go-cmp/cmp"

	"github.com/lamport-kb/lamport/i18n"
	"github.com/lamport-kb/lamport/site/view"
)

func pageDoc(t *testing.T, s *Server, path string, wantStatus int) *goquery.Document {
	t.Helper()
	w := get(t, s, path)
	if w.Code != wantStatus {
		t.Fatalf("GET %s: status %d, want %d", path, w.Code, wantStatus)
	}
	doc, err := goquery.NewDocumentFromReader(w.Body)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// TestGraphPage: every catalog node is drawn, written ones as links to
// their pages in the reader's language, planned ones not; every edge of
// the drawing has a row in the table; the legend names every type.
func TestGraphPage(t *testing.T) {
	s := mustServer(t)
	g := s.current().Graph
	for _, lang := range []string{"en", "zh"} {
		t.Run(lang, func(t *testing.T) {
			doc := pageDoc(t, s, "/"+lang+"/graph", http.StatusOK)
			svg := doc.Find(`svg[data-testid="graph-svg"]`)
			if n := svg.Find(".node").Length(); n != len(g.Nodes()) {
				t.Errorf("%d nodes drawn, the catalog has %d", n, len(g.Nodes()))
			}
			for _, n := range g.Nodes() {
				node := svg.Find(`.node[data-slug="` + n.Slug + `"]`)
				href, linked := node.Attr("href")
				switch {
				case n.Written && href != "/"+lang+"/patterns/"+n.Slug:
					t.Errorf("%s links to %q", n.Slug, href)
				case !n.Written && (linked || !node.HasClass("planned")):
					t.Errorf("planned %s is linked (%v) or not marked planned", n.Slug, linked)
				}
				if got := node.Find("title").Text(); !strings.Contains(got, n.Name[lang]) {
					t.Errorf("%s's title is %q, want its name %q", n.Slug, got, n.Name[lang])
				}
			}
			edges, rows := svg.Find(".edge[data-type]").Length(), doc.Find(`[data-testid="edge-table"] tbody tr`).Length()
			if edges == 0 || edges != rows {
				t.Errorf("%d edges drawn, %d table rows", edges, rows)
			}
			if n := doc.Find(`[data-testid="graph-legend"] li`).Length(); n != 6 {
				t.Errorf("legend has %d items, want 4 edge types and 2 node kinds", n)
			}
		})
	}
}

// TestGraphPageWeight bounds the graph page compressed, as the
// middleware sends it: the target is 100 KB.
func TestGraphPageWeight(t *testing.T) {
	s := mustServer(t)
	for _, lang := range []string{"en", "zh"} {
		w := get(t, s, "/"+lang+"/graph", "Accept-Encoding", "gzip")
		if w.Header().Get("Content-Encoding") != "gzip" {
			t.Fatalf("%s: not compressed", lang)
		}
		zr, err := gzip.NewReader(bytes.NewReader(w.Body.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		var plain bytes.Buffer
		plain.ReadFrom(zr)
		t.Logf("/%s/graph: %d bytes, %d compressed", lang, plain.Len(), w.Body.Len())
		if w.Body.Len() > 100<<10 {
			t.Errorf("/%s/graph weighs %d bytes compressed, more than 100 KB", lang, w.Body.Len())
		}
	}
}

// BenchmarkGraphSVG renders the whole graph page's body (data and
// templ), uncached, as the first request after a content change does.
func BenchmarkGraphSVG(b *testing.B) {
	s := mustServer(b)
	st := s.current()
	st.Graph.Layout() // computed once per content version, not per render
	var buf bytes.Buffer
	for b.Loop() {
		buf.Reset()
		if err := view.GraphPage(view.Page{Lang: "en", M: s.page(httpRequest("/en/graph"), "en", "").M}, graphData(st, "en")).Render(b.Context(), &buf); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(buf.Len()), "bytes")
}

func httpRequest(path string) *http.Request {
	r, _ := http.NewRequest("GET", path, nil)
	return r
}

// TestPatternPageGraph: a pattern page has its neighbourhood drawn with
// itself at the centre, backlinks from the pages that mention it, and
// recommendations with reasons, in both languages.
func TestPatternPageGraph(t *testing.T) {
	s := mustServer(t)
	for _, lang := range []string{"en", "zh"} {
		doc := pageDoc(t, s, "/"+lang+"/patterns/circuit-breaker", http.StatusOK)
		local := doc.Find(`svg[data-testid="local-graph"]`)
		if local.Find(".node.centre").AttrOr("data-slug", "") != "circuit-breaker" || local.Find(".node").Length() < 3 {
			t.Errorf("%s: local graph without circuit-breaker at its centre or with under 3 nodes", lang)
		}
		if doc.Find(`[data-testid="referenced-by"] a[href="/`+lang+`/patterns/retry-backoff-jitter"]`).Length() != 1 {
			t.Errorf("%s: retry-backoff-jitter mentions circuit-breaker but is not among its backlinks", lang)
		}
		next := doc.Find(`[data-testid="next-up"] li`)
		if next.Length() != nextUpCount || strings.TrimSpace(next.First().Find(".why").Text()) == "" {
			t.Errorf("%s: %d recommendations, first reason %q", lang, next.Length(), next.First().Find(".why").Text())
		}
	}
	// Every alternative on a pattern page links to the comparison.
	doc := pageDoc(t, s, "/en/patterns/load-shedding", http.StatusOK)
	if doc.Find(`[data-testid="compare-link"]`).Length() == 0 {
		t.Error("load-shedding has alternatives but no comparison link")
	}
	doc.Find(`[data-testid="compare-link"]`).Each(func(_ int, a *goquery.Selection) {
		if w := get(t, s, a.AttrOr("href", "")); w.Code != http.StatusOK {
			t.Errorf("%s: status %d", a.AttrOr("href", ""), w.Code)
		}
	})
}

func TestPaths(t *testing.T) {
	s := mustServer(t)
	lib := s.current().Library
	for _, lang := range []string{"en", "zh"} {
		doc := pageDoc(t, s, "/"+lang+"/paths/", http.StatusOK)
		if n := doc.Find(`[data-testid="paths"] li`).Length(); n != len(lib.Paths) {
			t.Errorf("%s: %d paths listed, %d loaded", lang, n, len(lib.Paths))
		}
		p := lib.Path("resilience")
		doc = pageDoc(t, s, "/"+lang+"/paths/resilience", http.StatusOK)
		steps := doc.Find(`[data-testid="path-steps"] > li`)
		if steps.Length() != len(p.Slugs) {
			t.Fatalf("%s: %d steps, want %d", lang, steps.Length(), len(p.Slugs))
		}
		steps.Each(func(i int, li *goquery.Selection) {
			_, linked := li.Find("a").Attr("href")
			if written := lib.Pattern(p.Slugs[i]) != nil; linked != written || li.Find(".badge").Length() == 0 && !written {
				t.Errorf("%s: step %d (%s) linked %v, written %v", lang, i, p.Slugs[i], linked, written)
			}
		})
		if doc.Find(`[data-testid="path-after"] a[href="/`+lang+`/paths/go-concurrency"]`).Length() != 1 {
			t.Errorf("%s: resilience does not say to take go-concurrency first", lang)
		}
	}
	pageDoc(t, s, "/en/paths/nope", http.StatusNotFound)
}

// TestPathProseLinks: every [[link]] in a learning path's prose is a link
// to the pattern in the reader's language when it is written, and marked
// planned when not; each mentioned pattern lists the path among its
// backlinks.
func TestPathProseLinks(t *testing.T) {
	s := mustServer(t)
	st := s.current()
	mentions := st.Graph.PathMentions()
	if len(mentions) < 5 {
		t.Fatalf("only %d mentions in the paths' prose", len(mentions))
	}
	planned := 0
	for _, lang := range []string{"en", "zh"} {
		for _, m := range mentions {
			doc := pageDoc(t, s, pathURL(lang, m.From), http.StatusOK)
			prose := doc.Find(".prose")
			if st.Library.Pattern(m.To) == nil {
				planned++
				if prose.Find(`span.xref.planned`).Length() == 0 || prose.Find(`a[href$="/patterns/`+m.To+`"]`).Length() != 0 {
					t.Errorf("%s: %s links to the planned %s, or does not mark it", lang, m.From, m.To)
				}
				continue
			}
			if prose.Find(`a.xref[href="/`+lang+`/patterns/`+m.To+`"]`).Length() == 0 {
				t.Errorf("%s: the prose of %s has no link to %s", lang, m.From, m.To)
			}
			back := pageDoc(t, s, "/"+lang+"/patterns/"+m.To, http.StatusOK)
			if back.Find(`[data-testid="referenced-by"] a[href="`+pathURL(lang, m.From)+`"]`).Length() != 1 {
				t.Errorf("%s: %s mentions %s but is not among its backlinks", lang, m.From, m.To)
			}
		}
	}
	if planned == 0 {
		t.Log("no path mentions a planned pattern")
	}
}

func TestLearn(t *testing.T) {
	s := mustServer(t)
	g := s.current().Graph
	doc := pageDoc(t, s, "/en/learn?goal=saga&known=timeout-deadline", http.StatusOK)
	var got []string
	doc.Find(`[data-testid="learn-steps"] li`).Each(func(_ int, li *goquery.Selection) {
		got = append(got, li.Find("a, .planned").First().Text()+" | "+li.Find(".why").Text())
	})
	var want []string
	lib := s.current().Library
	for _, slug := range g.ReadingOrder("saga") {
		if slug != "timeout-deadline" {
			want = append(want, lib.Name(slug, "en"))
		}
	}
	if len(got) != len(want) {
		t.Fatalf("steps %q, want the reading order of saga less timeout-deadline: %q", got, want)
	}
	for i := range want {
		if !strings.HasPrefix(strings.TrimSpace(got[i]), want[i]) || strings.HasSuffix(got[i], "| ") {
			t.Errorf("step %d = %q, want %q with a reason", i, got[i], want[i])
		}
	}
	if last := got[len(got)-1]; !strings.Contains(last, "your goal") {
		t.Errorf("the last step %q is not the goal", last)
	}
	doc = pageDoc(t, s, "/zh/learn?goal=nope", http.StatusBadRequest)
	if msg := doc.Find(`[data-testid="learn-error"]`).Text(); !strings.Contains(msg, "没有“nope”这个模式") {
		t.Errorf("unknown goal: message %q", msg)
	}
	pageDoc(t, s, "/en/learn?goal=", http.StatusBadRequest)
	pageDoc(t, s, "/en/learn", http.StatusOK)
}

func TestCompare(t *testing.T) {
	s := mustServer(t)
	for _, lang := range []string{"en", "zh"} {
		doc := pageDoc(t, s, "/"+lang+"/compare?a=circuit-breaker&b=load-shedding", http.StatusOK)
		for _, side := range []string{"a", "b"} {
			col := doc.Find(`[data-testid="compare-` + side + `"]`)
			if col.Find("h3").Length() < 4 || strings.TrimSpace(col.Find("p").Eq(1).Text()) == "" {
				t.Errorf("%s: column %s lacks its sections", lang, side)
			}
		}
		if doc.Find(`[data-testid="compare-path"] li`).Length() == 0 {
			t.Errorf("%s: no path between circuit-breaker and load-shedding", lang)
		}
	}
	type errorCase struct {
		path   string
		status int
		msg    string
	}
	tests := []errorCase{
		{"/en/compare?a=circuit-breaker", 400, "Name two patterns"},
		{"/en/compare?a=circuit-breaker&b=nope", 404, "There is no pattern “nope”"},
		{"/zh/compare?a=saga&b=saga", 400, "请选择两个不同的模式"},
	}
	for _, tt := range tests {
		doc := pageDoc(t, s, tt.path, tt.status)
		if msg := doc.Find(`[data-testid="compare-error"]`).Text(); !strings.Contains(msg, tt.msg) {
			t.Errorf("%s: message %q, want %q", tt.path, msg, tt.msg)
		}
	}
	pageDoc(t, s, "/en/compare", http.StatusOK)
}

// TestComparePlanned compares a planned pattern with a written one, and
// two planned ones: each planned column says so, names the pattern in
// every language, gives its category and relations, and marks each of the
// four sections not written; the written column is whole; the explained
// path is there when the graph has one.
func TestComparePlanned(t *testing.T) {
	s := mustServer(t)
	st := s.current()
	lib, g := st.Library, st.Graph
	// Planned patterns that other pages relate to, so that they have
	// relations and a path to show.
	var planned []string
	for _, e := range lib.Planned() {
		if len(g.Links(e.Slug)) > 0 {
			planned = append(planned, e.Slug)
		}
	}
	if len(planned) < 2 { // the catalog is nearly written: nothing left to compare
		t.Skipf("only %d planned patterns with relations", len(planned))
	}
	pairs := [][2]string{{planned[0], "saga"}, {"circuit-breaker", planned[0]}, {planned[0], planned[1]}}
	for _, lang := range []string{"en", "zh"} {
		for _, pair := range pairs {
			url := "/" + lang + "/compare?a=" + pair[0] + "&b=" + pair[1]
			doc := pageDoc(t, s, url, http.StatusOK)
			for i, side := range []string{"a", "b"} {
				slug, col := pair[i], doc.Find(`[data-testid="compare-`+side+`"]`)
				e := lib.Entry(slug)
				text := col.Text()
				if lib.Pattern(slug) != nil {
					if col.Find(".not-written").Length() != 0 || col.Find(`[data-testid$="-planned"]`).Length() != 0 {
						t.Errorf("%s: the written %s is marked not written", url, slug)
					}
					continue
				}
				if col.Find(`[data-testid="compare-`+side+`-planned"]`).Length() != 1 {
					t.Errorf("%s: %s is planned but its column does not say so", url, slug)
				}
				if n := col.Find(".not-written").Length(); n != 4 {
					t.Errorf("%s: %s has %d sections marked not written, want 4", url, slug, n)
				}
				for _, name := range []string{e.Name.In(i18n.English), e.Name.In(i18n.Chinese), lib.Category(e.Category).Name.In(lang)} {
					if !strings.Contains(text, name) {
						t.Errorf("%s: the column of %s does not name %q", url, slug, name)
					}
				}
				if col.Find("h3").Length() <= 4 || col.Find("ul li").Length() == 0 {
					t.Errorf("%s: the column of %s lists no relations", url, slug)
				}
			}
			_, hasPath := g.Path(pair[0], pair[1])
			if got := doc.Find(`[data-testid="compare-path"] li`).Length() > 0; got != hasPath {
				t.Errorf("%s: explained path shown %v, the graph has one %v", url, got, hasPath)
			}
			if !strings.Contains(doc.Find("title").Text(), lib.Name(pair[0], lang)) {
				t.Errorf("%s: title %q", url, doc.Find("title").Text())
			}
			if opt := doc.Find(`select[name="a"] option[value="` + pair[0] + `"]`); !opt.Is("[selected]") {
				t.Errorf("%s: the form does not offer %s as chosen", url, pair[0])
			}
		}
	}
}

func TestGraphAPI(t *testing.T) {
	s := mustServer(t)
	g := s.current().Graph
	var graph struct {
		Nodes []struct{ Slug, Name, URL string }
		Edges []struct{ From, To, Type string }
		Paths []struct {
			ID, Name, URL   string
			Steps, Mentions []string
		}
	}
	decode(t, get(t, s, "/api/graph?lang=zh").Body.Bytes(), &graph)
	if len(graph.Paths) != len(g.Paths()) {
		t.Errorf("%d paths, want %d", len(graph.Paths), len(g.Paths()))
	}
	mentions := 0
	for _, p := range graph.Paths {
		mentions += len(p.Mentions)
		if p.URL != "/zh/paths/"+p.ID || p.Name == "" || len(p.Steps) == 0 {
			t.Errorf("path %+v", p)
		}
	}
	if mentions != len(g.PathMentions()) {
		t.Errorf("%d path mentions, want %d", mentions, len(g.PathMentions()))
	}
	if len(graph.Nodes) != len(g.Nodes()) || len(graph.Edges) != len(graphEdges(g)) {
		t.Errorf("%d nodes, %d edges", len(graph.Nodes), len(graph.Edges))
	}
	if graph.Nodes[0].Name != g.Nodes()[0].Name["zh"] {
		t.Errorf("first node named %q, want the Chinese name", graph.Nodes[0].Name)
	}
	var path struct {
		Found bool
		Steps []struct{ From, To, Label string }
	}
	decode(t, get(t, s, "/api/graph/path?from=retry-backoff-jitter&to=saga").Body.Bytes(), &path)
	want, _ := g.Path("retry-backoff-jitter", "saga")
	if !path.Found || len(path.Steps) != len(want) || path.Steps[0].From != "retry-backoff-jitter" {
		t.Errorf("path %+v, want %v", path, want)
	}
	var plan struct {
		Steps []struct {
			Slug     string
			Goal     bool
			NeededBy []string `json:"needed_by"`
		}
	}
	decode(t, get(t, s, "/api/learning-path?goal=saga").Body.Bytes(), &plan)
	var slugs []string
	for _, st := range plan.Steps {
		slugs = append(slugs, st.Slug)
	}
	if diff := cmp.Diff(g.ReadingOrder("saga"), slugs); diff != "" {
		t.Errorf("learning path (-want +got):\n%s", diff)
	}
	errs := []struct {
		path   string
		status int
		msg    string
	}{
		{"/api/graph/path?from=saga", 400, "Name both ends"},
		{"/api/graph/path?from=saga&to=nope&lang=zh", 404, "没有“nope”这个模式"},
		{"/api/learning-path", 400, "Pick at least one"},
		{"/api/learning-path?goal=saga&known=nope", 404, ""},
	}
	for _, e := range errs {
		w := get(t, s, e.path)
		var body struct{ Error string }
		decode(t, w.Body.Bytes(), &body)
		if w.Code != e.status && !(e.msg == "" && w.Code == 400) || !strings.Contains(body.Error, e.msg) || body.Error == "" {
			t.Errorf("%s: %d %q, want %d %q", e.path, w.Code, body.Error, e.status, e.msg)
		}
	}
}

func decode(t *testing.T, data []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("%v in %s", err, data)
	}
}
