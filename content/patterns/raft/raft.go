// Package raft is the Raft consensus algorithm (Ongaro and Ousterhout,
// "In Search of an Understandable Consensus Algorithm", USENIX ATC 2014)
// on the deterministic cluster simulator of package sim, with a small
// replicated key-value store on top, and etcd's production Raft library
// (go.etcd.io/raft/v3) driven through the same simulator, faults and
// checks beside it.
//
// # The algorithm
//
// Servers are followers, candidates or leaders. A follower that hears
// nothing from a leader for a randomized election timeout becomes a
// candidate: it increments currentTerm, votes for itself and asks the
// others for their votes (RequestVote); a server grants one vote per term,
// and only to a candidate whose log is at least as up to date as its own.
// A candidate with votes from a majority leads its term. The leader
// appends client commands to its log and replicates them (Append, the
// AppendEntries RPC), which carries the index and term of the entry before
// the new ones so that a follower accepts entries only after a matching
// prefix; a follower with a conflicting suffix drops it. An entry is
// committed once a majority stores it and it is of the leader's current
// term (entries of earlier terms are committed with it, never by counting
// replicas alone: the paper's Figure 8). Every server applies committed
// entries to its KV in log order.
//
// currentTerm, votedFor and the log are written to the server's sim.Disk
// and fsynced before the server votes, acknowledges or replies (see wal),
// so a crash keeps what Raft must remember; commitIndex and the state
// machine are volatile and rebuilt from the log after a restart.
//
// # Running it
//
// Simulate adds a cluster to a sim.Sim: Config.Servers servers running
// Server (or Etcd servers running go.etcd.io/raft/v3 when Config.Etcd is
// set) and Config.Clients clients that each issue Config.Ops random gets
// and puts, retrying at other servers until one commits them. It attaches
// the four safety properties of the paper's Figure 3 as invariants,
// checked after every event: election safety, log matching, leader
// completeness and state machine safety (see Cluster). Linearizable checks
// the clients' history with porcupine; Finished says whether every client
// operation completed.
//
//	s := sim.New(sim.Config{Seed: 1, Faults: []sim.Fault{sim.Partition(300*ms, 600*ms, 0)}})
//	c := raft.Simulate(s, raft.Config{Servers: 3, Clients: 1})
//	err := s.Run() // nil, or the *sim.Failure of the first broken property
//
// # etcd beside it
//
// Etcd wraps a raft.RawNode: messages in through Step, time through Tick,
// and the Ready loop the library's README prescribes (persist entries and
// hard state, send messages, apply committed entries, Advance). etcd draws
// its randomized election timeout from crypto/rand, which no seed can
// replay; so Etcd gives the library an election timeout longer than any
// run and starts campaigns itself (RawNode.Campaign) from a timer drawn
// from the node's seeded random source, with the same bounds as Server's.
// Voting, terms, log replication and commitment are etcd's own code.
package raft

import (
	"strconv"
	"time"

	"github.com/lamport-kb/lamport/sim"
)

// Config describes a simulated Raft cluster and its clients.
type Config struct {
	Servers int // servers, named s1, s2, ...; 0: 3
	Clients int // clients, named c1, c2, ...; 0: 1
	Ops     int // operations per client; 0: 6
	Keys    int // keys the clients use, x, y, z, ...; 0: 2
	// Heartbeat is the leader's heartbeat interval; 0: 20 ms.
	Heartbeat time.Duration
	// Election is the shortest election timeout: each timeout is drawn
	// uniformly from [Election, 2*Election); 0: 100 ms.
	Election time.Duration
	// Etcd runs go.etcd.io/raft/v3 on the servers instead of Server.
	Etcd bool
	bug  bug // a deliberately broken variant, for the tests
}

// bug names a broken variant of Server that the tests must catch (the
// exploration, or the directed TestFigure8).
type bug uint8

const (
	correct  bug = iota
	anyLog       // grant votes without the up-to-date check
	noSync       // the log is written but never fsynced
	oldTerms     // commit entries of earlier terms by counting replicas (Figure 8)
)

func (c Config) withDefaults() Config {
	if c.Servers <= 0 {
		c.Servers = 3
	}
	if c.Clients <= 0 {
		c.Clients = 1
	}
	if c.Ops <= 0 {
		c.Ops = 6
	}
	if c.Keys <= 0 {
		c.Keys = 2
	}
	if c.Heartbeat <= 0 {
		c.Heartbeat = 20 * time.Millisecond
	}
	if c.Election <= 0 {
		c.Election = 100 * time.Millisecond
	}
	return c
}

// electionTimeout draws a randomized election timeout.
func (c Config) electionTimeout(n *sim.Node) time.Duration {
	return c.Election + time.Duration(n.Rand().Int64N(int64(c.Election)))
}

// Simulate adds a Raft cluster to s (servers first, then clients) and
// attaches its safety properties as invariants. s must have no nodes yet:
// the servers are nodes 0 to Servers-1.
func Simulate(s *sim.Sim, cfg Config) *Cluster {
	if len(s.Nodes()) > 0 {
		panic("raft: Simulate needs a Sim with no nodes")
	}
	cfg = cfg.withDefaults()
	c := &Cluster{cfg: cfg, sim: s}
	for i := range cfg.Servers {
		c.Servers = append(c.Servers, s.Add(name("s", i), c.newServer))
	}
	for i := range cfg.Clients {
		c.Clients = append(c.Clients, s.Add(name("c", i), func() sim.Handler { return &Client{c: c} }))
	}
	c.check = newChecker(c)
	c.check.attach(s)
	return c
}

func name(prefix string, i int) string { return prefix + strconv.Itoa(i+1) }

// newServer makes a server's handler: ours, or etcd's.
func (c *Cluster) newServer() sim.Handler {
	if c.cfg.Etcd {
		return &Etcd{c: c}
	}
	return &Server{c: c}
}

// Cluster is a simulated Raft cluster: its servers and clients, and the
// checker of its safety properties.
type Cluster struct {
	Servers []sim.NodeID
	Clients []sim.NodeID
	cfg     Config
	sim     *sim.Sim
	check   *checker
}

// majority is the size of a quorum.
func (c *Cluster) majority() int { return len(c.Servers)/2 + 1 }

// Leadership is one elected leader: its term, the server, and when the
// checker first saw it lead.
type Leadership struct {
	Term   uint64
	Leader sim.NodeID
	At     time.Duration
}

// Linearizable checks the clients' history with porcupine against Model.
func (c *Cluster) Linearizable() error {
	return sim.Linearizable(Model, c.sim.History(), 10*time.Second)
}

// Committed returns the highest index any server has known committed.
func (c *Cluster) Committed() uint64 { return uint64(len(c.check.committed)) }
