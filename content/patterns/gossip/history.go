package gossip

import (
	"fmt"
	"slices"
	"time"

	"github.com/lamport-kb/lamport/sim"
)

// Simulate adds one Member per name to s (IDs 0, 1, ... in order) and
// returns the History that watches the run. It registers the invariant
// "monotone"; the others hold only under their assumptions, so a test
// adds them: s.Invariant("accuracy", h.Accuracy), or
// s.Invariant("convergence", h.ConvergedFrom(t)).
func Simulate(s *sim.Sim, cfg Config, names ...string) *History {
	h := newHistory(len(names))
	for _, name := range names {
		s.Add(name, func() sim.Handler { return &Member{cfg: cfg, h: h, names: names} })
	}
	s.Invariant("monotone", h.Monotone)
	return h
}

// History follows a run from outside: every member's lives, the views it
// held, and every change of an entry, with the simulated time it happened.
type History struct {
	lives   []life
	seen    int      // trace events already read
	pending []change // view changes of the current event
	changes []Change // every change so far
	stats   Stats
	wrong   error // the first broken accuracy
	// epoch counts the events after which some member's life, incarnation
	// or view differed from the event before; Converged reuses its last
	// answer while it has not moved.
	epoch, convEpoch int
	convDone         bool // Converged has answered once
	convErr          error
}

// life is what the History remembers of a member between events.
type life struct {
	m      *Member // the handler of its current life, or nil while down
	boots  int
	maxInc int  // the highest incarnation of any of its lives
	view   View // its view after the last event it ran
}

type change struct {
	node sim.NodeID
	u    Update
}

// Change is one entry of a member's view replaced, or its own incarnation
// raised (Observer == Update.Node).
type Change struct {
	At       time.Duration
	Observer sim.NodeID
	Update   Update
}

// Stats counts what happened in a run.
type Stats struct {
	Suspicions      int // entries that became suspect
	Deaths          int // entries that became dead
	FalseSuspicions int // of the suspicions, of a member up at that incarnation or below
	FalseDeaths     int // of the deaths, likewise
	Refutations     int // incarnations raised to answer an accusation
	Restarts        int
}

func newHistory(n int) *History {
	return &History{lives: make([]life, n)}
}

// Stats returns the counts so far.
func (h *History) Stats() Stats { return h.stats }

// Changes returns every view change so far, in order.
func (h *History) Changes() []Change { return h.changes }

func (h *History) changed(n *sim.Node, u Update) {
	h.pending = append(h.pending, change{n.ID(), u})
}

// Monotone fails when a member's incarnation goes down within a life, when
// a restarted member does not come back above every incarnation it used
// before, or when an entry of a view is replaced by one that does not
// supersede it.
func (h *History) Monotone(s *sim.Sim) error {
	events := s.Events()
	for ; h.seen < len(events); h.seen++ {
		if id := events[h.seen].Node; id >= 0 {
			if err := h.check(s, id); err != nil {
				return err
			}
		}
	}
	if len(h.pending) > 0 {
		h.flush(s)
	}
	return nil
}

// check compares member id with what the History saw of it last.
func (h *History) check(s *sim.Sim, id sim.NodeID) error {
	l := &h.lives[id]
	m, _ := s.Handler(id).(*Member)
	if m != nil && m == l.m && m.inc == l.maxInc {
		return h.compare(s, id, m.view) // the usual event: the same life, at the same incarnation
	}
	if m != l.m {
		h.epoch++ // a crash or a new life
	}
	if m != l.m && m != nil { // a new life
		if l.boots > 0 && m.inc <= l.maxInc {
			return fmt.Errorf("%s restarted at incarnation %d, not above %d, which it used before", s.Name(id), m.inc, l.maxInc)
		}
		if l.boots > 0 {
			h.stats.Restarts++
		}
		l.boots++
		l.maxInc, l.view = m.inc, m.View()
	}
	l.m = m
	if m == nil {
		return nil
	}
	if m.inc < l.maxInc {
		return fmt.Errorf("%s went from incarnation %d down to %d", s.Name(id), l.maxInc, m.inc)
	}
	if err := h.compare(s, id, m.view); err != nil {
		return err
	}
	if m.inc != l.maxInc {
		h.epoch++
	}
	l.maxInc = m.inc
	return nil
}

// compare checks that every entry of member id's view that changed since
// the last event supersedes the one it replaced, and remembers the view.
func (h *History) compare(s *sim.Sim, id sim.NodeID, view View) error {
	l := &h.lives[id]
	if slices.Equal(view, l.view) {
		return nil // most events change no entry
	}
	for i, u := range view {
		if old := l.view[i]; u != old {
			if !u.Supersedes(old) {
				return fmt.Errorf("%s replaced %v by %v, which does not supersede it", s.Name(id), old, u)
			}
			l.view[i] = u
			h.epoch++
		}
	}
	return nil
}

// flush dates the current event's view changes and counts them.
func (h *History) flush(s *sim.Sim) {
	for _, c := range h.pending {
		h.changes = append(h.changes, Change{At: s.Now(), Observer: c.node, Update: c.u})
		if c.node == c.u.Node {
			if !h.restarted(s, c.node) {
				h.stats.Refutations++
			}
			continue
		}
		up, _ := s.Handler(c.u.Node).(*Member)
		wrong := up != nil && c.u.Incarnation >= up.inc
		switch c.u.State {
		case Suspect:
			h.stats.Suspicions++
			if wrong {
				h.stats.FalseSuspicions++
			}
		case Dead:
			h.stats.Deaths++
			if wrong {
				h.stats.FalseDeaths++
			}
		}
		if wrong && h.wrong == nil {
			h.wrong = fmt.Errorf("%s holds %v while %s is up at incarnation %d", s.Name(c.node), c.u, c.u.Name, up.inc)
		}
	}
	h.pending = h.pending[:0]
}

// restarted reports whether the current event is the node's boot.
func (h *History) restarted(s *sim.Sim, id sim.NodeID) bool {
	events := s.Events()
	e := events[len(events)-1]
	return e.Node == id && (e.Kind == sim.EventRestart || e.Kind == sim.EventStart)
}

// Accuracy fails once a member has suspected, or declared dead, a member
// that was up at the incarnation of the accusation or a lower one: an
// accusation the accused would have to refute. It holds only under its
// assumptions (see TestAccuracy).
func (h *History) Accuracy(s *sim.Sim) error {
	if err := h.Monotone(s); err != nil {
		return err
	}
	return h.wrong
}

// Converged fails unless every member that is up holds the same view, in
// which every member that is up is alive and every member that is down is
// dead. Between events that change no life and no view it answers as
// before without comparing the views again: the invariants that call it
// after every event would otherwise be most of an exploration's work.
func (h *History) Converged(s *sim.Sim) error {
	current := h.seen == len(s.Events()) // Monotone has read every event
	if current && h.convDone && h.convEpoch == h.epoch {
		return h.convErr
	}
	h.convDone, h.convEpoch = current, h.epoch
	h.convErr = h.converged(s)
	return h.convErr
}

func (h *History) converged(s *sim.Sim) error {
	var first *Member
	for _, id := range s.Nodes() {
		m, ok := s.Handler(id).(*Member)
		if !ok {
			continue
		}
		if first == nil {
			first = m
			if err := h.truthful(s, m.view); err != nil {
				return fmt.Errorf("%s: %w", s.Name(id), err)
			}
		} else if !m.view.Equal(first.view) {
			return fmt.Errorf("%s's view %v differs from %s's %v", s.Name(id), m.view, first.names[first.self], first.view)
		}
	}
	return nil
}

// truthful checks one view against which members are up.
func (h *History) truthful(s *sim.Sim, v View) error {
	for _, u := range v {
		_, up := s.Handler(u.Node).(*Member)
		if up && u.State != Alive {
			return fmt.Errorf("holds %v, but %s is up", u, u.Name)
		}
		if !up && u.State != Dead {
			return fmt.Errorf("holds %v, but %s is down", u, u.Name)
		}
	}
	return nil
}

// ConvergedFrom returns an invariant that checks Converged after every
// event from the simulated time t on.
func (h *History) ConvergedFrom(t time.Duration) func(s *sim.Sim) error {
	return func(s *sim.Sim) error {
		if s.Now() < t {
			return nil
		}
		return h.Converged(s)
	}
}
