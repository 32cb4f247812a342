package site

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/google/go-cmp/cmp"

	"github.com/lamport-kb/lamport/engine"
	"github.com/lamport-kb/lamport/playground"
	"github.com/lamport-kb/lamport/store"
)

// runsRunner answers every program with resp.
type runsRunner struct{ resp *playground.Response }

func (f runsRunner) Run(context.Context, playground.Request) (*playground.Response, error) {
	return f.resp, nil
}

// demoRuns is what the durable demo's engine reports, shortened: a done
// run and a failed one whose step name tries to inject markup.
func demoRuns() *playground.Runs {
	t0 := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	wake := at(1300)
	done := []engine.HistoryEvent{
		{Seq: 1, Step: 1, Name: "reserve", Kind: "done", Attempt: 1, Result: json.RawMessage(`"R-1"`), At: at(50)},
		{Seq: 2, Step: 2, Name: "charge", Kind: "retry", Attempt: 1, Error: "busy", At: at(100), Wake: &wake},
		{Seq: 3, Step: 2, Name: "charge", Kind: "done", Attempt: 2, Result: json.RawMessage(`1250`), At: at(1350)},
	}
	failed := []engine.HistoryEvent{
		{Seq: 1, Step: 1, Name: `<script>alert(1)</script>`, Kind: "done", Attempt: 1, Failed: true, Error: "no carrier\nstack", At: at(2000)},
	}
	run := func(id, status string, evs []engine.HistoryEvent) playground.Run {
		info := engine.RunInfo{ID: id, Workflow: "checkout", Status: status, Created: evs[0].At, Finished: evs[len(evs)-1].At}
		if status == "failed" {
			info.Error = "no carrier"
		}
		h := &engine.History{RunID: id, Workflow: "checkout", Events: evs}
		return playground.Run{Info: info, Events: evs, Timeline: engine.Timeline(h)}
	}
	return &playground.Runs{Runs: []playground.Run{run("order-1001", "done", done), run("order-1003", "failed", failed)}, More: true}
}

// TestPlayRunsView posts a program whose engine made runs, to the page
// without JavaScript (a demo's and a shared program's) and to /api/run,
// in both languages: the list (run,
// workflow, status, steps), each run's history with its details and its
// timeline drawn by the server, every text of the program's escaped.
func TestPlayRunsView(t *testing.T) {
	tests := []struct {
		lang, status, failed, title, detail, more string
	}{
		{"en", "done", "failed", "Workflow runs", "error: busy", "Only the first 2 runs are shown."},
		{"zh", "已完成", "失败", "工作流运行", "错误：busy", "只显示前 2 个运行。"},
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			s := mustServer(t)
			s.cfg.Runner = runsRunner{&playground.Response{Runs: demoRuns()}}
			page := post(t, s, "/"+tt.lang+"/play/circuit-breaker", "application/x-www-form-urlencoded", "body=x")
			checkRunsView(t, page.Body.String(), tt.status, tt.failed, tt.title, tt.detail, tt.more)

			shares, err := store.Open(":memory:")
			if err != nil {
				t.Fatal(err)
			}
			defer shares.Close()
			id, err := shares.Put(context.Background(), "package main")
			if err != nil {
				t.Fatal(err)
			}
			s.cfg.Shares = shares
			shared := post(t, s, "/p/"+id+"?lang="+tt.lang, "application/x-www-form-urlencoded", "body=x")
			checkRunsView(t, shared.Body.String(), tt.status, tt.failed, tt.title, tt.detail, tt.more)

			api := post(t, s, "/api/run?lang="+tt.lang, "application/json", `{"body":"x"}`)
			var res struct{ RunsHTML string }
			if err := json.Unmarshal(api.Body.Bytes(), &res); err != nil {
				t.Fatal(err)
			}
			checkRunsView(t, res.RunsHTML, tt.status, tt.failed, tt.title, tt.detail, tt.more)
		})
	}
}

func checkRunsView(t *testing.T, html, status, failed, title, detail, more string) {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(html))
	if err != nil {
		t.Fatal(err)
	}
	runs := doc.Find("[data-testid=play-runs]")
	if got := runs.Find("h2").Text(); got != title {
		t.Errorf("heading %q, want %q", got, title)
	}
	var rows [][]string
	runs.Find("[data-testid=run-row]").Each(func(_ int, tr *goquery.Selection) {
		var cells []string
		tr.Find("td").Each(func(_ int, td *goquery.Selection) { cells = append(cells, td.Text()) })
		rows = append(rows, cells[:4])
	})
	want := [][]string{{"order-1001", "checkout", status, "2"}, {"order-1003", "checkout", failed, "1"}}
	if diff := cmp.Diff(want, rows); diff != "" {
		t.Errorf("list (-want +got):\n%s", diff)
	}
	if got := runs.Find("[data-testid=run]").First().Find("[data-testid=run-event]").Eq(1).Find("td").Last().Text(); got != detail {
		t.Errorf("detail of the retry %q, want %q", got, detail)
	}
	if n := runs.Find("[data-testid=run-timeline] svg rect").Length(); n < 3 {
		t.Errorf("%d bars in the timelines, want 3 or more", n)
	}
	if runs.Find("script").Length() > 0 || !strings.Contains(runs.Text(), "<script>alert(1)</script>") {
		t.Error("a step's name was not escaped")
	}
	if !strings.Contains(runs.Text(), more) {
		t.Errorf("no %q", more)
	}
}

// TestPlayRunsNone: a program that made no engine database shows nothing
// of runs; one whose report was refused says why, in the language.
func TestPlayRunsNone(t *testing.T) {
	s := mustServer(t)
	s.cfg.Runner = runsRunner{&playground.Response{}}
	page := post(t, s, "/en/play/circuit-breaker", "application/x-www-form-urlencoded", "body=x")
	if strings.Contains(page.Body.String(), "play-runs\"") || strings.Contains(page.Body.String(), "Workflow runs") {
		t.Error("a program without runs shows a runs view")
	}
	api := post(t, s, "/api/run", "application/json", `{"body":"x"}`)
	if strings.Contains(api.Body.String(), "RunsHTML") {
		t.Errorf("/api/run has RunsHTML: %s", api.Body.String())
	}
	s.cfg.Runner = runsRunner{&playground.Response{Runs: &playground.Runs{Problem: playground.ProblemSize}}}
	page = post(t, s, "/zh/play/circuit-breaker", "application/x-www-form-urlencoded", "body=x")
	if !strings.Contains(page.Body.String(), "超出了在线运行环境读取的上限") {
		t.Error("a refused report is not explained in Chinese")
	}
}
