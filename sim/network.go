package sim

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"
)

// Link describes one direction between two nodes: how long a message takes
// and what can happen to it. Messages on a link arrive in the order they
// were sent unless Reorder lets one overtake.
type Link struct {
	Delay     Dist    // the time a message spends on the link
	Loss      float64 // probability that a message is lost
	Duplicate float64 // probability that a message is delivered twice
	Reorder   float64 // probability that a message may overtake earlier ones
}

func (l Link) String() string {
	return fmt.Sprintf("{delay %s, loss %g, dup %g, reorder %g}", l.Delay, l.Loss, l.Duplicate, l.Reorder)
}

// Dist is a distribution of delays, as data so a schedule prints and
// compares: Fixed, Uniform or Exponential.
type Dist struct {
	Kind     DistKind
	Min, Max time.Duration // Fixed: Min; Uniform: [Min, Max]; Exponential: Min + an exponential of mean Max-Min
}

// DistKind names the shape of a Dist.
type DistKind uint8

// The distributions.
const (
	DistFixed DistKind = iota
	DistUniform
	DistExponential
)

// Fixed is a delay of exactly d.
func Fixed(d time.Duration) Dist { return Dist{Kind: DistFixed, Min: d, Max: d} }

// Uniform is a delay drawn uniformly from [lo, hi].
func Uniform(lo, hi time.Duration) Dist { return Dist{Kind: DistUniform, Min: lo, Max: max(lo, hi)} }

// Exponential is a delay of at least lo with mean mean: a long tail.
func Exponential(lo, mean time.Duration) Dist {
	return Dist{Kind: DistExponential, Min: lo, Max: max(lo, mean)}
}

// Draw returns one delay.
func (d Dist) Draw(r *rand.Rand) time.Duration {
	switch d.Kind {
	case DistUniform:
		return d.Min + time.Duration(r.Int64N(int64(d.Max-d.Min)+1))
	case DistExponential:
		return d.Min + time.Duration(r.ExpFloat64()*float64(d.Max-d.Min))
	}
	return d.Min
}

func (d Dist) String() string {
	switch d.Kind {
	case DistUniform:
		return fmt.Sprintf("uniform %v–%v", d.Min, d.Max)
	case DistExponential:
		return fmt.Sprintf("%v + exp(mean %v)", d.Min, d.Max-d.Min)
	}
	return d.Min.String()
}

// MessageID identifies a message: its index in Sim.Messages.
type MessageID int

// Message is one message and what became of it.
type Message struct {
	ID        MessageID
	From, To  NodeID
	Payload   any
	Sent      time.Duration
	SentEvent int           // the event whose handler sent it
	Arrive    time.Duration // when it arrived or was dropped; 0 if lost at once
	Event     int           // the event that delivered or dropped it, or -1
	Fate      Fate
	Copy      bool // a duplicate made by the link
}

// Fate is what happened to a message.
type Fate uint8

// The fates of a message.
const (
	InFlight  Fate = iota // still on the wire when the run ended
	Delivered             // handed to the receiver's Receive
	Lost                  // dropped by the link (Link.Loss)
	Cut                   // dropped by a partition
	Dead                  // arrived at a node that was down
)

var fateNames = [...]string{"in flight", "delivered", "lost", "cut by a partition", "dropped: receiver down"}

func (f Fate) String() string { return fateNames[f] }

// Dropped reports whether the message never reached a handler.
func (f Fate) Dropped() bool { return f == Lost || f == Cut || f == Dead }

// link is the link from one node to another now.
func (s *Sim) link(from, to NodeID) Link {
	for i := len(s.degraded) - 1; i >= 0; i-- {
		if d := s.degraded[i]; d.from == from && d.to == to {
			return d.link
		}
	}
	if l, ok := s.links[[2]NodeID{from, to}]; ok {
		return l
	}
	return s.cfg.Network
}

// send puts a message on the wire (and maybe a copy of it).
func (s *Sim) send(from, to NodeID, payload any) MessageID {
	if s.budget++; s.budget > s.cfg.MaxEvents {
		panic(errLimit{})
	}
	m := s.newMessage(from, to, payload)
	l := s.link(from, to)
	switch {
	case s.blocked(from, to):
		m.Fate = Cut
	case l.Loss > 0 && s.rng.Float64() < l.Loss:
		m.Fate = Lost
	default:
		s.schedule(m, l)
		if l.Duplicate > 0 && s.rng.Float64() < l.Duplicate {
			c := s.newMessage(from, to, payload)
			c.Copy = true
			s.schedule(c, l)
		}
	}
	return m.ID
}

func (s *Sim) newMessage(from, to NodeID, payload any) *Message {
	m := &Message{ID: MessageID(len(s.msgs)), From: from, To: to, Payload: payload, Sent: s.now, SentEvent: s.cur, Event: -1}
	s.msgs = append(s.msgs, m)
	return m
}

// schedule queues a message's arrival; in order per link unless it may
// overtake.
func (s *Sim) schedule(m *Message, l Link) {
	at := s.now + l.Delay.Draw(s.rng)
	key := [2]NodeID{m.From, m.To}
	if l.Reorder == 0 || s.rng.Float64() >= l.Reorder {
		at = max(at, s.last[key])
		s.last[key] = at
	}
	s.push(item{at: at, kind: itemDeliver, node: m.To, msg: m})
}

// deliver hands a message to its receiver, or drops it.
func (s *Sim) deliver(m *Message) {
	m.Arrive = s.now
	n := s.nodes[m.To]
	switch {
	case !n.up:
		m.Fate = Dead
	case s.blocked(m.From, m.To):
		m.Fate = Cut
	default:
		m.Fate = Delivered
		m.Event = s.run(n, Event{Kind: EventReceive, Node: n.id, Msg: m.ID, Fault: -1}, func(h Handler) { h.Receive(n, m.From, m.Payload) })
		return
	}
	m.Event = s.record(Event{Kind: EventDrop, Node: m.To, Msg: m.ID, Fault: -1})
}

// block is an active partition: no message from a node in from reaches a
// node in to.
type block struct {
	id       int
	from, to []NodeID
	label    string // for the trace
}

// blocked reports whether an active partition cuts the link from → to.
func (s *Sim) blocked(from, to NodeID) bool {
	for _, b := range s.blocks {
		if slices.Contains(b.from, from) && slices.Contains(b.to, to) {
			return true
		}
	}
	return false
}

// degradation is an active Degrade fault.
type degradation struct {
	id       int
	from, to NodeID
	link     Link
}
