package tests

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/chromedp/chromedp"
	"github.com/google/go-cmp/cmp"

	"github.com/lamport-kb/lamport/content"
	"github.com/lamport-kb/lamport/i18n"
	"github.com/lamport-kb/lamport/playground"
)

// TestConformance checks every pattern of the library the same way, so a
// new pattern gets every check without anyone editing a test: each
// language's page renders the chapter template's sections with their
// headings; the page opens in the shared Chromium with every diagram and
// formula rendered, no console error and no serious axe violation (the
// shared stylesheet's contrast is checked by TestBrowserPages); and the
// demo's output in the playground's jail is its pinned output (which
// TestDemoOutput keeps equal to what `go run` prints). Patterns
// are checked in parallel (go test -parallel, GOMAXPROCS by default), a
// tab each.
func TestConformance(t *testing.T) {
	lib := mustLibrary(t)
	ts := mustServer(t)
	requireAssets(t, ts.URL)
	for _, p := range lib.Patterns {
		t.Run(p.Slug, func(t *testing.T) {
			t.Parallel()
			for _, lang := range i18n.Langs {
				url := ts.URL + "/" + lang + "/patterns/" + p.Slug
				t.Run(lang, func(t *testing.T) {
					checkSections(t, url, p.Docs[lang])
					checkInBrowser(t, url)
				})
			}
			if p.Demo != nil {
				t.Run("demo", func(t *testing.T) { checkDemo(t, p) })
			}
		})
	}
}

// checkSections fetches a pattern page and expects every section of the
// template, in order, under the heading the document gives it.
func checkSections(t *testing.T, url string, d *content.Doc) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: status %d", url, resp.StatusCode)
	}
	page, err := goquery.NewDocumentFromReader(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if h1 := page.Find("h1").First().Text(); h1 != d.Title {
		t.Errorf("<h1> %q, want the title %q", h1, d.Title)
	}
	var ids []string
	page.Find("main h2[id]").Each(func(_ int, h *goquery.Selection) {
		id, _ := h.Attr("id")
		ids = append(ids, id)
	})
	if len(ids) < len(content.SectionIDs) {
		t.Fatalf("section headings %v, want the template's %v", ids, content.SectionIDs)
	}
	for i, id := range content.SectionIDs {
		if ids[i] != id {
			t.Errorf("section %d is %q, want %q", i, ids[i], id)
		}
	}
}

// checkInBrowser opens the page in a tab of the shared Chromium.
func checkInBrowser(t *testing.T, url string) {
	t.Helper()
	b := newBrowser(t)
	b.run(t, chromedp.Navigate(url), chromedp.WaitReady("main"),
		// every diagram and formula drawn by lamport render, none left to the browser
		chromedp.WaitVisible(`.diagram svg[role="img"]`, chromedp.ByQuery))
	var unrendered int
	b.run(t, chromedp.Evaluate(`document.querySelectorAll("pre.mermaid, .math").length`, &unrendered))
	if unrendered > 0 {
		t.Errorf("%d figures left for the browser to draw", unrendered)
	}
	checkAxeStructure(t, b)
	b.noErrors(t)
}

// checkDemo runs the pattern's demo in the test playground's jail and
// compares its output with the pinned output, which TestDemoOutput keeps
// equal to what `go run` prints.
func checkDemo(t *testing.T, p *content.Pattern) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute) // a cold build cache
	defer cancel()
	r, err := mustPlayground(t).Run(ctx, playground.Request{Source: p.Demo.Source})
	if err != nil {
		t.Fatal(err)
	}
	if r.Errors != "" || r.Status != 0 || r.Limit != "" {
		t.Fatalf("the demo failed in the playground: status %d, limit %q, errors %s", r.Status, r.Limit, r.Errors)
	}
	if diff := cmp.Diff(p.Demo.Output, r.Output()); diff != "" {
		t.Errorf("the playground's output differs from %s (-pinned +playground):\n%s", content.DemoOutputFile, diff)
	}
}
