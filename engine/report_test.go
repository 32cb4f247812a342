package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestReportBounds fills a database past every bound of a Report (more
// runs, a run with more events, texts longer than ReportText, with
// multi-byte characters and characters JSON escapes) and checks that the
// report keeps within each bound, says what it left out, and stays valid.
func TestReportBounds(t *testing.T) {
	ctx := context.Background()
	e := mustOpen(t, filepath.Join(t.TempDir(), "e.db"), newFakeClock().options())
	long := strings.Repeat("<界>", ReportText)
	e.Register("many", func(c *Context, _ []byte) ([]byte, error) {
		for i := range ReportEvents + 5 {
			if _, err := Step(c, fmt.Sprint("s", i), func(context.Context, string) (string, error) { return long, nil }); err != nil {
				return nil, err
			}
		}
		return nil, nil
	})
	e.Register("one", func(c *Context, _ []byte) ([]byte, error) {
		return nil, fmt.Errorf("failed: %s", long)
	})
	if _, err := e.Run(ctx, "many", "many-"+long, nil); err != nil {
		t.Fatal(err)
	}
	for i := range ReportRuns + 3 {
		e.Run(ctx, "one", fmt.Sprint("run-", i), nil)
	}
	r, err := e.Report(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Runs) != ReportRuns || !r.More {
		t.Fatalf("%d runs, more %v; want %d and more", len(r.Runs), r.More, ReportRuns)
	}
	first := r.Runs[0]
	if len(first.Events) != ReportEvents || !first.MoreEvents {
		t.Errorf("first run: %d events, more %v; want %d and more", len(first.Events), first.MoreEvents, ReportEvents)
	}
	texts := []string{first.Info.ID, r.Runs[1].Info.Error}
	for _, ev := range first.Events {
		texts = append(texts, ev.Name, string(ev.Result))
		if !json.Valid(ev.Result) {
			t.Errorf("event %d: result %q is not JSON", ev.Seq, ev.Result)
		}
	}
	for _, s := range texts {
		if len(s) > ReportText || !utf8.ValidString(s) {
			t.Errorf("text of %d bytes (valid UTF-8 %v), want at most %d: %.40q", len(s), utf8.ValidString(s), ReportText, s)
		}
	}
	if !strings.HasSuffix(first.Info.ID, "…") || !strings.HasPrefix(first.Info.ID, "many-<界>") {
		t.Errorf("cut ID %q", first.Info.ID)
	}
}

// TestReportEmpty is a report of a database without runs: no runs, and a
// list (not null) in its JSON.
func TestReportEmpty(t *testing.T) {
	e := mustOpen(t, ":memory:", Options{})
	r, err := e.Report(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(r)
	if string(b) != `{"runs":[]}` {
		t.Errorf("report %s", b)
	}
}

// BenchmarkReport is what a playground program pays when it closes its
// engine: the report of a database like the durable demo's (three runs
// of three steps), made and encoded, beside the peer: running those
// three runs.
func BenchmarkReport(b *testing.B) {
	ctx := context.Background()
	setup := func(b *testing.B) *Engine {
		e := mustOpen(b, ":memory:", Options{Durability: Normal})
		e.Register("order", func(c *Context, _ []byte) ([]byte, error) {
			for _, s := range []string{"reserve", "charge", "ship"} {
				if _, err := Step(c, s, func(context.Context, string) (string, error) { return s + "-1", nil }); err != nil {
					return nil, err
				}
			}
			return nil, nil
		})
		return e
	}
	runs := func(b *testing.B, e *Engine, n int) {
		for i := range 3 {
			if _, err := e.Run(ctx, "order", fmt.Sprint("order-", n, "-", i), nil); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("three runs", func(b *testing.B) {
		e := setup(b)
		n := 0
		for b.Loop() {
			n++
			runs(b, e, n)
		}
	})
	b.Run("report of three runs", func(b *testing.B) {
		e := setup(b)
		runs(b, e, 0)
		for b.Loop() {
			r, err := e.Report(ctx)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := json.Marshal(r); err != nil {
				b.Fatal(err)
			}
		}
	})
}
