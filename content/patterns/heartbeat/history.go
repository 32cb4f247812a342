package heartbeat

import (
	"fmt"
	"time"

	"github.com/lamport-kb/lamport/sim"
)

// History follows a run from outside: when each member was up or down
// (from the simulator's trace) and every change of the monitor's verdict.
// Its checks are Completeness (a member down and silent for longer than
// Config.SilenceBound is suspected) and Accuracy (a member suspected has
// not been up for the whole Config.AccuracyWindow before).
type History struct {
	cfg     Config
	members []member // by node ID; index 0, the monitor, unused
	seen    int      // trace events already read
	pending []change // verdicts changed by the current event
	wrong   error    // the first inaccurate suspicion
	stats   Stats
}

type member struct {
	up        bool
	since     time.Duration // when it last went up or down
	arrived   time.Duration // when the monitor last received its heartbeat
	suspected bool
}

type change struct {
	node      sim.NodeID
	suspected bool
}

// Stats counts what happened in a run.
type Stats struct {
	Suspicions int           // times a member became suspected
	False      int           // of them, while the member was up: false suspicions
	Trusted    int           // times a suspected member was trusted again
	Crashes    int           // member crashes
	Detected   int           // crashes detected before the member came back
	Slowest    time.Duration // the longest time from a crash to its detection
}

func newHistory(cfg Config, members int) *History {
	h := &History{cfg: cfg, members: make([]member, members+1)}
	for i := range h.members {
		h.members[i].up = true
	}
	return h
}

// Stats returns the run's counts so far.
func (h *History) Stats() Stats { return h.stats }

func (h *History) changed(node sim.NodeID, suspected bool) {
	h.pending = append(h.pending, change{node, suspected})
}

// sync reads the trace's new events and the monitor's new verdicts; the
// invariants call it first, at the simulated time of the event.
func (h *History) sync(s *sim.Sim) {
	events := s.Events()
	for ; h.seen < len(events); h.seen++ {
		e := events[h.seen]
		if e.Node == 0 && e.Kind == sim.EventReceive {
			h.members[s.Messages()[e.Msg].From].arrived = e.At
		}
		if e.Node <= 0 || int(e.Node) >= len(h.members) {
			continue
		}
		switch m := &h.members[e.Node]; e.Kind {
		case sim.EventCrash:
			m.up, m.since = false, e.At
			h.stats.Crashes++
		case sim.EventRestart:
			m.up, m.since = true, e.At
		}
	}
}

// step brings the history up to the current event: the trace's new
// events, then the monitor's new verdicts. Both invariants call it; the
// second call of an event finds nothing new.
func (h *History) step(s *sim.Sim) {
	h.sync(s)
	for _, c := range h.pending {
		h.apply(s, c)
	}
	h.pending = h.pending[:0]
}

// Completeness fails when a member is down and not suspected longer
// than Config.SilenceBound after its crash or, if later, the arrival of
// its last heartbeat.
func (h *History) Completeness(s *sim.Sim) error {
	h.step(s)
	bound := h.cfg.SilenceBound()
	for id, m := range h.members[1:] {
		last := max(m.since, m.arrived)
		if !m.up && !m.suspected && s.Now()-last > bound {
			return fmt.Errorf("%s has been down since %v and silent since %v, %v ago, and is not suspected: the bound is %v",
				s.Name(sim.NodeID(id+1)), m.since, last, s.Now()-last, bound)
		}
	}
	return nil
}

// apply records one verdict change, counting false suspicions and the
// time a crash took to detect.
func (h *History) apply(s *sim.Sim, c change) {
	m := &h.members[c.node]
	m.suspected = c.suspected
	switch {
	case !c.suspected:
		h.stats.Trusted++
	case m.up:
		h.stats.Suspicions++
		h.stats.False++
	default:
		h.stats.Suspicions++
		h.stats.Detected++
		h.stats.Slowest = max(h.stats.Slowest, s.Now()-m.since)
	}
	if c.suspected && m.up && s.Now()-m.since >= h.cfg.AccuracyWindow() && h.wrong == nil {
		h.wrong = fmt.Errorf("%s suspected at %v, up since %v: longer than the accuracy window of %v",
			s.Name(c.node), s.Now(), m.since, h.cfg.AccuracyWindow())
	}
}

// Accuracy fails when the monitor has suspected a member that had been up
// for at least the accuracy window: a false suspicion the configuration
// promised not to make. It holds only when links lose nothing and deliver
// within MaxDelay, and clocks drift within MaxDrift.
func (h *History) Accuracy(s *sim.Sim) error {
	h.step(s)
	return h.wrong
}
