package leaderelection

import (
	"fmt"
	"time"

	"github.com/lamport-kb/lamport/sim"
)

// History follows a run from outside: every leadership the candidates
// report, and the simulator's crashes (a crashed candidate leads nothing).
// Its invariants are "terms" (a term has one leader, and a new leadership
// has a term above every earlier one) and "one leader" (at most one
// candidate believes it leads at any instant).
type History struct {
	leading []bool // by node ID
	changes []change
	seen    int
	leaders map[Term]sim.NodeID
	highest Term
	ended   time.Duration // when the last leader stepped down
	errTerm error
	errOne  error
	stats   Stats
}

type change struct {
	node sim.NodeID
	term Term // 0: steps down
}

// Stats counts what happened in a run.
type Stats struct {
	Terms     int           // terms that had a leader
	StepDowns int           // leaderships ended by the leader itself
	Closest   time.Duration // the shortest time from a step-down to the next leader's start (-1: none)
}

func newHistory(nodes int) *History {
	return &History{leading: make([]bool, nodes), leaders: map[Term]sim.NodeID{}, stats: Stats{Closest: -1}}
}

// Stats returns the run's counts so far.
func (h *History) Stats() Stats { return h.stats }

// Leader returns the candidate that led term t.
func (h *History) Leader(t Term) (sim.NodeID, bool) {
	id, ok := h.leaders[t]
	return id, ok
}

func (h *History) lead(id sim.NodeID, t Term) { h.changes = append(h.changes, change{id, t}) }
func (h *History) stepDown(id sim.NodeID)     { h.changes = append(h.changes, change{id, 0}) }

// step applies the crashes and the candidates' reports of the current
// event; both invariants call it, and the second finds nothing new.
func (h *History) step(s *sim.Sim) {
	for events := s.Events(); h.seen < len(events); h.seen++ {
		if e := events[h.seen]; e.Kind == sim.EventCrash && h.leading[e.Node] {
			h.leading[e.Node] = false
			h.ended = e.At
		}
	}
	for _, c := range h.changes {
		if c.term == 0 {
			h.leading[c.node] = false
			h.ended = s.Now()
			h.stats.StepDowns++
			continue
		}
		h.begin(s, c)
	}
	h.changes = h.changes[:0]
}

// begin records a leadership and checks it against the earlier ones.
func (h *History) begin(s *sim.Sim, c change) {
	if prev, ok := h.leaders[c.term]; ok && prev != c.node && h.errTerm == nil {
		h.errTerm = fmt.Errorf("term %d has two leaders: %s and %s", c.term, s.Name(prev), s.Name(c.node))
	}
	if c.term < h.highest && h.errTerm == nil {
		h.errTerm = fmt.Errorf("%s leads term %d after term %d had a leader: terms must grow", s.Name(c.node), c.term, h.highest)
	}
	for id, l := range h.leading {
		if l && sim.NodeID(id) != c.node && h.errOne == nil {
			h.errOne = fmt.Errorf("%s leads term %d while %s still leads", s.Name(c.node), c.term, s.Name(sim.NodeID(id)))
		}
	}
	if _, ok := h.leaders[c.term]; !ok {
		h.stats.Terms++
		if gap := s.Now() - h.ended; h.highest > 0 && (h.stats.Closest < 0 || gap < h.stats.Closest) {
			h.stats.Closest = gap
		}
	}
	h.leaders[c.term] = c.node
	h.highest = max(h.highest, c.term)
	h.leading[c.node] = true
}

func (h *History) terms(s *sim.Sim) error     { h.step(s); return h.errTerm }
func (h *History) oneLeader(s *sim.Sim) error { h.step(s); return h.errOne }
