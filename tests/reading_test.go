package tests

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/lamport-kb/lamport/content"
)

// The reading tests open pages as a reader would on a phone (390 × 844,
// a mobile viewport) and on a laptop (1280 × 900): nothing scrolls
// sideways, the title is on the first screen, the page does not shift as
// its scripts and lazy features load, and the header is one row.

type viewport struct {
	name          string
	width, height int64
	mobile        bool
}

var (
	phone  = viewport{"390px", 390, 844, true}
	laptop = viewport{"1280px", 1280, 900, false}
)

// setViewport sizes the tab's page like the device.
func setViewport(v viewport) chromedp.Action {
	return emulation.SetDeviceMetricsOverride(v.width, v.height, 1, v.mobile)
}

// readingPages are the pages checked at both widths: one of every kind,
// in both languages. At 390 px every pattern page is checked too, since
// their prose (long URLs, tables, code) is what overflowed.
func readingPages() []string {
	return []string{"/en/", "/zh/", "/en/patterns/", "/zh/patterns/?category=resilience&level=1",
		"/en/tags/", "/zh/tags/latency", "/en/search?q=circuit+breaker", "/zh/search?q=熔断",
		"/en/about", "/zh/play/", "/en/play/circuit-breaker", "/en/does-not-exist",
		"/en/patterns/circuit-breaker", "/zh/patterns/durable-execution",
		"/en/graph", "/zh/graph", "/en/paths/", "/zh/paths/resilience", "/en/learn", "/zh/learn?goal=raft",
		"/zh/compare?a=circuit-breaker&b=bulkhead", "/en/compare?a=raft&b=leader-follower"}
}

// layoutReport is what one page measures in the browser.
type layoutReport struct {
	ScrollWidth, ClientWidth int
	Wide                     []string // elements past the right edge, outside any scroller
	H1Top, H1Bottom          float64
	ViewportHeight           float64
	CLS                      float64
	Shifts                   []string
	HeaderRows               int
	HeaderHeight             float64
	BadBreaks                []string // line breaks inside a Chinese word of a headline
	TOCOrder                 string   // what is out of order on a pattern page, or ""
}

// measureLayout waits for the page's lazy features (diagrams, math,
// fonts) to finish, then measures it. Layout shifts are read from the
// PerformanceObserver buffer, which holds every shift since navigation.
const measureLayout = `(async () => {
	const done = () => [...document.querySelectorAll("pre.mermaid")].every((p) => p.querySelector("svg")) &&
		[...document.querySelectorAll(".math")].every((m) => m.classList.contains("katex-rendered"));
	for (let i = 0; i < 200 && !done(); i++) await new Promise((r) => setTimeout(r, 100));
	await document.fonts.ready;
	await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 200)));
	const shifts = await new Promise((resolve) => {
		const seen = [];
		const po = new PerformanceObserver((list) => { for (const e of list.getEntries()) seen.push(e); });
		po.observe({ type: "layout-shift", buffered: true });
		setTimeout(() => { po.disconnect(); resolve(seen); }, 100);
	});
	const counted = shifts.filter((e) => !e.hadRecentInput);
	const describe = (el) => el ? (el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\s+/).join(".") : "")) : "?";
	const root = document.documentElement;
	const clips = (el) => { for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
		const o = getComputedStyle(p).overflowX; if (o !== "visible") return true; } return false; };
	const wide = [...document.body.querySelectorAll("*")].filter((el) => {
		const r = el.getBoundingClientRect(); return r.width > 0 && r.right > root.clientWidth + 1 && !clips(el) && getComputedStyle(el).position !== "fixed";
	}).slice(0, 4).map((el) => describe(el) + " right=" + Math.round(el.getBoundingClientRect().right));
	const h1 = document.querySelector("main h1").getBoundingClientRect();
	const header = document.querySelector(".site-header");
	const tops = new Set([...header.children].filter((c) => c.getBoundingClientRect().height > 0 && getComputedStyle(c).visibility !== "hidden" || c.classList.contains("header-tools"))
		.map((c) => { const r = c.getBoundingClientRect(); return Math.round(r.top + r.height / 2); }));
	return {
		ScrollWidth: root.scrollWidth, ClientWidth: root.clientWidth, Wide: wide,
		H1Top: h1.top + scrollY, H1Bottom: h1.bottom + scrollY, ViewportHeight: innerHeight,
		CLS: counted.reduce((s, e) => s + e.value, 0),
		Shifts: counted.map((e) => e.value.toFixed(4) + " at " + Math.round(e.startTime) + "ms: " + e.sources.map((s) => describe(s.node)).join(", ")),
		HeaderRows: [...tops].filter((t, i, a) => !a.some((u, j) => j < i && Math.abs(u - t) < 8)).length,
		HeaderHeight: header.getBoundingClientRect().height,
		BadBreaks: document.documentElement.lang.startsWith("zh") ? badBreaks(document.querySelector("main h1")) : [],
		TOCOrder: tocOrder(),
	};
	// tocOrder says what is wrong with a pattern page's order: the DOM
	// has the title, the contents and the text, and the screen shows them
	// in that order, or the contents beside the text.
	function tocOrder() {
		const head = document.querySelector(".pattern-header"), toc = document.querySelector(".toc"), body = document.querySelector(".pattern-body");
		if (!head || !toc || !body) return "";
		const follows = (a, b) => (a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING) !== 0;
		if (!follows(head, toc) || !follows(toc, body)) return "the DOM does not hold the title, the contents, the text, in that order";
		const [h, c, b] = [head, toc, body].map((el) => el.getBoundingClientRect());
		if (c.left >= b.right && c.top >= h.top) return "";
		if (h.bottom <= c.top + 1 && c.bottom <= b.top + 1) return "";
		return "shown: title " + Math.round(h.top) + "–" + Math.round(h.bottom) + ", contents " + Math.round(c.top) + "–" + Math.round(c.bottom) + ", text from " + Math.round(b.top);
	}
	// badBreaks lists the line breaks of el that fall between two Chinese
	// characters: a headline should break at punctuation or spaces.
	function badBreaks(el) {
		const chars = [];
		const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
		for (let n = walker.nextNode(); n; n = walker.nextNode()) {
			for (let i = 0; i < n.data.length; i++) {
				const range = document.createRange(); range.setStart(n, i); range.setEnd(n, i + 1);
				const r = range.getClientRects()[0];
				if (r) chars.push({ c: n.data[i], top: Math.round(r.top) });
			}
		}
		const han = /\p{Script=Han}/u, bad = [];
		for (let i = 1; i < chars.length; i++) {
			if (chars[i].top > chars[i - 1].top + 2 && han.test(chars[i - 1].c) && han.test(chars[i].c)) {
				bad.push(chars.slice(Math.max(0, i - 3), i).map((x) => x.c).join("") + "|" + chars.slice(i, i + 3).map((x) => x.c).join(""));
			}
		}
		return bad;
	}
})()`

func awaitPromise(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }

// checkLayout measures the page open in b and reports what a reader at v
// would suffer.
func checkLayout(t *testing.T, b *browser, v viewport, path string) {
	t.Helper()
	var r layoutReport
	b.run(t, chromedp.Evaluate(measureLayout, &r, awaitPromise))
	// A section is laid out apart (content-visibility), and clips what
	// passes its edge rather than widen the page: an element past the
	// edge, outside any scroller, is as wrong as a page that scrolls.
	if r.ScrollWidth > r.ClientWidth || len(r.Wide) > 0 {
		t.Errorf("%s at %s is wider than the screen (scrollWidth %d, screen %d); past the edge: %s", path, v.name, r.ScrollWidth, r.ClientWidth, strings.Join(r.Wide, "; "))
	}
	if r.H1Top < 0 || r.H1Bottom > r.ViewportHeight {
		t.Errorf("%s at %s: the h1 spans y = %.0f–%.0f, not within the first screen (%.0f px)", path, v.name, r.H1Top, r.H1Bottom, r.ViewportHeight)
	}
	if r.CLS >= 0.02 {
		t.Errorf("%s at %s: cumulative layout shift %.4f ≥ 0.02: %s", path, v.name, r.CLS, strings.Join(r.Shifts, " | "))
	}
	if r.HeaderRows != 1 || r.HeaderHeight > 64 {
		t.Errorf("%s at %s: the header has %d rows, %.0f px high; want one row", path, v.name, r.HeaderRows, r.HeaderHeight)
	}
	if r.TOCOrder != "" {
		t.Errorf("%s at %s: %s", path, v.name, r.TOCOrder)
	}
	if len(r.BadBreaks) > 0 {
		t.Errorf("%s at %s: the headline breaks inside words: %q", path, v.name, r.BadBreaks)
	}
}

// TestBrowserReading checks the layout of every kind of page at both
// widths, and of every pattern page in both languages at 390 px, one tab
// per width.
func TestBrowserReading(t *testing.T) {
	ts := mustServer(t)
	requireAssets(t, ts.URL)
	for _, v := range []viewport{phone, laptop} {
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			b := newBrowser(t)
			b.run(t, setViewport(v))
			paths := readingPages()
			if v == phone {
				for _, p := range mustLibrary(t).Patterns {
					for _, lang := range []string{"en", "zh"} {
						if u := content.PatternURL(lang, p.Slug); !strings.Contains(strings.Join(paths, " "), u+" ") {
							paths = append(paths, u)
						}
					}
				}
			}
			start := time.Now()
			// Console errors are TestConformance's and TestBrowserPages'
			// concern; this test measures layout.
			for _, path := range paths {
				b.run(t, chromedp.Navigate(ts.URL+path), chromedp.WaitReady("main h1", chromedp.ByQuery))
				checkLayout(t, b, v, path)
			}
			t.Logf("%d pages at %s in %v", len(paths), v.name, time.Since(start).Round(time.Millisecond))
		})
	}
}

// activeTag is the element that has the focus, as "tag.class" or
// "tag[href]".
const activeTag = `(() => { const a = document.activeElement; if (!a) return "";
	return a.tagName.toLowerCase() + (a.getAttribute("href") ? "[" + a.getAttribute("href") + "]" : "") + (a.className ? "." + a.className : ""); })()`

// press sends one key, with modifiers, to the page.
func press(key string, mods ...input.Modifier) chromedp.Action {
	var m input.Modifier
	for _, x := range mods {
		m |= x
	}
	return chromedp.KeyEvent(key, chromedp.KeyModifiers(m))
}

// TestBrowserDrawer works the navigation drawer at 390 px by keyboard
// alone: Tab reaches the menu button, Enter opens the drawer, Tab and
// Shift+Tab stay inside it, Escape closes it and gives the focus back to
// the button; a click on the dimmed page closes it. At 1280 px the same
// tree is the sidebar, open without a click. With JavaScript off the
// drawer still opens.
func TestBrowserDrawer(t *testing.T) {
	ts := mustServer(t)
	requireAssets(t, ts.URL)
	b := newBrowser(t)
	var focused string
	var open, visible bool
	isOpen := `document.querySelector("details.drawer").open`
	sidebarShown := `(() => { const r = document.querySelector("[data-testid=sidebar] .tree a").getBoundingClientRect(); return r.width > 0 && r.left >= 0 && r.right <= innerWidth; })()`
	b.run(t, setViewport(phone), chromedp.Navigate(ts.URL+"/en/patterns/circuit-breaker"), chromedp.WaitReady("main h1", chromedp.ByQuery))
	b.run(t, chromedp.Evaluate(sidebarShown, &visible))
	if visible {
		t.Error("at 390 px the navigation tree is on screen before the menu is opened")
	}
	for i := 0; i < 12 && focused != "summary"; i++ {
		b.run(t, press(kb.Tab), chromedp.Evaluate(activeTag, &focused))
	}
	if focused != "summary" {
		t.Fatalf("Tab never reached the menu button; focus is on %s", focused)
	}
	b.run(t, press(kb.Enter), chromedp.Evaluate(isOpen, &open), chromedp.Evaluate(sidebarShown, &visible))
	if !open || !visible {
		t.Fatalf("Enter on the menu button: open %v, tree shown %v", open, visible)
	}
	b.run(t, press(kb.Tab), chromedp.Evaluate(activeTag, &focused))
	if !strings.HasPrefix(focused, "a[/en/patterns/]") {
		t.Errorf("Tab after opening went to %s, want the drawer's first link", focused)
	}
	b.run(t, press(kb.Tab, input.ModifierShift), press(kb.Tab, input.ModifierShift), chromedp.Evaluate(activeTag, &focused))
	if !strings.HasPrefix(focused, "a[/en/patterns/") || !strings.Contains(focused, "]") {
		t.Errorf("Shift+Tab from the menu button went to %s, want the drawer's last link (focus trapped)", focused)
	}
	var last string
	b.run(t, chromedp.Evaluate(`[...document.querySelectorAll("[data-testid=sidebar] a")].pop().getAttribute("href")`, &last))
	if !strings.Contains(focused, "["+last+"]") {
		t.Errorf("focus on %s, want the drawer's last link %s", focused, last)
	}
	b.run(t, press(kb.Escape), chromedp.Evaluate(isOpen, &open), chromedp.Evaluate(activeTag, &focused))
	if open || focused != "summary" {
		t.Errorf("after Escape: open %v, focus on %s; want closed, on the menu button", open, focused)
	}
	// A click on the dimmed page closes the drawer.
	b.run(t, press(kb.Enter), chromedp.MouseClickXY(370, 600), chromedp.Evaluate(isOpen, &open))
	if open {
		t.Error("a click on the dimmed page left the drawer open")
	}

	// At 1280 px the tree is the sidebar: shown, the menu button hidden.
	var summaryShown bool
	b.run(t, setViewport(laptop), chromedp.Reload(), chromedp.WaitReady("main h1", chromedp.ByQuery),
		chromedp.Evaluate(sidebarShown, &visible),
		chromedp.Evaluate(`document.querySelector("details.drawer > summary").getBoundingClientRect().width > 0`, &summaryShown))
	if !visible || summaryShown {
		t.Errorf("at 1280 px: sidebar shown %v, menu button shown %v; want the sidebar and no button", visible, summaryShown)
	}
	checkAxeStructure(t, b)
	b.noErrors(t)

	// Without JavaScript the drawer opens and closes by its summary.
	b.run(t, emulation.SetScriptExecutionDisabled(true), setViewport(phone), chromedp.Reload(), chromedp.WaitReady("main h1", chromedp.ByQuery),
		chromedp.Click("details.drawer > summary", chromedp.ByQuery), chromedp.Evaluate(sidebarShown, &visible),
		emulation.SetScriptExecutionDisabled(false))
	if !visible {
		t.Error("with JavaScript off the drawer does not open")
	}
}

// TestBrowserLanguageSwitchKeeps switches language on a search, a
// filtered list, an edited playground program and a shared one, and
// finds each kept.
func TestBrowserLanguageSwitchKeeps(t *testing.T) {
	ts := mustServerWith(t, warmingRunner{}) // sharing on; no run is needed
	requireAssets(t, ts.URL)
	b := newBrowser(t)
	switchLang := chromedp.Evaluate(`document.querySelector("a.lang-switch").click()`, nil)
	var url, value string
	b.run(t, chromedp.Navigate(ts.URL+"/en/search?q=circuit+breaker"), switchLang,
		chromedp.WaitReady(`html[lang="zh-CN"]`, chromedp.ByQuery), chromedp.Location(&url),
		chromedp.Value(".search-form input[name=q]", &value, chromedp.ByQuery))
	if url != ts.URL+"/zh/search?q=circuit+breaker" || value != "circuit breaker" {
		t.Errorf("search: switched to %s with the box holding %q", url, value)
	}
	var level string
	b.run(t, chromedp.Navigate(ts.URL+"/zh/patterns/?category=resilience&level=2"), switchLang,
		chromedp.WaitReady(`html[lang="en"]`, chromedp.ByQuery), chromedp.Location(&url),
		chromedp.Value("select[name=level]", &level, chromedp.ByQuery))
	if url != ts.URL+"/en/patterns/?category=resilience&level=2" || level != "2" {
		t.Errorf("filters: switched to %s with level %q", url, level)
	}

	// The playground's edits survive the switch, in this tab.
	var field string
	b.run(t, chromedp.Navigate(ts.URL+"/en/play/circuit-breaker"), chromedp.WaitVisible(".cm-editor .cm-content", chromedp.ByQuery))
	typeAtEnd(t, b, "\n// edited before switching\n")
	b.run(t, switchLang, chromedp.WaitReady(`html[lang="zh-CN"]`, chromedp.ByQuery),
		chromedp.WaitVisible(".cm-editor .cm-content", chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelector("textarea[name=body]").value`, &field), chromedp.Location(&url))
	if url != ts.URL+"/zh/play/circuit-breaker" || !strings.Contains(field, "// edited before switching") {
		t.Errorf("playground: switched to %s, program %.120q… without the edit", url, field)
	}
	// Reset forgets them.
	b.run(t, chromedp.Click("[data-action=reset]", chromedp.ByQuery), chromedp.Reload(),
		chromedp.WaitVisible(".cm-editor .cm-content", chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelector("textarea[name=body]").value`, &field))
	if strings.Contains(field, "// edited before switching") {
		t.Error("after Reset and a reload the edit came back")
	}

	// A shared program stays the shared program.
	typeAtEnd(t, b, "\n// shared, then switched\n")
	b.run(t, chromedp.Click("[data-action=share]", chromedp.ByQuery),
		chromedp.Poll(`location.pathname.startsWith("/p/")`, nil, chromedp.WithPollingTimeout(45*time.Second)),
		switchLang, chromedp.WaitReady(`html[lang="en"]`, chromedp.ByQuery),
		chromedp.WaitVisible(".cm-editor .cm-content", chromedp.ByQuery),
		chromedp.Location(&url), chromedp.Evaluate(`document.querySelector("textarea[name=body]").value`, &field))
	if !strings.Contains(url, "/p/") || !strings.HasSuffix(url, "?lang=en") || !strings.Contains(field, "// shared, then switched") {
		t.Errorf("shared program: switched to %s with %.80q…", url, field)
	}
	b.noErrors(t)
}

// TestBrowserSmallThings: heading links show on keyboard focus and on
// touch screens, Go code has tab stops of four, the table
// of contents marks the last section at the bottom of the page, the copy
// button copies where navigator.clipboard is missing, and the theme
// button cycles through the system's theme, the other and back.
func TestBrowserSmallThings(t *testing.T) {
	ts := mustServer(t)
	requireAssets(t, ts.URL)
	b := newBrowser(t)
	// As on a plain-HTTP host: no navigator.clipboard.
	b.run(t, chromedp.ActionFunc(func(ctx context.Context) error {
		_, err := page.AddScriptToEvaluateOnNewDocument(`Object.defineProperty(Navigator.prototype, "clipboard", { get: () => undefined })`).Do(ctx)
		return err
	}))
	b.run(t, setViewport(laptop), chromedp.Navigate(ts.URL+"/en/patterns/circuit-breaker"), chromedp.WaitVisible(".copy", chromedp.ByQuery))

	var opacity string
	b.run(t, chromedp.Evaluate(`document.querySelector("h3 a.anchor").focus()`, nil),
		chromedp.Evaluate(`getComputedStyle(document.activeElement).opacity`, &opacity))
	if opacity != "1" {
		t.Errorf("a focused H3 permalink has opacity %s", opacity)
	}
	// Where nothing hovers (a touch screen, which headless Chromium
	// reports itself as) the links are always shown; elsewhere they wait
	// for the pointer or the focus.
	var touch bool
	var resting string
	b.run(t, chromedp.Evaluate(`matchMedia("(hover: none)").matches`, &touch),
		chromedp.Evaluate(`getComputedStyle(document.querySelector("h2 a.anchor")).opacity`, &resting))
	if touch == (resting == "0") {
		t.Errorf("an H2 permalink at rest has opacity %s where hover: none is %v", resting, touch)
	}
	var tabSize string
	b.run(t, chromedp.Evaluate(`getComputedStyle(document.querySelector(".code-include pre")).tabSize`, &tabSize))
	if tabSize != "4" {
		t.Errorf("Go code has tab-size %q, want 4", tabSize)
	}

	// At the bottom of the page the TOC marks the last section that
	// starts on screen or above it: the one being read, which may be
	// taller than the screen (the related patterns, with their graph).
	lastOnScreen := `[...document.querySelectorAll(".toc a")].map((a) => document.getElementById(decodeURIComponent(a.hash.slice(1))))
		.filter((h) => h && h.getBoundingClientRect().top < innerHeight).pop()?.id ?? ""`
	activeHash := `document.querySelector(".toc a.active")?.hash ?? ""`
	var active, lastVisible string
	err := chromedp.Run(b.ctx,
		chromedp.Evaluate(`window.scrollTo({top: document.documentElement.scrollHeight, behavior: "instant"})`, nil),
		chromedp.Poll(`(`+activeHash+`) === "#" + (`+lastOnScreen+`)`, nil, chromedp.WithPollingTimeout(5*time.Second)))
	if err != nil {
		b.run(t, chromedp.Evaluate(activeHash, &active), chromedp.Evaluate(lastOnScreen, &lastVisible))
		t.Errorf("at the bottom of the page the TOC marks %q, want the last heading on screen #%s", active, lastVisible)
	}
	err = chromedp.Run(b.ctx, chromedp.Evaluate(`location.hash = "#references"`, nil),
		chromedp.Poll(`(`+activeHash+`) === "#references"`, nil, chromedp.WithPollingTimeout(5*time.Second)))
	if err != nil {
		b.run(t, chromedp.Evaluate(activeHash, &active))
		t.Errorf("after following #references the TOC marks %q", active)
	}

	// The copy button of the first included declaration, far below the
	// top of the page.
	var copied string
	b.run(t, stillAtTop(), clickSettled(".code-include .copy"),
		chromedp.Poll(`document.querySelector(".code-include .copy").textContent !== "Copy"`, nil, chromedp.WithPollingTimeout(5*time.Second)),
		chromedp.Text(".code-include .copy", &copied, chromedp.ByQuery))
	if copied != "Copied" {
		t.Errorf("without navigator.clipboard the copy button says %q", copied)
	}

	b.run(t, stillAtTop())
	var states []string
	for range 3 {
		var s struct{ Theme, Label, Root, Cookie string }
		b.run(t, chromedp.Click(".theme-toggle", chromedp.ByQuery), chromedp.Evaluate(`({Theme: document.querySelector(".theme-toggle").dataset.theme,
			Label: document.querySelector(".theme-toggle").getAttribute("aria-label"), Root: document.documentElement.dataset.theme ?? "",
			Cookie: document.cookie.split("; ").find((c) => c.startsWith("theme=")) ?? ""})`, &s))
		states = append(states, fmt.Sprintf("%s/%s/%s/%s", s.Theme, s.Label, s.Root, s.Cookie))
	}
	want := []string{"dark/Theme: Dark/dark/theme=dark", "light/Theme: Light/light/theme=light", "system/Theme: Follow the system//"}
	if strings.Join(states, " ") != strings.Join(want, " ") {
		t.Errorf("theme button states %q, want %q", states, want)
	}
	b.noErrors(t)
}

// stillAtTop scrolls to the top of the page at once and waits until the
// page stays there.
func stillAtTop() chromedp.Action {
	return chromedp.Tasks{
		chromedp.Evaluate(`window.scrollTo({top: 0, behavior: "instant"})`, nil),
		chromedp.Poll(`scrollY === 0`, nil, chromedp.WithPollingTimeout(5*time.Second)), chromedp.Sleep(100 * time.Millisecond),
		chromedp.Poll(`scrollY === 0`, nil, chromedp.WithPollingTimeout(5*time.Second)),
	}
}

// deepLinkReport is where a followed #link's heading is once the page has
// settled, and what moved on the way.
type deepLinkReport struct {
	Top, Later, Landing float64
	CLS                 float64
	Active              string
}

// measureDeepLink waits for the fonts and a few frames, reads where the
// target heading is, waits again (sections coming near the screen are laid
// out then) and reads it once more.
const measureDeepLink = `(async () => {
	await document.fonts.ready;
	const frames = (n) => new Promise((r) => { const f = () => (n-- > 0 ? requestAnimationFrame(f) : r()); f(); });
	const target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
	await frames(3);
	const top = target.getBoundingClientRect().top;
	await new Promise((r) => setTimeout(r, 800));
	await frames(3);
	const shifts = await new Promise((resolve) => {
		const seen = [];
		const po = new PerformanceObserver((list) => seen.push(...list.getEntries()));
		po.observe({ type: "layout-shift", buffered: true });
		setTimeout(() => { po.disconnect(); resolve(seen); }, 100);
	});
	return { Top: top, Later: target.getBoundingClientRect().top,
		Landing: parseFloat(getComputedStyle(document.documentElement).scrollPaddingTop),
		CLS: shifts.filter((e) => !e.hadRecentInput).reduce((s, e) => s + e.value, 0),
		Active: document.querySelector(".toc a.active")?.hash ?? "" };
})()`

// TestBrowserDeepLinks opens pattern pages at a section (an H2 far down,
// an H3, the last section) on a phone and a laptop: the heading lands
// where a followed #link lands, at the top below the sticky header, stays
// there while the sections around it are laid out, the page does not
// shift, and the table of contents marks it.
func TestBrowserDeepLinks(t *testing.T) {
	ts := mustServer(t)
	requireAssets(t, ts.URL)
	links := []string{"/en/patterns/raft#pitfalls", "/zh/patterns/gossip-dissemination#references",
		"/en/patterns/rate-limiting#runnable-demo", "/zh/patterns/durable-execution#faq"}
	for _, v := range []viewport{phone, laptop} {
		t.Run(v.name, func(t *testing.T) {
			b := newBrowser(t)
			b.run(t, setViewport(v))
			for _, link := range links {
				var r deepLinkReport
				b.run(t, chromedp.Navigate(ts.URL+link), chromedp.WaitReady("main h1", chromedp.ByQuery),
					chromedp.Evaluate(measureDeepLink, &r, awaitPromise))
				if math.Abs(r.Top-r.Landing) > 2 || math.Abs(r.Later-r.Landing) > 2 {
					t.Errorf("%s at %s: the heading is at y = %.1f, then %.1f; want %.0f (below the header)", link, v.name, r.Top, r.Later, r.Landing)
				}
				if r.CLS >= 0.02 {
					t.Errorf("%s at %s: cumulative layout shift %.4f ≥ 0.02", link, v.name, r.CLS)
				}
				if want := link[strings.Index(link, "#"):]; r.Active != want {
					t.Errorf("%s at %s: the table of contents marks %q", link, v.name, r.Active)
				}
			}
			b.noErrors(t)
		})
	}
}

// clickSettled scrolls the element sel selects to the middle of the
// screen, waits until it stays in place, and clicks it, as a reader would.
// A pattern page lays out its sections only as they come near the screen
// (content-visibility), so after a jump the boxes around settle over the
// next frames, and a click aimed before then could miss.
func clickSettled(sel string) chromedp.Action {
	settle := fmt.Sprintf(`(async () => {
		const el = document.querySelector(%q);
		el.scrollIntoView({ block: "center" });
		const frame = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
		let last = NaN;
		for (let i = 0; i < 50; i++) {
			await frame();
			const top = el.getBoundingClientRect().top;
			if (top === last) return true;
			last = top;
		}
		return false;
	})()`, sel)
	return chromedp.Tasks{
		chromedp.Evaluate(settle, nil, awaitPromise),
		chromedp.Click(sel, chromedp.ByQuery),
	}
}

// tocFollow visits every target of the table of contents, in the order
// given, by scrolling its heading to the top, then 200 px lower, and
// reports each time the marked link and the one the geometry says: the
// last target whose top (an H2's section, an H3 itself) is above the
// reading line 120 px from the top. Targets near the end, which cannot
// reach the top, are left out: the bottom of the page has its own rule.
const tocFollow = `(async (reverse) => {
	const frames = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
	const settle = async (el) => { let last = NaN; for (let i = 0; i < 50; i++) { await frames(); const y = el.getBoundingClientRect().top; if (y === last) return; last = y; } };
	const targets = [...document.querySelectorAll(".toc a[href^='#']")].map((a) => {
		const h = document.getElementById(decodeURIComponent(a.hash.slice(1)));
		return { hash: a.hash, h, box: h.tagName === "H2" ? h.closest("section") : h };
	});
	const expected = () => { let id = targets[0].hash; for (const t of targets) if (t.box.getBoundingClientRect().top <= 120) id = t.hash; return id; };
	const marked = () => document.querySelector(".toc a.active")?.hash ?? "";
	const bottom = () => innerHeight + scrollY >= document.documentElement.scrollHeight - 2;
	const seen = [];
	for (const t of reverse ? [...targets].reverse() : targets) {
		t.h.scrollIntoView();
		await settle(t.h);
		if (bottom()) continue;
		seen.push({ At: t.hash + " at the top", Marked: marked(), Want: expected() });
		window.scrollBy(0, -200);
		await settle(t.h);
		seen.push({ At: t.hash + " 200 px lower", Marked: marked(), Want: expected() });
	}
	return seen;
})`

// TestBrowserTOCFollows scrolls through pattern pages, down and then up,
// on a phone and a laptop, and finds the table of contents marking the
// section being read at every step (sections far from the screen are not
// laid out, and their headings report nothing new while they are not).
func TestBrowserTOCFollows(t *testing.T) {
	ts := mustServer(t)
	requireAssets(t, ts.URL)
	for _, v := range []viewport{phone, laptop} {
		t.Run(v.name, func(t *testing.T) {
			b := newBrowser(t)
			b.run(t, setViewport(v))
			for _, path := range []string{"/en/patterns/raft", "/zh/patterns/gossip-dissemination"} {
				b.run(t, chromedp.Navigate(ts.URL+path), chromedp.WaitReady("main h1", chromedp.ByQuery))
				for _, reverse := range []bool{false, true} {
					var steps []struct{ At, Marked, Want string }
					b.run(t, chromedp.Evaluate(fmt.Sprintf("%s(%v)", tocFollow, reverse), &steps, awaitPromise))
					if len(steps) < 10 {
						t.Errorf("%s at %s: only %d steps checked", path, v.name, len(steps))
					}
					for _, s := range steps {
						if s.Marked != s.Want {
							t.Errorf("%s at %s (reverse %v), %s: the TOC marks %q, want %q", path, v.name, reverse, s.At, s.Marked, s.Want)
						}
					}
				}
			}
			b.noErrors(t)
		})
	}
}
