package fencing

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/lamport-kb/lamport/sim"
	"github.com/lamport-kb/lamport/sim/simtest"
)

const ms = time.Millisecond

// nemesis disturbs a lock service, a storage node and three clients in
// the first 150 ms: clock jumps and drift, partitions, one-way cuts,
// slow and lossy links, and crashes.
var nemesis = sim.Nemesis{Nodes: 5, Horizon: 150 * ms, MaxOutage: 40 * ms,
	Partitions: 1, OneWays: 2, Crashes: 2, Skews: 3, Degrades: 3}

type cluster struct {
	cfg       Config
	histories map[*sim.Sim]*History
	total     Stats
	runs      int
	stale     int // runs with a stale write
}

func newCluster(cfg Config) *cluster { return &cluster{cfg: cfg, histories: map[*sim.Sim]*History{}} }

func (c *cluster) build(seed uint64) *sim.Sim {
	s := sim.New(sim.Config{Seed: seed, Faults: nemesis.Draw(seed), Until: 2 * time.Second,
		Network: sim.Link{Delay: sim.Exponential(ms/2, 2*ms), Loss: 0.02, Reorder: 0.1}})
	c.histories[s] = Simulate(s, c.cfg, "A", "B", "C")
	return s
}

func (c *cluster) tally(s *sim.Sim) error {
	st := c.histories[s].Stats()
	delete(c.histories, s)
	c.runs++
	if st.Stale > 0 {
		c.stale++
	}
	c.total.Grants += st.Grants
	c.total.Accepted += st.Accepted
	c.total.Rejected += st.Rejected
	c.total.Stale += st.Stale
	c.total.StaleAccepted += st.StaleAccepted
	return nil
}

// TestTokensIncrease: under clock skew, partitions, slow links and
// crashes of the lock service, every grant carries a larger token than
// every grant before it (the invariant "tokens").
func TestTokensIncrease(t *testing.T) {
	c := newCluster(Config{})
	simtest.Explore(t, 200, c.build, c.tally)
	if c.total.Grants < 5*c.runs {
		t.Errorf("only %d grants in %d runs", c.total.Grants, c.runs)
	}
}

// TestStaleWritesRejected: the storage never accepts a write whose token
// is below one it has accepted, nor one from a client the token was not
// granted to (the invariant "fencing"), and the exploration reaches stale
// holders in many runs: clients whose lease had been given to another by
// the time their write arrived.
func TestStaleWritesRejected(t *testing.T) {
	c := newCluster(Config{Pauses: []Pause{{"A", 30 * ms, 40 * ms}, {"B", 90 * ms, 35 * ms}}})
	simtest.Explore(t, 300, c.build, c.tally)
	if c.stale < c.runs/4 || c.total.Rejected == 0 {
		t.Errorf("stale writes in only %d of %d runs, %d rejected: the exploration does not reach stale holders", c.stale, c.runs, c.total.Rejected)
	}
	t.Logf("%d runs, %d with stale writes; %d stale writes: %d rejected, %d accepted before any newer token wrote",
		c.runs, c.stale, c.total.Stale, c.total.Rejected, c.total.StaleAccepted)
}

// TestExplorationCatchesBrokenVariants: a storage that does not check
// tokens lets a paused holder's write through, and a lock service that
// forgets its generation at a crash hands a token out twice; the
// exploration catches each by its invariant.
func TestExplorationCatchesBrokenVariants(t *testing.T) {
	for _, tt := range []struct {
		name  string
		bug   bug
		check string
		fault string // a fault the shrunk schedule needs, or ""
	}{
		{"storage does not check tokens", noCheck, "fencing", ""},
		{"generation kept in memory", volatile, "tokens", "Crash"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := newCluster(Config{bug: tt.bug, Pauses: []Pause{{"A", 30 * ms, 40 * ms}}})
			r := sim.Exploration{Seeds: 300, Build: c.build}.Run()
			if r.Failure == nil || r.Failure.Check != tt.check {
				t.Fatalf("%d seeds passed, or one failed for another reason: %v", r.Schedules, r.Failure)
			}
			if shrunk := fmt.Sprint(r.Shrunk); !strings.Contains(shrunk, tt.fault) {
				t.Errorf("shrunk to %s", shrunk)
			}
			t.Logf("caught at seed %d after %d schedules: %v; shrunk to %v", r.Failure.Seed, r.Schedules, r.Failure.Err, r.Shrunk)
		})
	}
}

func BenchmarkExplore(b *testing.B) {
	c := newCluster(Config{Pauses: []Pause{{"A", 30 * ms, 40 * ms}}})
	for b.Loop() {
		simtest.Explore(b, 100, c.build, c.tally)
	}
}
