package lease

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/lamport-kb/lamport/sim"
)

// Config describes a simulated grantor and its clients (see Simulate).
type Config struct {
	TTL      time.Duration // the lease's duration on the grantor's clock; 0: 30 ms
	MaxDrift float64       // the bound ρ on every clock's drift the margin covers; 0: 0.1
	Renewals int           // renewals a client makes before it releases; 0: 3
	Rest     time.Duration // a client's pause after losing or releasing the lease; 0: 20 ms
	bug      bug
}

// bug names a deliberately broken variant the exploration must catch.
type bug uint8

const (
	correct      bug = iota
	noMargin         // the holder trusts the lease for the whole TTL: no margin for drift
	fromGrant        // the holder counts from the grant's arrival, not from its request
	forgetful        // the grantor grants at once after a restart
	blindRelease     // the grantor frees the lease at any release of its holder, even one overtaken by a later request
)

func (c Config) ttl() time.Duration  { return or(c.TTL, 30*time.Millisecond) }
func (c Config) drift() float64      { return or(c.MaxDrift, 0.1) }
func (c Config) renewals() int       { return or(c.Renewals, 3) }
func (c Config) rest() time.Duration { return or(c.Rest, 20*time.Millisecond) }

// trust is how long a client trusts a grant, on its clock.
func (c Config) trust() time.Duration {
	if c.bug == noMargin {
		return c.ttl()
	}
	return Trust(c.ttl(), c.drift())
}

func or[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// Messages between the clients and the grantor.
type (
	// Acquire asks for the lease, or renews it: request Req of the
	// client's Session (a number drawn at each boot, so that answers to
	// a crashed incarnation's requests are not taken for its own).
	Acquire struct {
		Session uint64
		Req     int
	}
	// Grant answers Acquire: the lease is the session's for TTL from now.
	Grant struct {
		Session uint64
		Req     int
	}
	// Busy answers Acquire when another holds the lease or the grantor
	// waits after a restart.
	Busy struct{ Retry time.Duration }
	// Release gives the lease back, for every request up to Req.
	Release struct {
		Session uint64
		Req     int
	}
)

func (a Acquire) String() string { return fmt.Sprintf("acquire #%d", a.Req) }
func (g Grant) String() string   { return fmt.Sprintf("grant #%d", g.Req) }
func (b Busy) String() string    { return fmt.Sprintf("busy, retry in %v", b.Retry) }
func (r Release) String() string { return fmt.Sprintf("release up to #%d", r.Req) }

// Simulate adds the grantor (ID 0) and one client per name (IDs 1, 2,
// ...) to s, and returns the History that checks the run with the
// invariant "one holder".
func Simulate(s *sim.Sim, cfg Config, clients ...string) *History {
	h := newHistory(len(clients) + 1)
	names := append([]string{"grantor"}, clients...)
	grantor := s.Add("grantor", func() sim.Handler { return &Grantor{cfg: cfg, names: names} })
	for _, name := range clients {
		s.Add(name, func() sim.Handler { return &Client{cfg: cfg, h: h, grantor: grantor} })
	}
	s.Invariant("one holder", h.oneHolder)
	return h
}

// Grantor gives the lease to one client at a time, for TTL of its own
// time after each grant or renewal, measured by a timer. It keeps nothing
// on disk: after a restart it grants nothing for one TTL, since a lease
// granted before the crash may still be trusted.
type Grantor struct {
	cfg     Config
	names   []string
	holder  sim.NodeID // -1: free
	session uint64     // the holder's session
	req     int        // the holder's latest request granted
	expiry  sim.TimerID
	ready   bool
}

// Start frees the lease; after a restart, it waits out one TTL first.
func (g *Grantor) Start(n *sim.Node) {
	g.holder, g.ready = -1, true
	if n.Incarnation() > 1 && g.cfg.bug != forgetful {
		g.ready = false
		n.After(g.cfg.ttl(), "ready")
		n.Note("restarted: no grant for %v", g.cfg.ttl())
	}
}

// Receive grants, renews or frees the lease.
func (g *Grantor) Receive(n *sim.Node, from sim.NodeID, msg any) {
	switch m := msg.(type) {
	case Acquire:
		g.acquire(n, from, m)
	case Release:
		// A release overtaken by a later request of the same holder
		// covers only the earlier ones: the later grant stands.
		if g.holds(from, m.Session) && (m.Req >= g.req || g.cfg.bug == blindRelease) {
			n.Cancel(g.expiry)
			g.holder = -1
			n.Note("released by %s", g.names[from])
		}
	}
}

// acquire grants the lease to from, or renews it, unless another holds
// it or the grantor is waiting after a restart.
func (g *Grantor) acquire(n *sim.Node, from sim.NodeID, m Acquire) {
	if !g.ready || (g.holder >= 0 && !g.holds(from, m.Session)) {
		n.Send(from, Busy{Retry: g.cfg.ttl() / 2})
		return
	}
	if g.holds(from, m.Session) {
		n.Cancel(g.expiry)
		n.Note("renew %s", g.names[from])
	} else {
		n.Note("grant %s", g.names[from])
	}
	if !g.holds(from, m.Session) || m.Req > g.req {
		g.req = m.Req
	}
	g.holder, g.session = from, m.Session
	g.expiry = n.After(g.cfg.ttl(), "expire")
	n.Send(from, Grant(m)) // the grant names the session and request it answers
}

// holds reports whether the lease is held by this session of node id:
// a restarted client is another holder, whose predecessor may still be
// trusted for all the grantor knows.
func (g *Grantor) holds(id sim.NodeID, session uint64) bool {
	return g.holder == id && g.session == session
}

// Fire handles "expire" (the lease ran out) and "ready" (the wait after a
// restart is over).
func (g *Grantor) Fire(n *sim.Node, timer string) {
	switch timer {
	case "expire":
		n.Note("%s's lease expired", g.names[g.holder])
		g.holder = -1
	case "ready":
		g.ready = true
	}
}

// Client takes the lease, renews it a few times, releases it, rests, and
// takes it again. It believes it holds the lease from a grant's arrival
// until Trust(TTL, MaxDrift) of its time after it sent the request that
// grant answers, extended by every renewal granted meanwhile.
// Its requests carry a session drawn at boot, so that a grant to a
// crashed incarnation, delayed, is not taken for its own.
type Client struct {
	cfg      Config
	h        *History
	grantor  sim.NodeID
	session  uint64 // drawn at boot
	req      int
	pending  map[int]bool // requests whose trust has not run out, counted from their sending
	granted  map[int]bool // of them, those granted: the lease is held while any is
	renewals int
	renew    sim.TimerID
	waiting  bool // an "acquire" timer is set
}

// Start asks for the lease.
func (c *Client) Start(n *sim.Node) {
	c.pending, c.granted = map[int]bool{}, map[int]bool{}
	c.session = n.Rand().Uint64()
	c.request(n)
}

// request sends a new request and starts counting its trust now, before
// the grantor has even seen it.
func (c *Client) request(n *sim.Node) {
	c.req++
	if c.cfg.bug != fromGrant {
		c.startTrust(n, c.req)
	}
	n.Send(c.grantor, Acquire{Session: c.session, Req: c.req})
}

func (c *Client) startTrust(n *sim.Node, req int) {
	c.pending[req] = true
	n.After(c.cfg.trust(), "trust "+strconv.Itoa(req))
}

// Receive handles the grantor's answers.
func (c *Client) Receive(n *sim.Node, _ sim.NodeID, msg any) {
	switch m := msg.(type) {
	case Grant:
		if m.Session == c.session {
			c.onGrant(n, m.Req)
		}
	case Busy:
		c.retry(n, m.Retry+time.Duration(n.Rand().Int64N(int64(time.Millisecond))))
	}
}

// onGrant takes a grant of request req into account: it counts only if
// the request's trust is still running.
func (c *Client) onGrant(n *sim.Node, req int) {
	if c.cfg.bug == fromGrant && !c.pending[req] && !c.granted[req] && req == c.req {
		c.startTrust(n, req) // the bug: counting from now, not from the request
	}
	if !c.pending[req] || c.granted[req] {
		return
	}
	if len(c.granted) == 0 {
		c.h.begin(n.ID())
		n.Note("holds the lease")
	}
	c.granted[req] = true
	n.Cancel(c.renew)
	c.renew = n.After(c.cfg.trust()/3, "renew")
}

// Fire handles the client's timers: "trust N" (request N's trust ran
// out), "renew" and "acquire".
func (c *Client) Fire(n *sim.Node, timer string) {
	switch {
	case strings.HasPrefix(timer, "trust "):
		req, _ := strconv.Atoi(strings.TrimPrefix(timer, "trust "))
		c.expire(n, req)
	case timer == "renew":
		c.renewOrRelease(n)
	case timer == "acquire":
		c.waiting = false
		if len(c.granted) == 0 {
			c.request(n)
		}
	}
}

// expire ends request req's trust; the lease is lost when it was the last.
func (c *Client) expire(n *sim.Node, req int) {
	held := c.granted[req]
	delete(c.pending, req)
	delete(c.granted, req)
	if held && len(c.granted) == 0 {
		c.h.end(n.ID())
		n.Note("stops trusting the lease")
		c.retry(n, c.cfg.rest())
	}
}

// renewOrRelease renews the lease, or after Renewals renewals lets it
// go: it stops believing first, then tells the grantor.
func (c *Client) renewOrRelease(n *sim.Node) {
	if len(c.granted) == 0 {
		return
	}
	c.renewals++
	if c.renewals <= c.cfg.renewals() {
		c.request(n)
		return
	}
	c.renewals = 0
	clear(c.granted)
	clear(c.pending) // grants still on their way must not bring the lease back
	c.h.end(n.ID())
	n.Note("releases the lease")
	n.Send(c.grantor, Release{Session: c.session, Req: c.req})
	c.retry(n, c.cfg.rest())
}

// retry asks again after d, unless a retry is already set.
func (c *Client) retry(n *sim.Node, d time.Duration) {
	if !c.waiting {
		c.waiting = true
		n.After(d, "acquire")
	}
}
