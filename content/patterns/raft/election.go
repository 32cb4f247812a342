package raft

import "github.com/lamport-kb/lamport/sim"

// campaign starts an election: a new term, a vote for itself, and a
// RequestVote to every other server.
func (s *Server) campaign(n *sim.Node) {
	s.term++
	s.votedFor = n.ID()
	s.persistState()
	s.role, s.leader = Candidate, none
	s.votes = make([]bool, len(s.c.Servers))
	s.answered = make([]bool, len(s.c.Servers))
	s.votes[n.ID()], s.answered[n.ID()] = true, true
	n.Note("candidate t%d", s.term)
	s.resetElection(n)
	s.canvass(n)
	n.Cancel(s.heartbeat)
	s.heartbeat = n.After(s.c.cfg.Heartbeat, "heartbeat")
	s.tally(n)
}

// canvass sends a RequestVote to every server that has not answered: at
// the start of the election, then every heartbeat interval while it
// lasts ("servers retry RPCs if they do not receive a response in a
// timely manner", §5.1).
func (s *Server) canvass(n *sim.Node) {
	req := RequestVote{Term: s.term, LastIndex: s.last(), LastTerm: s.lastTerm()}
	for _, p := range s.peers(n) {
		if !s.answered[p] {
			n.Send(p, req)
		}
	}
}

// peers returns the other servers.
func (s *Server) peers(n *sim.Node) []sim.NodeID {
	var out []sim.NodeID
	for _, p := range s.c.Servers {
		if p != n.ID() {
			out = append(out, p)
		}
	}
	return out
}

// onRequestVote grants the vote if it is the first of this term (or the
// same candidate asking again) and the candidate's log is at least as up
// to date as ours; the vote is durable before the reply leaves.
func (s *Server) onRequestVote(n *sim.Node, from sim.NodeID, m RequestVote) {
	s.observe(n, m.Term)
	grant := m.Term == s.term && (s.votedFor == none || s.votedFor == from) &&
		(s.c.cfg.bug == anyLog || s.upToDate(m.LastTerm, m.LastIndex))
	if grant {
		s.votedFor = from
		s.persistState()
		s.resetElection(n)
	}
	n.Send(from, Vote{Term: s.term, Granted: grant})
}

// upToDate is the election restriction (§5.4.1): a log is at least as up
// to date as ours if its last term is later, or the same with an index
// at least ours.
func (s *Server) upToDate(lastTerm, lastIndex uint64) bool {
	return lastTerm > s.lastTerm() || lastTerm == s.lastTerm() && lastIndex >= s.last()
}

// onVote counts a vote of the current term.
func (s *Server) onVote(n *sim.Node, from sim.NodeID, m Vote) {
	s.observe(n, m.Term)
	if s.role == Candidate && m.Term == s.term {
		s.answered[from] = true
		s.votes[from] = m.Granted
		s.tally(n)
	}
}

// tally makes a candidate with a majority of votes the leader.
func (s *Server) tally(n *sim.Node) {
	count := 0
	for _, v := range s.votes {
		if v {
			count++
		}
	}
	if count >= s.c.majority() {
		s.lead(n)
	}
}

// lead makes the server the leader of its term: it appends a no-op of
// the term (so that entries of earlier terms get committed with it) and
// starts replicating.
func (s *Server) lead(n *sim.Node) {
	s.role, s.leader = Leader, n.ID()
	n.Cancel(s.election)
	n.Note("leader t%d", s.term)
	s.next = make([]uint64, len(s.c.Servers))
	s.match = make([]uint64, len(s.c.Servers))
	for i := range s.next {
		s.next[i] = s.last() + 1
	}
	s.appendEntries(s.last()+1, Entry{Term: s.term})
	s.match[n.ID()] = s.last()
	s.broadcast(n)
	n.Cancel(s.heartbeat)
	s.heartbeat = n.After(s.c.cfg.Heartbeat, "heartbeat")
	s.advance(n) // a cluster of one commits at once
}
