package main

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/lamport-kb/lamport/engine"
)

// inspectRun prints a run's row, its history (one line per event) and a
// text timeline (one row per step).
func inspectRun(ctx context.Context, e *engine.Engine, id string, stdout io.Writer) error {
	info, err := e.RunInfo(ctx, id)
	if err != nil {
		return err
	}
	h, err := e.History(ctx, id)
	if err != nil {
		return err
	}
	printInfo(stdout, info)
	fmt.Fprintln(stdout, "\nhistory")
	printHistory(stdout, h)
	fmt.Fprintln(stdout, "\ntimeline")
	printTimeline(stdout, h, 48)
	return nil
}

func printInfo(w io.Writer, r engine.RunInfo) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	row := func(k, v string) { fmt.Fprintf(tw, "%s\t%s\n", k, v) }
	row("run", r.ID)
	workflow := r.Workflow
	if r.Version != "" {
		workflow += " (version " + r.Version + ")"
	}
	row("workflow", workflow)
	row("status", r.Status)
	if r.Error != "" {
		row("error", firstLine(r.Error))
	}
	row("created", timeText(r.Created))
	row("finished", timeText(r.Finished))
	optional := []struct {
		k, v string
		ok   bool
	}{
		{"parent", r.Parent, r.Parent != ""},
		{"queue", r.Queue, r.Queue != ""},
		{"started", timeText(r.Started), !r.Started.IsZero()},
		{"deadline", timeText(r.Deadline), !r.Deadline.IsZero()},
		{"cancel", r.Cancel + " requested", r.Cancel != "" && r.Status == "running"},
		{"owner", r.Owner, r.Owner != ""},
		{"parked until", timeText(r.Wake), !r.Wake.IsZero()},
		{"recoveries", fmt.Sprint(r.Recoveries), r.Recoveries > 0},
	}
	for _, o := range optional {
		if o.ok {
			row(o.k, o.v)
		}
	}
	tw.Flush()
}

func printHistory(w io.Writer, h *engine.History) {
	if len(h.Events) == 0 {
		fmt.Fprintln(w, "  no events recorded")
		return
	}
	start := h.Events[0].At
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  SEQ\tSTEP\tNAME\tKIND\tATTEMPT\tAT\tDETAIL")
	for _, ev := range h.Events {
		fmt.Fprintf(tw, "  %d\t%d\t%s\t%s\t%s\t+%s\t%s\n", ev.Seq, ev.Step, ev.Name, ev.Kind, attemptOf(ev),
			ev.At.Sub(start).Round(time.Millisecond), detail(ev))
	}
	tw.Flush()
}

func attemptOf(ev engine.HistoryEvent) string {
	if ev.Attempt == 0 {
		return "-"
	}
	return fmt.Sprint(ev.Attempt)
}

// detail is an event's outcome: its error, wake-up time or result.
func detail(ev engine.HistoryEvent) string {
	switch {
	case ev.Kind == "cancel":
		return "not run: " + ev.Error
	case ev.Failed || ev.Error != "":
		return "error: " + firstLine(ev.Error)
	case ev.Wake != nil:
		return "wake " + timeText(*ev.Wake)
	}
	const max = 60
	r := string(ev.Result)
	if len(r) > max {
		r = r[:max] + "…"
	}
	return r
}

// printTimeline draws one row per step over width columns spanning the
// run: '█' while a step's work ran (from the previous event to its
// outcome), 'x' for a failed attempt, '·' while it waited (a backoff or a
// durable timer), '-' where it was cancelled.
func printTimeline(w io.Writer, h *engine.History, width int) {
	if len(h.Events) == 0 {
		fmt.Fprintln(w, "  no steps recorded")
		return
	}
	start, end := h.Events[0].At, h.Events[0].At
	for _, ev := range h.Events {
		end = later(end, ev.At)
		if ev.Wake != nil && ev.Wake.Year() < 9999 {
			end = later(end, *ev.Wake)
		}
	}
	col := func(t time.Time) int {
		if !end.After(start) {
			return 0
		}
		return min(width-1, int(float64(t.Sub(start))/float64(end.Sub(start))*float64(width-1)))
	}
	rows := map[int][]rune{}
	names := map[int]string{}
	prev := start
	for _, ev := range h.Events {
		row := rows[ev.Step]
		if row == nil {
			row = []rune(strings.Repeat(" ", width))
			rows[ev.Step], names[ev.Step] = row, ev.Name
		}
		fill(row, col(prev), col(ev.At), mark(ev))
		prev = ev.At
		if ev.Wake != nil {
			fill(row, col(ev.At)+1, col(later(ev.At, min2(*ev.Wake, end))), '·')
			prev = later(ev.At, min2(*ev.Wake, end))
		}
	}
	steps := make([]int, 0, len(rows))
	for s := range rows {
		steps = append(steps, s)
	}
	sort.Ints(steps)
	tw := tabwriter.NewWriter(w, 0, 4, 1, ' ', 0)
	for _, s := range steps {
		fmt.Fprintf(tw, "  %s\t|%s|\n", names[s], string(rows[s]))
	}
	tw.Flush()
	fmt.Fprintf(w, "  %s in all\n", end.Sub(start).Round(time.Millisecond))
}

func mark(ev engine.HistoryEvent) rune {
	switch {
	case ev.Kind == "cancel":
		return '-'
	case ev.Failed || ev.Error != "":
		return 'x'
	case ev.Kind == "timer":
		return ' '
	}
	return '█'
}

func fill(row []rune, from, to int, r rune) {
	for i := max(0, from); i <= to && i < len(row); i++ {
		if r != ' ' {
			row[i] = r
		}
	}
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

func min2(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
