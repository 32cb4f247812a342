package fencing

import (
	"encoding/binary"
	"fmt"
	"time"

	"github.com/lamport-kb/lamport/sim"
)

// Config describes a simulated lock service, storage node and clients
// (see Simulate).
type Config struct {
	TTL    time.Duration // a lease's length; 0: 20 ms
	Margin time.Duration // how much sooner than TTL a client stops trusting its lease; 0: 2 ms
	Every  time.Duration // time between a holder's writes; 0: 4 ms
	Writes int           // writes per lease; 0: 3
	Leases int           // leases each client takes per boot; 0: 3
	Pauses []Pause       // clients frozen in the middle of their work (a GC pause)
	bug    bug
}

// Pause freezes the client named Client at its first write on or after
// At (simulated time), after it has checked its lease and before it sends
// the write, for For: the scenario of a stop-the-world garbage collection.
type Pause struct {
	Client  string
	At, For time.Duration
}

func (p Pause) String() string { return fmt.Sprintf("Pause(%s, %v, %v)", p.Client, p.At, p.For) }

// bug names a deliberately broken variant the exploration must catch.
type bug uint8

const (
	correct  bug = iota
	noCheck      // the storage accepts every write, whatever its token
	volatile     // the lock service keeps its generation in memory: a restart counts from 0 again
)

func (c Config) ttl() time.Duration    { return or(c.TTL, 20*time.Millisecond) }
func (c Config) margin() time.Duration { return or(c.Margin, 2*time.Millisecond) }

func or[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// Messages between the nodes.
type (
	Acquire struct{ Client string } // client → service: I want the lease
	Grant   struct {
		Token Token
		TTL   time.Duration
	} // service → client: yours, for TTL, with this token
	Busy  struct{ Retry time.Duration } // service → client: held by another, try again after Retry
	Write struct {
		Token Token
		Data  string
	} // client → storage
	Result struct { // storage → client
		Token    Token
		Data     string
		Accepted bool
		Highest  Token // the storage's fence after the write
	}
)

func (a Acquire) String() string { return "acquire for " + a.Client }
func (g Grant) String() string   { return fmt.Sprintf("grant token %d, %v", g.Token, g.TTL) }
func (b Busy) String() string    { return fmt.Sprintf("busy, retry in %v", b.Retry) }
func (w Write) String() string   { return fmt.Sprintf("write %s, token %d", w.Data, w.Token) }
func (r Result) String() string {
	if r.Accepted {
		return fmt.Sprintf("ok %s", r.Data)
	}
	return fmt.Sprintf("rejected token %d < %d", r.Token, r.Highest)
}

// Simulate adds the lock service, the storage node and one client per
// name to s, in that order (IDs 0, 1, 2, ...), and returns the History
// that checks the run with the invariants "tokens" and "fencing".
func Simulate(s *sim.Sim, cfg Config, clients ...string) *History {
	h := &History{holder: map[Token]sim.NodeID{}}
	service := s.Add("lock", func() sim.Handler { return &Service{cfg: cfg, h: h} })
	storage := s.Add("store", func() sim.Handler { return &Storage{cfg: cfg, h: h} })
	for _, name := range clients {
		s.Add(name, func() sim.Handler { return &Client{cfg: cfg, h: h, service: service, storage: storage} })
	}
	s.Invariant("tokens", h.tokens)
	s.Invariant("fencing", h.fencing)
	return h
}

// Service grants the lease to one client at a time, each grant with the
// next generation as its token.
type Service struct {
	cfg     Config
	h       *History
	gen     *Generation
	memory  Token // the generation of the volatile variant
	holder  sim.NodeID
	expires time.Time
	ready   time.Time // after a restart, no grant before one TTL has passed
}

// generationFile is the name of the service's counter on its disk.
const generationFile = "generation"

// Start loads the generation; after a restart it waits out one TTL, since
// a lease granted before the crash may still be running.
func (sv *Service) Start(n *sim.Node) {
	g, err := LoadGeneration(n.Disk(), generationFile)
	if err != nil {
		panic(err)
	}
	sv.gen, sv.holder = g, -1
	if n.Incarnation() > 1 {
		sv.ready = n.Now().Add(sv.cfg.ttl())
		n.Note("restarted at generation %d; no grant before %v", g.Last(), sv.cfg.ttl())
	}
}

// Receive grants the lease, or says when to try again.
func (sv *Service) Receive(n *sim.Node, from sim.NodeID, msg any) {
	now := n.Now()
	if wait := sv.wait(now, from); wait > 0 {
		n.Send(from, Busy{Retry: wait})
		return
	}
	t := sv.next()
	sv.holder, sv.expires = from, now.Add(sv.cfg.ttl())
	sv.h.granted(t, from)
	n.Note("token %d → %s", t, msg.(Acquire).Client)
	n.Send(from, Grant{Token: t, TTL: sv.cfg.ttl()})
}

// wait is how long until the lease can be granted to from (0: now).
func (sv *Service) wait(now time.Time, from sim.NodeID) time.Duration {
	if now.Before(sv.ready) {
		return sv.ready.Sub(now)
	}
	if sv.holder >= 0 && sv.holder != from && now.Before(sv.expires) {
		return sv.expires.Sub(now)
	}
	return 0
}

func (sv *Service) next() Token {
	if sv.cfg.bug == volatile {
		sv.memory++
		return sv.memory
	}
	t, err := sv.gen.Next()
	if err != nil {
		panic(err)
	}
	return t
}

// Fire does nothing: the service sets no timers.
func (sv *Service) Fire(*sim.Node, string) {}

// Storage keeps one value, written by lease holders, behind a Fence it
// keeps on its disk.
type Storage struct {
	cfg   Config
	h     *History
	fence Fence
	value string
}

// storeFile holds the fence (8 bytes) and the value.
const storeFile = "store"

// Start reads the fence and the value back.
func (st *Storage) Start(n *sim.Node) {
	if data, ok := n.Disk().Read(storeFile); ok && len(data) >= 8 {
		st.fence.highest = Token(binary.BigEndian.Uint64(data))
		st.value = string(data[8:])
	}
}

// Receive admits a write through the fence, durably, or rejects it.
func (st *Storage) Receive(n *sim.Node, from sim.NodeID, msg any) {
	w := msg.(Write)
	ok := st.fence.Admit(w.Token)
	if st.cfg.bug == noCheck && !ok {
		ok = true // the broken storage writes anyway
	}
	if ok {
		st.value = w.Data
		data := binary.BigEndian.AppendUint64(nil, uint64(st.fence.Highest()))
		if err := n.Disk().Write(storeFile, append(data, w.Data...)); err != nil {
			panic(err)
		}
		n.Disk().Sync(storeFile)
		n.Note("value %s (token %d)", w.Data, w.Token)
	} else {
		n.Note("fenced token %d < %d", w.Token, st.fence.Highest())
	}
	st.h.wrote(w, from, ok)
	n.Send(from, Result{Token: w.Token, Data: w.Data, Accepted: ok, Highest: st.fence.Highest()})
}

// Fire does nothing: the storage sets no timers.
func (st *Storage) Fire(*sim.Node, string) {}

// Client takes the lease, writes a few times while it believes it holds
// it, lets it go, and takes it again.
type Client struct {
	cfg              Config
	h                *History
	service, storage sim.NodeID
	token            Token
	until            time.Time // when this client stops trusting its lease (its own clock)
	written, leases  int
	paused           bool
	pending          []message // received while paused
	pauses           int       // pauses taken
}

type message struct {
	from sim.NodeID
	msg  any
}

// Start asks for the lease.
func (c *Client) Start(n *sim.Node) { n.Send(c.service, Acquire{Client: n.Name()}) }

// Receive handles the service's and the storage's answers.
func (c *Client) Receive(n *sim.Node, from sim.NodeID, msg any) {
	if c.paused {
		c.pending = append(c.pending, message{from, msg})
		return
	}
	switch m := msg.(type) {
	case Grant:
		c.token, c.until, c.written = m.Token, n.Now().Add(m.TTL-c.cfg.margin()), 0
		c.leases++
		n.After(0, "work")
	case Busy:
		n.After(m.Retry+time.Millisecond, "acquire")
	case Result:
		if !m.Accepted {
			n.Note("fenced: token %d < %d", m.Token, m.Highest)
			c.token = 0 // the lease is gone; stop
		}
	}
}

// Fire runs the client's timers: "acquire", "work" and "resume".
func (c *Client) Fire(n *sim.Node, timer string) {
	switch timer {
	case "acquire":
		n.Send(c.service, Acquire{Client: n.Name()})
	case "work":
		c.work(n)
	case "resume":
		c.resume(n)
	}
}

// work checks the lease and writes, or lets the lease go; a due pause
// strikes between the check and the write.
func (c *Client) work(n *sim.Node) {
	if c.token == 0 || !n.Now().Before(c.until) || c.written >= or(c.cfg.Writes, 3) {
		c.token = 0
		if c.leases < or(c.cfg.Leases, 3) {
			n.After(or(c.cfg.TTL, 20*time.Millisecond), "acquire")
		}
		return
	}
	if p, ok := c.pauseDue(n); ok {
		c.paused = true
		n.Note("paused for %v holding token %d", p.For, c.token)
		n.After(p.For, "resume")
		return
	}
	c.write(n)
}

func (c *Client) write(n *sim.Node) {
	c.written++
	n.Send(c.storage, Write{Token: c.token, Data: fmt.Sprintf("%s%d", n.Name(), c.h.nextWrite())})
	n.After(or(c.cfg.Every, 4*time.Millisecond), "work")
}

// resume ends a pause: the write the client had checked goes out at once,
// on its old belief, and what arrived meanwhile is handled after it.
func (c *Client) resume(n *sim.Node) {
	c.paused = false
	n.Note("resumed, still believing in token %d", c.token)
	c.write(n)
	pending := c.pending
	c.pending = nil
	for _, m := range pending {
		c.Receive(n, m.from, m.msg)
	}
}

// pauseDue returns this client's next pause if its time has come.
func (c *Client) pauseDue(n *sim.Node) (Pause, bool) {
	seen := 0
	for _, p := range c.cfg.Pauses {
		if p.Client != n.Name() {
			continue
		}
		if seen == c.pauses && n.Now().Sub(sim.Epoch) >= p.At {
			c.pauses++
			return p, true
		}
		seen++
	}
	return Pause{}, false
}
