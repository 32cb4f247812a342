package twophasecommit

import (
	"fmt"

	"github.com/lamport-kb/lamport/sim"
)

// Coordinator runs the transactions one after another: it logs "begun",
// sends the prepares, collects the votes, logs the decision and announces
// it until every participant has acknowledged.
type Coordinator struct {
	cfg   Config
	h     *History
	log   *Log
	txn   Txn // the current transaction, 0 before the first
	votes map[sim.NodeID]bool
	acks  map[sim.NodeID]bool
	phase Outcome // Begun while collecting votes, then the decision
	timer sim.TimerID
}

// Start replays the log. A transaction begun and not decided is aborted
// (presumed abort: no participant can have committed it, since no commit
// was ever sent) and its decision announced again; so is the last decided
// one, whose acknowledgements were lost in the crash.
func (c *Coordinator) Start(n *sim.Node) {
	l, err := OpenLog(n.Disk())
	if err != nil {
		panic(err)
	}
	c.log = l
	c.log.synced = c.cfg.bug != unsyncedDecision
	txns := l.Txns()
	if len(txns) == 0 {
		c.begin(n, 1)
		return
	}
	c.txn = txns[len(txns)-1]
	if st := l.State(c.txn).Outcome; st == Begun {
		n.Note("restarted: T%d begun, undecided: abort", c.txn)
		c.decide(n, false)
		return
	}
	n.Note("restarted: T%d %v", c.txn, l.State(c.txn).Outcome)
	c.announce(n, l.State(c.txn).Outcome)
}

// begin starts transaction t: logged, then prepared everywhere.
func (c *Coordinator) begin(n *sim.Node, t Txn) {
	if int(t) > c.cfg.txns() {
		return
	}
	c.txn, c.phase, c.votes = t, Begun, map[sim.NodeID]bool{}
	mustAppend(c.log, Record{Txn: t, Outcome: Begun, Value: "-"})
	c.h.begun(t)
	for _, p := range n.Peers() {
		n.Send(p, Prepare{Txn: t, Value: fmt.Sprintf("v%d", t)})
	}
	c.timer = n.After(c.cfg.voteTimeout(), "votes")
}

// Receive handles votes, acknowledgements and queries.
func (c *Coordinator) Receive(n *sim.Node, from sim.NodeID, msg any) {
	switch m := msg.(type) {
	case Vote:
		c.vote(n, from, m)
	case Ack:
		if m.Txn == c.txn && c.phase.Final() {
			c.acks[from] = true
			if len(c.acks) == len(n.Peers()) {
				n.Cancel(c.timer)
				c.begin(n, c.txn+1)
			}
		}
	case Query:
		c.answer(n, from, m.Txn)
	}
}

// vote counts a vote for the current transaction: a no aborts at once,
// the last yes commits.
func (c *Coordinator) vote(n *sim.Node, from sim.NodeID, v Vote) {
	if v.Txn != c.txn || c.phase != Begun {
		return
	}
	if !v.Yes {
		c.decide(n, false)
		return
	}
	c.votes[from] = true
	if len(c.votes) == len(n.Peers()) {
		c.decide(n, true)
	}
}

// decide makes the decision durable, and only then announces it.
func (c *Coordinator) decide(n *sim.Node, commit bool) {
	o := Aborted
	if commit {
		o = Committed
	}
	n.Cancel(c.timer)
	mustAppend(c.log, Record{Txn: c.txn, Outcome: o, Value: "-"})
	c.h.decided(c.txn, o)
	n.Note("T%d %v", c.txn, o)
	c.announce(n, o)
}

// announce sends the decision to every participant that has not
// acknowledged it, and again every Retry.
func (c *Coordinator) announce(n *sim.Node, o Outcome) {
	c.phase = o
	if c.acks == nil || len(c.acks) == len(n.Peers()) {
		c.acks = map[sim.NodeID]bool{}
	}
	for _, p := range n.Peers() {
		if !c.acks[p] {
			n.Send(p, Decision{Txn: c.txn, Commit: o == Committed})
		}
	}
	c.timer = n.After(c.cfg.retry(), "announce")
}

// answer tells a participant the decision on t: from the log, or abort if
// the log has no decision (and t is not the transaction being voted on).
func (c *Coordinator) answer(n *sim.Node, to sim.NodeID, t Txn) {
	st := c.log.State(t).Outcome
	switch {
	case st.Final():
		n.Send(to, Decision{Txn: t, Commit: st == Committed})
	case t != c.txn || c.phase != Begun:
		n.Send(to, Decision{Txn: t})
	}
}

// Fire runs the timers: "votes" aborts a transaction whose votes are not
// all in; "announce" resends the decision.
func (c *Coordinator) Fire(n *sim.Node, timer string) {
	switch timer {
	case "votes":
		if c.phase == Begun {
			n.Note("T%d: votes timed out", c.txn)
			c.decide(n, false)
		}
	case "announce":
		c.announce(n, c.phase)
	}
}
