package tests

import (
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"os/exec"
	goruntime "runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/lamport-kb/lamport/playground"
)

// browser starts headless Chromium for one test and collects every console
// error, uncaught exception and browser-logged error (CSP violations,
// failed loads) it reports.
type browser struct {
	ctx    context.Context
	mu     sync.Mutex
	errors []string
}

func chromiumPath() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// chromium is a pool of headless Chromiums, one per test that may run in
// parallel (GOMAXPROCS, go test's default -parallel), started on first
// use and kept for the test binary. A test borrows one and opens a tab in
// it (newBrowser), so a test of every page costs a tab, not a browser
// start; one tab at a time per browser keeps every test's tab in front,
// where animation frames and observers run.
var chromium struct {
	once sync.Once
	idle chan *chromiumProcess
	mu   sync.Mutex
	all  []*chromiumProcess
}

type chromiumProcess struct {
	ctx    context.Context // the browser
	cancel func()
}

// startChromium starts a browser.
func startChromium(path string) (*chromiumProcess, error) {
	// Chromium may still write to its profile while shutting down, so the
	// profile is removed by hand (ignoring errors) when it is closed.
	profile, err := os.MkdirTemp("", "lamport-chromium-")
	if err != nil {
		return nil, err
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(1280, 900),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	c := &chromiumProcess{ctx: ctx, cancel: func() { cancelCtx(); cancelAlloc(); os.RemoveAll(profile) }}
	if err := chromedp.Run(ctx); err != nil { // starts the browser and its first tab
		c.cancel()
		return nil, err
	}
	return c, nil
}

// borrowChromium takes an idle browser from the pool, starting one while
// the pool is smaller than GOMAXPROCS.
func borrowChromium(path string) (*chromiumProcess, error) {
	chromium.once.Do(func() { chromium.idle = make(chan *chromiumProcess, goruntime.GOMAXPROCS(0)) })
	select {
	case c := <-chromium.idle:
		return c, nil
	default:
	}
	chromium.mu.Lock()
	if len(chromium.all) < cap(chromium.idle) {
		c, err := startChromium(path)
		if err == nil {
			chromium.all = append(chromium.all, c)
		}
		chromium.mu.Unlock()
		return c, err
	}
	chromium.mu.Unlock()
	return <-chromium.idle, nil
}

// closeChromium stops every browser of the pool.
func closeChromium() {
	chromium.mu.Lock()
	defer chromium.mu.Unlock()
	for _, c := range chromium.all {
		c.cancel()
	}
}

// newBrowser opens a tab for one test in a browser of the pool, or skips
// the test when no Chromium is installed, unless LAMPORT_REQUIRE_BROWSER
// is set (as in CI), where it fails instead.
func newBrowser(t *testing.T) *browser {
	t.Helper()
	path := chromiumPath()
	if path == "" {
		if os.Getenv("LAMPORT_REQUIRE_BROWSER") != "" {
			t.Fatal("Chromium is required (LAMPORT_REQUIRE_BROWSER is set) but not installed: apt-get install chromium")
		}
		t.Skip("SKIPPING BROWSER TEST: Chromium not found (apt-get install chromium); CI runs it")
	}
	c, err := borrowChromium(path)
	if err != nil {
		t.Fatalf("starting Chromium: %v", err)
	}
	tab, closeTab := chromedp.NewContext(c.ctx)
	// A hang guard for the tab's whole scenario, not a speed bound: on a
	// busy 2-core machine TestBrowserPlayground's builds wait behind the
	// conformance test's demos (3 minutes was not enough at 20 patterns).
	ctx, cancelTimeout := context.WithTimeout(tab, 8*time.Minute)
	t.Cleanup(func() { cancelTimeout(); closeTab(); chromium.idle <- c })
	b := &browser{ctx: ctx}
	chromedp.ListenTarget(ctx, b.listen)
	// A test starts as a new reader: the browser is shared by the tests
	// in turn, and a cookie one left behind (the theme button's choice)
	// would otherwise change what the next one sees.
	if err := chromedp.Run(ctx, log.Enable(), runtime.Enable(), page.BringToFront(), network.ClearBrowserCookies()); err != nil {
		t.Fatalf("opening a tab: %v", err)
	}
	return b
}

func (b *browser) listen(ev any) {
	var msg string
	switch e := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		if e.Type == runtime.APITypeError || e.Type == runtime.APITypeAssert {
			var parts []string
			for _, a := range e.Args {
				parts = append(parts, strings.Trim(string(a.Value), `"`)+a.Description)
			}
			msg = "console: " + strings.Join(parts, " ")
		}
	case *runtime.EventExceptionThrown:
		msg = "exception: " + e.ExceptionDetails.Error()
	case *log.EventEntryAdded:
		if e.Entry.Level == log.LevelError {
			msg = fmt.Sprintf("log (%s): %s %s", e.Entry.Source, e.Entry.Text, e.Entry.URL)
		}
	}
	if msg != "" {
		b.mu.Lock()
		b.errors = append(b.errors, msg)
		b.mu.Unlock()
	}
}

func (b *browser) run(t *testing.T, actions ...chromedp.Action) {
	t.Helper()
	if err := chromedp.Run(b.ctx, actions...); err != nil {
		t.Fatal(err)
	}
}

// noErrors fails the test with every console error seen so far.
func (b *browser) noErrors(t *testing.T) {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, e := range b.errors {
		t.Errorf("browser reported an error: %s", e)
	}
}

// requireAssets fails when the front end was not bundled: the browser tests
// are meaningless without CSS and JavaScript.
func requireAssets(t *testing.T, base string) {
	t.Helper()
	if _, err := os.Stat("../static/dist/js/site.js"); err != nil {
		t.Fatal("static/dist is not built: run `make assets` (make test does)")
	}
}

func TestBrowserPages(t *testing.T) {
	ts := mustServer(t)
	requireAssets(t, ts.URL)
	// TestConformance opens every pattern page; here one of each language
	// gets the contrast check too.
	for _, path := range []string{"/en/", "/zh/", "/en/patterns/", "/zh/patterns/", "/en/tags/", "/zh/search?q=熔断",
		"/en/patterns/circuit-breaker", "/zh/patterns/durable-execution"} {
		t.Run(strings.ReplaceAll(path, "/", "_"), func(t *testing.T) {
			b := newBrowser(t)
			b.run(t, chromedp.Navigate(ts.URL+path), chromedp.WaitReady("main"))
			checkAxe(t, b)
			b.noErrors(t)
		})
	}
}

// waitDiagram checks that the page shows its diagrams, drawn by `lamport
// render`, as images.
func waitDiagram(t *testing.T, b *browser) {
	t.Helper()
	var n int
	b.run(t,
		chromedp.WaitVisible(`.diagram svg[role="img"]`, chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelectorAll(".diagram svg").length`, &n))
	if n == 0 {
		t.Fatal("no diagram shown as SVG")
	}
}

type axeViolation struct {
	ID, Impact, Help string
	Nodes            int
	Example          string
}

// checkAxe runs axe-core in the page and fails on serious or critical
// violations.
func checkAxe(t *testing.T, b *browser) { t.Helper(); runAxe(t, b, "{}") }

// checkAxeStructure is checkAxe without the colour-contrast rule, which
// costs more than every other rule together on a long page and depends
// only on the shared stylesheet: TestBrowserPages and TestBrowserDarkMode
// check contrast on pattern pages in both languages and themes.
func checkAxeStructure(t *testing.T, b *browser) {
	t.Helper()
	runAxe(t, b, `{"color-contrast": {enabled: false}}`)
}

// axeSource is axe-core's script, read once.
var axeSource = sync.OnceValues(func() ([]byte, error) { return os.ReadFile("../static/node_modules/axe-core/axe.min.js") })

func runAxe(t *testing.T, b *browser, rules string) {
	t.Helper()
	src, err := axeSource()
	if err != nil {
		t.Fatalf("axe-core is missing (npm ci in static/): %v", err)
	}
	var violations []axeViolation
	b.run(t,
		chromedp.Evaluate(string(src), nil),
		chromedp.Evaluate(`axe.run(document, {resultTypes: ["violations"], rules: `+rules+`}).then(r => r.violations
			.filter(v => v.impact === "serious" || v.impact === "critical")
			.map(v => ({ID: v.id, Impact: v.impact, Help: v.help, Nodes: v.nodes.length,
				Example: v.nodes.slice(0, 3).map(n => n.target.join(" ") + ": " + (n.failureSummary || "")).join(" | ")})))`,
			&violations, func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }))
	for _, v := range violations {
		t.Errorf("axe %s (%s): %s, on %d elements, e.g. %s", v.ID, v.Impact, v.Help, v.Nodes, v.Example)
	}
}

// TestBrowserLanguageSwitch scrolls to a section, switches language and
// expects to land on the same section in Chinese.
func TestBrowserLanguageSwitch(t *testing.T) {
	ts := mustServer(t)
	requireAssets(t, ts.URL)
	b := newBrowser(t)
	var url, active string
	b.run(t,
		chromedp.Navigate(ts.URL+"/en/patterns/circuit-breaker"),
		chromedp.WaitReady("main"),
		chromedp.Evaluate(`document.getElementById("pitfalls").scrollIntoView({behavior: "instant"})`, nil),
		chromedp.Poll(`document.querySelector(".toc a.active")?.hash === "#pitfalls"`, nil, chromedp.WithPollingTimeout(10*time.Second)),
		// A DOM click, like a reader's: chromedp.Click would scroll first.
		chromedp.Evaluate(`document.querySelector("a.lang-switch").click()`, nil),
		chromedp.WaitReady(`html[lang="zh-CN"]`, chromedp.ByQuery),
		chromedp.Location(&url),
		chromedp.Evaluate(`document.querySelector(".toc a.active")?.hash ?? ""`, &active),
	)
	if want := ts.URL + "/zh/patterns/circuit-breaker#pitfalls"; url != want {
		t.Errorf("after switching language the URL is %s, want %s", url, want)
	}
	b.noErrors(t)
}

// TestBrowserDarkMode toggles the theme, checks the colours change, and that
// the choice survives a reload (the server renders it from the cookie).
func TestBrowserDarkMode(t *testing.T) {
	ts := mustServer(t)
	requireAssets(t, ts.URL)
	b := newBrowser(t)
	var before, after, theme, reloaded string
	bg := `getComputedStyle(document.body).backgroundColor`
	b.run(t,
		chromedp.Navigate(ts.URL+"/en/patterns/circuit-breaker"),
		chromedp.WaitVisible(".theme-toggle", chromedp.ByQuery),
		chromedp.Evaluate(bg, &before),
		chromedp.Click(".theme-toggle", chromedp.ByQuery),
		chromedp.Evaluate(`document.documentElement.dataset.theme`, &theme),
		chromedp.Evaluate(bg, &after),
		chromedp.Reload(),
		chromedp.WaitReady("main"),
		chromedp.Evaluate(`document.documentElement.dataset.theme ?? ""`, &reloaded),
	)
	if theme != "dark" || before == after {
		t.Errorf("toggle: theme %q, background %s → %s; want dark and a change", theme, before, after)
	}
	if reloaded != "dark" {
		t.Errorf("after reload the theme is %q, want dark", reloaded)
	}
	waitDiagram(t, b)
	checkAxe(t, b)

	b.noErrors(t)
}

// TestBrowserPlayground opens a pattern's playground, edits the demo in the
// code editor as a reader types, runs it with the real playground, and sees
// the output and the status line; then it breaks the program and follows a
// compile error to its line.
func TestBrowserPlayground(t *testing.T) {
	ts := mustServerWith(t, mustPlayground(t))
	requireAssets(t, ts.URL)
	b := newBrowser(t)
	var out, status, field string
	b.run(t,
		chromedp.Navigate(ts.URL+"/en/play/circuit-breaker"),
		chromedp.WaitVisible(`[data-action=format]`, chromedp.ByQuery),
		chromedp.WaitVisible(`.cm-editor .cm-content`, chromedp.ByQuery),
	)
	light := keywordColour(t, b)
	typeAtEnd(t, b, "\nfunc init() { println(\"edited ok\") }\n")
	b.run(t,
		chromedp.Click(`[data-action=run]`, chromedp.ByQuery),
		chromedp.Poll(`document.querySelector(".play-status").textContent.includes("exit status")`, nil, chromedp.WithPollingTimeout(80*time.Second)),
		chromedp.Text(".play-output", &out, chromedp.ByQuery),
		chromedp.Text(".play-status", &status, chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelector("textarea[name=body]").value`, &field),
	)
	if !strings.Contains(out, "edited ok") || !strings.Contains(status, "exit status 0") {
		t.Errorf("status %q, output %.300q", status, out)
	}
	if !strings.Contains(field, `println("edited ok")`) {
		t.Errorf("the form's textarea did not follow the editor: %.300q", field)
	}
	checkAxe(t, b)
	reopenShared(t, b)

	b.run(t, chromedp.Click(".theme-toggle", chromedp.ByQuery))
	if dark := keywordColour(t, b); dark == light {
		t.Errorf("keywords are %s in both themes", dark)
	}
	checkAxe(t, b)
	followCompileError(t, b)

	// The pattern page runs its demo in place.
	var demo string
	b.run(t,
		chromedp.Navigate(ts.URL+"/zh/patterns/rate-limiting"),
		chromedp.WaitReady(`[data-run-demo]:not([hidden])`, chromedp.ByQuery),
		clickSettled(`[data-run-demo]`),
		chromedp.WaitVisible(`[data-testid=demo-output]`, chromedp.ByQuery),
		chromedp.Text(`[data-testid=demo-output]`, &demo, chromedp.ByQuery),
	)
	if !strings.Contains(demo, "runaway") {
		t.Errorf("inline demo output %.200q", demo)
	}
	b.noErrors(t)
}

// keywordColour checks that the playground's code editor highlights Go
// keywords, and returns their colour.
func keywordColour(t *testing.T, b *browser) string {
	t.Helper()
	var kw struct {
		Words        []string
		Colour, Text string
	}
	// CodeMirror parses in the background, in slices of time: on a busy
	// machine the later lines are highlighted a moment later.
	b.run(t, chromedp.Poll(`[...document.querySelectorAll(".cm-editor .cm-line span.tok-keyword")].some((s) => s.textContent === "func")`,
		nil, chromedp.WithPollingTimeout(15*time.Second)))
	b.run(t, chromedp.Evaluate(`(() => {
		const spans = [...document.querySelectorAll(".cm-editor .cm-line span.tok-keyword")];
		return {Words: spans.map((s) => s.textContent),
			Colour: spans.length ? getComputedStyle(spans[0]).color : "",
			Text: getComputedStyle(document.querySelector(".cm-content")).color};
	})()`, &kw))
	if !slices.Contains(kw.Words, "package") || !slices.Contains(kw.Words, "func") {
		t.Errorf("highlighted keywords %q, want package and func among them", kw.Words)
	}
	if kw.Colour == kw.Text {
		t.Errorf("keywords have the text colour %s", kw.Colour)
	}
	return kw.Colour
}

// typeAtEnd types text at the end of the program in the code editor,
// with the keyboard.
func typeAtEnd(t *testing.T, b *browser, text string) {
	t.Helper()
	b.run(t,
		chromedp.Focus(".cm-content", chromedp.ByQuery),
		chromedp.KeyEvent(kb.End, chromedp.KeyModifiers(input.ModifierCtrl)),
		chromedp.SendKeys(".cm-content", text, chromedp.ByQuery),
	)
}

// followCompileError adds a compile error, runs with Ctrl+Enter, expects the
// error's line marked in the editor, and clicks the error to put the cursor
// on that line.
func followCompileError(t *testing.T, b *browser) {
	t.Helper()
	typeAtEnd(t, b, "\nfunc broken() { undefinedName() }\n")
	var marked, out string
	err := chromedp.Run(b.ctx,
		chromedp.KeyEvent(kb.Enter, chromedp.KeyModifiers(input.ModifierCtrl)),
		chromedp.Poll(`!!document.querySelector(".play-output a")`, nil, chromedp.WithPollingTimeout(2*time.Minute)))
	if err != nil {
		chromedp.Run(b.ctx, chromedp.Evaluate(`document.querySelector(".play-output").textContent + " | " + document.querySelector(".play-status").textContent`, &out))
		t.Fatalf("no linked compile error after Ctrl+Enter (%v); output and status: %.500q", err, out)
	}
	b.run(t,
		chromedp.Evaluate(`[...document.querySelectorAll(".cm-error-line")].map((l) => l.textContent).join("\n")`, &marked),
	)
	if !strings.Contains(marked, "undefinedName()") {
		t.Errorf("marked error lines %q, want the line calling undefinedName", marked)
	}
	cursorOnError := `(() => {
		const node = getSelection().focusNode;
		const el = node?.nodeType === Node.ELEMENT_NODE ? node : node?.parentElement;
		return document.activeElement?.classList.contains("cm-content") &&
			!!el?.closest(".cm-line.cm-error-line");
	})()`
	b.run(t,
		chromedp.Click(".play-output a", chromedp.ByQuery),
		chromedp.Poll(cursorOnError, nil, chromedp.WithPollingTimeout(5*time.Second)),
	)
}

// TestBrowserEngineDemo runs the durable-execution demo in the playground
// on the fake clock: the bundled engine runs in the jail, the run that
// "crashed" is recovered, and the run's timeline, written as an IMAGE:
// line, is drawn as a picture under the output.
func TestBrowserEngineDemo(t *testing.T) {
	ts := mustServerWith(t, mustPlayground(t))
	requireAssets(t, ts.URL)
	b := newBrowser(t)
	var out string
	var image svgFrame
	b.run(t,
		chromedp.Navigate(ts.URL+"/en/play/durable-execution"),
		chromedp.WaitVisible(`.cm-editor .cm-content`, chromedp.ByQuery),
		chromedp.Click(`[data-testid=play-faketime]`, chromedp.ByQuery),
		chromedp.Click(`[data-action=run]`, chromedp.ByQuery),
		chromedp.Poll(`document.querySelector(".play-status").textContent.includes("exit status")`, nil, chromedp.WithPollingTimeout(150*time.Second)),
		chromedp.Poll(svgFrameDrawn, nil, chromedp.WithPollingTimeout(30*time.Second)),
		chromedp.Text(".play-output", &out, chromedp.ByQuery),
		chromedp.Evaluate(svgFrames, &image),
	)
	if !strings.Contains(out, "recovered 1 run(s)") || strings.Contains(out, "IMAGE:") {
		t.Errorf("output %.400q", out)
	}
	if image.Count != 1 || image.Width < 100 || !image.Sandboxed || !strings.Contains(image.Source, "<svg") || !strings.Contains(image.Source, "<title>") {
		t.Errorf("timeline image %+v", image)
	}
	checkAxe(t, b)
	b.noErrors(t)
}

// svgFrameDrawn holds once the output shows an SVG picture in its frame.
const svgFrameDrawn = `(() => { const f = document.querySelector(".play-output iframe.play-image"); return !!f && f.offsetWidth > 0; })()`

// svgFrames describes the SVG pictures under the output: how many, the
// first one's drawn size, whether its frame is sandboxed with nothing
// allowed (no script, an opaque origin), and its document.
const svgFrames = `(() => { const fs = document.querySelectorAll(".play-output iframe.play-image");
	return {Count: fs.length, Width: fs[0].offsetWidth, Height: fs[0].offsetHeight,
		Sandboxed: fs[0].getAttribute("sandbox") === "", Source: fs[0].srcdoc}; })()`

type svgFrame struct {
	Count, Width, Height int
	Sandboxed            bool
	Source               string
}

// TestBrowserSimDemo runs the Lamport clock demo in the playground: the
// simulator runs in the jail, and its space-time diagram is drawn under
// the output in a sandboxed frame, where hovering a message shows its
// <title>: one per message and per event.
func TestBrowserSimDemo(t *testing.T) {
	ts := mustServerWith(t, mustPlayground(t))
	requireAssets(t, ts.URL)
	b := newBrowser(t)
	var out string
	var image svgFrame
	b.run(t,
		chromedp.Navigate(ts.URL+"/en/play/lamport-clock"),
		chromedp.WaitVisible(`.cm-editor .cm-content`, chromedp.ByQuery),
		chromedp.Click(`[data-action=run]`, chromedp.ByQuery),
		chromedp.Poll(`document.querySelector(".play-status").textContent.includes("exit status")`, nil, chromedp.WithPollingTimeout(150*time.Second)),
		chromedp.Poll(svgFrameDrawn, nil, chromedp.WithPollingTimeout(30*time.Second)),
		chromedp.Text(".play-output", &out, chromedp.ByQuery),
		chromedp.Evaluate(svgFrames, &image),
	)
	if !strings.Contains(out, "the clock condition held") || strings.Contains(out, "IMAGE:") {
		t.Errorf("output %.400q", out)
	}
	if image.Count != 1 || image.Height < 300 || !image.Sandboxed {
		t.Errorf("diagram %+v", image)
	}
	for _, want := range []string{"<title>#0 ", " · delivered", "cut by a partition", "B down from", "C=11"} {
		if !strings.Contains(image.Source, want) {
			t.Errorf("the diagram lacks %q", want)
		}
	}
	checkAxe(t, b)
	b.noErrors(t)
}

// reopenShared shares the edited program, opens the link it gets, and
// expects the same code in the editor.
func reopenShared(t *testing.T, b *browser) {
	t.Helper()
	var link, code string
	b.run(t,
		chromedp.Click(`[data-action=share]`, chromedp.ByQuery),
		chromedp.Poll(`location.pathname.startsWith("/p/")`, nil, chromedp.WithPollingTimeout(45*time.Second)),
		chromedp.Evaluate(`location.href`, &link),
	)
	b.run(t, // a new run: Navigate takes the link's value when it is built
		chromedp.Navigate("about:blank"),
		chromedp.Navigate(link),
		chromedp.WaitVisible(`.cm-editor .cm-content`, chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelector("textarea[name=body]").value`, &code), // the editor draws only the lines in view
	)
	if !strings.Contains(code, `println("edited ok")`) {
		t.Errorf("the shared link %s reopened %.200q", link, code)
	}
}

// answerNotJSON has the browser answer the playground's Format request
// as a proxy might, 429 in text/plain, and returns the output shown.
func answerNotJSON(t *testing.T, b *browser) string {
	t.Helper()
	chromedp.ListenTarget(b.ctx, func(ev any) {
		if e, ok := ev.(*fetch.EventRequestPaused); ok {
			go func() {
				ctx := cdp.WithExecutor(b.ctx, chromedp.FromContext(b.ctx).Target)
				fetch.FulfillRequest(e.RequestID, 429).
					WithResponseHeaders([]*fetch.HeaderEntry{{Name: "Content-Type", Value: "text/plain; charset=utf-8"}}).
					WithBody(base64.StdEncoding.EncodeToString([]byte("Too Many Requests\n"))).Do(ctx)
			}()
		}
	})
	var out string
	b.run(t,
		fetch.Enable().WithPatterns([]*fetch.RequestPattern{{URLPattern: "*/api/fmt*"}}),
		chromedp.Evaluate(`document.querySelector(".play-output").textContent = ""`, nil),
		chromedp.Click(`[data-action=format]`, chromedp.ByQuery),
		chromedp.Poll(`document.querySelector(".play-output").textContent !== ""`, nil, chromedp.WithPollingTimeout(10*time.Second)),
		chromedp.Text(".play-output", &out, chromedp.ByQuery),
		fetch.Disable(),
	)
	return out
}

// warmingRunner refuses every program as the playground does while its
// build cache warms.
type warmingRunner struct{}

func (warmingRunner) Run(context.Context, playground.Request) (*playground.Response, error) {
	return nil, &playground.WarmingError{Remaining: 42 * time.Second}
}

// TestBrowserRunRefused runs the demo of a pattern page and the
// playground while the playground warms up: both show the server's
// message in the page's language where the output goes, not a JSON
// parse error or nothing.
func TestBrowserRunRefused(t *testing.T) {
	ts := mustServerWith(t, warmingRunner{})
	requireAssets(t, ts.URL)
	b := newBrowser(t)
	var demo, demoStatus, play string
	b.run(t,
		chromedp.Navigate(ts.URL+"/zh/patterns/rate-limiting"),
		chromedp.WaitReady(`[data-run-demo]:not([hidden])`, chromedp.ByQuery),
		clickSettled(`[data-run-demo]`),
		chromedp.WaitVisible(`[data-testid=demo-output]`, chromedp.ByQuery),
		chromedp.Text(`[data-testid=demo-output]`, &demo, chromedp.ByQuery),
		chromedp.Text(`.play-actions .play-status`, &demoStatus, chromedp.ByQuery),
		chromedp.Navigate(ts.URL+"/en/play/circuit-breaker"),
		chromedp.WaitVisible(`[data-action=format]`, chromedp.ByQuery),
		chromedp.Click(`[data-action=run]`, chromedp.ByQuery),
		chromedp.Poll(`document.querySelector(".play-output").textContent !== ""`, nil, chromedp.WithPollingTimeout(10*time.Second)),
		chromedp.Text(".play-output", &play, chromedp.ByQuery),
	)
	if demo != "在线运行环境正在预热（约 42 秒）" || demoStatus != "未运行" {
		t.Errorf("pattern page: output %q, status %q", demo, demoStatus)
	}
	if play != "the playground is warming up (about 42 s)" {
		t.Errorf("playground: output %q", play)
	}
	if got := answerNotJSON(t, b); got != "Too many requests. Wait a moment and try again." {
		t.Errorf("a 429 in text/plain showed %q", got)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, e := range b.errors { // the refusals themselves are logged as failed loads
		if !strings.Contains(e, "503") && !strings.Contains(e, "429") {
			t.Errorf("browser reported an error: %s", e)
		}
	}
}
