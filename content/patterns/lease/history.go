package lease

import (
	"fmt"
	"time"

	"github.com/lamport-kb/lamport/sim"
)

// History follows a run from outside: which clients believe they hold
// the lease, from the clients' own reports and the simulator's trace (a
// crashed client believes nothing). Its invariant "one holder" fails as
// soon as two clients believe it at the same instant.
type History struct {
	believes []bool // by node ID
	changes  []belief
	seen     int // trace events already read
	last     sim.NodeID
	ended    time.Duration // when the last holder stopped believing
	err      error
	stats    Stats
}

type belief struct {
	node  sim.NodeID
	holds bool
}

// Stats counts what happened in a run.
type Stats struct {
	Holdings  int           // times a client began to believe it holds the lease
	Handovers int           // of them, by another client than the previous holder
	Closest   time.Duration // the shortest time from one holder's end to another's start (-1: no handover)
}

func newHistory(nodes int) *History {
	return &History{believes: make([]bool, nodes), last: -1, stats: Stats{Closest: -1}}
}

// Stats returns the run's counts so far.
func (h *History) Stats() Stats { return h.stats }

func (h *History) begin(id sim.NodeID) { h.changes = append(h.changes, belief{id, true}) }
func (h *History) end(id sim.NodeID)   { h.changes = append(h.changes, belief{id, false}) }

// oneHolder applies the current event's changes and crashes, then fails
// if more than one client believes it holds the lease.
func (h *History) oneHolder(s *sim.Sim) error {
	for events := s.Events(); h.seen < len(events); h.seen++ {
		if e := events[h.seen]; e.Kind == sim.EventCrash && h.believes[e.Node] {
			h.apply(s, belief{e.Node, false})
		}
	}
	for _, c := range h.changes {
		h.apply(s, c)
	}
	h.changes = h.changes[:0]
	return h.err
}

func (h *History) apply(s *sim.Sim, c belief) {
	if !c.holds {
		h.believes[c.node] = false
		h.ended = s.Now()
		return
	}
	for id, b := range h.believes {
		if b && sim.NodeID(id) != c.node && h.err == nil {
			h.err = fmt.Errorf("%s believes it holds the lease while %s does", s.Name(c.node), s.Name(sim.NodeID(id)))
		}
	}
	h.believes[c.node] = true
	h.stats.Holdings++
	if h.last >= 0 && h.last != c.node {
		h.stats.Handovers++
		if gap := s.Now() - h.ended; h.stats.Closest < 0 || gap < h.stats.Closest {
			h.stats.Closest = gap
		}
	}
	h.last = c.node
}
