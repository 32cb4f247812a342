package leaderelection

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/lamport-kb/lamport/sim"
	"github.com/lamport-kb/lamport/sim/simtest"
)

const ms = time.Millisecond

// nemesis disturbs a store and three candidates in the first 300 ms:
// partitions, one-way cuts, slow, lossy and duplicating links, crashes of
// the store and the candidates, and clock jumps with drift within ±10 %.
var nemesis = sim.Nemesis{Nodes: 4, Horizon: 300 * ms, MaxOutage: 60 * ms,
	Partitions: 2, OneWays: 2, Crashes: 2, Skews: 4, Degrades: 3}

// worstDrift runs the store's clock 10 % fast and the candidates' 10 %
// slow: the worst rates the margin allows.
var worstDrift = []sim.Fault{sim.Skew(0, 0, 0, 0.1), sim.Skew(0, 1, 0, -0.1), sim.Skew(0, 2, 0, -0.1), sim.Skew(0, 3, 0, -0.1)}

type cluster struct {
	cfg       Config
	nemesis   sim.Nemesis
	drift     []sim.Fault
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
	c.histories[s] = Simulate(s, c.cfg, "n1", "n2", "n3")
	return s
}

func (c *cluster) tally(s *sim.Sim) error {
	st := c.histories[s].Stats()
	delete(c.histories, s)
	c.runs++
	c.total.Terms += st.Terms
	c.total.StepDowns += st.StepDowns
	if st.Closest >= 0 && (c.total.Closest < 0 || st.Closest < c.total.Closest) {
		c.total.Closest = st.Closest
	}
	return nil
}

// TestOneLeaderPerTerm: under partitions, one-way cuts, lossy, slow and
// duplicating links, crashes of the store and the candidates, and clock
// jumps and drift, every term has at most one leader and a new leader's
// term is above every earlier one (the invariant "terms", after every
// event); and leadership changes several times a run.
func TestOneLeaderPerTerm(t *testing.T) {
	c := newCluster(Config{}, nemesis)
	simtest.Explore(t, 300, c.build, c.tally)
	if c.total.Terms < 2*c.runs {
		t.Errorf("only %d terms in %d runs", c.total.Terms, c.runs)
	}
	t.Logf("%d runs: %d terms with a leader, %d step-downs", c.runs, c.total.Terms, c.total.StepDowns)
}

// TestOldLeaderStepsDown: with the same faults plus the worst clock rates
// the margin allows, a leader that cannot renew steps down before the
// store elects another, so at most one candidate believes it leads at
// any instant (the invariant "one leader"), and the exploration reaches
// many step-downs.
func TestOldLeaderStepsDown(t *testing.T) {
	c := newCluster(Config{}, nemesis)
	c.drift = worstDrift
	simtest.Explore(t, 300, c.build, c.tally)
	if c.total.StepDowns < c.runs {
		t.Errorf("only %d step-downs in %d runs", c.total.StepDowns, c.runs)
	}
	t.Logf("%d runs: %d terms, %d step-downs; the closest handover began %v after the previous leader stepped down",
		c.runs, c.total.Terms, c.total.StepDowns, c.total.Closest)
}

// TestExplorationCatchesBrokenVariants: a store that keeps its term in
// memory gives a term twice after a crash ("terms"); a leader that steps
// down only when it hears of a higher term keeps leading when its
// renewals are lost, by a partition or by the network's own 2 % loss
// ("one leader"); a leader without a margin for drift overlaps its
// successor under skewed clocks ("one leader").
func TestExplorationCatchesBrokenVariants(t *testing.T) {
	for _, tt := range []struct {
		name    string
		bug     bug
		nemesis sim.Nemesis
		drift   []sim.Fault
		check   string
		fault   string
	}{
		{"term kept in memory", volatile, sim.Nemesis{Nodes: 4, Horizon: 300 * ms, MaxOutage: 60 * ms, Crashes: 2}, nil, "terms", "Crash"},
		{"no step-down on expiry", noStepDown, sim.Nemesis{Nodes: 4, Horizon: 300 * ms, MaxOutage: 60 * ms, Partitions: 2}, nil, "one leader", ""},
		{"no margin for drift", noMargin, sim.Nemesis{Nodes: 4, Horizon: 300 * ms, MaxOutage: 60 * ms, Degrades: 3, OneWays: 2}, worstDrift, "one leader", "Skew"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := newCluster(Config{bug: tt.bug}, tt.nemesis)
			c.drift = tt.drift
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
	c := newCluster(Config{}, nemesis)
	for b.Loop() {
		simtest.Explore(b, 100, c.build, c.tally)
	}
}
