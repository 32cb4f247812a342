package quorum

import (
	"fmt"

	"github.com/lamport-kb/lamport/sim"
)

// Client runs Config.Ops operations, one at a time, each in two rounds to
// the replicas: it sends a round to all N replicas and moves on when
// enough of them (R for a query, W for a store) have answered, resending
// to the others every Config.Retry until then.
type Client struct {
	cfg      Config
	replicas []sim.NodeID

	inc, seq int
	op       sim.OpID
	input    Input
	round    Round
	answered []bool // by replica ID, in the current round
	count    int
	best     Tagged // the newest value the query round has seen
	store    Tagged // what the store round writes
	busy     bool
	retry    sim.TimerID
}

// Start schedules the first operation.
func (c *Client) Start(n *sim.Node) {
	c.inc = n.Incarnation()
	n.After(c.cfg.think(), "next")
}

// Fire runs the client's timers: "next" begins an operation, "retry"
// resends the current round.
func (c *Client) Fire(n *sim.Node, timer string) {
	switch timer {
	case "next":
		c.begin(n)
	case "retry":
		c.send(n)
		c.retry = n.After(c.cfg.retry(), "retry")
	}
}

// begin invokes the next operation, a write or a read, and starts its
// query round.
func (c *Client) begin(n *sim.Node) {
	if c.seq >= or(c.cfg.Ops, 6) {
		return
	}
	c.seq++
	c.input = Input{}
	if n.Rand().Float64() < or(c.cfg.Writes, 0.5) {
		c.input = Input{Write: true, Value: c.value(n)}
		n.Note("write %s", c.input.Value)
	} else {
		n.Note("read")
	}
	c.op, c.busy = n.Invoke(c.input), true
	c.start(n, Query)
}

// value names a write: the client, its boot after the first, the sequence.
func (c *Client) value(n *sim.Node) string {
	if c.inc > 1 {
		return fmt.Sprintf("%s%d.%d", n.Name(), c.inc, c.seq)
	}
	return fmt.Sprintf("%s%d", n.Name(), c.seq)
}

// start begins a round: every replica is asked, none has answered.
func (c *Client) start(n *sim.Node, p Phase) {
	c.round = Round{Incarnation: c.inc, Seq: c.seq, Phase: p}
	c.answered, c.count = make([]bool, len(c.replicas)), 0
	if p == Query {
		c.best = Tagged{}
	}
	c.send(n)
	n.Cancel(c.retry)
	c.retry = n.After(c.cfg.retry(), "retry")
}

// send sends the round's message to every replica that has not answered.
func (c *Client) send(n *sim.Node) {
	for i, id := range c.replicas {
		if c.answered[i] {
			continue
		}
		if c.round.Phase == Query {
			n.Send(id, Get{Op: c.round})
		} else {
			n.Send(id, Put{Op: c.round, Value: c.store, Repair: !c.input.Write})
		}
	}
}

// Receive counts the answers to the current round; a late answer to an
// earlier round, or a second copy, is ignored.
func (c *Client) Receive(n *sim.Node, from sim.NodeID, msg any) {
	switch m := msg.(type) {
	case Got:
		if c.answer(from, m.Op, Query) {
			if m.Value.Newer(c.best) {
				c.best = m.Value
			}
			if c.count == c.cfg.r() {
				c.queried(n)
			}
		}
	case Ack:
		if c.answer(from, m.Op, Store) && c.count == c.cfg.w() {
			c.finish(n, c.store)
		}
	}
}

// answer records a replica's answer to round p of the current operation,
// and reports whether it is a new one.
func (c *Client) answer(from sim.NodeID, op Round, p Phase) bool {
	i := int(from - c.replicas[0])
	if !c.busy || op != c.round || op.Phase != p || i < 0 || i >= len(c.answered) || c.answered[i] {
		return false
	}
	c.answered[i] = true
	c.count++
	return true
}

// queried ends the query round: a write stores its value with the next
// version; a read stores the newest value it saw (read repair) so that no
// later read returns anything older, and only then returns it.
func (c *Client) queried(n *sim.Node) {
	if c.input.Write {
		c.store = Tagged{Version: Version{Counter: c.best.Version.Counter + 1, Writer: int(n.ID()), Incarnation: c.inc}, Value: c.input.Value}
	} else {
		c.store = c.best
		if c.cfg.bug == noWriteBack {
			c.finish(n, c.best)
			return
		}
	}
	c.start(n, Store)
}

// finish returns the operation and schedules the next one.
func (c *Client) finish(n *sim.Node, t Tagged) {
	c.busy = false
	n.Cancel(c.retry)
	n.Return(c.op, Output{Value: t.Value, Version: t.Version})
	if c.input.Write {
		n.Note("wrote %v", t)
	} else {
		n.Note("read %v", t)
	}
	n.After(c.cfg.think(), "next")
}
