package raft

import (
	"fmt"
	"time"

	"github.com/lamport-kb/lamport/sim"
)

// Client is a simulated client, a sim.Handler: it issues Config.Ops
// random gets and puts one at a time, each recorded in the run's history
// (Node.Invoke, Node.Return). It sends an operation to the server it
// believes leads, follows a "not leader" reply to the leader named, and
// after retryAfter without an answer tries the next server, with the same
// session number, so the operation takes effect once.
type Client struct {
	c       *Cluster
	done    int
	seq     int
	pending *Command // the operation awaiting its answer
	op      sim.OpID
	target  int // index in Cluster.Servers of the server it asks
	retry   sim.TimerID
}

// Timing of a client: think time between operations, and how long it
// waits for an answer before it tries another server.
const (
	thinkTime  = 15 * time.Millisecond
	retryAfter = 60 * time.Millisecond
)

// Start begins the client's first operation after a pause. A restarted
// client continues its session under a higher sequence number.
func (cl *Client) Start(n *sim.Node) {
	cl.seq = n.Incarnation() << 20
	cl.think(n)
}

func (cl *Client) think(n *sim.Node) {
	if cl.done < cl.c.cfg.Ops {
		n.After(thinkTime/2+time.Duration(n.Rand().Int64N(int64(thinkTime))), "op")
	}
}

// Fire starts an operation, or retries the pending one elsewhere.
func (cl *Client) Fire(n *sim.Node, timer string) {
	switch timer {
	case "op":
		cl.begin(n)
	case "retry":
		if cl.pending == nil {
			return
		}
		cl.target = (cl.target + 1) % len(cl.c.Servers)
		cl.send(n)
	}
}

// begin draws an operation: a put of a value no one wrote before, or a
// get, on a random key.
func (cl *Client) begin(n *sim.Node) {
	cl.seq++
	cmd := Command{Client: n.ID(), Seq: cl.seq, Kind: Get, Key: string(rune('x' + n.Rand().IntN(cl.c.cfg.Keys)))}
	if n.Rand().IntN(2) == 0 {
		cmd.Kind, cmd.Value = Put, fmt.Sprintf("%d", int(n.ID())*100+cl.done+1)
	}
	cl.pending = &cmd
	cl.op = n.Invoke(cmd)
	cl.send(n)
}

// send asks the target server and arms the retry timer.
func (cl *Client) send(n *sim.Node) {
	n.Cancel(cl.retry)
	n.Send(cl.c.Servers[cl.target], Request{Cmd: *cl.pending})
	cl.retry = n.After(retryAfter, "retry")
}

// Receive takes an answer to the pending operation, or a redirection.
func (cl *Client) Receive(n *sim.Node, from sim.NodeID, msg any) {
	m, ok := msg.(Reply)
	if !ok || cl.pending == nil || m.Seq != cl.pending.Seq {
		return // an answer to an attempt already answered
	}
	if !m.OK {
		if i := cl.c.index(m.Leader); i >= 0 && i != cl.target {
			cl.target = i
			cl.send(n)
		}
		return // no leader known: the retry timer moves on
	}
	n.Cancel(cl.retry)
	n.Return(cl.op, m.Result)
	if cl.pending.Kind == Get {
		n.Note("%v → %q", *cl.pending, m.Result.Value)
	} else {
		n.Note("%v ✓", *cl.pending)
	}
	cl.pending = nil
	cl.done++
	cl.think(n)
}

// index is the position of a server in Servers, or -1.
func (c *Cluster) index(id sim.NodeID) int {
	for i, s := range c.Servers {
		if s == id {
			return i
		}
	}
	return -1
}
