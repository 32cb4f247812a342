package wal

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/lamport-kb/lamport/sim"
	"github.com/lamport-kb/lamport/sim/simtest"
)

const ms = time.Millisecond

// nemesis crashes nodes (the server among them) and disturbs the network
// of a server and two clients in the first 60 ms, while the clients write.
var nemesis = sim.Nemesis{Nodes: 3, Horizon: 60 * ms, MaxOutage: 20 * ms,
	Crashes: 4, Partitions: 1, Degrades: 1}

// cluster is a seeded build of a server and two clients with the given
// configuration; histories keeps each run's History for its end-of-run
// check.
type cluster struct {
	cfg       Config
	torn      bool
	histories map[*sim.Sim]*History
	total     Stats // summed over the runs, for the tests that count
}

func newCluster(cfg Config) *cluster {
	return &cluster{cfg: cfg, torn: true, histories: map[*sim.Sim]*History{}}
}

func (c *cluster) build(seed uint64) *sim.Sim {
	s := sim.New(sim.Config{Seed: seed, TornWrites: c.torn, Faults: nemesis.Draw(seed), Until: time.Second,
		Network: sim.Link{Delay: sim.Exponential(ms/2, 2*ms), Loss: 0.02, Reorder: 0.1}})
	c.histories[s] = Simulate(s, c.cfg, "wal", "c1", "c2")
	return s
}

// tally adds a finished run's counts to the total.
func (c *cluster) tally(s *sim.Sim) error {
	st := c.histories[s].Stats()
	delete(c.histories, s)
	c.total.Appended += st.Appended
	c.total.Acked += st.Acked
	c.total.Syncs += st.Syncs
	c.total.Recoveries += st.Recoveries
	c.total.Torn += st.Torn
	c.total.TornBytes += st.TornBytes
	c.total.Lost += st.Lost
	c.total.Unacked += st.Unacked
	return nil
}

// TestAcknowledgedDurable: under synchronous commit (with and without a
// group wait), every record acknowledged before a crash is recovered
// after it, crashes with torn writes included; the invariant
// "durability" checks it at every recovery.
func TestAcknowledgedDurable(t *testing.T) {
	for _, wait := range []time.Duration{0, 3 * ms} {
		t.Run(fmt.Sprint("group wait ", wait), func(t *testing.T) {
			c := newCluster(Config{GroupWait: wait})
			simtest.Explore(t, 150, c.build, c.tally)
			if c.total.Recoveries < 50 || c.total.Acked < c.total.Appended/2 {
				t.Errorf("a weak exploration: %+v", c.total)
			}
		})
	}
}

// TestRecoveryIntact: with torn writes, recovery never yields a corrupt
// or partial record: what it gives back is byte for byte the first
// records appended (the invariant "integrity"). The exploration must
// reach torn tails for this to mean anything, so it counts them.
func TestRecoveryIntact(t *testing.T) {
	c := newCluster(Config{Commit: Asynchronous, Chunk: 64}) // small chunks: more crashes tear
	simtest.Explore(t, 300, c.build, c.tally)
	if c.total.Torn < 20 {
		t.Errorf("only %d recoveries found a torn tail: %+v", c.total.Torn, c.total)
	}
	t.Logf("%d recoveries, %d with a torn tail (%d bytes zeroed), %d unacknowledged records kept",
		c.total.Recoveries, c.total.Torn, c.total.TornBytes, c.total.Unacked)
}

// TestAsyncLossWindow: under asynchronous commit a crash loses only
// records acknowledged within the Window before it (FlushEvery + 2 ×
// SyncTime), and it does lose some: the risk is real, and bounded.
func TestAsyncLossWindow(t *testing.T) {
	c := newCluster(Config{Commit: Asynchronous, FlushEvery: 8 * ms, SyncTime: ms})
	simtest.Explore(t, 200, c.build, c.tally)
	if c.total.Lost == 0 {
		t.Errorf("no acknowledged record was ever lost: the window is not exercised (%+v)", c.total)
	}
	t.Logf("%d acknowledged records lost within the window, over %d recoveries", c.total.Lost, c.total.Recoveries)
}

// TestGroupCommit: a group wait makes records share fsyncs: fewer
// fsyncs than records, and fewer than without the wait.
func TestGroupCommit(t *testing.T) {
	syncs := map[time.Duration]Stats{}
	for _, wait := range []time.Duration{0, 4 * ms} {
		c := newCluster(Config{GroupWait: wait, Every: 2 * ms})
		c.torn = false
		sim.Exploration{Seeds: 50, Build: c.build, Check: c.tally}.Run()
		syncs[wait] = c.total
	}
	none, grouped := syncs[0], syncs[4*ms]
	if none.Syncs > none.Appended || grouped.Syncs*3 > grouped.Appended || grouped.Syncs >= none.Syncs {
		t.Errorf("fsyncs: %d for %d records without a wait, %d for %d with one", none.Syncs, none.Appended, grouped.Syncs, grouped.Appended)
	}
	t.Logf("records per fsync: %.2f without a wait, %.2f with a 4 ms wait",
		float64(none.Appended)/float64(none.Syncs), float64(grouped.Appended)/float64(grouped.Syncs))
}

// TestExplorationCatchesBrokenVariants: the seeded exploration finds
// each deliberately broken log, by the invariant that it breaks, and the
// shrunk schedule of each needs a crash.
func TestExplorationCatchesBrokenVariants(t *testing.T) {
	for _, tt := range []struct {
		name  string
		cfg   Config
		check string
	}{
		{"acknowledged before the fsync", Config{bug: ackEarly}, "durability"},
		{"recovery without checksums", Config{Commit: Asynchronous, bug: noChecksum}, "integrity"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := newCluster(tt.cfg)
			r := sim.Exploration{Seeds: 300, Build: c.build}.Run()
			if r.Failure == nil || r.Failure.Check != tt.check {
				t.Fatalf("%d seeds passed, or one failed for another reason: %v", r.Schedules, r.Failure)
			}
			if shrunk := fmt.Sprint(r.Shrunk); !strings.Contains(shrunk, "Crash") {
				t.Errorf("shrunk to %s", shrunk)
			}
			t.Logf("caught at seed %d after %d schedules: %v; shrunk to %v", r.Failure.Seed, r.Schedules, r.Failure.Err, r.Shrunk)
		})
	}
}

func BenchmarkExplore(b *testing.B) {
	c := newCluster(Config{})
	for b.Loop() {
		simtest.Explore(b, 100, c.build, c.tally)
	}
}
