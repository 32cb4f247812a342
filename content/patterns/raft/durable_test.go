package raft

import (
	"slices"
	"testing"

	"github.com/lamport-kb/lamport/sim"
)

// durable is what a server must remember across a crash.
type durable struct {
	term     uint64
	votedFor sim.NodeID
	log      []Entry
}

func (d durable) equal(e durable) bool {
	return d.term == e.term && d.votedFor == e.votedFor && slices.EqualFunc(d.log, e.log, func(a, b Entry) bool {
		return a.Term == b.Term && (a.Cmd == nil) == (b.Cmd == nil) && (a.Cmd == nil || *a.Cmd == *b.Cmd)
	})
}

// restarts runs three servers and a client, crashing s2 twice and the
// first leader once, and compares every restarted server's state with its
// state just before the crash: it returns how many restarts came back with
// the same term, vote and log, and how many did not.
func restarts(t *testing.T, b bug) (kept, lost int) {
	t.Helper()
	s := sim.New(sim.Config{Seed: 3, Until: 2000 * ms, TornWrites: true, Faults: []sim.Fault{
		sim.Crash(400*ms, 500*ms, 1), sim.Crash(700*ms, 900*ms, 0), sim.Crash(1100*ms, 1200*ms, 1)}})
	c := Simulate(s, Config{Servers: 3, Clients: 1, Ops: 20, bug: b})
	before := make([]durable, len(c.Servers))
	seen := make([]sim.Handler, len(c.Servers))
	s.Invariant("restart keeps the durable state", func(s *sim.Sim) error {
		for i, id := range c.Servers {
			h := s.Handler(id)
			if h == nil {
				continue
			}
			srv := h.(*Server)
			now := durable{srv.term, srv.votedFor, slices.Clone(srv.log)}
			if seen[i] != nil && seen[i] != h { // restarted since the last event
				if now.equal(before[i]) {
					kept++
				} else {
					lost++
				}
			}
			seen[i], before[i] = h, now
		}
		return nil
	})
	if err := s.Run(); err != nil && b == correct {
		t.Fatal(err)
	}
	return kept, lost
}

// TestRestartKeepsDurableState: a server restarted after a crash (torn
// writes on) has the term, vote and log it had when it crashed, because
// each change was synced before the server acted on it; the variant that
// never syncs comes back without them.
func TestRestartKeepsDurableState(t *testing.T) {
	if kept, lost := restarts(t, correct); kept != 3 || lost != 0 {
		t.Errorf("correct: %d restarts kept their state, %d lost it; want 3 and 0", kept, lost)
	}
	if kept, lost := restarts(t, noSync); lost == 0 {
		t.Errorf("never synced: %d restarts kept their state, none lost it", kept)
	}
}
