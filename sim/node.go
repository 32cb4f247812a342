package sim

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// Node is a handler's view of its node: identity, the local clock, the
// network, timers, the disk, a private random source, and the trace. It is
// valid only during the handler call it was passed to; a handler keeps
// nothing of it but its ID.
type Node struct {
	sim         *Sim
	id          NodeID
	name        string
	newHandler  func() Handler
	handler     Handler
	up          bool
	incarnation int
	rng         *rand.Rand
	disk        *Disk
	clock       clock
	nextTimer   TimerID
	cancelled   map[TimerID]bool
}

// TimerID identifies a timer set with After.
type TimerID int

// ID returns the node's ID.
func (n *Node) ID() NodeID { return n.id }

// Name returns the node's name.
func (n *Node) Name() string { return n.name }

// Incarnation counts the node's boots: 1 at first, one more per restart.
func (n *Node) Incarnation() int { return n.incarnation }

// Peers returns the IDs of every other node, in order.
func (n *Node) Peers() []NodeID {
	peers := make([]NodeID, 0, len(n.sim.nodes)-1)
	for _, id := range n.sim.Nodes() {
		if id != n.id {
			peers = append(peers, id)
		}
	}
	return peers
}

// Now returns the node's local wall clock: Epoch plus the simulated time,
// as skewed and drifted by the Skew faults of this node.
func (n *Node) Now() time.Time { return Epoch.Add(n.clock.local(n.sim.now)) }

// Rand returns the node's random source, seeded from the run's seed, the
// node and its incarnation, so a node's choices do not shift when the
// network draws differ.
func (n *Node) Rand() *rand.Rand { return n.rng }

// Disk returns the node's disk, the only state that survives a crash.
func (n *Node) Disk() *Disk { return n.disk }

// Send sends msg to the node to and returns the message's ID. The link
// decides its delay and fate (Link, Partition). Send values, not pointers
// or slices the sender keeps changing: the receiver gets msg itself.
// Sending to an unknown node panics (the run fails, naming the handler).
func (n *Node) Send(to NodeID, msg any) MessageID {
	if !n.sim.valid(to) {
		panic(fmt.Sprintf("sim: %s sends to unknown node %d", n.name, to))
	}
	return n.sim.send(n.id, to, msg)
}

// Broadcast sends msg to every peer, in ID order.
func (n *Node) Broadcast(msg any) {
	for _, p := range n.Peers() {
		n.Send(p, msg)
	}
}

// After sets a timer that fires name after d of the node's local clock
// (a drifting clock fires early or late in simulated time). A crash
// cancels every timer of the node.
func (n *Node) After(d time.Duration, name string) TimerID {
	n.nextTimer++
	n.sim.push(item{
		at: n.sim.now + n.clock.span(d), kind: itemTimer, node: n.id,
		timer: n.nextTimer, name: name, incarnation: n.incarnation,
	})
	return n.nextTimer
}

// Cancel stops a timer that has not fired; cancelling twice does nothing.
func (n *Node) Cancel(t TimerID) {
	if n.cancelled == nil {
		n.cancelled = make(map[TimerID]bool)
	}
	n.cancelled[t] = true
}

// Note annotates the current event with a state change ("leader", "term
// 3"), shown in the trace and beside the event in the diagram.
func (n *Node) Note(format string, args ...any) {
	if ev := n.sim.current(); ev != nil {
		if ev.Note != "" {
			ev.Note += "; "
		}
		ev.Note += fmt.Sprintf(format, args...)
	}
}

// ShowClock reports the node's logical clock after the current event
// (a Lamport time, a vector), shown beside the event in the trace and the
// diagram.
func (n *Node) ShowClock(v any) {
	if ev := n.sim.current(); ev != nil {
		ev.Clock = fmt.Sprint(v)
	}
}

// current is the event whose handler runs, or nil outside handlers.
func (s *Sim) current() *Event {
	if s.cur < 0 {
		return nil
	}
	return &s.events[s.cur]
}

// clock is a node's local clock: local(t) = base + (t - anchor) * rate.
type clock struct {
	base, anchor time.Duration
	rate         float64
}

func (c clock) local(t time.Duration) time.Duration {
	return c.base + time.Duration(float64(t-c.anchor)*c.rate)
}

// span is the simulated time a local duration d takes, at least 0.
func (c clock) span(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	return time.Duration(float64(d) / c.rate)
}

// skew jumps the clock by jump at t and sets its rate to 1 + drift.
func (c *clock) skew(t, jump time.Duration, drift float64) {
	c.base = c.local(t) + jump
	c.anchor = t
	c.rate = max(1+drift, 0.01)
}
