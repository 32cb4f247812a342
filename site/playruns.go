package site

import (
	"fmt"
	"strings"
	"time"

	"github.com/lamport-kb/lamport/engine"
	"github.com/lamport-kb/lamport/i18n"
	"github.com/lamport-kb/lamport/playground"
	"github.com/lamport-kb/lamport/site/view"
)

// runsView is the view of the workflow runs a program made, in m's
// language; nil when it made none. The columns and details are those of
// `lamport engine list` and `inspect`.
func runsView(m *i18n.Messages, rs *playground.Runs) *view.RunsData {
	if rs == nil {
		return nil
	}
	switch rs.Problem {
	case playground.ProblemSize:
		return &view.RunsData{Problem: m.Runs.TooLarge}
	case "":
	default:
		return &view.RunsData{Problem: m.Runs.Malformed}
	}
	d := &view.RunsData{}
	if rs.More {
		d.MoreRuns = m.Runs.MoreRuns(len(rs.Runs))
	}
	for i, r := range rs.Runs {
		d.Runs = append(d.Runs, runView(&m.Runs, i, r))
	}
	return d
}

func runView(m *i18n.RunsMessages, i int, r playground.Run) view.RunData {
	in := r.Info
	d := view.RunData{
		Anchor: fmt.Sprintf("run-%d", i+1), ID: in.ID, Workflow: in.Workflow,
		Status: in.Status, StatusName: m.StatusName(in.Status), Steps: r.Steps(),
		Created: timeText(in.Created), Finished: timeText(in.Finished),
		Facts: runFacts(m, in), Timeline: r.Timeline,
	}
	if r.MoreEvents {
		d.MoreEvents = m.MoreEvents(len(r.Events))
	}
	for _, ev := range r.Events {
		d.Events = append(d.Events, eventRow(m, ev, r.Events[0].At))
	}
	return d
}

// runFacts are a run's facts beyond the list's columns, those it has.
func runFacts(m *i18n.RunsMessages, in engine.RunInfo) []view.Fact {
	all := []struct {
		label, value string
		ok           bool
	}{
		{m.Workflow, in.Workflow, true},
		{m.Version, in.Version, in.Version != ""},
		{m.Status, m.StatusName(in.Status), true},
		{m.Error, firstLine(in.Error), in.Error != ""},
		{m.Created, timeText(in.Created), true},
		{m.Finished, timeText(in.Finished), true},
		{m.Parent, in.Parent, in.Parent != ""},
		{m.Queue, in.Queue, in.Queue != ""},
		{m.Deadline, timeText(in.Deadline), !in.Deadline.IsZero()},
		{m.Owner, in.Owner, in.Owner != ""},
		{m.Recoveries, fmt.Sprint(in.Recoveries), in.Recoveries > 0},
	}
	var facts []view.Fact
	for _, f := range all {
		if f.ok {
			facts = append(facts, view.Fact{Label: f.label, Value: f.value})
		}
	}
	return facts
}

func eventRow(m *i18n.RunsMessages, ev engine.HistoryEvent, start time.Time) view.EventRow {
	row := view.EventRow{Seq: ev.Seq, Step: ev.Step, Name: ev.Name, Kind: m.KindName(ev.Kind), Attempt: "-",
		At: "+" + ev.At.Sub(start).Round(time.Millisecond).String(), Failed: ev.Failed || ev.Error != ""}
	if ev.Attempt > 0 {
		row.Attempt = fmt.Sprint(ev.Attempt)
	}
	switch {
	case ev.Kind == "cancel":
		row.Detail = m.NotRun + ev.Error
	case row.Failed:
		row.Detail = m.Failed + firstLine(ev.Error)
	case ev.Wake != nil:
		row.Detail = m.Wake + timeText(*ev.Wake)
	default:
		row.Detail = string(ev.Result)
	}
	return row
}

// timeText is a time as `lamport engine` prints it, "-" for none.
func timeText(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
