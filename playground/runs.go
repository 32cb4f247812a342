package playground

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"slices"
	"time"

	"github.com/lamport-kb/lamport/engine"
)

// A program built by the playground that uses the engine writes, when it
// closes an engine, the engine's Report to file descriptor 3 (the build
// tag runsTag turns that on, see engine/report.go). The runner gives it a
// pipe there, reads at most maxReportBytes from it while the program runs
// (draining and dropping the rest, so the program never blocks on it),
// and, after the program has ended, checks every report against the
// engine's bounds and draws each run's timeline itself with
// engine.Timeline. The program is untrusted: it can write anything to the
// pipe, so nothing it writes is believed beyond being shown, escaped, as
// its own account of its runs. No database file leaves the jail, and the
// server never opens one of the program's.

// runsTag is the build tag under which the engine reports its runs.
const runsTag = "lamportplay"

// Bounds on what the runner reads of a program's reports. A report
// within the engine's bounds takes about 1.2 MiB at most.
const (
	maxReportBytes = 2 << 20
	maxReports     = 4 // engines' reports read; the rest are left out
	reportWait     = time.Second
)

// Runs is what a program's engines reported of their workflow runs:
// every run of every engine it closed, in order, at most
// engine.ReportRuns in all. A Response has none when the program closed no
// engine.
type Runs struct {
	Runs []Run `json:"Runs"`
	More bool  `json:"More,omitempty"` // runs were left out
	// Problem says why the reports could not be shown: ProblemSize or
	// ProblemFormat. Runs is empty then.
	Problem string `json:"Problem,omitempty"`
}

// Why a program's reports were refused.
const (
	ProblemSize   = "size"   // more than maxReportBytes
	ProblemFormat = "format" // not reports within the engine's bounds
)

// Run is one workflow run a program reported, with its timeline.
type Run struct {
	Info       engine.RunInfo        `json:"Info"`
	Events     []engine.HistoryEvent `json:"Events"`
	MoreEvents bool                  `json:"MoreEvents,omitempty"`
	Timeline   string                `json:"Timeline"` // SVG drawn by the server from Events
}

// Steps is how many steps the run recorded events of.
func (r Run) Steps() int {
	seen := map[int]bool{}
	for _, ev := range r.Events {
		seen[ev.Step] = true
	}
	return len(seen)
}

// reportPipe is the pipe a program's engines report on.
type reportPipe struct {
	w    *os.File // the program's end, fd 3; closed once it has started
	data chan reportData
}

type reportData struct {
	b    []byte
	over bool // the program wrote more than maxReportBytes
}

// openReports makes the pipe and starts reading it.
func openReports() (*reportPipe, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	p := &reportPipe{w: w, data: make(chan reportData, 1)}
	go func() {
		defer r.Close()
		b, _ := io.ReadAll(io.LimitReader(r, maxReportBytes+1))
		over := len(b) > maxReportBytes
		io.Copy(io.Discard, r)
		p.data <- reportData{b[:min(len(b), maxReportBytes)], over}
	}()
	return p, nil
}

// started closes the runner's copy of the program's end.
func (p *reportPipe) started() { p.w.Close() }

// runs waits for the end of the pipe and reads the reports. The program
// has ended, so its end is closed and the wait is short; it is bounded by
// reportWait all the same, should anything else hold the pipe open. A run
// stopped by a limit may have been cut in the middle of a report: then a
// report that does not parse is dropped, not shown as a problem.
func (p *reportPipe) runs(stopped bool) *Runs {
	var d reportData
	select {
	case d = <-p.data:
	case <-time.After(reportWait):
		return nil
	}
	runs := readRuns(d.b, d.over)
	if stopped && runs != nil && runs.Problem == ProblemFormat {
		return nil
	}
	return runs
}

// readRuns reads the reports in b: nil when there are none.
func readRuns(b []byte, over bool) *Runs {
	if over {
		return &Runs{Problem: ProblemSize}
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return nil
	}
	runs := &Runs{Runs: []Run{}}
	for i := 0; len(b) > 0; i++ {
		var line []byte
		line, b, _ = bytes.Cut(b, []byte("\n"))
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var w wireReport
		if err := json.Unmarshal(line, &w); err != nil || checkReport(w.report()) != nil {
			return &Runs{Problem: ProblemFormat}
		}
		if i >= maxReports {
			runs.More = true // an honest program that closed many engines
			return runs
		}
		runs.add(w.report())
	}
	return runs
}

// add appends a report's runs, up to engine.ReportRuns in all.
func (rs *Runs) add(r *engine.Report) {
	rs.More = rs.More || r.More
	for _, rr := range r.Runs {
		if len(rs.Runs) == engine.ReportRuns {
			rs.More = true
			return
		}
		h := &engine.History{RunID: rr.Info.ID, Workflow: rr.Info.Workflow, Events: rr.Events}
		rs.Runs = append(rs.Runs, Run{Info: rr.Info, Events: rr.Events, MoreEvents: rr.MoreEvents, Timeline: engine.Timeline(h)})
	}
}

var errReport = errors.New("playground: a report past the engine's bounds")

// wireReport is an engine.Report as the runner decodes it: its lists are
// cut at the engine's bounds while they are decoded, so that a report of
// millions of tiny elements ("null" decodes as a whole event) costs no
// more than its bytes. The field names are engine.Report's.
type wireReport struct {
	Runs boundedList[wireRun] `json:"runs"`
	More bool                 `json:"more"`
}

type wireRun struct {
	Info       engine.RunInfo                   `json:"info"`
	Events     boundedList[engine.HistoryEvent] `json:"events"`
	MoreEvents bool                             `json:"more_events"`
}

func (w *wireReport) report() *engine.Report {
	r := &engine.Report{More: w.More}
	for _, wr := range w.Runs {
		r.Runs = append(r.Runs, engine.ReportRun{Info: wr.Info, Events: wr.Events, MoreEvents: wr.MoreEvents})
	}
	return r
}

// boundedList is a JSON array that fails to decode past
// engine.ReportEvents elements (the larger of the engine's bounds on
// lists; checkReport holds runs to theirs).
type boundedList[T any] []T

func (l *boundedList[T]) UnmarshalJSON(b []byte) error {
	if n, ok := arrayLen(b); ok && n > engine.ReportEvents {
		return errReport
	}
	return json.Unmarshal(b, (*[]T)(l))
}

// arrayLen counts the elements of the JSON array b without decoding it:
// the commas outside strings at its top level, plus one. ok is false when
// b is not an array (null, or a value the decoder will refuse).
func arrayLen(b []byte) (n int, ok bool) {
	b = bytes.TrimSpace(b)
	if len(b) < 2 || b[0] != '[' {
		return 0, false
	}
	depth, inString, escaped, empty := 0, false, false, true
	for _, c := range b[1 : len(b)-1] {
		switch {
		case inString:
			// A quote ends the string unless a backslash escapes it.
			inString = escaped || c != '"'
			escaped = !escaped && c == '\\'
		case c == '"':
			inString = true
		case c == '[' || c == '{':
			depth++
		case c == ']' || c == '}':
			depth--
		case c == ',' && depth == 0:
			n++
		}
		empty = empty && (c == ' ' || c == '\t' || c == '\n' || c == '\r')
	}
	if empty {
		return 0, true
	}
	return n + 1, true
}

// checkReport holds a report to the bounds the engine keeps: how many
// runs and events, how long each text, and states that exist.
func checkReport(r *engine.Report) error {
	if len(r.Runs) > engine.ReportRuns {
		return errReport
	}
	for _, rr := range r.Runs {
		in := rr.Info
		texts := []string{in.ID, in.Workflow, in.Version, in.Status, in.Queue, in.Error, in.Parent, in.Cancel, in.Owner}
		if len(rr.Events) > engine.ReportEvents || !slices.Contains(engine.Statuses, in.Status) || in.Recoveries < 0 {
			return errReport
		}
		for _, ev := range rr.Events {
			texts = append(texts, ev.Name, ev.Kind, ev.Error, string(ev.Result))
		}
		for _, s := range texts {
			if len(s) > engine.ReportText {
				return errReport
			}
		}
	}
	return nil
}

// runsSize is what caching rs costs of the result cache's budget.
func runsSize(rs *Runs) int {
	if rs == nil {
		return 0
	}
	n := 0
	for _, r := range rs.Runs {
		n += 1024 + len(r.Timeline) + len(r.Info.Error)
		for _, ev := range r.Events {
			n += eventCost + len(ev.Name) + len(ev.Error) + len(ev.Result)
		}
	}
	return n
}
