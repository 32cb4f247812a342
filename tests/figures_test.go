package tests

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/lamport-kb/lamport/content"
	"github.com/lamport-kb/lamport/i18n"
)

// figureCounts is how many diagrams and formulas each page of the embedded
// content has, by page file.
func figureCounts(t *testing.T) map[string][2]int {
	t.Helper()
	figs, err := content.Figures(content.FS())
	if err != nil {
		t.Fatal(err)
	}
	counts := make(map[string][2]int)
	for _, f := range figs {
		c := counts[f.File]
		if f.Kind == content.Diagram {
			c[0]++
		} else {
			c[1]++
		}
		counts[f.File] = c
	}
	return counts
}

// pageFigures is what the browser sees of a page's figures.
type pageFigures struct {
	Diagrams, Formulas int
	Unrendered         int      // pre.mermaid and .math: source text, not a picture
	Problems           []string // a diagram or formula not shown as one
	TextLuminance      float64  // of the first diagram's first label, 0 (black) to 1 (white)
}

// inspectFigures runs in the page through DevTools, which evaluates even
// while the page's own scripts are disabled.
const inspectFigures = `(() => {
	const out = { Diagrams: 0, Formulas: 0, Unrendered: document.querySelectorAll("main pre.mermaid, main .math").length, Problems: [], TextLuminance: -1 };
	const visible = (r) => r.width > 0 && r.height > 0;
	for (const svg of document.querySelectorAll("main .diagram > svg")) {
		out.Diagrams++;
		const id = svg.getAttribute("aria-labelledby")?.split(" ")[0];
		const name = id && document.getElementById(id)?.textContent.trim();
		if (svg.getAttribute("role") !== "img" || !name) out.Problems.push("diagram " + svg.id + " is not a named image");
		const r = svg.getBoundingClientRect();
		if (r.width < 50 || r.height < 20) out.Problems.push("diagram " + svg.id + " is " + r.width + "×" + r.height);
		const boxes = [...svg.querySelectorAll("g.edgeLabel rect.background, g.node")].map((el) => ({ r: el.getBoundingClientRect(), node: el.matches("g.node"), text: el.closest("g.edgeLabel, g.node").textContent.trim() })).filter((b) => visible(b.r));
		for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
			const a = boxes[i], b = boxes[j], e = 0.5;
			if (!(a.node && b.node) && a.r.left + e < b.r.right && b.r.left + e < a.r.right && a.r.top + e < b.r.bottom && b.r.top + e < a.r.bottom)
				out.Problems.push("in " + svg.id + ", " + JSON.stringify(a.text) + " overlaps " + JSON.stringify(b.text));
		}
		const text = [...svg.querySelectorAll("text, tspan")].find((el) => !el.children.length && el.textContent.trim());
		if (out.TextLuminance < 0 && text) {
			const [r, g, b] = getComputedStyle(text).fill.match(/[\d.]+/g).map(Number);
			out.TextLuminance = (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
		}
	}
	for (const m of document.querySelectorAll("main math")) {
		out.Formulas++;
		if (!visible(m.getBoundingClientRect())) out.Problems.push("formula " + JSON.stringify(m.textContent.slice(0, 40)) + " has no box");
	}
	return out;
})()`

// TestBrowserFiguresWithoutJavaScript opens every pattern page in both
// languages, with JavaScript off, in the light and the dark colour scheme:
// every diagram of the content is an SVG image with a name, no two labels
// overlap, every formula is typeset MathML, no source text is left, and
// the diagrams' text is dark on light and light on dark. Each language has
// a tab of its own, and each page is opened once and looked at in both
// schemes (the stylesheet follows the emulated scheme without a reload).
func TestBrowserFiguresWithoutJavaScript(t *testing.T) {
	ts := mustServer(t)
	requireAssets(t, ts.URL)
	lib := mustLibrary(t)
	counts := figureCounts(t)
	for _, lang := range i18n.Langs {
		t.Run(lang, func(t *testing.T) {
			t.Parallel()
			b := newBrowser(t)
			b.run(t, emulation.SetScriptExecutionDisabled(true))
			for _, p := range lib.Patterns {
				path := content.PatternURL(lang, p.Slug)
				want := counts[p.Docs[lang].Path]
				b.run(t, chromedp.Navigate(ts.URL+path), chromedp.WaitReady("main"))
				for _, scheme := range []string{"light", "dark"} {
					var got pageFigures
					b.run(t, colourScheme(scheme), chromedp.Evaluate(inspectFigures, &got))
					checkFigures(t, path, scheme, want, got)
				}
			}
			b.noErrors(t)
		})
	}
}

// colourScheme emulates the reader's preferred colour scheme.
func colourScheme(scheme string) chromedp.Action {
	return emulation.SetEmulatedMedia().WithFeatures([]*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}})
}

func checkFigures(t *testing.T, path, scheme string, want [2]int, got pageFigures) {
	t.Helper()
	if got.Diagrams != want[0] || got.Formulas != want[1] || got.Unrendered != 0 {
		t.Errorf("%s: %d diagrams and %d formulas shown, %d left as source; the page has %d and %d", path, got.Diagrams, got.Formulas, got.Unrendered, want[0], want[1])
	}
	for _, p := range got.Problems {
		t.Errorf("%s (%s): %s", path, scheme, p)
	}
	if dark := scheme == "dark"; got.Diagrams > 0 && (got.TextLuminance > 0.5) != dark {
		t.Errorf("%s (%s): diagram text luminance %.2f does not suit the scheme", path, scheme, got.TextLuminance)
	}
}

// pageBudget is what a pattern page may cost a reader before any lazily
// loaded feature: its HTML, stylesheets and the scripts it loads at once,
// compressed (issue 14).
const pageBudget = 60 << 10

var (
	stylesheetLink = regexp.MustCompile(`<link rel="stylesheet" href="([^"]+)"`)
	unrenderedMath = regexp.MustCompile(`class="math[" ]`)
	moduleLink     = regexp.MustCompile(`<(?:script type="module" src|link rel="modulepreload" href)="([^"]+)"`)
)

// TestPageWeight holds every pattern page, in both languages, to the
// budget, counting the bytes as they travel (gzip): the figures are inlined
// SVG and MathML, and Mermaid and KaTeX are never loaded.
func TestPageWeight(t *testing.T) {
	ts := mustServer(t)
	requireAssets(t, ts.URL)
	heaviest, heaviestPath := 0, ""
	for _, p := range mustLibrary(t).Patterns {
		for _, lang := range i18n.Langs {
			path := content.PatternURL(lang, p.Slug)
			html, size := fetchCompressed(t, ts.URL+path)
			parts := fmt.Sprintf("HTML %d", size)
			total := size
			for _, m := range append(stylesheetLink.FindAllStringSubmatch(html, -1), moduleLink.FindAllStringSubmatch(html, -1)...) {
				_, n := fetchCompressed(t, ts.URL+m[1])
				total += n
				parts += fmt.Sprintf(" + %s %d", m[1][strings.LastIndex(m[1], "/")+1:], n)
			}
			if strings.Contains(html, `<pre class="mermaid">`) || unrenderedMath.MatchString(html) {
				t.Errorf("%s leaves a figure for the browser to draw", path)
			}
			if total > pageBudget {
				t.Errorf("%s costs %d bytes compressed (%s), over the budget of %d", path, total, parts, pageBudget)
			}
			if total > heaviest {
				heaviest, heaviestPath = total, path+": "+parts
			}
		}
	}
	t.Logf("heaviest pattern page: %d bytes compressed (%s)", heaviest, heaviestPath)
}

// fetchCompressed GETs a URL accepting gzip and returns the decoded body
// and the bytes that travelled.
func fetchCompressed(t *testing.T, u string) (string, int) {
	t.Helper()
	if _, err := url.Parse(u); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("GET", u, nil)
	req.Header.Set("Accept-Encoding", "gzip")
	tr := &http.Transport{DisableCompression: true}
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %s", u, resp.Status)
	}
	if resp.Header.Get("Content-Encoding") != "gzip" {
		return string(raw), len(raw)
	}
	body, err := gunzip(raw)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	return body, len(raw)
}

func gunzip(raw []byte) (string, error) {
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		return "", err
	}
	body, err := io.ReadAll(zr)
	return string(body), err
}
