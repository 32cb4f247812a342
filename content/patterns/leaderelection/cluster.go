package leaderelection

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/lamport-kb/lamport/sim"
)

// Config describes a simulated store and its candidates (see Simulate).
type Config struct {
	TTL      time.Duration // the leader lease on the store's clock; 0: 30 ms
	MaxDrift float64       // the bound ρ on every clock's drift the margin covers; 0: 0.1
	bug      bug
}

// bug names a deliberately broken variant the exploration must catch.
type bug uint8

const (
	correct    bug = iota
	volatile       // the store keeps its term in memory: a restart counts from 0 again
	noStepDown     // a leader steps down only when it learns of a higher term
	noMargin       // a leader trusts the whole TTL: no margin for drift
)

func (c Config) ttl() time.Duration { return or(c.TTL, 30*time.Millisecond) }
func (c Config) drift() float64     { return or(c.MaxDrift, 0.1) }

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

// Messages between the candidates and the store.
type (
	// Campaign asks the store for the leader lease, or renews it: request
	// Req of the candidate's Session (a number drawn at each boot, so
	// that answers to a crashed incarnation's requests are not taken for
	// its own).
	Campaign struct {
		Session uint64
		Req     int
	}
	// Elected answers a Campaign: the session leads Term for TTL from now.
	Elected struct {
		Session uint64
		Req     int
		Term    Term
	}
	// Refused answers a Campaign the store cannot grant: Leader leads
	// Term (Leader is -1 while the store waits after a restart).
	Refused struct {
		Term   Term
		Leader sim.NodeID
	}
)

func (c Campaign) String() string { return fmt.Sprintf("campaign #%d", c.Req) }
func (e Elected) String() string  { return fmt.Sprintf("elected #%d, term %d", e.Req, e.Term) }
func (r Refused) String() string {
	return fmt.Sprintf("refused: term %d, leader #%d", r.Term, r.Leader)
}

// Simulate adds the store (ID 0) and one candidate per name (IDs 1, 2,
// ...) to s, and returns the History that checks the run with the
// invariants "terms" and "one leader".
func Simulate(s *sim.Sim, cfg Config, candidates ...string) *History {
	h := newHistory(len(candidates) + 1)
	names := append([]string{"store"}, candidates...)
	store := s.Add("store", func() sim.Handler { return &Store{cfg: cfg, names: names} })
	for _, name := range candidates {
		s.Add(name, func() sim.Handler { return &Candidate{cfg: cfg, h: h, names: names, store: store} })
	}
	s.Invariant("terms", h.terms)
	s.Invariant("one leader", h.oneLeader)
	return h
}

// Store elects one candidate at a time: the first to campaign while no
// lease runs gets the next term, durably, and a lease of TTL of the
// store's time, reset by each renewal.
type Store struct {
	cfg     Config
	names   []string
	terms   *Terms
	memory  Term // the volatile variant's counter
	leader  sim.NodeID
	session uint64 // the leader's session
	expiry  sim.TimerID
	ready   bool
}

// Start loads the term; after a restart it elects nobody for one TTL,
// since the leader elected before the crash may still trust its lease.
func (st *Store) Start(n *sim.Node) {
	t, err := LoadTerms(n.Disk())
	if err != nil {
		panic(err)
	}
	st.terms, st.leader, st.ready = t, -1, true
	if n.Incarnation() > 1 && st.cfg.bug != volatile {
		st.ready = false
		n.After(st.cfg.ttl(), "ready")
		n.Note("restarted at term %d: no election for %v", st.term(), st.cfg.ttl())
	}
}

func (st *Store) term() Term {
	if st.cfg.bug == volatile {
		return st.memory
	}
	return st.terms.Last()
}

func (st *Store) nextTerm() Term {
	if st.cfg.bug == volatile {
		st.memory++
		return st.memory
	}
	t, err := st.terms.Next()
	if err != nil {
		panic(err)
	}
	return t
}

// Receive elects, renews or refuses.
func (st *Store) Receive(n *sim.Node, from sim.NodeID, msg any) {
	m := msg.(Campaign)
	leads := st.leader == from && st.session == m.Session
	switch {
	case !st.ready || (st.leader >= 0 && !leads):
		n.Send(from, Refused{Term: st.term(), Leader: st.leader})
		return
	case leads:
		n.Cancel(st.expiry)
	default:
		st.leader, st.session = from, m.Session
		n.Note("%s elected, term %d", st.names[from], st.nextTerm())
	}
	st.expiry = n.After(st.cfg.ttl(), "expire")
	n.Send(from, Elected{Session: m.Session, Req: m.Req, Term: st.term()})
}

// Fire handles "expire" (the leader lease ran out) and "ready".
func (st *Store) Fire(n *sim.Node, timer string) {
	switch timer {
	case "expire":
		n.Note("%s's lease expired (term %d)", st.names[st.leader], st.term())
		st.leader = -1
	case "ready":
		st.ready = true
	}
}

// Candidate campaigns until it is elected, renews its lease while it
// leads, and steps down when the lease runs out by its own timers,
// counted from each request's sending (the lease pattern's rule), or when
// it learns of a higher term.
type Candidate struct {
	cfg     Config
	h       *History
	names   []string
	store   sim.NodeID
	session uint64 // drawn at boot
	known   Term   // the highest term it has heard of
	req     int
	pending map[int]bool // requests whose trust has not run out
	granted map[int]bool // of them, granted for the current term
	leading bool
	term    Term
	renew   sim.TimerID
	waiting bool
}

// Start campaigns.
func (c *Candidate) Start(n *sim.Node) {
	c.pending, c.granted = map[int]bool{}, map[int]bool{}
	c.session = n.Rand().Uint64()
	c.campaign(n)
}

// campaign sends a request and starts its trust timer first; a
// candidate that does not lead also sets a retry, since its request or
// the answer may be lost.
func (c *Candidate) campaign(n *sim.Node) {
	c.req++
	c.pending[c.req] = true
	n.After(c.cfg.trust(), "trust "+strconv.Itoa(c.req))
	n.Send(c.store, Campaign{Session: c.session, Req: c.req})
	if !c.leading {
		c.retry(n, c.backoff(n))
	}
}

// backoff is the wait before campaigning again: half a lease, plus up to
// 5 ms of jitter so that candidates do not campaign in step.
func (c *Candidate) backoff(n *sim.Node) time.Duration {
	return c.cfg.ttl()/2 + time.Duration(n.Rand().Int64N(int64(5*time.Millisecond)))
}

// Receive handles the store's answers.
func (c *Candidate) Receive(n *sim.Node, _ sim.NodeID, msg any) {
	switch m := msg.(type) {
	case Elected:
		c.elected(n, m)
	case Refused:
		if m.Leader >= 0 && m.Term > c.known {
			c.known = m.Term
			n.Note("%s leads term %d", c.names[m.Leader], m.Term)
		}
		if c.leading && m.Term > c.term {
			c.stepDown(n, fmt.Sprintf("learns of term %d", m.Term))
		}
		if !c.leading {
			c.retry(n, c.backoff(n))
		}
	}
}

// elected takes a grant into account if its request's trust still runs:
// it starts a leadership, or extends the current one.
func (c *Candidate) elected(n *sim.Node, m Elected) {
	if m.Session != c.session || !c.pending[m.Req] {
		return
	}
	if c.leading && m.Term != c.term {
		c.stepDown(n, "a new term")
	}
	if !c.leading {
		c.leading, c.term, c.known = true, m.Term, max(c.known, m.Term)
		clear(c.granted)
		c.h.lead(n.ID(), m.Term)
		n.Note("leader of term %d", m.Term)
	}
	c.granted[m.Req] = true
	n.Cancel(c.renew)
	c.renew = n.After(c.cfg.trust()/3, "renew")
}

// stepDown ends the leadership.
func (c *Candidate) stepDown(n *sim.Node, why string) {
	c.leading = false
	clear(c.granted)
	c.h.stepDown(n.ID())
	n.Note("steps down from term %d: %s", c.term, why)
}

// Fire handles "trust N", "renew" and "campaign".
func (c *Candidate) Fire(n *sim.Node, timer string) {
	switch {
	case strings.HasPrefix(timer, "trust "):
		req, _ := strconv.Atoi(strings.TrimPrefix(timer, "trust "))
		c.expire(n, req)
	case timer == "renew":
		if c.leading {
			c.campaign(n)
		}
	case timer == "campaign":
		c.waiting = false
		if !c.leading {
			c.campaign(n)
		}
	}
}

// expire ends request req's trust; the leader steps down when it was the
// last granted one (the broken variant keeps leading).
func (c *Candidate) expire(n *sim.Node, req int) {
	held := c.granted[req]
	delete(c.pending, req)
	delete(c.granted, req)
	if !held || len(c.granted) > 0 || !c.leading || c.cfg.bug == noStepDown {
		return
	}
	c.stepDown(n, "its lease ran out")
	c.retry(n, c.backoff(n))
}

// retry campaigns again after d, unless a retry is already set.
func (c *Candidate) retry(n *sim.Node, d time.Duration) {
	if !c.waiting {
		c.waiting = true
		n.After(d, "campaign")
	}
}
