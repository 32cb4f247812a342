package lease

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/lamport-kb/lamport/sim"
	"github.com/lamport-kb/lamport/sim/simtest"
)

const ms = time.Millisecond

// nemesis disturbs a grantor and three clients in the first 300 ms:
// clock jumps of up to ±50 ms with drift up to ±10 % (the margin's ρ),
// partitions, one-way cuts, slow, lossy and duplicating links, and
// crashes of the grantor and the clients.
var nemesis = sim.Nemesis{Nodes: 4, Horizon: 300 * ms, MaxOutage: 50 * ms,
	Partitions: 1, OneWays: 2, Crashes: 2, Skews: 4, Degrades: 3}

// worstDrift runs the grantor's clock 10 % fast and the clients' 10 %
// slow from the start: the worst rates the margin allows, where a lease
// trusted a little too long shows.
var worstDrift = []sim.Fault{sim.Skew(0, 0, 0, 0.1), sim.Skew(0, 1, 0, -0.1), sim.Skew(0, 2, 0, -0.1), sim.Skew(0, 3, 0, -0.1)}

// lossy loses and delays messages on a few links, so that renewals fail
// and leases expire while their holders still trust them.
var lossy = sim.Nemesis{Nodes: 4, Horizon: 300 * ms, MaxOutage: 50 * ms, Degrades: 3, OneWays: 2}

type cluster struct {
	cfg       Config
	nemesis   sim.Nemesis
	drift     []sim.Fault // fixed clock rates added to every schedule
	histories map[*sim.Sim]*History
	total     Stats
	runs      int
}

func newCluster(cfg Config, n sim.Nemesis) *cluster {
	return &cluster{cfg: cfg, nemesis: n, histories: map[*sim.Sim]*History{}, total: Stats{Closest: -1}}
}

func (c *cluster) build(seed uint64) *sim.Sim {
	faults := append(c.nemesis.Draw(seed), c.drift...)
	s := sim.New(sim.Config{Seed: seed, Faults: faults, Until: 600 * ms,
		Network: sim.Link{Delay: sim.Exponential(ms/2, 2*ms), Loss: 0.02, Reorder: 0.1}})
	c.histories[s] = Simulate(s, c.cfg, "A", "B", "C")
	return s
}

func (c *cluster) tally(s *sim.Sim) error {
	st := c.histories[s].Stats()
	delete(c.histories, s)
	c.runs++
	c.total.Holdings += st.Holdings
	c.total.Handovers += st.Handovers
	if st.Closest >= 0 && (c.total.Closest < 0 || st.Closest < c.total.Closest) {
		c.total.Closest = st.Closest
	}
	return nil
}

// TestAtMostOneHolder: under clock jumps and drift within the margin's
// bound, partitions, lossy, duplicating and slow links, and crashes of
// the grantor and the clients, at most one client believes it holds the
// lease at any instant (the invariant "one holder", after every event),
// and the lease changes hands several times a run.
func TestAtMostOneHolder(t *testing.T) {
	c := newCluster(Config{}, nemesis)
	simtest.Explore(t, 300, c.build, c.tally)
	if c.total.Handovers < 3*c.runs {
		t.Errorf("only %d handovers in %d runs", c.total.Handovers, c.runs)
	}
	t.Logf("%d runs: %d holdings, %d handovers; the closest handover began %v after the previous holder stopped",
		c.runs, c.total.Holdings, c.total.Handovers, c.total.Closest)
}

// TestExplorationCatchesBrokenVariants: a holder without a margin for
// drift is caught under clock skew, one that counts from the grant's
// arrival instead of its request is caught with slow links, and a grantor
// that grants at once after a restart is caught with a crash; each by the
// invariant "one holder", and the shrunk schedule keeps the fault it
// needs.
func TestExplorationCatchesBrokenVariants(t *testing.T) {
	for _, tt := range []struct {
		name    string
		bug     bug
		nemesis sim.Nemesis
		fault   string
	}{
		{"no margin for drift", noMargin, lossy, "Skew"},
		{"counting from the grant", fromGrant, sim.Nemesis{Nodes: 4, Horizon: 300 * ms, MaxOutage: 50 * ms, Degrades: 3}, "Degrade"},
		{"grantor forgets at a crash", forgetful, sim.Nemesis{Nodes: 4, Horizon: 300 * ms, MaxOutage: 50 * ms, Crashes: 2}, "Crash"},
		{"release overtaken by a request", blindRelease, sim.Nemesis{}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := newCluster(Config{bug: tt.bug}, tt.nemesis)
			if tt.bug == blindRelease {
				c.cfg.Rest = ms // ask again at once after a release: the network's reordering does the rest
			}
			if tt.bug == noMargin {
				c.drift = worstDrift
			}
			r := sim.Exploration{Seeds: 300, Build: c.build}.Run()
			if r.Failure == nil || r.Failure.Check != "one holder" {
				t.Fatalf("%d seeds passed, or one failed for another reason: %v", r.Schedules, r.Failure)
			}
			if shrunk := fmt.Sprint(r.Shrunk); !strings.Contains(shrunk, tt.fault) {
				t.Errorf("shrunk to %s", shrunk)
			}
			t.Logf("caught at seed %d after %d schedules: %v; shrunk to %v", r.Failure.Seed, r.Schedules, r.Failure.Err, r.Shrunk)
		})
	}
}

// TestCorrectUnderTheSameFaults: the correct holder and grantor pass the
// schedules that catch the broken variants, with every clock at the worst
// rate the margin allows, and clients that ask again right after
// releasing.
func TestCorrectUnderTheSameFaults(t *testing.T) {
	for _, n := range []sim.Nemesis{
		lossy,
		{Nodes: 4, Horizon: 300 * ms, MaxOutage: 50 * ms, Degrades: 3},
		{Nodes: 4, Horizon: 300 * ms, MaxOutage: 50 * ms, Crashes: 2},
	} {
		c := newCluster(Config{}, n)
		c.drift = worstDrift
		simtest.Explore(t, 200, c.build, c.tally)
	}
	// Clients that ask again 1 ms after releasing: their releases are
	// often overtaken by their next request, and must not free it.
	c := newCluster(Config{Rest: ms}, nemesis)
	simtest.Explore(t, 200, c.build, c.tally)
}

func BenchmarkExplore(b *testing.B) {
	c := newCluster(Config{}, nemesis)
	for b.Loop() {
		simtest.Explore(b, 100, c.build, c.tally)
	}
}
