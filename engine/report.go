package engine

import (
	"context"
	"encoding/json"
	"unicode/utf8"
)

// The playground shows the runs a reader's program made. Its builder
// compiles programs with the build tag lamportplay, under which Close
// writes the engine's Report, one JSON line, to file descriptor 3 (see
// export_play.go): the runner gives the program a pipe there and reads at
// most a bounded number of bytes from it. The program is untrusted and
// can write anything to that pipe, so the runner checks what it reads
// against the Report's bounds and draws the timelines itself; no SQLite
// file leaves the jail. Built without the tag, Close writes nothing.

// Bounds of a Report: how many runs, how many events of each, and how
// long a text (an ID, a name, an error, a result) it holds. A reader of a
// report (the playground's server) refuses one past them.
const (
	ReportRuns   = 20
	ReportEvents = 100
	ReportText   = 240 // bytes
)

// Report is a bounded account of a database's runs: the first ReportRuns
// runs, oldest first, each with the first ReportEvents events of its
// history, every text cut to ReportText bytes. It is what the playground
// shows of the runs a reader's program made (see above).
type Report struct {
	Runs []ReportRun `json:"runs"`
	More bool        `json:"more,omitempty"` // runs past ReportRuns were left out
}

// ReportRun is one run of a Report.
type ReportRun struct {
	Info       RunInfo        `json:"info"`
	Events     []HistoryEvent `json:"events"`
	MoreEvents bool           `json:"more_events,omitempty"` // events past ReportEvents were left out
}

// Report describes the runs in the database, within the bounds above.
func (e *Engine) Report(ctx context.Context) (*Report, error) {
	runs, err := e.Runs(ctx, RunFilter{Limit: ReportRuns + 1})
	if err != nil {
		return nil, err
	}
	r := &Report{Runs: []ReportRun{}, More: len(runs) > ReportRuns}
	for _, info := range runs[:min(len(runs), ReportRuns)] {
		h, err := e.History(ctx, info.ID)
		if err != nil {
			return nil, err
		}
		r.Runs = append(r.Runs, reportRun(info, h.Events))
	}
	return r, nil
}

func reportRun(info RunInfo, evs []HistoryEvent) ReportRun {
	rr := ReportRun{Info: info, MoreEvents: len(evs) > ReportEvents, Events: []HistoryEvent{}}
	for _, s := range []*string{&rr.Info.ID, &rr.Info.Workflow, &rr.Info.Version, &rr.Info.Queue,
		&rr.Info.Error, &rr.Info.Parent, &rr.Info.Owner} {
		*s = cut(*s)
	}
	for _, ev := range evs[:min(len(evs), ReportEvents)] {
		ev.Name, ev.Error, ev.Result = cut(ev.Name), cut(ev.Error), cutJSON(ev.Result)
		rr.Events = append(rr.Events, ev)
	}
	return rr
}

// cut shortens s to at most ReportText bytes.
func cut(s string) string { return cutTo(s, ReportText) }

// cutTo shortens s to at most n bytes, at a rune boundary, ending with
// "…" when it was cut.
func cutTo(s string, n int) string {
	const ellipsis = "…"
	if len(s) <= n {
		return s
	}
	n = max(0, n-len(ellipsis))
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + ellipsis
}

// cutJSON keeps a result of at most ReportText bytes as it is, and makes
// a longer one a JSON string of its text, cut until the quoted form (whose
// escapes can be six bytes a character) fits.
func cutJSON(r json.RawMessage) json.RawMessage {
	if len(r) <= ReportText {
		return r
	}
	for n := ReportText; ; n = n * 3 / 4 {
		b, _ := json.Marshal(cutTo(string(r), n))
		if len(b) <= ReportText {
			return b
		}
	}
}
