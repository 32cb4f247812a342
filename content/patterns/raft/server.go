package raft

import (
	"encoding/binary"
	"fmt"

	"github.com/lamport-kb/lamport/sim"
)

// Role is a server's role in its current term.
type Role uint8

// The roles of the paper's Figure 4.
const (
	Follower Role = iota
	Candidate
	Leader
)

func (r Role) String() string { return [...]string{"follower", "candidate", "leader"}[r] }

// none is votedFor and leader when there is no one.
const none sim.NodeID = -1

// Server is one Raft server, a sim.Handler. Its persistent state (term,
// votedFor, log) lives in its write-ahead log; the rest is rebuilt at
// every Start.
type Server struct {
	c *Cluster
	// Persistent state, mirrored in the wal before it is acted on.
	term     uint64
	votedFor sim.NodeID
	log      []Entry // log[0] is a sentinel of term 0: entries start at 1
	wal      wal
	// Volatile state.
	role      Role
	leader    sim.NodeID
	commit    uint64
	kv        *KV
	votes     []bool   // candidate: who granted its vote
	answered  []bool   // candidate: who answered its RequestVote
	next      []uint64 // leader: the next index to send each server
	match     []uint64 // leader: the highest index each server stores
	election  sim.TimerID
	heartbeat sim.TimerID
	dirty     uint64 // the lowest log index changed since the checker looked
}

// Start recovers the persistent state from the disk and waits, as a
// follower, for a leader or its election timeout.
func (s *Server) Start(n *sim.Node) {
	s.wal = wal{disk: n.Disk(), noSync: s.c.cfg.bug == noSync}
	s.votedFor, s.leader = none, none
	s.log = []Entry{{}}
	for _, r := range s.wal.load() {
		s.replay(r)
	}
	s.kv = NewKV()
	s.dirty = 1
	n.Note("t%d, log %d", s.term, s.last())
	s.resetElection(n)
}

// Receive handles the Raft RPCs and client requests.
func (s *Server) Receive(n *sim.Node, from sim.NodeID, msg any) {
	switch m := msg.(type) {
	case RequestVote:
		s.onRequestVote(n, from, m)
	case Vote:
		s.onVote(n, from, m)
	case Append:
		s.onAppend(n, from, m)
	case AppendReply:
		s.onAppendReply(n, from, m)
	case Request:
		s.onRequest(n, from, m)
	}
}

// Fire handles the election and heartbeat timers.
func (s *Server) Fire(n *sim.Node, timer string) {
	switch {
	case timer == "election" && s.role != Leader:
		s.campaign(n)
	case timer == "heartbeat" && s.role == Leader:
		s.broadcast(n)
		s.heartbeat = n.After(s.c.cfg.Heartbeat, "heartbeat")
	case timer == "heartbeat" && s.role == Candidate:
		s.canvass(n)
		s.heartbeat = n.After(s.c.cfg.Heartbeat, "heartbeat")
	}
}

// last is the index of the last log entry.
func (s *Server) last() uint64 { return uint64(len(s.log) - 1) }

// lastTerm is the term of the last log entry.
func (s *Server) lastTerm() uint64 { return s.log[len(s.log)-1].Term }

// resetElection restarts the election timer with a fresh random timeout.
func (s *Server) resetElection(n *sim.Node) {
	n.Cancel(s.election)
	s.election = n.After(s.c.cfg.electionTimeout(n), "election")
}

// observe adopts a newer term seen in any message: the server becomes
// a follower of it, with no vote cast yet. It reports whether the term
// was newer.
func (s *Server) observe(n *sim.Node, term uint64) bool {
	if term <= s.term {
		return false
	}
	s.term, s.votedFor = term, none
	s.persistState()
	if s.role != Follower {
		n.Note("follower t%d", term)
	}
	s.role, s.leader = Follower, none
	return true
}

// WAL records: a term and vote ('S'), an entry at an index ('E').
const (
	recState = 'S'
	recEntry = 'E'
)

// persistState writes currentTerm and votedFor and syncs them.
func (s *Server) persistState() {
	r := binary.AppendUvarint([]byte{recState}, s.term)
	s.wal.append(binary.AppendVarint(r, int64(s.votedFor)))
}

// appendEntries puts entries at index from on (dropping whatever was
// there and after), writes and syncs them.
func (s *Server) appendEntries(from uint64, entries ...Entry) {
	s.log = append(s.log[:from], entries...)
	s.dirty = min(s.dirty, from)
	records := make([][]byte, len(entries))
	for i, e := range entries {
		r := binary.AppendUvarint([]byte{recEntry}, from+uint64(i))
		r = binary.AppendUvarint(r, e.Term)
		if e.Cmd != nil {
			r = e.Cmd.encode(r)
		}
		records[i] = r
	}
	s.wal.append(records...)
}

// replay applies one WAL record to the recovering state.
func (s *Server) replay(r []byte) {
	rd := reader{b: r[1:]}
	switch r[0] {
	case recState:
		s.term, s.votedFor = rd.uvarint(), sim.NodeID(rd.varint())
	case recEntry:
		i, e := rd.uvarint(), Entry{Term: rd.uvarint()}
		if len(rd.b) > 0 {
			cmd, err := decodeCommand(rd.b)
			if err != nil {
				panic(err)
			}
			e.Cmd = &cmd
		}
		if i == 0 || i > s.last()+1 {
			panic(fmt.Sprintf("raft: the wal skips from entry %d to %d", s.last(), i))
		}
		s.log = append(s.log[:i], e)
	}
	if rd.err != nil {
		panic(rd.err)
	}
}
