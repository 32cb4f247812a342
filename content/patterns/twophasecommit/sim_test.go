package twophasecommit

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/lamport-kb/lamport/sim"
	"github.com/lamport-kb/lamport/sim/simtest"
)

const ms = time.Millisecond

// nemesis draws every kind of fault for the coordinator and three
// participants.
var nemesis = sim.Nemesis{Nodes: 4, Horizon: 150 * ms, MaxOutage: 50 * ms,
	Partitions: 2, OneWays: 1, Crashes: 3, Skews: 1, Degrades: 2}

// cluster is a seeded build with the protocol variant given; runs
// remembers each run's History for the end-of-run check.
type cluster struct {
	cfg  Config
	runs map[*sim.Sim]*History
}

func newCluster(cfg Config) *cluster { return &cluster{cfg: cfg, runs: map[*sim.Sim]*History{}} }

func (c *cluster) build(seed uint64) *sim.Sim {
	s := sim.New(sim.Config{Seed: seed, TornWrites: true, Faults: nemesis.Draw(seed),
		Network: sim.Link{Delay: sim.Exponential(ms, 4*ms), Loss: 0.03, Duplicate: 0.05, Reorder: 0.2}})
	c.runs[s] = Simulate(s, c.cfg, "A", "B", "C")
	return s
}

// complete is the end-of-run check: every transaction begun was decided
// and reached every participant.
func (c *cluster) complete(s *sim.Sim) error {
	defer delete(c.runs, s)
	return c.runs[s].Complete([]sim.NodeID{1, 2, 3})
}

// TestAtomicity: under crashes of the coordinator and the participants
// (torn writes included), partitions, clock skew, loss, duplication and
// reordering, no transaction is committed by one participant and aborted
// by another, and no participant commits without the coordinator's commit
// decision; checked after every event.
func TestAtomicity(t *testing.T) {
	c := newCluster(Config{})
	commits, aborts := 0, 0
	simtest.Explore(t, 300, c.build, func(s *sim.Sim) error {
		h := c.runs[s]
		for _, tx := range h.Begun() {
			switch h.Decision(tx) {
			case Committed:
				commits++
			case Aborted:
				aborts++
			}
		}
		delete(c.runs, s)
		return nil
	})
	if commits == 0 || aborts == 0 {
		t.Errorf("%d commits and %d aborts: the exploration does not reach both", commits, aborts)
	}
	t.Logf("%d transactions committed, %d aborted", commits, aborts)
}

// TestRecovery: once the faults heal, every transaction begun is decided
// and every participant reaches the decision, however the coordinator and
// participants crashed on the way.
func TestRecovery(t *testing.T) {
	c := newCluster(Config{})
	simtest.Explore(t, 200, c.build, c.complete)
}

// TestBlocking: a coordinator that crashes after the participants voted
// yes and before it logged the decision leaves them in doubt: they decide
// nothing while it is down, however long, and abort when it restarts (it
// finds the transaction begun and undecided).
func TestBlocking(t *testing.T) {
	for _, down := range []time.Duration{50 * ms, 300 * ms, 0} {
		t.Run(fmt.Sprint(down), func(t *testing.T) {
			s, h, crash := blocked(t, down)
			for p := sim.NodeID(1); p <= 3; p++ {
				if o := h.Outcome(p, 1); down == 0 && o != Unknown || down > 0 && o != Aborted {
					t.Errorf("participant %d: T1 %v", p, o)
				}
				for _, e := range s.Events() {
					if e.Node == p && e.At > crash && (down == 0 || e.At < crash+down) && strings.Contains(e.Note, "T1 ") {
						t.Errorf("participant %d decided while the coordinator was down: %v %s", p, e.At, e.Note)
					}
				}
			}
			if down == 0 && h.Queries() < 10 {
				t.Errorf("only %d queries in doubt", h.Queries())
			}
		})
	}
}

// blocked runs T1 with every vote yes and crashes the coordinator (for
// down; 0: for ever) at the moment the first participant has prepared.
func blocked(t *testing.T, down time.Duration) (*sim.Sim, *History, time.Duration) {
	// A dry run finds when the last participant prepares; the votes are
	// then on the wire, and the crash comes before they arrive.
	probe := sim.New(sim.Config{Seed: 1, Network: sim.Link{Delay: sim.Fixed(5 * ms)}})
	Simulate(probe, Config{Txns: 1, NoVotes: -1}, "A", "B", "C")
	probe.Run()
	var at time.Duration
	for _, e := range probe.Events() {
		if strings.HasPrefix(e.Note, "prepared T1") {
			at = e.At
		}
	}
	crash := at + ms
	s := sim.New(sim.Config{Seed: 1, Until: crash + 500*ms, Network: sim.Link{Delay: sim.Fixed(5 * ms)},
		Faults: []sim.Fault{sim.Crash(crash, restartAt(crash, down), 0)}})
	h := Simulate(s, Config{Txns: 1, NoVotes: -1}, "A", "B", "C")
	if err := s.Run(); err != nil {
		t.Fatal(err)
	}
	return s, h, crash
}

func restartAt(crash, down time.Duration) time.Duration {
	if down == 0 {
		return 0
	}
	return crash + down
}

// TestExplorationCatchesBrokenVariants: each shortcut is caught: a
// participant that gives up waiting and aborts alone, a participant that
// votes before its prepare is durable (needs a crash), and a coordinator
// that announces a decision it has not synced (needs a crash).
func TestExplorationCatchesBrokenVariants(t *testing.T) {
	for _, tt := range []struct {
		name  string
		bug   bug
		crash bool
	}{
		{"prepared participant aborts alone", unilateralAbort, false},
		{"vote before the prepare is durable", unsyncedPrepare, true},
		{"decision announced before it is durable", unsyncedDecision, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := newCluster(Config{bug: tt.bug})
			r := sim.Exploration{Seeds: 300, Build: c.build, Check: c.complete}.Run()
			if r.Failure == nil || r.Failure.Check != "atomicity" {
				t.Fatalf("%d seeds passed, or one failed for another reason: %v", r.Schedules, r.Failure)
			}
			if shrunk := fmt.Sprint(r.Shrunk); tt.crash && !strings.Contains(shrunk, "Crash") {
				t.Errorf("shrunk to %s", shrunk)
			}
			t.Logf("caught at seed %d after %d schedules: %v; shrunk to %v", r.Failure.Seed, r.Schedules, r.Failure.Err, r.Shrunk)
		})
	}
}

func BenchmarkExplore(b *testing.B) {
	c := newCluster(Config{})
	for b.Loop() {
		simtest.Explore(b, 100, c.build, c.complete)
	}
}
