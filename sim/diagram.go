package sim

import (
	"fmt"
	"html"
	"strings"
	"unicode/utf8"
)

// DiagramOptions bound a space-time diagram. The zero value draws at most
// DefaultMaxRows events and DefaultMaxLanes nodes.
type DiagramOptions struct {
	MaxRows  int    // events drawn, one row each; the rest is cut and said so
	MaxLanes int    // nodes drawn, one lane each; the rest is cut and said so
	Title    string // the diagram's accessible name; "" for a default
}

// Bounds of a diagram whose options leave them zero.
const (
	DefaultMaxRows  = 300
	DefaultMaxLanes = 12
)

// Geometry of the diagram, in pixels.
const (
	axisW        = 78  // the time axis at the left
	laneW        = 150 // one node's column
	headH        = 44  // lane names
	rowH         = 20  // one event
	footH        = 64  // truncation notes and the legend
	maxTxt       = 26  // characters of a note or clock drawn beside a dot; the rest is in its title
	maxTip       = 300 // characters of a title
	arrowsPerRow = 4   // arrows drawn, at most, per row drawn
)

// Diagram draws the run as a space-time diagram in SVG, the kind Lamport
// drew in 1978: one vertical lane per node, time flowing down one row per
// event, a dot per event labelled with the logical clock the node reported
// and its notes, an arrow per message (dashed red and crossed when the
// message was lost, cut or dropped), crashed stretches of a lane shaded
// grey, and partitions and degraded links as labelled bands across the
// lanes. Every dot and arrow has a <title> with the full text, shown on
// hover. It needs no script and no style sheet, and is a pure function of
// the trace: the same run draws the same bytes. Its size is bounded: the
// options' rows and lanes, at most four arrows per row drawn, titles of at
// most 160 characters; whatever is left out is said below the diagram.
func (s *Sim) Diagram(o DiagramOptions) string {
	d := newDrawing(s, o)
	d.header()
	d.bands()
	d.downtime()
	d.laneLines()
	d.arrows()
	d.dots()
	d.footer()
	d.b.WriteString("</svg>\n")
	return d.b.String()
}

// drawing is one diagram being written.
type drawing struct {
	s             *Sim
	o             DiagramOptions
	b             strings.Builder
	rows, lanes   int
	width, bottom int
	arrowsDrawn   int // arrows counted so far
	arrowsCut     int // arrows left out for the bound
}

func newDrawing(s *Sim, o DiagramOptions) *drawing {
	if o.MaxRows <= 0 {
		o.MaxRows = DefaultMaxRows
	}
	if o.MaxLanes <= 0 {
		o.MaxLanes = DefaultMaxLanes
	}
	if o.Title == "" {
		o.Title = fmt.Sprintf("space-time diagram of seed %d: %d nodes, %d events, %d messages", s.cfg.Seed, len(s.nodes), len(s.events), len(s.msgs))
	}
	d := &drawing{s: s, o: o, rows: min(len(s.events), o.MaxRows), lanes: min(len(s.nodes), o.MaxLanes)}
	d.width = axisW + d.lanes*laneW + 10
	d.bottom = headH + d.rows*rowH + 10
	return d
}

func (d *drawing) y(row int) int      { return headH + row*rowH + rowH/2 }
func (d *drawing) x(n NodeID) int     { return axisW + int(n)*laneW + laneW/2 }
func (d *drawing) drawn(ev int) bool  { return ev >= 0 && ev < d.rows }
func (d *drawing) lane(n NodeID) bool { return n >= 0 && int(n) < d.lanes }

func (d *drawing) header() {
	fmt.Fprintf(&d.b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" role="img" aria-label="%s" font-family="sans-serif" font-size="11">`,
		d.width, d.bottom+footH, d.width, d.bottom+footH, esc(d.o.Title))
	fmt.Fprintf(&d.b, "<title>%s</title>", esc(d.o.Title))
	d.b.WriteString(`<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0 0L10 5L0 10z" fill="#0969da"/></marker></defs>`)
	fmt.Fprintf(&d.b, `<rect width="%d" height="%d" fill="#fff"/>`, d.width, d.bottom+footH)
	for i := range d.lanes {
		n := NodeID(i)
		fmt.Fprintf(&d.b, `<text x="%d" y="24" text-anchor="middle" font-size="13" font-weight="bold">%s</text>`, d.x(n), esc(d.s.Name(n)))
	}
	d.b.WriteString(`<text x="6" y="24" fill="#57606a">time</text>`)
	last := ""
	for i := range d.rows {
		if t := fmtTime(d.s.events[i].At); t != last {
			fmt.Fprintf(&d.b, `<text x="6" y="%d" fill="#57606a">%s</text>`, d.y(i)+4, t)
			last = t
		}
	}
}

// bands shades partitions and degraded links, from the row where they
// begin to the row where they end (or the bottom).
func (d *drawing) bands() {
	for i := range d.rows {
		e := d.s.events[i]
		if e.Kind != EventPartition && e.Kind != EventDegrade {
			continue
		}
		end := d.endOf(i, e.Fault, EventHeal, EventRestore)
		colour, label := "#bf8700", "partition "+e.Note
		if e.Kind == EventDegrade {
			colour, label = "#8250df", "degraded "+e.Note
		}
		top, h := d.y(i), d.y(end)-d.y(i)
		fmt.Fprintf(&d.b, `<rect x="%d" y="%d" width="%d" height="%d" fill="%s" fill-opacity="0.10"><title>%s</title></rect>`,
			axisW, top, d.lanes*laneW, max(h, 2), colour, esc(clip(label, maxTip)+" from "+fmtTime(e.At)))
		fmt.Fprintf(&d.b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-dasharray="4 3"/>`, axisW, top, axisW+d.lanes*laneW, top, colour)
		fmt.Fprintf(&d.b, `<text x="%d" y="%d" fill="%s">%s</text>`, axisW+4, top-3, colour, esc(clip(label, 60)))
	}
}

// endOf is the row of the event that ends fault id (or the last row).
func (d *drawing) endOf(from, id int, kinds ...EventKind) int {
	for j := from + 1; j < d.rows; j++ {
		e := d.s.events[j]
		if e.Fault == id && (e.Kind == kinds[0] || (len(kinds) > 1 && e.Kind == kinds[1])) {
			return j
		}
	}
	return d.rows
}

// downtime shades every lane between a crash and the restart.
func (d *drawing) downtime() {
	for i := range d.rows {
		e := d.s.events[i]
		if e.Kind != EventCrash || !d.lane(e.Node) {
			continue
		}
		end := d.rows
		for j := i + 1; j < d.rows; j++ {
			if f := d.s.events[j]; f.Node == e.Node && f.Kind == EventRestart {
				end = j
				break
			}
		}
		fmt.Fprintf(&d.b, `<rect x="%d" y="%d" width="24" height="%d" fill="#6e7781" fill-opacity="0.35"><title>%s down from %s</title></rect>`,
			d.x(e.Node)-12, d.y(i), max(d.y(end)-d.y(i), 2), esc(d.s.Name(e.Node)), fmtTime(e.At))
	}
}

func (d *drawing) laneLines() {
	for i := range d.lanes {
		fmt.Fprintf(&d.b, `<line x1="%d" y1="32" x2="%d" y2="%d" stroke="#8c959f"/>`, d.x(NodeID(i)), d.x(NodeID(i)), d.bottom)
	}
}

// arrows draws every message whose send is drawn, up to arrowsPerRow
// per row.
func (d *drawing) arrows() {
	for _, m := range d.s.msgs {
		if !d.drawn(m.SentEvent) || !d.lane(m.From) || !d.lane(m.To) {
			continue
		}
		if d.arrowsDrawn++; d.arrowsDrawn > arrowsPerRow*d.rows {
			d.arrowsCut++
			continue
		}
		x1, y1 := d.x(m.From), d.y(m.SentEvent)
		title := esc(d.messageTitle(m))
		switch {
		case m.Fate == Delivered && d.drawn(m.Event):
			d.line(x1, y1, d.x(m.To), d.y(m.Event), `stroke="#0969da" marker-end="url(#arrow)"`, title)
		case m.Event >= 0 && d.drawn(m.Event): // dropped on arrival
			d.cross(x1, y1, d.x(m.To), d.y(m.Event), title)
		case m.Fate.Dropped(): // lost on the way: the cross part of the way
			x2 := x1 + (d.x(m.To)-x1)*2/5
			if m.To == m.From {
				x2 = x1 + 30
			}
			d.cross(x1, y1, x2, y1+rowH, title)
		default: // in flight at the end, or delivered below the last drawn row
			d.line(x1, y1, d.x(m.To), d.bottom, `stroke="#0969da" stroke-dasharray="2 3"`, title)
		}
	}
}

func (d *drawing) line(x1, y1, x2, y2 int, attrs, title string) {
	if x1 == x2 { // a message to itself: a loop to the right
		fmt.Fprintf(&d.b, `<path d="M%d %dC%d %d %d %d %d %d" fill="none" %s><title>%s</title></path>`,
			x1, y1, x1+40, y1, x2+40, y2, x2, y2, attrs, title)
		return
	}
	fmt.Fprintf(&d.b, `<line x1="%d" y1="%d" x2="%d" y2="%d" %s><title>%s</title></line>`, x1, y1, x2, y2, attrs, title)
}

// cross draws a dropped message: dashed red, ending in an ×.
func (d *drawing) cross(x1, y1, x2, y2 int, title string) {
	d.line(x1, y1, x2, y2, `stroke="#cf222e" stroke-dasharray="4 3"`, title)
	fmt.Fprintf(&d.b, `<path d="M%d %dl8 8m0 -8l-8 8" stroke="#cf222e" stroke-width="2"/>`, x2-4, y2-4)
}

func (d *drawing) messageTitle(m *Message) string {
	t := fmt.Sprintf("#%d %s → %s: %s · sent %s", m.ID, d.s.Name(m.From), d.s.Name(m.To), clip(fmt.Sprint(m.Payload), maxTip/2), fmtTime(m.Sent))
	if m.Event >= 0 {
		t += " · arrived " + fmtTime(m.Arrive)
	}
	return t + " · " + m.Fate.String() + fateCopy(m)
}

func fateCopy(m *Message) string {
	if m.Copy {
		return " (a duplicate)"
	}
	return ""
}

var dotColour = map[EventKind]string{
	EventStart: "#1a7f37", EventRestart: "#1a7f37", EventReceive: "#0969da", EventTimer: "#8250df",
	EventDrop: "#cf222e", EventCrash: "#24292f", EventSkew: "#bf8700",
}

// dots draws each node event with its clock and notes.
func (d *drawing) dots() {
	for i := range d.rows {
		e := d.s.events[i]
		if !d.lane(e.Node) {
			continue
		}
		x, y := d.x(e.Node), d.y(i)
		title := esc(clip(fmtTime(e.At)+" "+d.s.Name(e.Node)+" "+d.s.describe(e), maxTip))
		if e.Kind == EventCrash {
			fmt.Fprintf(&d.b, `<rect x="%d" y="%d" width="10" height="10" fill="#24292f"><title>%s</title></rect>`, x-5, y-5, title)
		} else {
			fmt.Fprintf(&d.b, `<circle cx="%d" cy="%d" r="4" fill="%s"><title>%s</title></circle>`, x, y, dotColour[e.Kind], title)
		}
		label := e.Clock
		if label != "" {
			label = "C=" + label
		}
		if note := d.note(e); note != "" {
			label = strings.TrimSpace(label + " " + note)
		}
		if label != "" {
			fmt.Fprintf(&d.b, `<text x="%d" y="%d">%s</text>`, x+8, y+4, esc(clip(label, maxTxt)))
		}
	}
}

// note is what a dot's label says besides the clock.
func (d *drawing) note(e Event) string {
	switch e.Kind {
	case EventCrash:
		return "crash"
	case EventRestart:
		return "restart " + e.Note
	case EventStart, EventSkew:
		return strings.TrimSpace(e.Kind.String() + " " + e.Note)
	}
	return e.Note
}

func (d *drawing) footer() {
	y := d.bottom + 16
	if cut := len(d.s.events) - d.rows; cut > 0 {
		fmt.Fprintf(&d.b, `<text x="6" y="%d" fill="#cf222e">… %d more events after %s not drawn (the first %d are; DiagramOptions.MaxRows)</text>`,
			y, cut, fmtTime(d.s.events[d.rows-1].At), d.rows)
		y += 16
	}
	if d.arrowsCut > 0 {
		fmt.Fprintf(&d.b, `<text x="6" y="%d" fill="#cf222e">… %d more messages not drawn (at most %d arrows for %d rows)</text>`, y, d.arrowsCut, arrowsPerRow*d.rows, d.rows)
		y += 16
	}
	if cut := len(d.s.nodes) - d.lanes; cut > 0 {
		fmt.Fprintf(&d.b, `<text x="6" y="%d" fill="#cf222e">… %d more nodes not drawn (DiagramOptions.MaxLanes)</text>`, y, cut)
		y += 16
	}
	fmt.Fprintf(&d.b, `<text x="6" y="%d" fill="#57606a">→ message · ✕ lost, cut or dropped · grey: node down · bands: partition, degraded link · C= logical clock</text>`, max(y, d.bottom+16))
}

func esc(s string) string { return html.EscapeString(s) }

// clip shortens s to n characters with an ellipsis.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
