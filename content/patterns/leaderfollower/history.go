package leaderfollower

import (
	"fmt"
	"slices"
	"time"

	"github.com/lamport-kb/lamport/sim"
)

// History follows a simulated cluster from outside: the log of every
// epoch's leader, every write created and acknowledged, every epoch a
// replica moves to and every failover. It is the ground truth of the
// invariants and of the demo's narration.
type History struct {
	cfg      Config
	replicas []sim.NodeID
	leaders  map[uint64]sim.NodeID // epoch → the replica promoted for it
	logs     map[uint64][]Entry    // epoch → its leader's log, as last seen
	logVer   map[uint64]int        // epoch → changes of logs[epoch]
	checked  map[sim.NodeID][3]int // replica → the versions its prefix was checked at
	epochOf  map[sim.NodeID]uint64 // replica → the highest epoch it reported
	writes   map[string]*Acked     // by ID
	order    []string              // write IDs, in creation order
	fenced   map[uint64]time.Duration
	answers  map[uint64][]Candidate
	over     []Failover
	lost     []Acked
	stats    Stats

	errPrefix, errEpochs, errDur, errDeposed error
}

// Acked is a write the History saw: where the leader put it and when it
// was acknowledged (-1: never).
type Acked struct {
	ID      string
	Epoch   uint64
	Index   int
	Leader  sim.NodeID    // the leader that took it
	Created time.Duration // when the leader appended it
	At      time.Duration // when it was acknowledged, or -1
	Late    bool          // appended after a failover's fence had completed
	Missing sim.NodeID    // for a lost write: a later leader without it
}

// Failover is one failover the operator completed.
type Failover struct {
	Epoch   uint64
	Begun   time.Duration // when the operator began it
	Fenced  time.Duration // when it had FenceQuorum answers
	Done    time.Duration // when the new leader confirmed
	Leader  sim.NodeID
	Answers []Candidate
}

// Stats counts what happened in a run.
type Stats struct {
	Writes      int // writes a leader appended
	Acked       int // of them, acknowledged
	Lost        int // acknowledged writes missing from a later epoch's leader
	Late        int // writes a deposed leader took after a later epoch's fence had its quorum
	DeposedAcks int // of them, acknowledged
	Rejected    int // shipments rejected for their old epoch
	Dropped     int // entries a replica dropped when it joined a new epoch's log
	Reads       int // reads answered
	StaleReads  int // of them, behind the newest leader's log
	MaxLag      int // the most entries a read was behind
	Failovers   int // failovers completed
}

func newHistory(cfg Config) *History {
	return &History{cfg: cfg, leaders: map[uint64]sim.NodeID{}, logs: map[uint64][]Entry{}, logVer: map[uint64]int{},
		checked: map[sim.NodeID][3]int{}, epochOf: map[sim.NodeID]uint64{}, writes: map[string]*Acked{},
		fenced: map[uint64]time.Duration{}, answers: map[uint64][]Candidate{}}
}

// Stats returns the counts so far.
func (h *History) Stats() Stats { return h.stats }

// Lost returns the acknowledged writes that a later leader did not have,
// in the order they were found.
func (h *History) Lost() []Acked { return h.lost }

// Failovers returns the failovers completed, in order.
func (h *History) Failovers() []Failover { return h.over }

// Writes returns every write a leader appended, in order.
func (h *History) Writes() []Acked {
	out := make([]Acked, len(h.order))
	for i, id := range h.order {
		out[i] = *h.writes[id]
	}
	return out
}

// Log returns the log of epoch's leader as last seen, and its leader.
func (h *History) Log(epoch uint64) ([]Entry, sim.NodeID) { return h.logs[epoch], h.leaders[epoch] }

func now(n *sim.Node) time.Duration { return n.Now().Sub(sim.Epoch) }

// booted checks that a restarted replica's epoch did not go back.
func (h *History) booted(id sim.NodeID, r *Replica) { h.epoch(id, r.Epoch()) }

// epoch records that a replica moved to epoch e.
func (h *History) epoch(id sim.NodeID, e uint64) {
	if e < h.epochOf[id] {
		h.fail(&h.errEpochs, fmt.Errorf("replica %d went back from epoch %d to %d", id, h.epochOf[id], e))
	}
	h.epochOf[id] = max(h.epochOf[id], e)
}

// accepting checks a shipment a follower takes: never from an epoch below
// its own.
func (h *History) accepting(id sim.NodeID, shipped, own uint64) {
	if shipped < own {
		h.fail(&h.errEpochs, fmt.Errorf("replica %d, in epoch %d, accepted entries shipped in epoch %d", id, own, shipped))
	}
}

// rejected counts a shipment refused for its old epoch.
func (h *History) rejected() { h.stats.Rejected++ }

// leading records that a replica leads epoch (promoted, or restarted as
// its leader) with log, and checks that the log holds every write
// acknowledged before, in this epoch or an earlier one.
func (h *History) leading(epoch uint64, id sim.NodeID, log []Entry) {
	if l, ok := h.leaders[epoch]; ok && l != id {
		h.fail(&h.errEpochs, fmt.Errorf("epoch %d has two leaders: replicas %d and %d", epoch, l, id))
	}
	h.leaders[epoch] = id
	h.grew(epoch, log)
	for _, wid := range h.order {
		if w := h.writes[wid]; w.At >= 0 && w.Epoch <= epoch {
			h.survives(w, epoch, id, log)
		}
	}
}

// grew records the leader's log after a change.
func (h *History) grew(epoch uint64, log []Entry) {
	h.logs[epoch] = log
	h.logVer[epoch]++
}

// deposed freezes the log of a leader that steps down, since it changes
// next as a follower's.
func (h *History) deposed(epoch uint64, log []Entry) { h.grew(epoch, slices.Clone(log)) }

// survives checks that an acknowledged write is in the log of the leader
// of a later (or its own) epoch, and records its loss if not.
func (h *History) survives(w *Acked, epoch uint64, leader sim.NodeID, log []Entry) {
	if w.Index <= len(log) && log[w.Index-1] == (Entry{Epoch: w.Epoch, Data: w.ID}) {
		return
	}
	if slices.ContainsFunc(h.lost, func(l Acked) bool { return l.ID == w.ID }) {
		return
	}
	lost := *w
	lost.Missing = leader
	h.lost = append(h.lost, lost)
	h.stats.Lost++
	h.fail(&h.errDur, fmt.Errorf("write %s, acknowledged by replica %d as e%d#%d at %v, is not in the log of replica %d, leader of epoch %d",
		w.ID, w.Leader, w.Epoch, w.Index, w.At, leader, epoch))
}

// created records a write the leader appended.
func (h *History) created(epoch uint64, index int, id string, n *sim.Node) {
	w := &Acked{ID: id, Epoch: epoch, Index: index, Leader: n.ID(), Created: now(n), At: -1}
	for e, at := range h.fenced {
		if e > epoch && at <= w.Created {
			w.Late = true
		}
	}
	if w.Late {
		h.stats.Late++
	}
	h.writes[id] = w
	h.order = append(h.order, id)
	h.stats.Writes++
}

// acked records an acknowledgement and checks it against every later
// leader: a deposed leader may acknowledge after a failover.
func (h *History) acked(epoch uint64, index int, id string, n *sim.Node) {
	w := h.writes[id]
	w.At = now(n)
	h.stats.Acked++
	if w.Late {
		h.stats.DeposedAcks++
		h.fail(&h.errDeposed, fmt.Errorf("deposed leader %d acknowledged %s (e%d#%d), appended at %v after a fence of a later epoch",
			w.Leader, id, epoch, index, w.Created))
	}
	for _, e := range h.epochsAfter(epoch) {
		h.survives(w, e, h.leaders[e], h.logs[e])
	}
}

// epochsAfter lists the epochs above epoch that have a leader, in order.
func (h *History) epochsAfter(epoch uint64) []uint64 {
	var es []uint64
	for e := range h.leaders {
		if e > epoch {
			es = append(es, e)
		}
	}
	slices.Sort(es)
	return es
}

// joined records a replica's join of a new epoch's log.
func (h *History) joined(dropped []Entry) { h.stats.Dropped += len(dropped) }

// fencedQuorum records that a failover's fence has enough answers.
func (h *History) fencedQuorum(epoch uint64, answers []Candidate, n *sim.Node) {
	h.fenced[epoch] = now(n)
	h.answers[epoch] = slices.Clone(answers)
}

// failedOver records a completed failover.
func (h *History) failedOver(epoch uint64, leader sim.NodeID, begun time.Duration, n *sim.Node) {
	h.stats.Failovers++
	h.over = append(h.over, Failover{Epoch: epoch, Begun: begun, Fenced: h.fenced[epoch], Done: now(n), Leader: leader, Answers: h.answers[epoch]})
}

// read records a read and how far behind the newest leader's log it was.
func (h *History) read(from sim.NodeID, m ReadReply, n *sim.Node) {
	h.stats.Reads++
	var newest uint64
	for e := range h.leaders {
		newest = max(newest, e)
	}
	if lag := len(h.logs[newest]) - m.Index; lag > 0 {
		h.stats.StaleReads++
		h.stats.MaxLag = max(h.stats.MaxLag, lag)
	}
}

func (h *History) fail(dst *error, err error) {
	if *dst == nil {
		*dst = err
	}
}

// prefix is the invariant of the same name: every up follower's log is a
// prefix of the log of the leader of the epoch it joined.
func (h *History) prefix(s *sim.Sim) error {
	for _, id := range h.replicas {
		r, ok := s.Handler(id).(*Replica)
		if !ok || r.Leader {
			continue
		}
		e := r.Joined
		v := [3]int{r.version, int(e), h.logVer[e]}
		if h.checked[id] == v {
			continue
		}
		h.checked[id] = v
		if err := isPrefix(r.log, h.logs[e]); err != nil {
			h.fail(&h.errPrefix, fmt.Errorf("replica %s, following epoch %d: %w", s.Name(id), e, err))
		}
	}
	return h.errPrefix
}

// isPrefix says where a is not a prefix of b.
func isPrefix(a, b []Entry) error {
	if len(a) > len(b) {
		return fmt.Errorf("its log has %d entries, the leader's %d", len(a), len(b))
	}
	for i := range a {
		if a[i] != b[i] {
			return fmt.Errorf("entry #%d is %v, the leader's is %v", i+1, a[i], b[i])
		}
	}
	return nil
}

func (h *History) epochs(*sim.Sim) error { return h.errEpochs }

// Durability is the invariant "durability": every acknowledged write is
// in the log of every leader of a later epoch, from its promotion on. The
// synchronous modes promise it; tests add it to an asynchronous cluster to
// find where it fails.
func (h *History) Durability(*sim.Sim) error { return h.errDur }

// Deposed is the invariant "deposed": no write that a leader appended
// after a later epoch's fence had its quorum is ever acknowledged.
func (h *History) Deposed(*sim.Sim) error { return h.errDeposed }
