package quorum

import (
	"fmt"
	"time"

	"github.com/lamport-kb/lamport/sim"
)

// Config describes a simulated register: N replicas, the read and write
// quorums, and what each client does (see Simulate).
type Config struct {
	N, R, W int           // replicas, read quorum, write quorum; 0: 3, 2, 2
	Ops     int           // operations per client per boot; 0: 6
	Think   time.Duration // pause between a client's operations; 0: 4 ms
	Retry   time.Duration // a round resends to the replicas that have not answered after it; 0: 15 ms
	Writes  float64       // the share of operations that are writes; 0: one half
	bug     bug
}

// bug names a deliberately broken variant the exploration must catch.
type bug uint8

const (
	correct     bug = iota
	noWriteBack     // a read returns what it read without writing it back first
)

func (c Config) n() int { return or(c.N, 3) }
func (c Config) r() int { return or(c.R, 2) }
func (c Config) w() int { return or(c.W, 2) }

func (c Config) think() time.Duration { return or(c.Think, 4*time.Millisecond) }
func (c Config) retry() time.Duration { return or(c.Retry, 15*time.Millisecond) }

// Strict reports whether the quorums overlap: R + W > N.
func (c Config) Strict() bool { return Overlap(c.n(), c.r(), c.w()) > 0 }

func (c Config) String() string { return fmt.Sprintf("N=%d R=%d W=%d", c.n(), c.r(), c.w()) }

func (c Config) validate() error {
	if c.n() < 1 || c.r() < 1 || c.w() < 1 || c.r() > c.n() || c.w() > c.n() {
		return fmt.Errorf("quorum: %v: want 1 ≤ R, W ≤ N", c)
	}
	return nil
}

func or[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// Messages between clients and replicas. Op names the client's operation
// and round, so a late answer to an earlier round is ignored.
type (
	Get struct{ Op Round } // client → replica: what do you hold?
	Got struct {           // replica → client
		Op    Round
		Value Tagged
	}
	Put struct { // client → replica: store this if it is newer
		Op     Round
		Value  Tagged
		Repair bool // sent by a read: the write-back of read repair
	}
	Ack struct{ Op Round } // replica → client: stored (or already had newer)
)

// Round identifies one round of one operation of one client's boot.
type Round struct {
	Incarnation, Seq int
	Phase            Phase
}

// Phase is the round of an operation: the query, then the store.
type Phase uint8

const (
	Query Phase = iota // ask R replicas for their value
	Store              // store a value on W replicas
)

func (g Get) String() string { return "get" }
func (g Got) String() string { return "got " + g.Value.String() }
func (p Put) String() string {
	if p.Repair {
		return "repair " + p.Value.String()
	}
	return "put " + p.Value.String()
}
func (a Ack) String() string { return "ack" }

// Input is an operation of the history: a write of Value, or a read.
type Input struct {
	Write bool
	Value string
}

// Output is what an operation returned: the value read (or written) and
// its version.
type Output struct {
	Value   string
	Version Version
}

// Simulate adds N replicas (named A, B, C, ...; node IDs 0 .. N-1) and one
// client per name to s, and adds the invariant "versions" (no two
// replicas hold different values under one version). It returns the
// replicas' IDs, or an error if the quorums are not between 1 and N.
func Simulate(s *sim.Sim, cfg Config, clients ...string) ([]sim.NodeID, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	var replicas []sim.NodeID
	for i := range cfg.n() {
		replicas = append(replicas, s.Add(string(rune('A'+i)), func() sim.Handler { return &Replica{} }))
	}
	for _, name := range clients {
		s.Add(name, func() sim.Handler { return &Client{cfg: cfg, replicas: replicas} })
	}
	s.Invariant("versions", func(s *sim.Sim) error { return uniqueVersions(s, replicas) })
	return replicas, nil
}

// uniqueVersions checks that the replicas agree on what each version
// holds. Only the node of the latest event can have changed its value (a
// fault changes none), so it compares that replica with the others.
func uniqueVersions(s *sim.Sim, replicas []sim.NodeID) error {
	events := s.Events()
	r, ok := s.Handler(events[len(events)-1].Node).(*Replica)
	if !ok {
		return nil // a fault, a client, or a replica that is down
	}
	for _, id := range replicas {
		if o, ok := s.Handler(id).(*Replica); ok && o != r && o.value.Version == r.value.Version && o.value.Value != r.value.Value {
			return fmt.Errorf("version %v holds %q and %q", r.value.Version, o.value.Value, r.value.Value)
		}
	}
	return nil
}

// Replica stores one tagged value, synced to its disk before it answers.
type Replica struct {
	value Tagged
}

// registerFile is the name of a replica's value on its disk.
const registerFile = "register"

// Value returns the replica's current value.
func (r *Replica) Value() Tagged { return r.value }

// Start reads the value back from the disk.
func (r *Replica) Start(n *sim.Node) {
	data, ok := n.Disk().Read(registerFile)
	if !ok {
		return
	}
	v, err := decode(data)
	if err != nil {
		panic(err)
	}
	r.value = v
}

// Receive answers a Get with the value, and stores a newer Put durably
// before acknowledging it.
func (r *Replica) Receive(n *sim.Node, from sim.NodeID, msg any) {
	switch m := msg.(type) {
	case Get:
		n.Send(from, Got{Op: m.Op, Value: r.value})
	case Put:
		if m.Value.Newer(r.value) {
			if err := n.Disk().Write(registerFile, encode(m.Value)); err != nil {
				panic(err)
			}
			n.Disk().Sync(registerFile)
			r.value = m.Value
			if m.Repair {
				n.Note("repaired to %v", m.Value)
			} else {
				n.Note("stored %v", m.Value)
			}
		}
		n.Send(from, Ack{Op: m.Op})
	}
}

// Fire does nothing: a replica sets no timers.
func (r *Replica) Fire(*sim.Node, string) {}
