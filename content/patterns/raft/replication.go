package raft

import (
	"slices"

	"github.com/lamport-kb/lamport/sim"
)

// maxBatch bounds the entries one Append carries.
const maxBatch = 16

// broadcast sends every other server an Append: the entries it lacks, or
// a heartbeat.
func (s *Server) broadcast(n *sim.Node) {
	for _, p := range s.peers(n) {
		s.sendAppend(n, p)
	}
}

// sendAppend sends p the entries from next[p] on (a copy: the log may
// change while they travel), after the entry that must match.
func (s *Server) sendAppend(n *sim.Node, p sim.NodeID) {
	prev := s.next[p] - 1
	end := min(s.last()+1, s.next[p]+maxBatch)
	n.Send(p, Append{Term: s.term, PrevIndex: prev, PrevTerm: s.log[prev].Term,
		Entries: slices.Clone(s.log[prev+1 : end]), Commit: s.commit})
}

// onAppend accepts a leader's entries if the entry before them matches
// (the consistency check that gives log matching), dropping a
// conflicting suffix, and learns the commit index.
func (s *Server) onAppend(n *sim.Node, from sim.NodeID, m Append) {
	if m.Term < s.term {
		n.Send(from, AppendReply{Term: s.term})
		return
	}
	s.observe(n, m.Term)
	if s.role != Follower {
		s.role = Follower
		n.Note("follower t%d", s.term)
	}
	s.leader = from
	s.resetElection(n)
	if m.PrevIndex > s.last() {
		n.Send(from, AppendReply{Term: s.term, Hint: s.last() + 1})
		return
	}
	if t := s.log[m.PrevIndex].Term; t != m.PrevTerm {
		n.Send(from, AppendReply{Term: s.term, Hint: s.firstOfTerm(m.PrevIndex)})
		return
	}
	s.merge(m.PrevIndex+1, m.Entries)
	match := m.PrevIndex + uint64(len(m.Entries))
	if m.Commit > s.commit {
		s.commitTo(n, min(m.Commit, match))
	}
	n.Send(from, AppendReply{Term: s.term, Success: true, Match: match})
}

// merge stores entries from index at on, keeping the entries that already
// match (a late or duplicated Append must not cut the log short) and
// replacing the log from the first conflict.
func (s *Server) merge(at uint64, entries []Entry) {
	for k, e := range entries {
		i := at + uint64(k)
		if i <= s.last() && s.log[i].Term == e.Term {
			continue
		}
		s.appendEntries(i, entries[k:]...)
		return
	}
}

// firstOfTerm is the first index of the term of the entry at i, which
// the leader should try next: the whole conflicting term is skipped at
// once.
func (s *Server) firstOfTerm(i uint64) uint64 {
	t := s.log[i].Term
	for i > 1 && s.log[i-1].Term == t && i-1 > s.commit {
		i--
	}
	return i
}

// onAppendReply advances the follower's match, or backs off its next
// index and retries.
func (s *Server) onAppendReply(n *sim.Node, from sim.NodeID, m AppendReply) {
	if s.observe(n, m.Term) || s.role != Leader || m.Term != s.term {
		return
	}
	if !m.Success {
		// Back off and retry at once, unless a late or duplicated reply
		// would not move next back: the heartbeat retries then.
		if next := max(s.match[from]+1, min(s.next[from]-1, m.Hint), 1); next < s.next[from] {
			s.next[from] = next
			s.sendAppend(n, from)
		}
		return
	}
	s.match[from] = max(s.match[from], m.Match)
	s.next[from] = max(s.next[from], m.Match+1)
	s.advance(n)
	if s.next[from] <= s.last() {
		s.sendAppend(n, from)
	}
}

// advance commits the highest index that a majority stores, provided its
// entry is of the current term (§5.4.2): an entry of an earlier term on a
// majority may still be overwritten, Figure 8 of the paper.
func (s *Server) advance(n *sim.Node) {
	for i := s.last(); i > s.commit; i-- {
		if s.log[i].Term != s.term && s.c.cfg.bug != oldTerms {
			return
		}
		stored := 0
		for _, m := range s.match {
			if m >= i {
				stored++
			}
		}
		if stored >= s.c.majority() {
			n.Note("commit %d", i)
			s.commitTo(n, i)
			return
		}
	}
}

// commitTo raises the commit index and applies the newly committed
// entries; the leader answers their clients.
func (s *Server) commitTo(n *sim.Node, index uint64) {
	s.commit = max(s.commit, index)
	for s.kv.Index() < s.commit {
		i := s.kv.Index() + 1
		e := s.log[i]
		res := s.kv.Apply(i, e.Cmd)
		if s.role == Leader && e.Cmd != nil {
			n.Send(e.Cmd.Client, Reply{Seq: e.Cmd.Seq, OK: true, Result: res, Leader: n.ID()})
		}
	}
}

// onRequest appends a client's command to the leader's log, once: a
// retried command already in the log waits for its entry, and one already
// applied is answered from its session. Other servers name the leader.
func (s *Server) onRequest(n *sim.Node, from sim.NodeID, m Request) {
	if s.role != Leader {
		n.Send(from, Reply{Seq: m.Cmd.Seq, Leader: s.leader})
		return
	}
	if res, ok := s.kv.Applied(m.Cmd.Client, m.Cmd.Seq); ok {
		n.Send(from, Reply{Seq: m.Cmd.Seq, OK: true, Result: res, Leader: n.ID()})
		return
	}
	for _, e := range s.log[s.commit+1:] {
		if e.Cmd != nil && e.Cmd.Client == m.Cmd.Client && e.Cmd.Seq == m.Cmd.Seq {
			return
		}
	}
	cmd := m.Cmd
	s.appendEntries(s.last()+1, Entry{Term: s.term, Cmd: &cmd})
	s.match[n.ID()] = s.last()
	s.broadcast(n)
	s.advance(n)
}
