package raft

import (
	"fmt"

	"github.com/lamport-kb/lamport/sim"
)

// Entry is one entry of a Raft log: the term of the leader that created
// it, and the client command it carries (nil for the no-op a new leader
// appends to commit what its predecessors left).
type Entry struct {
	Term uint64
	Cmd  *Command
}

func (e Entry) String() string {
	if e.Cmd == nil {
		return fmt.Sprintf("t%d no-op", e.Term)
	}
	return fmt.Sprintf("t%d %v", e.Term, *e.Cmd)
}

// RequestVote is a candidate's RequestVote RPC: its term and how up to
// date its log is (the index and term of its last entry).
type RequestVote struct {
	Term                uint64
	LastIndex, LastTerm uint64
}

func (m RequestVote) String() string {
	return fmt.Sprintf("RequestVote t%d last %d@t%d", m.Term, m.LastIndex, m.LastTerm)
}

// Vote answers a RequestVote.
type Vote struct {
	Term    uint64
	Granted bool
}

func (m Vote) String() string {
	if m.Granted {
		return fmt.Sprintf("vote yes t%d", m.Term)
	}
	return fmt.Sprintf("vote no t%d", m.Term)
}

// Append is the leader's AppendEntries RPC: the entries that follow
// PrevIndex (whose term must be PrevTerm in the follower's log), and the
// leader's commit index. With no entries it is a heartbeat.
type Append struct {
	Term                uint64
	PrevIndex, PrevTerm uint64
	Entries             []Entry
	Commit              uint64
}

func (m Append) String() string {
	if len(m.Entries) == 0 {
		return fmt.Sprintf("heartbeat t%d commit %d", m.Term, m.Commit)
	}
	return fmt.Sprintf("append t%d after %d@t%d: %v, commit %d", m.Term, m.PrevIndex, m.PrevTerm, m.Entries, m.Commit)
}

// AppendReply answers an Append: on success, Match is the index up to
// which the follower's log now matches the leader's; on failure, Hint is
// where the leader should try next (the first index of the conflicting
// term, or the follower's log end).
type AppendReply struct {
	Term        uint64
	Success     bool
	Match, Hint uint64
}

func (m AppendReply) String() string {
	switch {
	case m.Success:
		return fmt.Sprintf("ok t%d match %d", m.Term, m.Match)
	case m.Hint == 0:
		return fmt.Sprintf("reject: stale term, now t%d", m.Term)
	}
	return fmt.Sprintf("reject t%d retry from %d", m.Term, m.Hint)
}

// Request is a client's command, sent to the server it believes leads.
type Request struct {
	Cmd Command
}

func (m Request) String() string { return fmt.Sprintf("#%d %v", m.Cmd.Seq, m.Cmd) }

// Reply answers a Request: OK with the command's result once it is
// applied, or not OK from a server that does not lead, with the leader it
// knows of (-1: none).
type Reply struct {
	Seq    int
	OK     bool
	Result Result
	Leader sim.NodeID
}

func (m Reply) String() string {
	if m.OK {
		return fmt.Sprintf("#%d ok %q", m.Seq, m.Result.Value)
	}
	if m.Leader == none {
		return fmt.Sprintf("#%d not leader, none known", m.Seq)
	}
	return fmt.Sprintf("#%d not leader, try node %d", m.Seq, m.Leader)
}
