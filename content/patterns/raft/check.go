package raft

import (
	"fmt"
	"hash/fnv"
	"slices"

	"github.com/lamport-kb/lamport/sim"
)

// replica is what the checker reads of a running server, ours or etcd's.
// Indexes start at 1; an entry is known by its term and a digest of its
// content.
type replica interface {
	status() (term uint64, leader bool)
	lastIndex() uint64
	entryAt(i uint64) (term, digest uint64)
	commitIndex() uint64
	applied() (index, digest uint64)
	// takeDirty returns the lowest index whose entry changed since the
	// last call (past the last index if none) and forgets it.
	takeDirty() uint64
}

// checker holds what the safety properties need across the run: who led
// each term, every entry ever seen by (index, term), the committed
// entries, and the state machine digests. Each property is one invariant
// (attach), evaluated after every event, on each server's state as it is
// then; the work per event is proportional to what changed.
type checker struct {
	c           *Cluster
	byTerm      map[uint64]sim.NodeID
	leaderships []Leadership
	entries     map[[2]uint64]entryID // (index, term) → the entry
	committed   []committedEntry      // committed[i-1]: the entry at index i
	digests     map[uint64]uint64     // applied index → state machine digest
	seen        []seen                // per server
}

// entryID identifies an entry: its content and the term of the entry
// before it, which (by induction) pins the whole prefix.
type entryID struct{ digest, prevTerm uint64 }

type committedEntry struct {
	term, digest uint64
	in           uint64 // the term in which a server first knew it committed
}

// seen is how far the checker has read one server's current incarnation.
type seen struct {
	h          sim.Handler
	dirty      uint64 // this event's lowest changed index
	commit     uint64 // committed entries compared up to here
	leaderTerm uint64 // the term it led when last checked
	leaderUpTo int    // committed entries it was checked to hold
}

func newChecker(c *Cluster) *checker {
	return &checker{c: c, byTerm: map[uint64]sim.NodeID{}, entries: map[[2]uint64]entryID{},
		digests: map[uint64]uint64{}, seen: make([]seen, len(c.Servers))}
}

// The names of the safety properties (the paper's Figure 3), as a
// failing run reports them.
const (
	ElectionSafety     = "election safety"
	LogMatching        = "log matching"
	LeaderCompleteness = "leader completeness"
	StateMachineSafety = "state machine safety"
)

func (k *checker) attach(s *sim.Sim) {
	s.Invariant(ElectionSafety, k.each(k.electionSafety))
	s.Invariant(LogMatching, k.each(k.logMatching))
	s.Invariant(StateMachineSafety, k.each(k.stateMachineSafety))
	s.Invariant(LeaderCompleteness, k.each(k.leaderCompleteness))
}

// each runs a check on every server that is up.
func (k *checker) each(check func(id sim.NodeID, r replica, v *seen) error) func(*sim.Sim) error {
	return func(s *sim.Sim) error {
		for i, id := range k.c.Servers {
			h := s.Handler(id)
			r, ok := h.(replica)
			if !ok {
				continue // down, or a test's scripted peer
			}
			v := &k.seen[i]
			if v.h != h { // a new incarnation: read it from the start
				k.seen[i] = seen{h: h}
			}
			if err := check(id, r, v); err != nil {
				return err
			}
		}
		return nil
	}
}

// electionSafety: at most one leader per term, over the whole run.
func (k *checker) electionSafety(id sim.NodeID, r replica, _ *seen) error {
	term, leader := r.status()
	if !leader {
		return nil
	}
	prev, ok := k.byTerm[term]
	if ok && prev != id {
		return fmt.Errorf("%s and %s both lead term %d", k.name(prev), k.name(id), term)
	}
	if !ok {
		k.byTerm[term] = id
		k.leaderships = append(k.leaderships, Leadership{Term: term, Leader: id, At: k.c.sim.Now()})
	}
	return nil
}

// logMatching: an entry is known by its index and term. Two entries with
// the same index and term, in any logs at any time, have the same content
// and follow entries of the same term, so (by induction) the logs are
// identical up to them. The entries each server changed are compared
// with every entry seen before.
func (k *checker) logMatching(id sim.NodeID, r replica, v *seen) error {
	v.dirty = r.takeDirty()
	for i := max(v.dirty, 1); i <= r.lastIndex(); i++ {
		term, digest := r.entryAt(i)
		prev := uint64(0)
		if i > 1 {
			prev, _ = r.entryAt(i - 1)
		}
		key, got := [2]uint64{i, term}, entryID{digest, prev}
		if want, ok := k.entries[key]; ok && want != got {
			return fmt.Errorf("%s's entry %d of term %d differs from another log's (content or the term before it)", k.name(id), i, term)
		} else if !ok {
			k.entries[key] = got
		}
	}
	return nil
}

// stateMachineSafety: no two servers commit, or apply, different entries
// at the same index. Each server's committed prefix is compared with the
// committed entries, and its state machine's digest (a fingerprint of
// every entry applied, in order) with the digests others had at the same
// index.
func (k *checker) stateMachineSafety(id sim.NodeID, r replica, v *seen) error {
	term, _ := r.status()
	v.commit = min(v.commit, max(v.dirty, 1)-1) // a changed entry below it is read again
	for i := v.commit + 1; i <= r.commitIndex(); i++ {
		t, d := r.entryAt(i)
		switch {
		case i <= uint64(len(k.committed)):
			if c := k.committed[i-1]; c.term != t || c.digest != d {
				return fmt.Errorf("%s commits entry %d of term %d, but another server committed one of term %d there", k.name(id), i, t, c.term)
			}
		default:
			k.committed = append(k.committed, committedEntry{term: t, digest: d, in: term})
		}
	}
	v.commit = r.commitIndex()
	index, digest := r.applied()
	if want, ok := k.digests[index]; ok && want != digest {
		return fmt.Errorf("%s has applied %d entries that differ from another server's first %d", k.name(id), index, index)
	} else if !ok && index > 0 {
		k.digests[index] = digest
	}
	return nil
}

// leaderCompleteness: an entry committed in a term is in the log of the
// leader of every later term. Each leader is checked against the
// committed entries once per term it leads, as they become known.
func (k *checker) leaderCompleteness(id sim.NodeID, r replica, v *seen) error {
	term, leader := r.status()
	if !leader {
		return nil
	}
	if v.leaderTerm != term {
		v.leaderTerm, v.leaderUpTo = term, 0
	}
	for ; v.leaderUpTo < len(k.committed); v.leaderUpTo++ {
		c, i := k.committed[v.leaderUpTo], uint64(v.leaderUpTo+1)
		if c.in >= term {
			continue
		}
		if i > r.lastIndex() {
			return fmt.Errorf("%s leads term %d without entry %d, committed in term %d", k.name(id), term, i, c.in)
		}
		if t, d := r.entryAt(i); t != c.term || d != c.digest {
			return fmt.Errorf("%s leads term %d with a different entry %d than the one committed in term %d", k.name(id), term, i, c.in)
		}
	}
	return nil
}

func (k *checker) name(id sim.NodeID) string { return k.c.sim.Name(id) }

// Finished returns an error naming the clients that did not complete all
// their operations, or nil.
func (c *Cluster) Finished() error {
	for _, id := range c.Clients {
		cl, ok := c.sim.Handler(id).(*Client)
		if !ok {
			return fmt.Errorf("client %s is down", c.sim.Name(id))
		}
		if cl.done < c.cfg.Ops {
			return fmt.Errorf("client %s completed %d of %d operations", c.sim.Name(id), cl.done, c.cfg.Ops)
		}
	}
	return nil
}

// Leaders returns who led each term, in term order: the elections the
// checker saw.
func (c *Cluster) Leaders() []Leadership {
	out := slices.Clone(c.check.leaderships)
	slices.SortFunc(out, func(a, b Leadership) int { return int(a.Term) - int(b.Term) })
	return out
}

// digestOf fingerprints an entry's content (nil: a no-op).
func digestOf(kind byte, data []byte) uint64 {
	h := fnv.New64a()
	h.Write([]byte{kind})
	h.Write(data)
	return h.Sum64()
}

// The replica view of Server.

func (s *Server) status() (uint64, bool) { return s.term, s.role == Leader }
func (s *Server) lastIndex() uint64      { return s.last() }
func (s *Server) commitIndex() uint64    { return s.commit }
func (s *Server) applied() (uint64, uint64) {
	return s.kv.Index(), s.kv.Digest()
}

func (s *Server) entryAt(i uint64) (uint64, uint64) {
	e := s.log[i]
	if e.Cmd == nil {
		return e.Term, digestOf(0, nil)
	}
	return e.Term, digestOf(1, e.Cmd.encode(nil))
}

func (s *Server) takeDirty() uint64 {
	d := s.dirty
	s.dirty = s.last() + 1
	return d
}
