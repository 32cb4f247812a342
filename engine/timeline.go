package engine

import (
	"fmt"
	"html"
	"sort"
	"strings"
	"time"
)

// Timeline draws a run's history as an SVG: one row per step in step
// order, a bar for each attempt of the step's work (from the previous
// event, or the end of the last wait, to its outcome; red when the attempt
// failed), a dashed gap for every backoff or durable timer, and
// compensations ("undo:") in amber, so a saga's reverse order is
// visible. It is a pure function of the history; the playground shows it
// under a run's output (see playground/picture).
func Timeline(h *History) string {
	rows := timelineRows(h)
	if len(rows) == 0 {
		return `<svg xmlns="http://www.w3.org/2000/svg" width="320" height="24" role="img"><text x="4" y="16" font-size="12">no steps recorded</text></svg>`
	}
	start, end := span(h)
	const label, width, rowH = 150, 480, 22
	x := func(t time.Time) float64 {
		if end.Equal(start) {
			return label
		}
		return label + float64(t.Sub(start))/float64(end.Sub(start))*width
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" role="img" aria-label="timeline of run %s" font-family="sans-serif" font-size="12">`,
		label+width+10, len(rows)*rowH+24, html.EscapeString(h.RunID))
	for i, r := range rows {
		y := i*rowH + 4
		fmt.Fprintf(&b, `<text x="4" y="%d">%s</text>`, y+13, html.EscapeString(r.name))
		for _, g := range r.gaps {
			fmt.Fprintf(&b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#888" stroke-dasharray="3 3"/>`, x(g[0]), y+9, x(g[1]), y+9)
		}
		for _, a := range r.attempts {
			colour := r.colour()
			if a.failed {
				colour = "#cf222e"
			}
			fmt.Fprintf(&b, `<rect x="%.1f" y="%d" width="%.1f" height="16" rx="2" fill="%s"><title>%s</title></rect>`,
				x(a.from), y+1, max(3, x(a.to)-x(a.from)), colour, html.EscapeString(a.title))
		}
	}
	fmt.Fprintf(&b, `<text x="%d" y="%d" fill="#666">%s</text></svg>`, label, len(rows)*rowH+18, end.Sub(start).Round(time.Millisecond))
	return b.String()
}

type timelineRow struct {
	name     string
	attempts []attempt
	failed   bool // the step's recorded result is an error
	gaps     [][2]time.Time
	next     time.Time // where the step's next attempt starts
}

// attempt is one run of a step's function, or the wait before a timer.
type attempt struct {
	from, to time.Time
	failed   bool
	title    string
}

func (r timelineRow) colour() string {
	switch {
	case r.failed:
		return "#cf222e"
	case strings.HasPrefix(r.name, "undo:"):
		return "#bf8700"
	}
	return "#2da44e"
}

// timelineRows groups the events by step, and a step's events into
// attempts separated by backoff or timer gaps.
func timelineRows(h *History) []timelineRow {
	byStep := map[int]*timelineRow{}
	prev := time.Time{}
	for _, ev := range h.Events {
		r := byStep[ev.Step]
		if r == nil {
			r = &timelineRow{name: ev.Name, next: ev.At}
			if !prev.IsZero() {
				r.next = prev
			}
			byStep[ev.Step] = r
		}
		switch ev.Kind {
		case kindRetry, kindTimer:
			title := ev.Name + ": waiting"
			if ev.Kind == kindRetry {
				title = ev.Name + ": attempt failed: " + ev.Error
			}
			r.attempts = append(r.attempts, attempt{from: r.next, to: ev.At, failed: ev.Kind == kindRetry, title: title})
			r.next = ev.At
			if ev.Wake != nil {
				r.gaps = append(r.gaps, [2]time.Time{ev.At, *ev.Wake})
				r.next = *ev.Wake
			}
		case kindDone, kindCancel:
			r.failed = ev.Failed || ev.Error != ""
			title := ev.Name + ": ok"
			switch {
			case ev.Kind == kindCancel:
				title = ev.Name + ": not run: " + cancelError(ev.Error).Error()
			case r.failed:
				title = ev.Name + ": " + ev.Error
			}
			r.attempts = append(r.attempts, attempt{from: r.next, to: ev.At, failed: r.failed, title: title})
		}
		prev = ev.At
	}
	steps := make([]int, 0, len(byStep))
	for s := range byStep {
		steps = append(steps, s)
	}
	sort.Ints(steps)
	rows := make([]timelineRow, len(steps))
	for i, s := range steps {
		rows[i] = *byStep[s]
	}
	return rows
}

// span is the time from the first event to the last event or wake-up.
func span(h *History) (time.Time, time.Time) {
	start, end := h.Events[0].At, h.Events[0].At
	for _, ev := range h.Events {
		if ev.At.After(end) {
			end = ev.At
		}
		if ev.Wake != nil && ev.Wake.After(end) {
			end = *ev.Wake
		}
	}
	return start, end
}
