package tests

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/lamport-kb/lamport/content"
	"github.com/lamport-kb/lamport/i18n"
)

// suggestions is what the header's search list shows.
type suggestions struct {
	Expanded, Active string
	Groups           []string // group titles, badges included
	URLs             []string // of the options, in order
	Marks            []string // the marked words
	Selected         []string // URLs of options with aria-selected=true
}

const readSuggestions = `(() => {
	const input = document.querySelector("form.site-search input[name=q]");
	const lb = document.getElementById("search-listbox");
	return {
		Expanded: input.getAttribute("aria-expanded") ?? "",
		Active: input.getAttribute("aria-activedescendant") ?? "",
		Groups: [...lb.querySelectorAll("[role=group] > .search-group-title")].map((g) => g.textContent),
		URLs: [...lb.querySelectorAll("[role=option]")].map((o) => o.dataset.url),
		Marks: [...lb.querySelectorAll("mark")].map((m) => m.textContent),
		Selected: [...lb.querySelectorAll("[role=option][aria-selected=true]")].map((o) => o.dataset.url),
	};
})()`

// typeQuery types q into the focused header box as a reader does (an
// input method commits Chinese text at once) and waits for its results.
func typeQuery(t *testing.T, b *browser, q string) suggestions {
	t.Helper()
	b.run(t, chromedp.Evaluate(`document.querySelector("form.site-search input[name=q]").value = ""`, nil))
	for _, r := range q {
		b.run(t, input.InsertText(string(r)))
	}
	var s suggestions
	b.run(t,
		chromedp.Poll(`document.getElementById("search-listbox")?.dataset.query === `+jsString(q)+` && !document.querySelector(".search-popup").hidden`,
			nil, chromedp.WithPollingTimeout(20*time.Second)),
		chromedp.Evaluate(readSuggestions, &s))
	return s
}

func jsString(s string) string { return "`" + strings.ReplaceAll(s, "`", "") + "`" }

// keys a test presses, as a browser's keyboard sends them: one keyDown
// with the key's text, so a handler that cancels the keydown cancels the
// text too (chromedp.KeyEvent sends the text as a separate char event,
// which a real keyboard does not: "/" would land in the box it focused,
// Enter would submit the form after the list opened the option).
var (
	keySlash = input.DispatchKeyEventParams{Key: "/", Code: "Slash", WindowsVirtualKeyCode: 191, Text: "/"}
	keyEnter = input.DispatchKeyEventParams{Key: "Enter", Code: "Enter", WindowsVirtualKeyCode: 13, Text: "\r"}
	keyDown  = input.DispatchKeyEventParams{Key: "ArrowDown", Code: "ArrowDown", WindowsVirtualKeyCode: 40}
	keyUp    = input.DispatchKeyEventParams{Key: "ArrowUp", Code: "ArrowUp", WindowsVirtualKeyCode: 38}
	keyEsc   = input.DispatchKeyEventParams{Key: "Escape", Code: "Escape", WindowsVirtualKeyCode: 27}
	keyCtrlK = input.DispatchKeyEventParams{Key: "k", Code: "KeyK", WindowsVirtualKeyCode: 75, Modifiers: input.ModifierCtrl}
)

// pressKey presses k and returns what the list shows then.
func pressKey(t *testing.T, b *browser, k input.DispatchKeyEventParams) suggestions {
	t.Helper()
	down, up := k, k
	down.Type, up.Type, up.Text = input.KeyDown, input.KeyUp, ""
	var s suggestions
	b.run(t, &down, &up)
	if k.Key != "Enter" {
		b.run(t, chromedp.Evaluate(readSuggestions, &s))
	}
	return s
}

func focusedIsSearch(t *testing.T, b *browser) bool {
	t.Helper()
	var ok bool
	b.run(t, chromedp.Evaluate(`document.activeElement === document.querySelector("form.site-search input[name=q]")`, &ok))
	return ok
}

// TestBrowserSearchAsYouType types the learners' questions of issue 11
// into the header in both languages, and walks the keyboard flow: / and
// Ctrl+K focus the box, the arrows move through the results, Escape
// closes them, Enter opens the active one (or, with none, the results
// page); axe finds nothing serious with the list open. With JavaScript
// off, the same box submits to the results page.
func TestBrowserSearchAsYouType(t *testing.T) {
	ts := mustServer(t)
	requireAssets(t, ts.URL)
	b := newBrowser(t)

	b.run(t, chromedp.Navigate(ts.URL+"/en/"), chromedp.WaitVisible("form.site-search", chromedp.ByQuery),
		chromedp.Poll(`document.querySelector("form.site-search input").getAttribute("role") === "combobox"`, nil))
	if pressKey(t, b, keySlash); !focusedIsSearch(t, b) {
		t.Fatal("/ did not focus the search box")
	}
	s := typeQuery(t, b, "what happens to requests while the breaker is half open")
	if len(s.URLs) < 2 || !strings.HasPrefix(s.URLs[0], "/en/patterns/circuit-breaker") || s.Expanded != "true" || len(s.Marks) == 0 {
		t.Fatalf("half open: %+v", s)
	}
	if s = pressKey(t, b, keyDown); s.Active == "" || len(s.Selected) != 1 || s.Selected[0] != s.URLs[0] {
		t.Errorf("ArrowDown: %+v, want the first option active", s)
	}
	if s = pressKey(t, b, keyDown); len(s.Selected) != 1 || s.Selected[0] != s.URLs[1] {
		t.Errorf("ArrowDown twice: selected %v, want %s", s.Selected, s.URLs[1])
	}
	if s = pressKey(t, b, keyUp); len(s.Selected) != 1 || s.Selected[0] != s.URLs[0] {
		t.Errorf("ArrowUp: selected %v, want %s", s.Selected, s.URLs[0])
	}
	if s = pressKey(t, b, keyEsc); s.Expanded != "false" || s.Active != "" {
		t.Errorf("Escape: %+v, want the list closed", s)
	}
	var hidden bool
	b.run(t, chromedp.Evaluate(`document.querySelector(".search-popup").hidden`, &hidden))
	if !hidden {
		t.Error("Escape left the list visible")
	}
	pressKey(t, b, keyDown) // reopens with the same results
	if s = pressKey(t, b, keyDown); len(s.Selected) != 1 || s.Expanded != "true" {
		t.Fatalf("ArrowDown after Escape: %+v, want the list open again", s)
	}
	want := s.Selected[0]
	var url string
	pressKey(t, b, keyEnter)
	b.within(t, 20*time.Second, chromedp.WaitVisible("article", chromedp.ByQuery), chromedp.Location(&url))
	if !strings.HasSuffix(url, want) {
		t.Errorf("Enter on %s opened %s", want, url)
	}

	// Ctrl+K on a pattern page; a planned pattern by name.
	b.run(t, chromedp.WaitVisible("main h1", chromedp.ByQuery))
	if pressKey(t, b, keyCtrlK); !focusedIsSearch(t, b) {
		t.Fatal("Ctrl+K did not focus the search box")
	}
	s = typeQuery(t, b, "fencing token")
	if len(s.URLs) == 0 || !strings.HasPrefix(s.URLs[0], "/en/patterns/fencing-token") || !contains(s.Marks, "fencing") {
		t.Fatalf("fencing token: %+v, want the fencing-token page first", s)
	}
	if e := searchablePlanned(mustLibrary(t)); e != nil {
		name := e.Name.In(i18n.English)
		s = typeQuery(t, b, name)
		if len(s.URLs) == 0 || s.URLs[0] != content.PatternURL(i18n.English, e.Slug) || len(s.Groups) == 0 || !strings.Contains(s.Groups[0], "planned") {
			t.Fatalf("%s: %+v, want the planned pattern first", name, s)
		}
		checkAxe(t, b)
		pressKey(t, b, keyDown)
		var h1 string
		pressKey(t, b, keyEnter)
		b.within(t, 20*time.Second, chromedp.WaitVisible("[data-testid=planned] h1", chromedp.ByQuery),
			chromedp.Text("[data-testid=planned] h1", &h1, chromedp.ByQuery),
			chromedp.Location(&url))
		if h1 != name+" (planned)" || !strings.HasSuffix(url, content.PatternURL(i18n.English, e.Slug)) {
			t.Errorf("the planned option opened %s, titled %q", url, h1)
		}
	}

	// Chinese, on a Chinese page.
	b.run(t, chromedp.Navigate(ts.URL+"/zh/"), chromedp.WaitVisible("form.site-search", chromedp.ByQuery),
		chromedp.Poll(`document.querySelector("form.site-search input").getAttribute("role") === "combobox"`, nil))
	pressKey(t, b, keyCtrlK)
	s = typeQuery(t, b, "熔断器打开以后多久会再试")
	if len(s.URLs) == 0 || !strings.HasPrefix(s.URLs[0], "/zh/patterns/circuit-breaker") || len(s.Marks) == 0 || !strings.Contains(s.Groups[0], "熔断器") {
		t.Fatalf("熔断器打开以后多久会再试: %+v", s)
	}
	checkAxe(t, b)
	s = typeQuery(t, b, "令牌桶怎么处理突发流量")
	if len(s.URLs) == 0 || !strings.HasPrefix(s.URLs[0], "/zh/patterns/rate-limiting") || !contains(s.Marks, "令牌桶") {
		t.Fatalf("令牌桶怎么处理突发流量: %+v", s)
	}
	s = typeQuery(t, b, "fencing token")
	if len(s.URLs) == 0 || !strings.HasPrefix(s.URLs[0], "/zh/patterns/fencing-token") || !contains(s.Marks, "fencing") {
		t.Fatalf("fencing token on /zh/: %+v", s)
	}
	// Enter with no option active: the results page.
	var first string
	pressKey(t, b, keyEnter)
	b.within(t, 20*time.Second, chromedp.WaitVisible("[data-testid=results]", chromedp.ByQuery),
		chromedp.Location(&url),
		chromedp.AttributeValue("[data-testid=results] li a", "href", &first, nil, chromedp.ByQuery))
	if !strings.Contains(url, "/zh/search?q=fencing+token") || !strings.HasPrefix(first, "/zh/patterns/fencing-token") {
		t.Errorf("Enter without a selection: %s, first result %s", url, first)
	}
	b.noErrors(t)

	// Without JavaScript the header's form is a plain GET form.
	b.within(t, time.Minute, emulation.SetScriptExecutionDisabled(true), chromedp.Navigate(ts.URL+"/en/"),
		chromedp.SendKeys("form.site-search input[name=q]", "circiut breaker"+kb.Enter, chromedp.ByQuery),
		chromedp.WaitVisible("[data-testid=results]", chromedp.ByQuery),
		chromedp.Location(&url),
		chromedp.AttributeValue("[data-testid=results] li a", "href", &first, nil, chromedp.ByQuery),
		emulation.SetScriptExecutionDisabled(false))
	var meant string
	b.run(t, chromedp.Text("[data-testid=did-you-mean] a", &meant, chromedp.ByQuery))
	if !strings.HasSuffix(url, "/en/search?q=circiut+breaker") || !strings.HasPrefix(first, "/en/patterns/circuit-breaker") || meant != "circuit breaker" {
		t.Errorf("without JavaScript: %s, first result %s, did you mean %q", url, first, meant)
	}
}

// within runs actions with a deadline of d, so a wait that cannot succeed
// fails the test in seconds rather than at the tab's hang guard.
func (b *browser) within(t *testing.T, d time.Duration, actions ...chromedp.Action) {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, d)
	defer cancel()
	if err := chromedp.Run(ctx, actions...); err != nil {
		t.Fatal(err)
	}
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}
