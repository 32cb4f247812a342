package tests

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/lamport-kb/lamport/playground"
	"github.com/lamport-kb/lamport/playground/picture"
)

// raftFrames returns the documents of the SVG pictures under the output.
const raftFrames = `Array.from(document.querySelectorAll(".play-output iframe.play-image")).map(f => f.srcdoc)`

// TestBrowserRaftDemo runs the Raft demo in the playground: its fault
// script partitions the first leader, and both runs (this chapter's Raft
// and etcd's, in the jail) must draw the leader change: the note of the
// first term's leader and of the next term's on different lanes, the
// partition's cut messages, and the old leader stepping down.
func TestBrowserRaftDemo(t *testing.T) {
	ts := mustServerWith(t, mustPlayground(t))
	requireAssets(t, ts.URL)
	b := newBrowser(t)
	var out string
	var frames []string
	b.run(t,
		chromedp.Navigate(ts.URL+"/en/play/raft"),
		chromedp.WaitVisible(`.cm-editor .cm-content`, chromedp.ByQuery),
		chromedp.Click(`[data-action=run]`, chromedp.ByQuery),
		chromedp.Poll(`document.querySelector(".play-status").textContent.includes("exit status")`, nil, chromedp.WithPollingTimeout(150*time.Second)),
		chromedp.Poll(`document.querySelectorAll(".play-output iframe.play-image").length == 2`, nil, chromedp.WithPollingTimeout(30*time.Second)),
		chromedp.Text(".play-output", &out, chromedp.ByQuery),
		chromedp.Evaluate(raftFrames, &frames),
	)
	for _, want := range []string{"partition {s1} | {s2 s3 c1}", "term 1: s1 elected", "term 2: s3 elected", "term 3: s3 elected",
		"s1 stepped down", "the history is linearizable (porcupine)"} {
		if !strings.Contains(out, want) {
			t.Errorf("the output lacks %q: %.600q", want, out)
		}
	}
	if len(frames) != 2 {
		t.Fatalf("%d diagrams, want 2 (ours and etcd's)", len(frames))
	}
	for i, terms := range [][2]int{{1, 2}, {2, 3}} { // etcd's terms start after its boot snapshot's
		svg := frames[i]
		before, after := noteLane(t, svg, "leader t", terms[0]), noteLane(t, svg, "leader t", terms[1])
		if before == after {
			t.Errorf("diagram %d: the leaders of terms %d and %d are drawn on one lane (x=%s)", i, terms[0], terms[1], before)
		}
		if noteLane(t, svg, "follower t", terms[1]) != before {
			t.Errorf("diagram %d: the old leader's step-down is not on its lane", i)
		}
		if !strings.Contains(svg, "cut by a partition") {
			t.Errorf("diagram %d marks no message cut by the partition", i)
		}
	}
	if !strings.Contains(frames[1], "MsgApp") {
		t.Error("etcd's diagram shows no MsgApp: it did not draw etcd's messages")
	}
	checkAxe(t, b)
	b.noErrors(t)
}

// noteLane returns the x of the first note "prefix<term>" drawn in svg
// (a lane's column), failing the test if there is none.
func noteLane(t *testing.T, svg, prefix string, term int) string {
	t.Helper()
	re := regexp.MustCompile(`<text x="(\d+)" y="\d+">` + regexp.QuoteMeta(prefix+fmt.Sprint(term)) + `(?:;[^<]*)?</text>`)
	m := re.FindStringSubmatch(svg)
	if m == nil {
		t.Fatalf("no note %q%d in the diagram", prefix, term)
	}
	return m[1]
}

// splitRunner answers every run with one SVG picture whose IMAGE line
// arrives in two events, as the playground sends a long line whose pieces
// reached its pipe more than a millisecond apart (a loaded machine).
type splitRunner struct{ line string }

func (r splitRunner) Run(context.Context, playground.Request) (*playground.Response, error) {
	cut := len(r.line) / 2
	return &playground.Response{Events: []playground.Event{
		{Message: "before\n", Kind: "stdout"},
		{Message: r.line[:cut], Kind: "stdout"},
		{Message: r.line[cut:] + "\nafter\n", Kind: "stdout"},
	}}, nil
}

// TestBrowserImageSplitAcrossEvents: a picture whose line is split over
// two output events is drawn once, whole, with the text around it.
func TestBrowserImageSplitAcrossEvents(t *testing.T) {
	svg := `<svg xmlns="http://www.w3.org/2000/svg" width="300" height="200"><title>whole</title><text x="10" y="190">the end of the picture</text></svg>`
	ts := mustServerWith(t, splitRunner{line: picture.Line([]byte(svg))})
	requireAssets(t, ts.URL)
	b := newBrowser(t)
	var out string
	var frames []string
	b.run(t,
		chromedp.Navigate(ts.URL+"/en/play/raft"),
		chromedp.WaitVisible(`.cm-editor .cm-content`, chromedp.ByQuery),
		chromedp.Click(`[data-action=run]`, chromedp.ByQuery),
		chromedp.Poll(`document.querySelector(".play-status").textContent.includes("exit status")`, nil, chromedp.WithPollingTimeout(30*time.Second)),
		chromedp.Text(".play-output", &out, chromedp.ByQuery),
		chromedp.Evaluate(raftFrames, &frames),
	)
	if len(frames) != 1 || !strings.Contains(frames[0], "the end of the picture</text></svg>") {
		t.Errorf("%d pictures drawn, want 1 whole one: %q", len(frames), frames)
	}
	if !strings.Contains(out, "before") || !strings.Contains(out, "after") || strings.Contains(out, "IMAGE:") {
		t.Errorf("output %q", out)
	}
}
