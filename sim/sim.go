package sim

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"time"
)

// NodeID names a node: its index in the order the nodes were added.
type NodeID int

// Handler is a node's behaviour: deterministic functions from one input (a
// boot, a message, a timer) to outputs made through the *Node (messages,
// timers, disk writes, notes). A handler must not start goroutines, read
// the real clock or iterate over a map in an order that reaches its
// outputs; everything it needs is on the *Node.
type Handler interface {
	// Start runs when the node boots and again after every restart, on a
	// fresh handler: volatile state is gone, the node's Disk is not.
	Start(n *Node)
	// Receive handles one message delivered from another node.
	Receive(n *Node, from NodeID, msg any)
	// Fire handles a timer set with Node.After.
	Fire(n *Node, timer string)
}

// Config is a run's description: the seed, the network, the fault schedule
// and the run's bounds. The zero value is a valid configuration.
type Config struct {
	Seed      uint64        // the whole run is a function of it
	Network   Link          // every link's default; zero: DefaultLink
	Faults    []Fault       // the fault schedule (Partition, Crash, Skew, ...)
	Until     time.Duration // the run stops before the first event after it; 0: DefaultUntil
	MaxEvents int           // events and sends a run may take; 0: DefaultMaxEvents
	DiskLimit int           // bytes a node's Disk may hold; 0: DefaultDiskLimit
	// TornWrites lets a crash keep a random prefix of a file's unsynced
	// content (a torn write) instead of none of it.
	TornWrites bool
}

// Bounds that apply when Config leaves them zero.
const (
	DefaultUntil     = time.Minute
	DefaultMaxEvents = 100_000
	DefaultDiskLimit = 1 << 20
)

// DefaultLink is the network of a Config that names none: delays uniform
// between 1 and 10 ms, no loss, no duplication, in order per link.
var DefaultLink = Link{Delay: Uniform(time.Millisecond, 10*time.Millisecond)}

// Epoch is the simulated wall-clock time at the start of every run.
var Epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// ErrEventLimit is the error of a run that took Config.MaxEvents events.
var ErrEventLimit = errors.New("sim: the run took more events than Config.MaxEvents")

// Sim is one simulated cluster and its run. Build it with New and Add,
// attach invariants, then Run it once. A Sim is not safe for concurrent
// use; different Sims share nothing and may run in parallel.
type Sim struct {
	cfg        Config
	rng        *rand.Rand // the network's and the disks' randomness
	now        time.Duration
	queue      queue
	seq        uint64
	nodes      []*Node
	links      map[[2]NodeID]Link
	degraded   []degradation
	blocks     []block
	last       map[[2]NodeID]time.Duration // latest delivery per link, for FIFO
	msgs       []*Message
	events     []Event
	ops        []Op
	invariants []invariant
	budget     int
	ran        bool
	cur        int // the index of the event whose handler is running, or -1
}

// New returns an unstarted simulation of cfg.
func New(cfg Config) *Sim {
	if cfg.Network == (Link{}) {
		cfg.Network = DefaultLink
	}
	if cfg.Until <= 0 {
		cfg.Until = DefaultUntil
	}
	if cfg.MaxEvents <= 0 {
		cfg.MaxEvents = DefaultMaxEvents
	}
	if cfg.DiskLimit <= 0 {
		cfg.DiskLimit = DefaultDiskLimit
	}
	return &Sim{
		cfg:   cfg,
		rng:   rand.New(rand.NewPCG(cfg.Seed, 0x5eed)),
		links: make(map[[2]NodeID]Link),
		last:  make(map[[2]NodeID]time.Duration),
		cur:   -1,
	}
}

// Add adds a node named name and returns its ID (0 for the first node, then
// 1, ...). newHandler makes the node's handler at boot and at every restart.
func (s *Sim) Add(name string, newHandler func() Handler) NodeID {
	id := NodeID(len(s.nodes))
	s.nodes = append(s.nodes, &Node{
		sim: s, id: id, name: name, newHandler: newHandler,
		disk:  &Disk{files: make(map[string]*file), limit: s.cfg.DiskLimit},
		clock: clock{rate: 1},
	})
	return id
}

// SetLink sets the link from one node to another, overriding Config.Network.
func (s *Sim) SetLink(from, to NodeID, l Link) { s.links[[2]NodeID{from, to}] = l }

// SetFaults replaces the fault schedule of an unstarted run (the shrinker
// uses it to rerun a seed with fewer faults).
func (s *Sim) SetFaults(faults []Fault) { s.cfg.Faults = faults }

// Faults returns the run's fault schedule.
func (s *Sim) Faults() []Fault { return s.cfg.Faults }

// Seed returns the run's seed.
func (s *Sim) Seed() uint64 { return s.cfg.Seed }

// Now returns the simulated time since the start of the run.
func (s *Sim) Now() time.Duration { return s.now }

// Nodes returns the IDs of every node, in order.
func (s *Sim) Nodes() []NodeID {
	ids := make([]NodeID, len(s.nodes))
	for i := range ids {
		ids[i] = NodeID(i)
	}
	return ids
}

// Name returns the name a node was added with, or "?" for an unknown ID.
func (s *Sim) Name(id NodeID) string {
	if !s.valid(id) {
		return "?"
	}
	return s.nodes[id].name
}

// Handler returns the node's current handler, or nil while it is down or
// before it booted. Invariants type-assert it to read the node's state.
func (s *Sim) Handler(id NodeID) Handler {
	if !s.valid(id) || !s.nodes[id].up {
		return nil
	}
	return s.nodes[id].handler
}

// Disk returns the node's disk, which outlives its crashes.
func (s *Sim) Disk(id NodeID) *Disk {
	if !s.valid(id) {
		return nil
	}
	return s.nodes[id].disk
}

// Invariant adds a check that runs after every event; an error stops the
// run, which returns a *Failure naming the check.
func (s *Sim) Invariant(name string, check func(s *Sim) error) {
	s.invariants = append(s.invariants, invariant{name, check})
}

type invariant struct {
	name  string
	check func(s *Sim) error
}

func (s *Sim) valid(id NodeID) bool { return id >= 0 && int(id) < len(s.nodes) }

// Run runs the simulation until no event is left, the clock passes
// Config.Until, or an invariant fails. It returns nil, a *Failure (an
// invariant's error, a handler's panic, ErrEventLimit), or an error in the
// configuration (a fault naming an unknown node). A Sim runs once.
func (s *Sim) Run() error {
	if s.ran {
		return errors.New("sim: Run called twice")
	}
	s.ran = true
	if len(s.nodes) == 0 {
		return errors.New("sim: no nodes (call Add before Run)")
	}
	for i, f := range s.cfg.Faults {
		if err := f.schedule(s, i); err != nil {
			return err
		}
	}
	for _, n := range s.nodes {
		s.push(item{kind: itemBoot, node: n.id})
	}
	for s.queue.Len() > 0 {
		it := s.queue.pop()
		if it.at > s.cfg.Until {
			break
		}
		s.now = it.at
		if err := s.step(it); err != nil {
			return err
		}
	}
	return nil
}

// errLimit is the panic that stops a handler that sends past the limit.
type errLimit struct{}

// step processes one queued item and checks the invariants after it.
func (s *Sim) step(it item) (err error) {
	if s.budget++; s.budget > s.cfg.MaxEvents {
		return s.fail("event limit", ErrEventLimit)
	}
	defer func() {
		if r := recover(); r != nil {
			who := "--"
			if ev := s.current(); ev != nil {
				who = s.Name(ev.Node) // the handler that panicked
			}
			s.cur = -1
			err = s.fail("panic", fmt.Errorf("%s: %v", who, r))
			if _, ok := r.(errLimit); ok {
				err = s.fail("event limit", ErrEventLimit)
			}
		}
	}()
	if !s.process(it) {
		return nil
	}
	for _, inv := range s.invariants {
		if err := inv.check(s); err != nil {
			return s.fail(inv.name, err)
		}
	}
	return nil
}

// process applies one item; it reports whether the item was an event
// (a cancelled or stale timer is not).
func (s *Sim) process(it item) bool {
	switch it.kind {
	case itemBoot:
		s.boot(s.nodes[it.node], EventStart, -1)
	case itemDeliver:
		s.deliver(it.msg)
	case itemTimer:
		return s.fire(it)
	case itemFault:
		it.fault(s)
	}
	return true
}

// fail stops the run with a Failure after the event in progress.
func (s *Sim) fail(check string, err error) *Failure {
	return &Failure{Seed: s.cfg.Seed, At: s.now, Event: len(s.events) - 1, Check: check, Err: err, Faults: s.cfg.Faults}
}

// push queues an item at the current time plus its at.
func (s *Sim) push(it item) {
	it.seq = s.seq
	s.seq++
	s.queue.push(it)
}

// record appends an event to the trace and returns its index.
func (s *Sim) record(e Event) int {
	e.Seq = len(s.events)
	e.At = s.now
	s.events = append(s.events, e)
	return e.Seq
}

// run calls a handler for the event ev of node n; what the handler does
// through the Node is recorded on that event.
// It returns the event's index.
func (s *Sim) run(n *Node, ev Event, call func(h Handler)) int {
	i := s.record(ev)
	s.cur = i
	call(n.handler)
	s.cur = -1
	return i
}

// boot starts a node with a fresh handler.
func (s *Sim) boot(n *Node, kind EventKind, fault int) {
	n.incarnation++
	n.up = true
	n.cancelled = nil
	n.handler = n.newHandler()
	n.rng = rand.New(rand.NewPCG(s.cfg.Seed^0x9e3779b97f4a7c15, uint64(n.id)<<32|uint64(n.incarnation)))
	e := event(kind, n.id)
	e.Fault = fault
	s.run(n, e, func(h Handler) { h.Start(n) })
}

// crash stops a node: its handler, timers and unsynced writes are gone.
// fault is the index of the Crash in the schedule.
func (s *Sim) crash(id NodeID, fault int) {
	n := s.nodes[id]
	if !n.up {
		return
	}
	n.up = false
	n.handler = nil
	lost := n.disk.crash(s.rng, s.cfg.TornWrites)
	s.faultEvent(EventCrash, id, fault, lost)
}

// restart boots a crashed node again.
func (s *Sim) restart(id NodeID, fault int) {
	if n := s.nodes[id]; !n.up {
		s.boot(n, EventRestart, fault)
	}
}

// fire runs a timer unless it was cancelled or its node restarted since.
func (s *Sim) fire(it item) bool {
	n := s.nodes[it.node]
	if !n.up || n.incarnation != it.incarnation || n.cancelled[it.timer] {
		delete(n.cancelled, it.timer)
		return false
	}
	e := event(EventTimer, n.id)
	e.Timer = it.name
	s.run(n, e, func(h Handler) { h.Fire(n, it.name) })
	return true
}
