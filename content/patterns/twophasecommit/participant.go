package twophasecommit

import (
	"github.com/lamport-kb/lamport/sim"
)

// Participant votes on each transaction and applies the decision. Once it
// has voted yes it is in doubt: it may neither commit nor abort until the
// coordinator tells it, and asks the coordinator every Retry.
type Participant struct {
	cfg     Config
	h       *History
	coord   sim.NodeID
	log     *Log
	waiting map[Txn]int // prepared transactions: queries sent so far
	asking  bool        // the "query" timer is set
}

// Start replays the log; the transactions still prepared are in doubt.
func (p *Participant) Start(n *sim.Node) {
	l, err := OpenLog(n.Disk())
	if err != nil {
		panic(err)
	}
	p.log, p.waiting = l, map[Txn]int{}
	p.log.synced = p.cfg.bug != unsyncedPrepare
	for _, t := range l.Txns() {
		if l.State(t).Outcome == Prepared {
			p.wait(n, t)
			n.Note("restarted in doubt on T%d", t)
		}
	}
}

// Receive votes on a Prepare and applies a Decision.
func (p *Participant) Receive(n *sim.Node, from sim.NodeID, msg any) {
	switch m := msg.(type) {
	case Prepare:
		p.prepare(n, m)
	case Decision:
		p.decide(n, m)
	}
}

// prepare votes: yes after the prepare record is durable, or no after the
// abort is. A repeated Prepare gets the same vote again.
func (p *Participant) prepare(n *sim.Node, m Prepare) {
	switch p.log.State(m.Txn).Outcome {
	case Unknown:
		if n.Rand().Float64() < p.cfg.noVotes() {
			p.finish(n, m.Txn, Aborted)
			n.Send(p.coord, Vote{Txn: m.Txn})
			return
		}
		mustAppend(p.log, Record{Txn: m.Txn, Outcome: Prepared, Value: m.Value})
		n.Note("prepared T%d", m.Txn)
		p.wait(n, m.Txn)
		n.Send(p.coord, Vote{Txn: m.Txn, Yes: true})
	case Aborted:
		n.Send(p.coord, Vote{Txn: m.Txn})
	default:
		n.Send(p.coord, Vote{Txn: m.Txn, Yes: true})
	}
}

// decide applies the coordinator's decision, durably, and acknowledges it.
// A commit for a transaction this participant never prepared is not
// possible in the correct protocol; it is recorded as an abort, which the
// History reports as a split.
func (p *Participant) decide(n *sim.Node, d Decision) {
	if !p.log.State(d.Txn).Outcome.Final() {
		o := Aborted
		if d.Commit && p.log.State(d.Txn).Outcome == Prepared {
			o = Committed
		}
		p.finish(n, d.Txn, o)
	}
	n.Send(p.coord, Ack{Txn: d.Txn})
}

// finish records a final outcome.
func (p *Participant) finish(n *sim.Node, t Txn, o Outcome) {
	mustAppend(p.log, Record{Txn: t, Outcome: o, Value: "-"})
	delete(p.waiting, t)
	p.h.finished(n.ID(), t, o)
	n.Note("T%d %v", t, o)
}

// wait starts asking the coordinator about t.
func (p *Participant) wait(n *sim.Node, t Txn) {
	if _, ok := p.waiting[t]; !ok {
		p.waiting[t] = 0
	}
	if !p.asking {
		p.asking = true
		n.After(p.cfg.retry(), "query")
	}
}

// Fire asks the coordinator about every transaction in doubt.
func (p *Participant) Fire(n *sim.Node, _ string) {
	if p.asking = len(p.waiting) > 0; !p.asking {
		return
	}
	for _, t := range p.log.Txns() {
		asked, ok := p.waiting[t]
		if !ok {
			continue
		}
		if p.cfg.bug == unilateralAbort && asked >= 2 {
			n.Note("tired of waiting: T%d aborted alone", t)
			p.finish(n, t, Aborted)
			continue
		}
		p.waiting[t] = asked + 1
		p.h.queried()
		n.Send(p.coord, Query{Txn: t})
	}
	n.After(p.cfg.retry(), "query")
}
