package raft

import (
	"testing"
	"time"

	"github.com/lamport-kb/lamport/sim"
	"github.com/lamport-kb/lamport/sim/simtest"
)

const ms = time.Millisecond

// nemesis draws every kind of fault among five servers (the clients are
// not crashed or cut off on their own, but lose the servers a partition
// puts on the other side) in the first 600 ms; the runs go on to 2.5 s,
// long enough for the clients to finish once the faults are over.
var nemesis = sim.Nemesis{Nodes: 5, Horizon: 600 * ms, MaxOutage: 200 * ms,
	Partitions: 2, OneWays: 1, Crashes: 3, Skews: 1, Degrades: 2}

// cluster builds the seeded runs of one implementation (or a broken
// variant) and remembers each run's Cluster for the end-of-run check.
type cluster struct {
	cfg      Config
	nemesis  sim.Nemesis
	runs     map[*sim.Sim]*Cluster
	torn     bool
	finished bool // the end-of-run check also wants every operation done
}

func newCluster(cfg Config) *cluster {
	cfg.Servers, cfg.Clients, cfg.Ops = 5, 2, 5
	return &cluster{cfg: cfg, nemesis: nemesis, runs: map[*sim.Sim]*Cluster{}, torn: cfg.bug == correct, finished: cfg.bug == correct}
}

func (c *cluster) build(seed uint64) *sim.Sim {
	s := sim.New(sim.Config{Seed: seed, TornWrites: c.torn, Faults: c.nemesis.Draw(seed), Until: 2500 * ms,
		Network: sim.Link{Delay: sim.Exponential(ms, 3*ms), Loss: 0.02, Duplicate: 0.02, Reorder: 0.1}})
	c.runs[s] = Simulate(s, c.cfg)
	return s
}

// check is the end of a run: the history is linearizable, and (for the
// correct implementations) every client finished, since the faults ended
// long before the run did.
func (c *cluster) check(s *sim.Sim) error {
	defer delete(c.runs, s)
	cl := c.runs[s]
	if err := cl.Linearizable(); err != nil {
		return err
	}
	if c.finished {
		return cl.Finished()
	}
	return nil
}

// TestSafety explores our Raft under partitions, crashes (with torn
// writes), clock skew, loss, duplication and reordering, checking the
// four safety properties after every event, the clients' history for
// linearizability and, once the faults are over, progress.
func TestSafety(t *testing.T) {
	c := newCluster(Config{})
	simtest.Explore(t, seeds(300), c.build, c.check)
}

// TestEtcdSafety runs etcd's Raft through the same schedules and checks.
func TestEtcdSafety(t *testing.T) {
	c := newCluster(Config{Etcd: true})
	simtest.Explore(t, seeds(100), c.build, c.check)
}

// seeds is n, or a quarter of n under the race detector (see underRace).
func seeds(n int) int {
	if underRace {
		return n / 4
	}
	return n
}

// TestExplorationCatchesBrokenVariants: the seeded exploration finds each
// deliberately broken server, naming the property it breaks. Three
// servers: a crash or a partition then takes a majority's member more
// often.
func TestExplorationCatchesBrokenVariants(t *testing.T) {
	for _, tt := range []struct {
		name  string
		bug   bug
		seeds int
		want  []string
	}{
		{"votes without the up-to-date check", anyLog, 300, []string{LeaderCompleteness, StateMachineSafety, "check"}},
		{"the log is never fsynced", noSync, 300, []string{ElectionSafety, LeaderCompleteness, StateMachineSafety, LogMatching, "check"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := newCluster(Config{bug: tt.bug})
			c.cfg.Servers, c.nemesis.Nodes = 3, 3
			r := sim.Exploration{Seeds: tt.seeds, Build: c.build, Check: c.check}.Run()
			if r.Failure == nil {
				t.Fatalf("%d seeds passed", r.Schedules)
			}
			if !contains(tt.want, r.Failure.Check) {
				t.Fatalf("failed for another reason: %v", r.Failure)
			}
			t.Logf("caught at seed %d after %d schedules: %v; shrunk to %v", r.Failure.Seed, r.Schedules, r.Failure.Err, r.Shrunk)
		})
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func BenchmarkExplore(b *testing.B) {
	c := newCluster(Config{})
	for b.Loop() {
		simtest.Explore(b, 50, c.build, c.check)
	}
}

func BenchmarkEtcdExplore(b *testing.B) {
	c := newCluster(Config{Etcd: true})
	for b.Loop() {
		simtest.Explore(b, 50, c.build, c.check)
	}
}
