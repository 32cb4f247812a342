package playground

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/lamport-kb/lamport/engine"
)

// reportOf runs n workflows (ok-0, ok-1, ...; every third fails) in an
// engine on a database file and returns its report as the engine writes
// it on fd 3.
func reportOf(t *testing.T, n int) []byte {
	t.Helper()
	ctx := context.Background()
	e, err := engine.Open(filepath.Join(t.TempDir(), "runs.db"), engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	e.Register("order", func(c *engine.Context, in []byte) ([]byte, error) {
		if _, err := engine.Step(c, "charge", func(context.Context, string) (int, error) { return 1250, nil }); err != nil {
			return nil, err
		}
		if in[0] == '!' {
			return nil, errors.New("no carrier")
		}
		return engine.Step(c, "ship", func(context.Context, string) ([]byte, error) { return []byte(`"ok"`), nil })
	})
	for i := range n {
		in := "."
		if i%3 == 2 {
			in = "!"
		}
		e.Run(ctx, "order", fmt.Sprint("ok-", i), []byte(in))
	}
	r, err := e.Report(ctx)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	return append(b, '\n')
}

// TestReadRunsFromEngine reads what an engine reported of a real
// database: every run with its status and steps, and a timeline drawn
// from its events; with more runs than the bound, the first ones and
// More.
func TestReadRunsFromEngine(t *testing.T) {
	rs := readRuns(reportOf(t, 3), false)
	if rs == nil || rs.Problem != "" {
		t.Fatalf("runs %+v", rs)
	}
	type row struct {
		ID, Status string
		Steps      int
	}
	var got []row
	for _, r := range rs.Runs {
		got = append(got, row{r.Info.ID, r.Info.Status, r.Steps()})
		if !strings.HasPrefix(r.Timeline, "<svg") || !strings.Contains(r.Timeline, "charge") {
			t.Errorf("%s: timeline %.80q", r.Info.ID, r.Timeline)
		}
	}
	want := []row{{"ok-0", "done", 2}, {"ok-1", "done", 2}, {"ok-2", "failed", 1}}
	if diff := cmp.Diff(want, got); diff != "" || rs.More {
		t.Errorf("runs (-want +got), more %v:\n%s", rs.More, diff)
	}
	big := readRuns(reportOf(t, 1000), false) // a table far past the bound
	if big.Problem != "" || len(big.Runs) != engine.ReportRuns || !big.More {
		t.Errorf("1000 runs: problem %q, %d runs, more %v", big.Problem, len(big.Runs), big.More)
	}
}

// TestReadRunsHostile: whatever a program writes to its report pipe is
// either a set of runs within the engine's bounds or refused with a
// problem the site can name; nothing written is nothing shown.
func TestReadRunsHostile(t *testing.T) {
	good := reportOf(t, 1)
	report := func(edit func(*engine.Report)) []byte {
		var r engine.Report
		if err := json.Unmarshal(good, &r); err != nil {
			t.Fatal(err)
		}
		edit(&r)
		b, _ := json.Marshal(r)
		return b
	}
	long := strings.Repeat("x", engine.ReportText+1)
	tests := []struct {
		name string
		b    []byte
		over bool
		want string // the problem; "none" for no runs at all
	}{
		{"nothing", nil, false, "none"},
		{"white space", []byte("\n \n"), false, "none"},
		{"garbage bytes", []byte("SQLite format 3\x00\xff\xfe\x01"), false, ProblemFormat},
		{"cut in the middle", good[:len(good)/2], false, ProblemFormat},
		{"past the byte cap", good, true, ProblemSize},
		{"a report past the fourth is left out", bytes.Repeat(good, maxReports+1), false, ""},
		{"too many runs", report(func(r *engine.Report) {
			for range engine.ReportRuns {
				r.Runs = append(r.Runs, r.Runs[0])
			}
		}), false, ProblemFormat},
		{"too many events", report(func(r *engine.Report) {
			for range engine.ReportEvents {
				r.Runs[0].Events = append(r.Runs[0].Events, r.Runs[0].Events[0])
			}
		}), false, ProblemFormat},
		{"a long ID", report(func(r *engine.Report) { r.Runs[0].Info.ID = long }), false, ProblemFormat},
		{"a long result", report(func(r *engine.Report) { r.Runs[0].Events[0].Result = json.RawMessage(`"` + long + `"`) }), false, ProblemFormat},
		{"a status that does not exist", report(func(r *engine.Report) { r.Runs[0].Info.Status = "pwned" }), false, ProblemFormat},
		{"four good reports", bytes.Repeat(good, maxReports), false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs := readRuns(tt.b, tt.over)
			got := "none"
			if rs != nil {
				got = rs.Problem
			}
			if got != tt.want {
				t.Fatalf("problem %q, want %q (runs %+v)", got, tt.want, rs)
			}
			if rs != nil && rs.Problem != "" && len(rs.Runs) > 0 {
				t.Errorf("a refused report shows %d runs", len(rs.Runs))
			}
			if tt.name == "a report past the fourth is left out" && (len(rs.Runs) != maxReports || !rs.More) {
				t.Errorf("%d runs shown, more %v; want %d and more", len(rs.Runs), rs.More, maxReports)
			}
		})
	}
}

// TestDemoRunsInJail runs the workflow demos in the real jail and gets
// their runs back from the engine's report: the durable-execution demo's
// three orders (done, done, and failed after compensating), on the real
// and the fake clock, and the saga demo's, with their steps.
func TestDemoRunsInJail(t *testing.T) {
	s := newLayerService(t)
	tests := []struct {
		demo string
		fake bool
		want []string
	}{
		{"durable", false, []string{"order-1001 checkout done 3", "order-1002 checkout done 3", "order-1003 checkout failed 5"}},
		{"durable", true, []string{"order-1001 checkout done 3", "order-1002 checkout done 3", "order-1003 checkout failed 5"}},
		{"saga", false, []string{"order-1001 place-order done 5", "order-1002 place-order done 7", "order-1003 place-order done 4"}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s fake time %v", tt.demo, tt.fake), func(t *testing.T) {
			src, err := os.ReadFile("../content/patterns/" + tt.demo + "/demo/main.go")
			if err != nil {
				t.Fatal(err)
			}
			r, err := s.buildAndRun(context.Background(), Request{Source: string(src), FakeTime: tt.fake})
			if err != nil {
				t.Fatal(err)
			}
			if r.Status != 0 || r.Runs == nil {
				t.Fatalf("status %d, runs %+v, output:\n%s%s", r.Status, r.Runs, r.Errors, r.Output())
			}
			var got []string
			for _, run := range r.Runs.Runs {
				got = append(got, fmt.Sprintf("%s %s %s %d", run.Info.ID, run.Info.Workflow, run.Info.Status, run.Steps()))
			}
			if diff := cmp.Diff(tt.want, got); diff != "" || r.Runs.More || r.Runs.Problem != "" {
				t.Errorf("runs (-want +got), more %v, problem %q:\n%s", r.Runs.More, r.Runs.Problem, diff)
			}
		})
	}
}

// TestReportFloodInJail: a program that writes to the report pipe without
// end neither blocks nor gets its flood shown; it is refused by size, and
// the program's own output is intact.
func TestReportFloodInJail(t *testing.T) {
	s := newLayerService(t)
	r := runRaw(t, s, s.jail, `package main

import (
	"fmt"
	"syscall"
)

func main() {
	b := make([]byte, 1<<20)
	for i := 0; i < 8; i++ {
		if _, err := syscall.Write(3, b); err != nil {
			fmt.Println(err)
		}
	}
	fmt.Println("wrote 8 MiB")
}
`)
	if r.Output() != "wrote 8 MiB\n" || r.Runs == nil || r.Runs.Problem != ProblemSize {
		t.Errorf("output %q, runs %+v, limit %q", r.Output(), r.Runs, r.Limit)
	}
}

// fullReport is a report at every bound: ReportRuns runs of ReportEvents
// events, each text ReportText bytes long.
func fullReport() []byte {
	text := strings.Repeat("x", engine.ReportText-2)
	t0 := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	var r engine.Report
	for i := range engine.ReportRuns {
		rr := engine.ReportRun{Info: engine.RunInfo{ID: fmt.Sprint("run-", i), Workflow: "w", Status: "done", Error: text, Created: t0}}
		for j := range engine.ReportEvents {
			rr.Events = append(rr.Events, engine.HistoryEvent{Seq: j + 1, Step: j/2 + 1, Name: text, Kind: "done", Attempt: 1,
				Result: json.RawMessage(`"` + text + `"`), At: t0.Add(time.Duration(j) * time.Second)})
		}
		r.Runs = append(r.Runs, rr)
	}
	b, _ := json.Marshal(r)
	return b
}

// BenchmarkReadRuns is what the server spends on a report at every
// bound (checking it and drawing its timelines), beside the peer: only
// decoding the same bytes.
func BenchmarkReadRuns(b *testing.B) {
	data := fullReport()
	b.Run("decode only", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			var r engine.Report
			if err := json.Unmarshal(data, &r); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("readRuns", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			if rs := readRuns(data, false); rs == nil || rs.Problem != "" {
				b.Fatalf("runs %+v", rs)
			}
		}
	})
}

// TestReadRunsAllocationBounded: a report of 2 MiB whose arrays hold
// millions of tiny elements (null events decode as whole events, empty
// objects as whole runs) is refused without allocating as much as its
// size: an array is counted before it is decoded, and refused past the
// engine's bounds. (Decoded first and checked after, the first took 340
// MB and the second 1.1 GB.)
func TestReadRunsAllocationBounded(t *testing.T) {
	fill := func(prefix, elem, suffix string) []byte {
		n := (maxReportBytes - len(prefix) - len(suffix)) / (len(elem) + 1)
		return []byte(prefix + strings.TrimSuffix(strings.Repeat(elem+",", n), ",") + suffix)
	}
	tests := []struct {
		name string
		b    []byte
	}{
		{"null events", fill(`{"runs":[{"info":{"status":"done"},"events":[`, "null", `]}]}`)},
		{"empty runs", fill(`{"runs":[`, "{}", `]}`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rs *Runs
			n := allocated(func() { rs = readRuns(tt.b, false) })
			if rs == nil || rs.Problem != ProblemFormat {
				t.Fatalf("runs %+v, want ProblemFormat", rs)
			}
			if limit := uint64(len(tt.b)); n > limit {
				t.Errorf("reading %d bytes allocated %d, more than %d", len(tt.b), n, limit)
			}
		})
	}
}

// TestArrayLen counts a JSON array's elements without decoding them:
// commas and brackets inside strings, escaped quotes and nesting do not
// count.
func TestArrayLen(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		isOK bool
	}{
		{`[]`, 0, true},
		{` [ ] `, 0, true},
		{`[1]`, 1, true},
		{`[1,2,3]`, 3, true},
		{`[{"a":[1,2]},[3,4],"x,y"]`, 3, true},
		{`["a\",b", "c\\", "d"]`, 3, true},
		{`["[{,"]`, 1, true},
		{`null`, 0, false},
		{`{}`, 0, false},
	}
	for _, tt := range tests {
		n, ok := arrayLen([]byte(tt.in))
		if n != tt.n || ok != tt.isOK {
			t.Errorf("arrayLen(%s) = %d, %v; want %d, %v", tt.in, n, ok, tt.n, tt.isOK)
		}
	}
}
