package sim

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
)

// Fault is one entry of a fault schedule: data that says what goes wrong,
// where, and from when until when. Make one with Partition, OneWay, Crash,
// Skew or Degrade, or draw a schedule with a Nemesis. String prints it as
// the call that makes it, so a shrunk schedule can be pasted into a test.
type Fault interface {
	fmt.Stringer
	// schedule validates the fault against the cluster and queues its
	// start and end; id is its index in the schedule.
	schedule(s *Sim, id int) error
}

// Partition cuts the nodes of side off from every other node, both ways,
// from at until heal (heal 0: for the rest of the run).
func Partition(at, heal time.Duration, side ...NodeID) Fault {
	return partition{at: at, heal: heal, side: slices.Clone(side)}
}

// OneWay drops every message from one node to another (not the replies)
// from at until heal (heal 0: for the rest of the run).
func OneWay(at, heal time.Duration, from, to NodeID) Fault {
	return oneWay{at: at, heal: heal, from: from, to: to}
}

// Crash stops a node at at, losing its volatile state, its timers and its
// unsynced writes, and boots it again at restart (restart 0: it stays
// down).
func Crash(at, restart time.Duration, node NodeID) Fault {
	return crash{at: at, restart: restart, node: node}
}

// Skew changes a node's clock at at: it jumps by jump (negative: back) and
// from then on runs at rate 1 + drift (drift 0.01: 1% fast).
func Skew(at time.Duration, node NodeID, jump time.Duration, drift float64) Fault {
	return skew{at: at, node: node, jump: jump, drift: drift}
}

// Degrade replaces the link from one node to another with l from at until
// until (until 0: for the rest of the run): a burst of loss, duplicates or
// delay.
func Degrade(at, until time.Duration, from, to NodeID, l Link) Fault {
	return degrade{at: at, until: until, from: from, to: to, link: l}
}

type partition struct {
	at, heal time.Duration
	side     []NodeID
}

func (p partition) String() string {
	return fmt.Sprintf("Partition(%v, %v, %s)", p.at, p.heal, ids(p.side))
}

func (p partition) schedule(s *Sim, id int) error {
	if err := s.checkFault(p, p.at, p.heal, p.side...); err != nil {
		return err
	}
	if len(p.side) == 0 || len(p.side) >= len(s.nodes) {
		return fmt.Errorf("sim: %v: a side must hold some of the nodes, not none or all", p)
	}
	var rest []NodeID
	for _, n := range s.Nodes() {
		if !slices.Contains(p.side, n) {
			rest = append(rest, n)
		}
	}
	label := s.names(p.side) + " | " + s.names(rest)
	s.fault(p.at, func(s *Sim) {
		s.blocks = append(s.blocks, block{id: id, from: p.side, to: rest, label: label}, block{id: id, from: rest, to: p.side, label: label})
		s.faultEvent(EventPartition, -1, id, label)
	})
	s.until(p.heal, func(s *Sim) { s.heal(id) })
	return nil
}

type oneWay struct {
	at, heal time.Duration
	from, to NodeID
}

func (o oneWay) String() string {
	return fmt.Sprintf("OneWay(%v, %v, %d, %d)", o.at, o.heal, o.from, o.to)
}

func (o oneWay) schedule(s *Sim, id int) error {
	if err := s.checkFault(o, o.at, o.heal, o.from, o.to); err != nil {
		return err
	}
	if o.from == o.to {
		return fmt.Errorf("sim: %v: a node cannot be cut off from itself", o)
	}
	label := s.Name(o.from) + " → " + s.Name(o.to) + " cut"
	s.fault(o.at, func(s *Sim) {
		s.blocks = append(s.blocks, block{id: id, from: []NodeID{o.from}, to: []NodeID{o.to}, label: label})
		s.faultEvent(EventPartition, -1, id, label)
	})
	s.until(o.heal, func(s *Sim) { s.heal(id) })
	return nil
}

// heal ends the partition id.
func (s *Sim) heal(id int) {
	label := ""
	s.blocks = slices.DeleteFunc(s.blocks, func(b block) bool {
		if b.id == id {
			label = b.label
		}
		return b.id == id
	})
	s.faultEvent(EventHeal, -1, id, label)
}

type crash struct {
	at, restart time.Duration
	node        NodeID
}

func (c crash) String() string { return fmt.Sprintf("Crash(%v, %v, %d)", c.at, c.restart, c.node) }

func (c crash) schedule(s *Sim, id int) error {
	if err := s.checkFault(c, c.at, c.restart, c.node); err != nil {
		return err
	}
	s.fault(c.at, func(s *Sim) { s.crash(c.node, id) })
	s.until(c.restart, func(s *Sim) { s.restart(c.node, id) })
	return nil
}

type skew struct {
	at    time.Duration
	node  NodeID
	jump  time.Duration
	drift float64
}

func (k skew) String() string {
	return fmt.Sprintf("Skew(%v, %d, %v, %g)", k.at, k.node, k.jump, k.drift)
}

func (k skew) schedule(s *Sim, id int) error {
	if err := s.checkFault(k, k.at, 0, k.node); err != nil {
		return err
	}
	s.fault(k.at, func(s *Sim) {
		s.nodes[k.node].clock.skew(s.now, k.jump, k.drift)
		s.faultEvent(EventSkew, k.node, id, fmt.Sprintf("clock %+v, drift %+g", k.jump, k.drift))
	})
	return nil
}

type degrade struct {
	at, until time.Duration
	from, to  NodeID
	link      Link
}

func (d degrade) String() string {
	return fmt.Sprintf("Degrade(%v, %v, %d, %d, %v)", d.at, d.until, d.from, d.to, d.link)
}

func (d degrade) schedule(s *Sim, id int) error {
	if err := s.checkFault(d, d.at, d.until, d.from, d.to); err != nil {
		return err
	}
	s.fault(d.at, func(s *Sim) {
		s.degraded = append(s.degraded, degradation{id: id, from: d.from, to: d.to, link: d.link})
		s.faultEvent(EventDegrade, -1, id, s.Name(d.from)+" → "+s.Name(d.to)+" "+d.link.String())
	})
	s.until(d.until, func(s *Sim) {
		s.degraded = slices.DeleteFunc(s.degraded, func(g degradation) bool { return g.id == id })
		s.faultEvent(EventRestore, -1, id, "")
	})
	return nil
}

// faultEvent records an event of a fault.
func (s *Sim) faultEvent(kind EventKind, node NodeID, fault int, note string) {
	e := event(kind, node)
	e.Fault, e.Note = fault, note
	s.record(e)
}

// checkFault validates a fault's times and nodes.
func (s *Sim) checkFault(f Fault, at, end time.Duration, nodes ...NodeID) error {
	if at < 0 || (end != 0 && end <= at) {
		return fmt.Errorf("sim: %v: it must start at or after 0 and end after it starts (or at 0: never)", f)
	}
	for _, n := range nodes {
		if !s.valid(n) {
			return fmt.Errorf("sim: %v: no node %d (the cluster has %d)", f, n, len(s.nodes))
		}
	}
	return nil
}

// fault queues a fault's action at at.
func (s *Sim) fault(at time.Duration, do func(s *Sim)) {
	s.push(item{at: at, kind: itemFault, fault: do})
}

// until queues a fault's end, unless it never ends.
func (s *Sim) until(end time.Duration, do func(s *Sim)) {
	if end > 0 {
		s.fault(end, do)
	}
}

// names lists node names: "{a b}".
func (s *Sim) names(nodes []NodeID) string {
	var b strings.Builder
	b.WriteByte('{')
	for i, n := range nodes {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(s.Name(n))
	}
	return b.String() + "}"
}

func ids(nodes []NodeID) string {
	s := make([]string, len(nodes))
	for i, n := range nodes {
		s[i] = fmt.Sprint(int(n))
	}
	return strings.Join(s, ", ")
}

// Nemesis draws random fault schedules from a seed: up to the given number
// of each kind of fault, each starting in [0, Horizon) and lasting up to
// MaxOutage. The zero counts draw nothing of that kind.
type Nemesis struct {
	Nodes      int           // the cluster's size: faults name nodes 0 .. Nodes-1
	Horizon    time.Duration // faults start before it; 0: one second
	MaxOutage  time.Duration // the longest partition, crash or degradation; 0: Horizon/4
	Partitions int           // symmetric partitions, at most
	OneWays    int           // one-way partitions, at most
	Crashes    int           // crashes, each followed by a restart, at most
	Skews      int           // clock jumps with drift, at most
	Degrades   int           // bursts of loss, duplication and delay on one link, at most
	// Permanent lets a crash or partition last for the rest of the run.
	Permanent bool
}

// Draw returns the schedule of seed, ordered by start time.
func (m Nemesis) Draw(seed uint64) []Fault {
	if m.Horizon <= 0 {
		m.Horizon = time.Second
	}
	if m.MaxOutage <= 0 {
		m.MaxOutage = m.Horizon / 4
	}
	if m.Nodes < 1 {
		return nil
	}
	r := rand.New(rand.NewPCG(seed, 0xfa17))
	var drawn []timed
	add := func(n int, draw func(at, end time.Duration) Fault) {
		for range r.IntN(n + 1) {
			at, end := m.window(r)
			drawn = append(drawn, timed{at, draw(at, end)})
		}
	}
	if m.Nodes > 1 {
		add(m.Partitions, func(at, end time.Duration) Fault { return Partition(at, end, m.side(r)...) })
		add(m.OneWays, func(at, end time.Duration) Fault { from, to := m.pair(r); return OneWay(at, end, from, to) })
		add(m.Degrades, func(at, end time.Duration) Fault {
			from, to := m.pair(r)
			return Degrade(at, m.end(at, end), from, to, m.link(r))
		})
	}
	add(m.Crashes, func(at, end time.Duration) Fault { return Crash(at, end, NodeID(r.IntN(m.Nodes))) })
	add(m.Skews, func(at, _ time.Duration) Fault {
		jump := time.Duration(r.Int64N(int64(m.MaxOutage)*2+1)) - m.MaxOutage
		return Skew(at, NodeID(r.IntN(m.Nodes)), jump, float64(r.IntN(21)-10)/100)
	})
	slices.SortStableFunc(drawn, func(a, b timed) int { return int(a.at - b.at) })
	faults := make([]Fault, len(drawn))
	for i, d := range drawn {
		faults[i] = d.f
	}
	return faults
}

type timed struct {
	at time.Duration
	f  Fault
}

// window draws a start and an end (0: never, if Permanent allows it).
func (m Nemesis) window(r *rand.Rand) (time.Duration, time.Duration) {
	at := time.Duration(r.Int64N(int64(m.Horizon)))
	end := at + 1 + time.Duration(r.Int64N(int64(m.MaxOutage)))
	if m.Permanent && r.IntN(4) == 0 {
		end = 0
	}
	return at, end
}

// end keeps a degradation temporary.
func (m Nemesis) end(at, end time.Duration) time.Duration {
	if end == 0 {
		return at + m.MaxOutage
	}
	return end
}

// side draws a non-empty proper subset of the nodes, in ID order.
func (m Nemesis) side(r *rand.Rand) []NodeID {
	k := 1 + r.IntN(m.Nodes-1)
	perm := r.Perm(m.Nodes)[:k]
	slices.Sort(perm)
	side := make([]NodeID, k)
	for i, p := range perm {
		side[i] = NodeID(p)
	}
	return side
}

func (m Nemesis) pair(r *rand.Rand) (NodeID, NodeID) {
	from := r.IntN(m.Nodes)
	to := (from + 1 + r.IntN(m.Nodes-1)) % m.Nodes
	return NodeID(from), NodeID(to)
}

func (m Nemesis) link(r *rand.Rand) Link {
	return Link{
		Delay:     Exponential(time.Millisecond, time.Duration(1+r.IntN(50))*time.Millisecond),
		Loss:      float64(r.IntN(6)) / 10,
		Duplicate: float64(r.IntN(4)) / 10,
		Reorder:   float64(r.IntN(6)) / 10,
	}
}
