package leaderfollower

import (
	"fmt"
	"time"

	"github.com/lamport-kb/lamport/sim"
)

// Client runs Config.Ops operations, one at a time: a write to the replica
// it believes leads (it follows redirects and the operator's
// announcements, and gives up on a write after Config.Timeout), or a read
// from a random replica.
type Client struct {
	cfg      Config
	h        *History
	replicas []sim.NodeID

	leader sim.NodeID
	done   int
	op     string // the write in flight, or ""
	read   int    // the read in flight, or 0
	timer  sim.TimerID
}

// Start schedules the first operation.
func (c *Client) Start(n *sim.Node) {
	c.leader = c.replicas[0]
	c.next(n)
}

func (c *Client) next(n *sim.Node) {
	c.op, c.read = "", 0
	if c.done >= or(c.cfg.Ops, 12) {
		return
	}
	every := c.cfg.every()
	n.After(every/2+time.Duration(n.Rand().Int64N(int64(every)+1)), "next")
}

// Fire begins the next operation ("next") or gives up on one ("timeout").
func (c *Client) Fire(n *sim.Node, timer string) {
	switch timer {
	case "next":
		c.done++
		if n.Rand().Float64() < or(c.cfg.Reads, 0.3) {
			c.read = c.done
			n.Send(c.replicas[n.Rand().IntN(len(c.replicas))], Read{Seq: c.read})
		} else {
			c.op = fmt.Sprintf("%s%d", n.Name(), c.done)
			if n.Incarnation() > 1 { // a restarted client counts again: keep its writes apart
				c.op = fmt.Sprintf("%s%d.%d", n.Name(), n.Incarnation(), c.done)
			}
			n.Note("write %s", c.op)
			n.Send(c.leader, Write{ID: c.op})
		}
		c.timer = n.After(c.cfg.timeout(), "timeout")
	case "timeout":
		if c.op != "" {
			n.Note("gave up on %s", c.op)
		}
		c.next(n)
	}
}

// Receive handles answers, redirects and announcements.
func (c *Client) Receive(n *sim.Node, from sim.NodeID, msg any) {
	switch m := msg.(type) {
	case Written:
		if m.ID == c.op {
			n.Cancel(c.timer)
			n.Note("%s acked as e%d#%d", m.ID, m.Epoch, m.Index)
			c.next(n)
		}
	case Redirect:
		if m.ID == c.op && m.Leader >= 0 && m.Leader != from {
			c.leader = m.Leader
			n.Send(c.leader, Write{ID: c.op})
		}
	case ReadReply:
		if m.Seq == c.read {
			n.Cancel(c.timer)
			c.h.read(from, m, n)
			c.next(n)
		}
	case Leader:
		c.leader = m.Leader
	}
}
