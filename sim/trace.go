package sim

import (
	"fmt"
	"strings"
	"time"
)

// Event is one entry of a run's trace: something that happened at one
// instant, to one node (Node >= 0) or to the cluster (Node == -1).
type Event struct {
	Seq   int // its index in the trace
	At    time.Duration
	Kind  EventKind
	Node  NodeID
	Msg   MessageID // the message received or dropped, or -1
	Timer string    // the timer that fired
	Fault int       // the index in the schedule of the fault it belongs to, or -1
	Note  string    // state changes the handler noted, or what a fault did
	Clock string    // the logical clock the handler reported, or ""
}

// EventKind says what an Event is.
type EventKind uint8

// The kinds of events.
const (
	EventStart     EventKind = iota // a node booted
	EventReceive                    // a node received a message
	EventTimer                      // a node's timer fired
	EventDrop                       // a message arrived and was dropped (Message.Fate says why)
	EventCrash                      // a node crashed
	EventRestart                    // a node booted again after a crash
	EventPartition                  // a partition began
	EventHeal                       // a partition healed
	EventSkew                       // a node's clock jumped or changed rate
	EventDegrade                    // a link degraded
	EventRestore                    // a degraded link recovered
)

var kindNames = [...]string{"start", "recv", "timer", "drop", "crash", "restart", "partition", "heal", "skew", "degrade", "restore"}

func (k EventKind) String() string { return kindNames[k] }

// event is an Event of kind at node, touching no message and no fault.
func event(kind EventKind, node NodeID) Event {
	return Event{Kind: kind, Node: node, Msg: -1, Fault: -1}
}

// Events returns the trace: every event of the run, in order.
func (s *Sim) Events() []Event { return s.events }

// Messages returns every message sent, in the order sent.
func (s *Sim) Messages() []*Message { return s.msgs }

// Sent returns the messages the event's handler sent, in order.
func (s *Sim) Sent(event int) []*Message {
	var out []*Message
	for _, m := range s.msgs {
		if m.SentEvent == event {
			out = append(out, m)
		}
	}
	return out
}

// Trace returns the run as text, one line per event (and one per message
// sent, under the event that sent it): the time, the node, what happened,
// the node's logical clock and notes.
func (s *Sim) Trace() string {
	var b strings.Builder
	sent := s.sentBy()
	for _, e := range s.events {
		fmt.Fprintf(&b, "%10s  %-8s %s\n", fmtTime(e.At), s.laneName(e.Node), s.describe(e))
		for _, m := range sent[e.Seq] {
			fmt.Fprintf(&b, "%10s  %-8s   send #%d → %s: %v%s\n", "", "", m.ID, s.Name(m.To), m.Payload, fateSuffix(m))
		}
	}
	return b.String()
}

// sentBy groups the messages by the event that sent them.
func (s *Sim) sentBy() map[int][]*Message {
	sent := make(map[int][]*Message)
	for _, m := range s.msgs {
		sent[m.SentEvent] = append(sent[m.SentEvent], m)
	}
	return sent
}

func fateSuffix(m *Message) string {
	var s string
	if m.Copy {
		s = " (duplicate)"
	}
	if m.Fate != Delivered {
		s += " [" + m.Fate.String() + "]"
	}
	return s
}

// describe is an event's text after the time and the node.
func (s *Sim) describe(e Event) string {
	var b strings.Builder
	b.WriteString(e.Kind.String())
	switch e.Kind {
	case EventReceive, EventDrop:
		m := s.msgs[e.Msg]
		fmt.Fprintf(&b, " #%d ← %s: %v", m.ID, s.Name(m.From), m.Payload)
		if e.Kind == EventDrop {
			b.WriteString(" [" + m.Fate.String() + "]")
		}
	case EventTimer:
		b.WriteString(" " + e.Timer)
	}
	if e.Clock != "" {
		b.WriteString("  C=" + e.Clock)
	}
	if e.Note != "" {
		b.WriteString("  (" + e.Note + ")")
	}
	return b.String()
}

func (s *Sim) laneName(n NodeID) string {
	if n < 0 {
		return "--"
	}
	return s.Name(n)
}

// fmtTime prints a simulated time in milliseconds with three decimals.
func fmtTime(d time.Duration) string {
	return fmt.Sprintf("%d.%03dms", d/time.Millisecond, d%time.Millisecond/time.Microsecond)
}
