package leaderfollower

import (
	"fmt"
	"slices"
	"strings"

	"github.com/lamport-kb/lamport/sim"
)

// The files of a replica's disk.
const (
	logFile  = "log"  // the entries, appended
	metaFile = "meta" // epoch, joined epoch, leader flag
)

// Replica is one copy of the log: the leader of its epoch, or a follower.
// Its epoch, its role and its log live on its disk, synced before it
// answers anything that depends on them.
type Replica struct {
	cfg      Config
	h        *History
	replicas []sim.NodeID

	meta
	log     []Entry
	version int // counts the log's changes, for History
	me      sim.NodeID
	known   sim.NodeID // the leader it last heard of, or -1

	// leader only
	synced  int   // entries covered by a finished fsync
	syncing bool  // an fsync is running
	upTo    int   // the last entry the running fsync covers
	match   []int // by replica: the follower's log matches ours up to here
	next    []int // by replica: the next entry to ship
	pending []pending
	beat    sim.TimerID
}

// pending is a write appended by the leader and not yet acknowledged.
type pending struct {
	index  int
	client sim.NodeID
	id     string
}

// Epoch returns the highest epoch the replica has seen.
func (r *Replica) Epoch() uint64 { return r.meta.Epoch }

// Leads reports whether the replica leads its epoch.
func (r *Replica) Leads() bool { return r.meta.Leader }

// Log returns the replica's log (not a copy: do not modify it).
func (r *Replica) Log() []Entry { return r.log }

// Last returns the position of the replica's last entry.
func (r *Replica) Last() Pos { return r.pos(len(r.log)) }

func (r *Replica) pos(i int) Pos {
	if i == 0 {
		return Pos{}
	}
	return Pos{Index: i, Epoch: r.log[i-1].Epoch}
}

// Start recovers the epoch, the role and the log from the disk; at the
// very first boot replica 0 leads epoch 1 and the others follow it.
func (r *Replica) Start(n *sim.Node) {
	r.me, r.known = n.ID(), -1
	data, ok := n.Disk().Read(metaFile)
	if !ok {
		r.meta = meta{Epoch: 1, Joined: 1, Leader: n.ID() == r.replicas[0]}
		r.saveMeta(n)
	} else {
		m, err := decodeMeta(data)
		if err != nil {
			panic(err)
		}
		r.meta = m
	}
	data, _ = n.Disk().Read(logFile)
	log, err := decodeEntries(data)
	if err != nil {
		panic(err)
	}
	r.log = log
	r.h.booted(n.ID(), r)
	if r.Leader {
		r.lead(n)
		if n.Incarnation() > 1 {
			n.Note("restarted: leader of e%d at #%d", r.meta.Epoch, len(r.log))
		}
	} else if n.Incarnation() > 1 {
		n.Note("restarted: e%d at %v", r.meta.Epoch, r.Last())
	}
}

// lead sets up the leader's volatile state: everything in the log is
// durable (a follower syncs every change, a deposed leader synced when it
// stepped down), and no follower is known to match anything yet.
func (r *Replica) lead(n *sim.Node) {
	r.synced, r.syncing, r.pending = len(r.log), false, nil
	r.match = make([]int, len(r.replicas))
	r.next = make([]int, len(r.replicas))
	for i := range r.next {
		r.next[i] = len(r.log) + 1
	}
	r.h.leading(r.meta.Epoch, n.ID(), r.log)
	r.ship(n)
	n.Cancel(r.beat)
	r.beat = n.After(r.cfg.heartbeat(), "beat")
}

// Receive dispatches a message.
func (r *Replica) Receive(n *sim.Node, from sim.NodeID, msg any) {
	switch m := msg.(type) {
	case Write:
		r.write(n, from, m)
	case Read:
		value := ""
		if len(r.log) > 0 {
			value = r.log[len(r.log)-1].Data
		}
		n.Send(from, ReadReply{Seq: m.Seq, Index: len(r.log), Value: value, Epoch: r.meta.Epoch})
	case Append:
		r.appendEntries(n, from, m)
	case Ack:
		r.acked(n, from, m)
	case Nack:
		r.nacked(n, from, m)
	case Stale:
		r.adopt(n, m.Epoch)
	case Fence:
		r.fence(n, from, m)
	case Promote:
		r.promote(n, from, m)
	case Leader:
		if m.Leader != n.ID() {
			r.adopt(n, m.Epoch)
		}
		if m.Epoch == r.meta.Epoch && !r.Leader {
			r.known = m.Leader
		}
	}
}

// Fire runs the leader's timers: "fsync" completes an fsync, "beat" ships
// the log to every follower (a heartbeat when there is nothing new).
func (r *Replica) Fire(n *sim.Node, timer string) {
	switch timer {
	case "fsync":
		n.Disk().Sync(logFile)
		r.syncing = false
		if !r.Leader {
			return
		}
		r.synced = max(r.synced, r.upTo)
		n.Note("#%d durable%s", r.synced, r.lag())
		r.ship(n)
		r.release(n)
		r.startSync(n)
	case "beat":
		if r.Leader {
			r.ship(n)
			r.beat = n.After(r.cfg.heartbeat(), "beat")
		}
	}
}

// write appends a client's write to the leader's log, or redirects it.
func (r *Replica) write(n *sim.Node, from sim.NodeID, w Write) {
	if !r.Leader {
		n.Send(from, Redirect{ID: w.ID, Leader: r.known, Epoch: r.meta.Epoch})
		return
	}
	if r.has(w.ID) {
		return // a duplicate of a write already taken: its acknowledgement is on its way, or lost
	}
	e := Entry{Epoch: r.meta.Epoch, Data: w.ID}
	r.appendLog(n, e)
	r.pending = append(r.pending, pending{index: len(r.log), client: from, id: w.ID})
	r.h.created(r.meta.Epoch, len(r.log), w.ID, n)
	n.Note("append #%d %s", len(r.log), w.ID)
	if r.cfg.bug == shipUnsynced {
		r.ship(n) // the broken variant: before the fsync
	}
	r.startSync(n)
}

// has reports whether the log already holds a write (writes carry unique
// IDs; the network may deliver one twice).
func (r *Replica) has(id string) bool {
	return slices.ContainsFunc(r.log, func(e Entry) bool { return e.Data == id })
}

// startSync begins an fsync of everything appended, unless one runs or
// nothing is new; records appended meanwhile wait for the next (group
// commit).
func (r *Replica) startSync(n *sim.Node) {
	if r.syncing || r.synced >= len(r.log) {
		return
	}
	r.syncing, r.upTo = true, len(r.log)
	n.After(r.cfg.syncTime(), "fsync")
}

// ship sends every follower the entries it may lack, up to the last one
// durable on the leader: a leader never ships what a crash could take
// back from it.
func (r *Replica) ship(n *sim.Node) {
	for i, id := range r.replicas {
		if id != n.ID() {
			r.shipTo(n, i)
		}
	}
}

func (r *Replica) shipTo(n *sim.Node, i int) {
	end := r.synced
	if r.cfg.bug == shipUnsynced {
		end = len(r.log)
	}
	from := min(r.next[i], end+1)
	n.Send(r.replicas[i], Append{Epoch: r.meta.Epoch, Prev: r.pos(from - 1),
		Entries: slices.Clone(r.log[from-1 : end]), Synced: r.synced})
}

// acked records a follower's progress and acknowledges what it makes
// safe.
func (r *Replica) acked(n *sim.Node, from sim.NodeID, a Ack) {
	if a.Epoch > r.meta.Epoch {
		r.adopt(n, a.Epoch)
	}
	if !r.Leader || a.Epoch != r.meta.Epoch {
		return
	}
	i := r.index(from)
	r.match[i] = max(r.match[i], a.Match)
	r.next[i] = max(r.next[i], r.match[i]+1)
	r.release(n)
}

// nacked moves a follower's next entry back towards the point where its
// log matches, and ships from there at once.
func (r *Replica) nacked(n *sim.Node, from sim.NodeID, m Nack) {
	if m.Epoch > r.meta.Epoch {
		r.adopt(n, m.Epoch)
	}
	if !r.Leader || m.Epoch != r.meta.Epoch {
		return
	}
	i := r.index(from)
	r.next[i] = max(r.match[i], min(r.next[i]-1, m.Hint)) + 1
	r.shipTo(n, i)
}

// release acknowledges, in log order, the pending writes that the leader's
// fsync and Acks followers cover.
func (r *Replica) release(n *sim.Node) {
	k := r.cfg.Acks()
	for len(r.pending) > 0 {
		p := r.pending[0]
		if p.index > r.synced || r.holders(p.index) < k {
			return
		}
		r.pending = r.pending[1:]
		r.h.acked(r.meta.Epoch, p.index, p.id, n)
		n.Send(p.client, Written{ID: p.id, Index: p.index, Epoch: r.meta.Epoch})
	}
}

// holders counts the followers whose log matches the leader's up to index.
func (r *Replica) holders(index int) int {
	c := 0
	for i, m := range r.match {
		if i != r.index(r.me) && m >= index {
			c++
		}
	}
	return c
}

// lag describes how far behind the leader's durable log each follower is
// known to be: the replication lag, as the leader sees it.
func (r *Replica) lag() string {
	var parts []string
	for i, m := range r.match {
		if i != r.index(r.me) {
			parts = append(parts, fmt.Sprintf("%c −%d", rune('A'+i), max(0, r.synced-m)))
		}
	}
	return "; lag " + strings.Join(parts, ", ")
}

func (r *Replica) index(id sim.NodeID) int { return int(id - r.replicas[0]) }

// appendEntries is the follower's side of shipping: reject an old epoch,
// check that the log matches at Prev, join a new epoch's log by dropping
// everything after Prev, append what is new, sync, and acknowledge.
func (r *Replica) appendEntries(n *sim.Node, from sim.NodeID, m Append) {
	if m.Epoch < r.meta.Epoch && r.cfg.bug != noFence {
		n.Send(from, Stale{Epoch: r.meta.Epoch})
		r.h.rejected()
		n.Note("rejected e%d: deposed", m.Epoch)
		return
	}
	if m.Epoch > r.meta.Epoch {
		r.adopt(n, m.Epoch)
	}
	if r.Leader && m.Epoch == r.meta.Epoch {
		return // our own epoch: only we ship in it
	}
	r.known = from
	if m.Prev.Index > len(r.log) || (m.Prev.Index > 0 && r.log[m.Prev.Index-1].Epoch != m.Prev.Epoch) {
		n.Send(from, Nack{Epoch: m.Epoch, Hint: min(len(r.log), m.Prev.Index-1)})
		return
	}
	r.h.accepting(n.ID(), m.Epoch, r.meta.Epoch)
	before := len(r.log)
	if r.Joined < m.Epoch {
		old := r.log
		r.log = append(r.log[:m.Prev.Index:m.Prev.Index], m.Entries...)
		dropped := replaced(old, r.log, m.Prev.Index)
		r.Joined = max(r.Joined, m.Epoch)
		r.saveMeta(n)
		r.rewriteLog(n)
		r.h.joined(dropped)
		if len(dropped) > 0 {
			n.Note("joined e%d at %v, dropped %d: %s", m.Epoch, m.Prev, len(dropped), ids(dropped))
		} else {
			n.Note("joined e%d at %v", m.Epoch, m.Prev)
		}
	} else if r.merge(n, m) {
		r.rewriteLog(n)
	}
	n.Disk().Sync(logFile)
	if len(r.log) > before {
		n.Note("#%d", len(r.log))
	}
	r.version++
	n.Send(from, Ack{Epoch: m.Epoch, Match: min(len(r.log), m.Prev.Index+len(m.Entries))})
}

// merge adds the shipment's new entries to a log that already follows
// this epoch's leader; it reports whether it had to truncate (only a
// broken variant can make a joined log conflict with its leader).
func (r *Replica) merge(n *sim.Node, m Append) bool {
	var add []Entry
	for i, e := range m.Entries {
		idx := m.Prev.Index + 1 + i
		switch {
		case idx > len(r.log):
			add = append(add, e)
		case r.log[idx-1] != e:
			r.log = append(r.log[:idx-1:idx-1], m.Entries[i:]...)
			return true
		}
	}
	r.appendLog(n, add...)
	return false
}

// appendLog appends entries to the log and its file, unsynced.
func (r *Replica) appendLog(n *sim.Node, es ...Entry) {
	if len(es) == 0 {
		return
	}
	r.log = append(r.log, es...)
	r.version++
	if r.Leader {
		r.h.grew(r.meta.Epoch, r.log)
	}
	if err := n.Disk().Append(logFile, encodeEntries(es)); err != nil {
		panic(err)
	}
}

// rewriteLog replaces the log file with the log, unsynced.
func (r *Replica) rewriteLog(n *sim.Node) {
	r.version++
	if err := n.Disk().Write(logFile, encodeEntries(r.log)); err != nil {
		panic(err)
	}
}

func (r *Replica) saveMeta(n *sim.Node) {
	if err := n.Disk().Write(metaFile, encodeMeta(r.meta)); err != nil {
		panic(err)
	}
	n.Disk().Sync(metaFile)
}

// adopt moves to a higher epoch, durably: a leader steps down (and syncs
// its log, so that what it reports later is durable), and the replica
// follows no log until the new leader's first shipment.
func (r *Replica) adopt(n *sim.Node, epoch uint64) {
	if epoch <= r.meta.Epoch {
		return
	}
	was := r.Leader
	if was {
		n.Disk().Sync(logFile)
		r.h.deposed(r.meta.Epoch, r.log)
	}
	r.meta = meta{Epoch: epoch, Joined: r.Joined}
	r.pending, r.known = nil, -1
	r.saveMeta(n)
	r.h.epoch(n.ID(), epoch)
	if was {
		n.Note("stepped down: e%d", epoch)
	} else {
		n.Note("e%d", epoch)
	}
}

// fence adopts the operator's new epoch and answers with the position of
// the durable log.
func (r *Replica) fence(n *sim.Node, from sim.NodeID, f Fence) {
	r.adopt(n, f.Epoch)
	if f.Epoch == r.meta.Epoch {
		n.Send(from, Fenced{Epoch: f.Epoch, Last: r.Last()})
	}
}

// promote makes the replica the leader of the operator's epoch.
func (r *Replica) promote(n *sim.Node, from sim.NodeID, p Promote) {
	r.adopt(n, p.Epoch)
	if p.Epoch != r.meta.Epoch {
		return
	}
	if !r.Leader {
		r.Leader, r.Joined = true, p.Epoch
		r.saveMeta(n)
		n.Note("promoted: leader of e%d at #%d", p.Epoch, len(r.log))
		r.lead(n)
	}
	n.Send(from, Promoted(p)) // the same epoch, acknowledged
}

// replaced returns the entries of old after from that the new log does
// not hold at the same index.
func replaced(old, log []Entry, from int) []Entry {
	var out []Entry
	for i := from; i < len(old); i++ {
		if i >= len(log) || log[i] != old[i] {
			out = append(out, old[i])
		}
	}
	return out
}

// ids lists the data of entries.
func ids(es []Entry) string {
	s := make([]string, len(es))
	for i, e := range es {
		s[i] = e.Data
	}
	return strings.Join(s, " ")
}
