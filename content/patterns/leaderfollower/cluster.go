package leaderfollower

import (
	"fmt"
	"time"

	"github.com/lamport-kb/lamport/sim"
)

// Config describes a simulated cluster: N replicas (replica 0 leads epoch
// 1), an operator that fails over at the times of Failovers, and the
// clients' work (see Simulate).
type Config struct {
	N             int             // replicas; 0: 3
	Mode          Mode            // when a write is acknowledged
	SyncFollowers int             // Sync: followers that must have a write; 0: all N − 1
	Failovers     []time.Duration // when the operator starts a failover (simulated time, on its clock)
	SyncTime      time.Duration   // how long the leader's fsync takes; 0: 1 ms
	Heartbeat     time.Duration   // the leader ships its log at least this often; 0: 5 ms
	Retry         time.Duration   // the operator resends what was not answered after it; 0: 10 ms
	Timeout       time.Duration   // a client gives up on a write after it; 0: 40 ms
	Ops           int             // operations per client; 0: 12
	Every         time.Duration   // mean pause between a client's operations; 0: 4 ms
	Reads         float64         // the share of operations that are reads (from a random replica); 0: 0.3
	bug           bug
}

// bug names a deliberately broken variant the exploration must catch.
type bug uint8

const (
	correct      bug = iota
	firstAnswer      // the operator promotes the best of the first fence answer, not of FenceQuorum
	noFence          // a replica accepts shipments from an epoch below its own
	shipUnsynced     // the leader ships entries before its fsync covers them
)

func (c Config) n() int                   { return or(c.N, 3) }
func (c Config) syncTime() time.Duration  { return or(c.SyncTime, ms) }
func (c Config) heartbeat() time.Duration { return or(c.Heartbeat, 5*ms) }
func (c Config) retry() time.Duration     { return or(c.Retry, 10*ms) }
func (c Config) timeout() time.Duration   { return or(c.Timeout, 40*ms) }
func (c Config) every() time.Duration     { return or(c.Every, 4*ms) }

// Acks returns k, how many followers must have a write before the leader
// acknowledges it: 0, 1, or SyncFollowers (all N − 1 when 0).
func (c Config) Acks() int {
	switch c.Mode {
	case SemiSync:
		return 1
	case Sync:
		return or(c.SyncFollowers, c.n()-1)
	}
	return 0
}

// Quorum is the operator's FenceQuorum for this configuration.
func (c Config) Quorum() int {
	if c.bug == firstAnswer {
		return 1
	}
	return FenceQuorum(c.n(), c.Acks())
}

func (c Config) validate() error {
	if c.n() < 2 || c.Acks() < 0 || c.Acks() > c.n()-1 || c.Mode > Sync {
		return fmt.Errorf("leaderfollower: N=%d, %v with %d followers: want N ≥ 2 and 0 ≤ k ≤ N − 1", c.n(), c.Mode, c.Acks())
	}
	return nil
}

// Messages between clients, replicas and the operator.
type (
	// Write asks the leader to log and replicate a write.
	Write struct{ ID string }
	// Written acknowledges a write: it is entry Index of Epoch's log.
	Written struct {
		ID    string
		Index int
		Epoch uint64
	}
	// Redirect answers a write sent to a replica that does not lead:
	// Leader (-1: unknown) leads Epoch, as far as it knows.
	Redirect struct {
		ID     string
		Leader sim.NodeID
		Epoch  uint64
	}
	// Read asks any replica for the last entry it has applied.
	Read struct{ Seq int }
	// ReadReply answers a Read: the replica's last entry, its index and
	// the replica's epoch.
	ReadReply struct {
		Seq   int
		Index int
		Value string
		Epoch uint64
	}
	// Append ships the leader's entries after Prev to a follower; Synced
	// is the last entry durable on the leader when it was sent.
	Append struct {
		Epoch   uint64
		Prev    Pos
		Entries []Entry
		Synced  int
	}
	// Ack tells the leader of Epoch that the follower's log, durable,
	// matches the leader's up to Match.
	Ack struct {
		Epoch uint64
		Match int
	}
	// Nack tells the leader of Epoch that the follower has no entry at
	// Prev: it should ship from Hint + 1.
	Nack struct {
		Epoch uint64
		Hint  int
	}
	// Stale answers a message of an epoch below the replica's own: the
	// sender is deposed.
	Stale struct{ Epoch uint64 }
	// Fence tells a replica that epoch Epoch has begun: it must reject
	// every message of a lower epoch, and answer with its position.
	Fence struct{ Epoch uint64 }
	// Fenced answers a Fence with where the replica's durable log ends.
	Fenced struct {
		Epoch uint64
		Last  Pos
	}
	// Promote makes a fenced replica the leader of Epoch.
	Promote struct{ Epoch uint64 }
	// Promoted answers a Promote.
	Promoted struct{ Epoch uint64 }
	// Leader announces the leader of an epoch to every node.
	Leader struct {
		Epoch  uint64
		Leader sim.NodeID
	}
)

func (w Write) String() string   { return "write " + w.ID }
func (w Written) String() string { return fmt.Sprintf("ok %s #%d", w.ID, w.Index) }
func (r Redirect) String() string {
	return fmt.Sprintf("not the leader (%d leads epoch %d)", r.Leader, r.Epoch)
}
func (r Read) String() string      { return "read" }
func (r ReadReply) String() string { return fmt.Sprintf("#%d %s", r.Index, r.Value) }
func (a Append) String() string {
	if len(a.Entries) == 0 {
		return fmt.Sprintf("e%d append after %v (heartbeat)", a.Epoch, a.Prev)
	}
	return fmt.Sprintf("e%d append #%d–#%d after %v", a.Epoch, a.Prev.Index+1, a.Prev.Index+len(a.Entries), a.Prev)
}
func (a Ack) String() string      { return fmt.Sprintf("e%d ack #%d", a.Epoch, a.Match) }
func (n Nack) String() string     { return fmt.Sprintf("e%d nack, from #%d", n.Epoch, n.Hint+1) }
func (s Stale) String() string    { return fmt.Sprintf("stale: epoch %d", s.Epoch) }
func (f Fence) String() string    { return fmt.Sprintf("fence e%d", f.Epoch) }
func (f Fenced) String() string   { return fmt.Sprintf("fenced e%d at %v", f.Epoch, f.Last) }
func (p Promote) String() string  { return fmt.Sprintf("promote e%d", p.Epoch) }
func (p Promoted) String() string { return fmt.Sprintf("promoted e%d", p.Epoch) }
func (l Leader) String() string   { return fmt.Sprintf("leader of e%d: %d", l.Epoch, l.Leader) }

// Simulate adds N replicas (named A, B, C, ...; node IDs 0 .. N-1), the
// operator ("op", ID N) and one client per name to s, and returns the
// History that checks the run with the invariants "prefix" (every
// follower's log is a prefix of its epoch's leader's) and "epochs" (a
// replica's epoch never goes back, no replica accepts a shipment from an
// epoch below its own, one leader per epoch), and, in the modes that
// promise them (SemiSync and Sync), "durability" (every acknowledged write
// is in the log of every later leader) and "deposed" (no write the old
// leader takes after a failover's fence is acknowledged).
func Simulate(s *sim.Sim, cfg Config, clients ...string) (*History, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	h := newHistory(cfg)
	var replicas []sim.NodeID
	for i := range cfg.n() {
		replicas = append(replicas, s.Add(string(rune('A'+i)), func() sim.Handler {
			return &Replica{cfg: cfg, h: h, replicas: replicas}
		}))
	}
	h.replicas = replicas
	s.Add("op", func() sim.Handler { return &Operator{cfg: cfg, h: h, replicas: replicas} })
	for _, name := range clients {
		s.Add(name, func() sim.Handler { return &Client{cfg: cfg, h: h, replicas: replicas} })
	}
	s.Invariant("prefix", h.prefix)
	s.Invariant("epochs", h.epochs)
	if cfg.Acks() > 0 {
		s.Invariant("durability", h.Durability)
		s.Invariant("deposed", h.Deposed)
	}
	return h, nil
}
