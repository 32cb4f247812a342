package tests

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// runRow is a row of the playground's list of workflow runs.
type runRow struct{ ID, Workflow, Status, Steps string }

// runRows reads the list of runs under the playground's output.
const runRows = `Array.from(document.querySelectorAll("[data-testid=play-runs] [data-testid=run-row]")).map(tr => {
	const td = tr.querySelectorAll("td");
	return {ID: td[0].textContent, Workflow: td[1].textContent, Status: tr.dataset.status, Steps: td[3].textContent};
})`

// TestBrowserDurableRuns runs the durable-execution demo in the
// playground, in the real jail, and sees the runs its engine made listed
// under the output: its three orders, two done and one failed (undone by
// its saga), with their steps; a run opens on its history and a timeline
// drawn by the server.
func TestBrowserDurableRuns(t *testing.T) {
	ts := mustServerWith(t, mustPlayground(t))
	requireAssets(t, ts.URL)
	b := newBrowser(t)
	var rows []runRow
	var events int
	var timeline, summary string
	b.run(t,
		chromedp.Navigate(ts.URL+"/en/play/durable-execution"),
		chromedp.WaitVisible(`.cm-editor .cm-content`, chromedp.ByQuery),
		chromedp.Click(`[data-action=run]`, chromedp.ByQuery),
		chromedp.Poll(`document.querySelector(".play-status").textContent.includes("exit status")`, nil, chromedp.WithPollingTimeout(150*time.Second)),
		chromedp.Poll(`document.querySelector("[data-testid=play-runs] [data-testid=runs-list]") !== null`, nil, chromedp.WithPollingTimeout(10*time.Second)),
		chromedp.Evaluate(runRows, &rows),
		chromedp.Click(`[data-testid=play-runs] [data-testid=run] summary`, chromedp.ByQuery),
		chromedp.WaitVisible(`[data-testid=run] [data-testid=run-history]`, chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelectorAll("[data-testid=run]")[0].querySelectorAll("[data-testid=run-event]").length`, &events),
		chromedp.Evaluate(`document.querySelector("[data-testid=run] [data-testid=run-timeline] svg").getAttribute("aria-label")`, &timeline),
		chromedp.Text(`[data-testid=run] summary`, &summary, chromedp.ByQuery),
	)
	want := []runRow{
		{"order-1001", "checkout", "done", "3"},
		{"order-1002", "checkout", "done", "3"},
		{"order-1003", "checkout", "failed", "5"},
	}
	if len(rows) != len(want) {
		t.Fatalf("runs listed %+v, want %+v", rows, want)
	}
	for i := range want {
		if rows[i] != want[i] {
			t.Errorf("run %d: %+v, want %+v", i, rows[i], want[i])
		}
	}
	if events < 3 || timeline != "timeline of run order-1001" || !strings.Contains(summary, "order-1001") {
		t.Errorf("the first run opens on %d events, timeline %q, summary %q", events, timeline, summary)
	}
	checkAxe(t, b)
	b.noErrors(t)
}
