package versionvector

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/lamport-kb/lamport/sim"
)

// Register is a last-write-wins register: one value, stamped with the
// wall clock of the replica that accepted the write. Of two registers the
// later stamp wins, the writer's name breaking a tie.
type Register struct {
	Value  string
	Stamp  time.Time
	Writer string
}

// Newer reports whether r wins over o under last-write-wins.
func (r Register) Newer(o Register) bool {
	if !r.Stamp.Equal(o.Stamp) {
		return r.Stamp.After(o.Stamp)
	}
	return r.Writer > o.Writer
}

func (r Register) equal(o Register) bool {
	return r.Value == o.Value && r.Stamp.Equal(o.Stamp) && r.Writer == o.Writer
}

// Config describes a simulated store (see Simulate).
type Config struct {
	Keys     []string      // the keys the sessions write; nil: "cart"
	Sessions int           // client sessions per replica; 0: 2
	Writes   int           // writes per session per boot; 0: 3
	Think    time.Duration // mean pause before a session's read and between its read and write; 0: 8 ms
	Every    time.Duration // the anti-entropy period; 0: 10 ms
	Rounds   int           // anti-entropy rounds per boot; 0: 40
	// Script, if set, replaces the sessions: a Client node makes these
	// writes, trying the next replica when one does not acknowledge
	// within Timeout (0: 50 ms), up to Tries tries (0: 3).
	Script  []Write
	Timeout time.Duration
	Tries   int
	bug     bug
}

func (c Config) keys() []string {
	if len(c.Keys) == 0 {
		return []string{"cart"}
	}
	return c.Keys
}

func or[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// Write is one write of a run: in a Config.Script, what to write (At,
// Replica, Key, Item); in the History, also what the store made of it.
// Each write adds Item to the cart it read: the union of the siblings'
// items under version vectors, the register's items under last-write-wins.
type Write struct {
	At      time.Duration // in a script, when the client sends it, by its clock
	Replica sim.NodeID    // in a script, the replica the client tries first
	Key     string
	Item    string

	Req, Try int // a scripted write's index in the script and the client's try (1, 2, ...); Try 0: a session's write

	Read    []string // the siblings' values it read
	Dot     Dot      // the write's dot
	Context Vector   // the context it read
	Value   string   // the value it wrote under version vectors
	LWW     Register // the register it wrote under last-write-wins
	Dropped bool     // the register lost at once to a newer one on the same replica
	held    Register // that newer register
}

// History records the acknowledged writes of a run, in order.
type History struct {
	Writes []Write
	names  []string
	base   sim.NodeID
	script []Write
	cache  map[sim.NodeID]state // what a down replica's disk holds
	ctx    map[keyDot]Vector    // each write's context
	values map[keyDot]string    // each write's value
	dup    error                // the first dot found naming two writes
	// changes counts the replicas' durable changes and boots; a check
	// skips the events after which it has not moved (every change is
	// synced at once, so a crash changes nothing a check sees).
	changes, dotsAt, lostAt int
}

// Replica is one node of the store: per key, a version-vector Entry and a
// last-write-wins Register, both on its disk, synced before any write is
// acknowledged or any state sent. Client sessions run on the replica and
// write locally, or, with a Config.Script, the Client's Puts arrive; every
// Config.Every the replica pushes its state to every other replica
// (anti-entropy).
type Replica struct {
	cfg     Config
	hist    *History
	st      state
	rounds  int
	pending map[int]pending // a read, waiting for its write: a session's (i >= 0) or a Put's (-1-Req)
	done    map[int]int     // writes per session this boot
	acked   map[[2]int]Ack  // the Puts written this boot, by Req and Try
	clock   string          // the shown key's vector, formatted; "" after a change
}

// pending is what a session or a Put read before it writes.
type pending struct {
	w    Write
	lww  string
	from sim.NodeID // the client to acknowledge a Put to
}

// state is what a replica keeps on disk.
type state struct {
	Seq     int // writes accepted, which names the sessions' items
	Entries map[string]Entry
	LWW     map[string]Register
}

// Sync is the anti-entropy message: the sender's whole state.
type Sync struct {
	Entries map[string]Entry
	LWW     map[string]Register
	key     string // the key the diagram shows
}

func (m Sync) String() string {
	e := m.Entries[m.key]
	return fmt.Sprintf("sync %s %v ×%d", m.key, e.Known, len(e.Siblings))
}

const stateFile = "store"

// Simulate adds one replica per name to s, and, with a Config.Script, a
// Client node named "client" after them, and returns the run's History.
// It checks after every event that no acknowledged write is lost
// (invariant "no lost write": each is a sibling on some replica, or in the
// context of one) and that a dot names one write (invariant "dots").
func Simulate(s *sim.Sim, cfg Config, names ...string) *History {
	h := &History{names: names, base: sim.NodeID(len(s.Nodes())), script: cfg.Script, cache: map[sim.NodeID]state{}, ctx: map[keyDot]Vector{}, values: map[keyDot]string{}}
	for _, name := range names {
		s.Add(name, func() sim.Handler { return &Replica{cfg: cfg, hist: h} })
	}
	if cfg.Script != nil {
		ids := h.replicas()
		s.Add("client", func() sim.Handler { return &Client{cfg: cfg, replicas: ids} })
	}
	s.Invariant("dots", func(s *sim.Sim) error { return h.checkDots(s) })
	s.Invariant("no lost write", func(s *sim.Sim) error { return h.checkLost(s) })
	return h
}

// Entry returns the replica's entry for key.
func (r *Replica) Entry(key string) Entry { return r.st.Entries[key].clone() }

// Register returns the replica's last-write-wins register for key.
func (r *Replica) Register(key string) Register { return r.st.LWW[key] }

// Read returns the siblings' values for key and the context that a write
// superseding them must carry.
func (r *Replica) Read(key string) ([]string, Vector) {
	e := r.st.Entries[key]
	return e.Values(), e.Context()
}

// replicas returns the replicas' node IDs.
func (h *History) replicas() []sim.NodeID {
	ids := make([]sim.NodeID, len(h.names))
	for i := range ids {
		ids[i] = h.base + sim.NodeID(i)
	}
	return ids
}

// Start restores the state from the disk and starts the sessions and the
// anti-entropy timer.
func (r *Replica) Start(n *sim.Node) {
	r.st = state{Entries: map[string]Entry{}, LWW: map[string]Register{}}
	if data, ok := n.Disk().Read(stateFile); ok {
		if err := json.Unmarshal(data, &r.st); err != nil {
			panic(err)
		}
	}
	r.pending, r.done, r.acked = map[int]pending{}, map[int]int{}, map[[2]int]Ack{}
	r.hist.changes++
	r.show(n)
	if r.cfg.Script == nil {
		for i := range or(r.cfg.Sessions, 2) {
			r.think(n, i)
		}
	}
	n.After(or(r.cfg.Every, 10*time.Millisecond), "sync")
}

// Fire runs a session's read or write, or a round of anti-entropy.
func (r *Replica) Fire(n *sim.Node, timer string) {
	kind, arg, _ := strings.Cut(timer, " ")
	i, _ := strconv.Atoi(arg)
	switch kind {
	case "sync":
		r.rounds++
		msg := Sync{Entries: map[string]Entry{}, LWW: map[string]Register{}, key: r.cfg.keys()[0]}
		for k, e := range r.st.Entries {
			msg.Entries[k] = e.clone()
		}
		for k, g := range r.st.LWW {
			msg.LWW[k] = g
		}
		for _, p := range r.hist.replicas() {
			if p != n.ID() {
				n.Send(p, msg)
			}
		}
		if r.rounds < or(r.cfg.Rounds, 40) {
			n.After(or(r.cfg.Every, 10*time.Millisecond), "sync")
		}
	case "read":
		r.read(n, i)
	case "write":
		r.write(n, i)
	}
	r.show(n)
}

// think schedules session i's next read, if it has writes left.
func (r *Replica) think(n *sim.Node, i int) {
	if r.done[i] < or(r.cfg.Writes, 3) {
		n.After(r.pause(n), "read "+strconv.Itoa(i))
	}
}

// pause is a random pause, half to one and a half Config.Think.
func (r *Replica) pause(n *sim.Node) time.Duration {
	think := or(r.cfg.Think, 8*time.Millisecond)
	return think/2 + time.Duration(n.Rand().Int64N(int64(think)+1))
}

// read reads the key of session i's next write and schedules the write.
func (r *Replica) read(n *sim.Node, i int) {
	keys := r.cfg.keys()
	r.readFor(n, i, Write{Key: keys[n.Rand().IntN(len(keys))]}, -1)
}

// readFor reads the key of w, the next write of session i (or, for i < 0,
// of a Put from the client from), and schedules the write.
func (r *Replica) readFor(n *sim.Node, i int, w Write, from sim.NodeID) {
	w.Replica = n.ID() - r.hist.base
	e := r.st.Entries[w.Key]
	w.Context, w.Read = e.Context(), e.Values()
	r.pending[i] = pending{w: w, lww: r.st.LWW[w.Key].Value, from: from}
	n.Note("read %s %s", w.Key, e)
	n.After(r.pause(n), "write "+strconv.Itoa(i))
}

// put starts the write a client asked for; a Put it has already written
// this boot (a duplicate) is acknowledged again, one it is working on is
// ignored.
func (r *Replica) put(n *sim.Node, from sim.NodeID, p Put) {
	if a, done := r.acked[[2]int{p.Req, p.Try}]; done {
		n.Send(from, a)
		return
	}
	if _, busy := r.pending[-1-p.Req]; busy {
		return
	}
	w := r.cfg.Script[p.Req]
	w.Req, w.Try = p.Req, p.Try
	r.readFor(n, -1-p.Req, w, from)
}

// write makes session i's write, durably, on both stores.
func (r *Replica) write(n *sim.Node, i int) {
	p := r.pending[i]
	delete(r.pending, i)
	w := p.w
	if w.Item == "" {
		r.st.Seq++
		w.Item = strings.ToLower(n.Name()) + strconv.Itoa(r.st.Seq)
	}
	w.Value = join(append([]string{w.Item}, w.Read...)...)
	e, dot := r.st.Entries[w.Key].put(n.Name(), w.Context, w.Value, r.cfg.bug)
	r.st.Entries[w.Key], w.Dot = e, dot
	w.LWW = Register{Value: join(p.lww, w.Item), Stamp: n.Now(), Writer: n.Name()}
	if w.LWW.Newer(r.st.LWW[w.Key]) {
		r.st.LWW[w.Key] = w.LWW
	} else {
		w.Dropped, w.held = true, r.st.LWW[w.Key]
	}
	r.persist(n)
	r.hist.add(w) // acknowledged: it is on disk
	r.done[i]++
	n.Note("put %s as %v: %s", w.Item, dot, e)
	if i >= 0 {
		r.think(n, i)
		return
	}
	a := Ack{Req: w.Req, Try: w.Try, Dot: dot}
	r.acked[[2]int{w.Req, w.Try}] = a
	n.Send(p.from, a)
}

// Receive merges a peer's state into the replica's (anti-entropy), or
// starts a client's Put.
func (r *Replica) Receive(n *sim.Node, from sim.NodeID, msg any) {
	if p, ok := msg.(Put); ok {
		r.put(n, from, p)
		r.show(n)
		return
	}
	m, ok := msg.(Sync)
	if !ok {
		return
	}
	changed := false
	for k, e := range m.Entries {
		if e.Equal(r.st.Entries[k]) {
			continue // the usual case once anti-entropy has caught up
		}
		if merged := r.st.Entries[k].Merge(e); !merged.Equal(r.st.Entries[k]) {
			r.st.Entries[k], changed = merged, true
		}
	}
	for k, g := range m.LWW {
		if g.Newer(r.st.LWW[k]) {
			r.st.LWW[k], changed = g, true
		}
	}
	if changed {
		r.persist(n)
		n.Note("merged %s", r.st.Entries[r.cfg.keys()[0]])
	}
	r.show(n)
}

// persist writes the state to the disk and syncs it.
func (r *Replica) persist(n *sim.Node) {
	data, err := json.Marshal(r.st)
	if err != nil {
		panic(err)
	}
	if err := n.Disk().Write(stateFile, data); err != nil {
		panic(err)
	}
	n.Disk().Sync(stateFile)
	r.hist.changes++
	r.clock = ""
}

// show puts the shown key's vector beside the event in the diagram. It
// formats the vector again only after a change: most events (a sync
// that brings nothing new) change nothing, and formatting is most of
// their cost.
func (r *Replica) show(n *sim.Node) {
	if r.clock == "" {
		r.clock = r.st.Entries[r.cfg.keys()[0]].Known.String()
	}
	n.ShowClock(r.clock)
}

// join is the union of carts: their items, sorted, without repeats.
func join(carts ...string) string {
	var items []string
	for _, c := range carts {
		items = append(items, strings.Fields(c)...)
	}
	slices.Sort(items)
	return strings.Join(slices.Compact(items), " ")
}
