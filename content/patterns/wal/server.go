package wal

import (
	"fmt"
	"time"

	"github.com/lamport-kb/lamport/sim"
)

// Commit says when a Server acknowledges a record.
type Commit uint8

const (
	// Synchronous acknowledges a record after an fsync that began once the
	// record was appended. Records appended while an fsync runs wait for
	// the next, which covers them all: group commit.
	Synchronous Commit = iota
	// Asynchronous acknowledges a record as soon as it is appended and
	// flushes the log FlushEvery later (PostgreSQL's synchronous_commit =
	// off): a crash can lose what was acknowledged in the Window before
	// it, never more, and never tears what it keeps.
	Asynchronous
)

func (c Commit) String() string {
	if c == Asynchronous {
		return "asynchronous"
	}
	return "synchronous"
}

// Config describes a simulated server and its clients (see Simulate).
type Config struct {
	Commit     Commit
	SyncTime   time.Duration // how long an fsync takes; 0: 2 ms
	GroupWait  time.Duration // synchronous: wait this long before an fsync so more records share it (PostgreSQL's commit_delay); 0: none
	FlushEvery time.Duration // asynchronous: the background flush's period; 0: 10 ms
	Chunk      int           // the log's preallocation (Options.Chunk); 0: 256 bytes
	Writes     int           // writes per client per boot; 0: 8
	Every      time.Duration // mean time between a client's writes; 0: 5 ms
	History    *History      // where the run is checked; Simulate sets it
	bug        bug
}

// bug names a deliberately broken variant the exploration must catch.
type bug uint8

const (
	correct    bug = iota
	ackEarly       // synchronous commit acknowledges at append, before the fsync
	noChecksum     // recovery trusts a record's length and never checks its CRC
)

func (c Config) syncTime() time.Duration   { return or(c.SyncTime, 2*time.Millisecond) }
func (c Config) flushEvery() time.Duration { return or(c.FlushEvery, 10*time.Millisecond) }

// Window is how long before a crash a record must have been acknowledged
// to be sure to survive it: 0 (every acknowledged record) for Synchronous,
// FlushEvery + 2 × SyncTime for Asynchronous (a record appended while an
// fsync runs waits for the flush after it).
func (c Config) Window() time.Duration {
	if c.Commit == Asynchronous {
		return c.flushEvery() + 2*c.syncTime()
	}
	return 0
}

func or[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// Write is a client's request to log Data.
type Write struct{ Data string }

func (w Write) String() string { return "write " + w.Data }

// Ack tells a client that its write is the record Index.
type Ack struct {
	Index uint64
	Data  string
}

func (a Ack) String() string { return fmt.Sprintf("ack #%d %s", a.Index, a.Data) }

// LogFile is the name of the server's log on its disk.
const LogFile = "wal"

// Simulate adds a server named server and one client per name to s, and
// returns the History that checks the run: at every recovery, the
// invariants "durability" (every record acknowledged before the crash,
// or before its Window, was recovered) and "integrity" (the records
// recovered are exactly the first ones appended, byte for byte).
func Simulate(s *sim.Sim, cfg Config, server string, clients ...string) *History {
	cfg.History = newHistory(cfg.Window())
	id := s.Add(server, func() sim.Handler { return &Server{cfg: cfg} })
	cfg.History.server = id
	for _, name := range clients {
		s.Add(name, func() sim.Handler { return &Client{cfg: cfg, server: id} })
	}
	s.Invariant("durability", cfg.History.durability)
	s.Invariant("integrity", cfg.History.integrity)
	return cfg.History
}

// Server logs the clients' writes and acknowledges them under its Commit
// policy.
type Server struct {
	cfg     Config
	log     *Log
	pending []waiting // appended, not yet acknowledged (Synchronous)
	syncing bool      // an fsync is running
	upTo    uint64    // the last record the running fsync covers
	covered uint64    // the last record a finished fsync covered
	armed   bool      // a group wait or a background flush is due
}

type waiting struct {
	index  uint64
	client sim.NodeID
	data   string
}

// Start opens the log, which recovers it, and reports what it found.
func (sv *Server) Start(n *sim.Node) {
	log, err := Open(n.Disk(), LogFile, Options{Chunk: or(sv.cfg.Chunk, 256), noChecksum: sv.cfg.bug == noChecksum})
	if err != nil {
		panic(err)
	}
	sv.log, sv.covered = log, log.Last()
	sv.cfg.History.recovered(log)
	if n.Incarnation() > 1 {
		n.Note("recovered %v", log.Recovery())
	}
}

// Receive appends a client's write and acknowledges it, or waits for an
// fsync, as the policy says.
func (sv *Server) Receive(n *sim.Node, from sim.NodeID, msg any) {
	w := msg.(Write)
	index, err := sv.log.Append([]byte(w.Data))
	if err != nil {
		panic(err)
	}
	sv.cfg.History.appended(index, w.Data)
	n.Note("append #%d", index)
	if sv.cfg.Commit == Asynchronous || sv.cfg.bug == ackEarly {
		sv.ack(n, waiting{index, from, w.Data})
	} else {
		sv.pending = append(sv.pending, waiting{index, from, w.Data})
	}
	sv.schedule(n)
}

// schedule starts an fsync now, or arms the timer of the group wait or
// of the background flush, unless one is running or due.
func (sv *Server) schedule(n *sim.Node) {
	if sv.syncing || sv.armed || sv.log.Last() == sv.covered {
		return
	}
	wait := sv.cfg.GroupWait
	if sv.cfg.Commit == Asynchronous {
		wait = sv.cfg.flushEvery()
	}
	if wait > 0 {
		sv.armed = true
		n.After(wait, "flush")
		return
	}
	sv.startSync(n)
}

func (sv *Server) startSync(n *sim.Node) {
	sv.syncing, sv.upTo = true, sv.log.Last()
	n.Note("fsync of #%d–#%d begins", sv.covered+1, sv.upTo)
	n.After(sv.cfg.syncTime(), "fsync")
}

// Fire starts a due fsync ("flush"), or completes one ("fsync"): the
// records it covers are durable and acknowledged.
func (sv *Server) Fire(n *sim.Node, timer string) {
	if timer == "flush" {
		sv.armed = false
		sv.startSync(n)
		return
	}
	first := sv.covered + 1
	sv.log.Sync()
	sv.syncing, sv.covered = false, sv.upTo
	n.Note("#%d–#%d durable", first, sv.upTo)
	sv.cfg.History.synced()
	kept := sv.pending[:0]
	for _, w := range sv.pending {
		if w.index <= sv.upTo {
			sv.ack(n, w)
		} else {
			kept = append(kept, w)
		}
	}
	sv.pending = kept
	sv.schedule(n)
}

func (sv *Server) ack(n *sim.Node, w waiting) {
	sv.cfg.History.acked(w.index, n.Now().Sub(sim.Epoch))
	n.Send(w.client, Ack{Index: w.index, Data: w.data})
}

// Client sends Config.Writes writes to the server at random intervals.
type Client struct {
	cfg    Config
	server sim.NodeID
	sent   int
}

// Start schedules the first write.
func (c *Client) Start(n *sim.Node) { c.next(n) }

// Fire sends the next write, named by the client, its boot and a count.
func (c *Client) Fire(n *sim.Node, _ string) {
	c.sent++
	n.Send(c.server, Write{Data: fmt.Sprintf("%s.%d#%d", n.Name(), n.Incarnation(), c.sent)})
	c.next(n)
}

// Receive notes an acknowledgement.
func (c *Client) Receive(n *sim.Node, _ sim.NodeID, msg any) {
	n.Note("acked as #%d", msg.(Ack).Index)
}

func (c *Client) next(n *sim.Node) {
	every := or(c.cfg.Every, 5*time.Millisecond)
	if c.sent < or(c.cfg.Writes, 8) {
		n.After(every/2+time.Duration(n.Rand().Int64N(int64(every)+1)), "write")
	}
}
