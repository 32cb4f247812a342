package leaderfollower

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/lamport-kb/lamport/sim"
	"github.com/lamport-kb/lamport/sim/simtest"
)

// nemesis crashes, cuts off and slows any node (the n replicas, the
// operator and the two clients) in the first 150 ms, while the clients
// work: a partition can leave a client with a deposed leader.
func nemesis(n int) sim.Nemesis {
	return sim.Nemesis{Nodes: n + 3, Horizon: 150 * ms, MaxOutage: 50 * ms,
		Partitions: 1, OneWays: 1, Crashes: 2, Degrades: 1}
}

// cluster is a seeded build of cfg's replicas, the operator and two
// clients, with failovers failovers at times drawn from the seed;
// histories keeps each run's History for its end-of-run check.
type cluster struct {
	cfg       Config
	failovers int
	check     string // an invariant to add to an Async cluster: "durability" or "deposed"
	histories map[*sim.Sim]*History
	total     Stats
	runs      int
	lossy     int // runs that lost an acknowledged write
}

func newCluster(cfg Config, failovers int) *cluster {
	return &cluster{cfg: cfg, failovers: failovers, histories: map[*sim.Sim]*History{}}
}

func (c *cluster) build(seed uint64) *sim.Sim {
	cfg := c.cfg
	cfg.Failovers = nil
	for i := range c.failovers {
		cfg.Failovers = append(cfg.Failovers, time.Duration(30+i*90+int(seed*7919%80))*ms)
	}
	s := sim.New(sim.Config{Seed: seed, Faults: nemesis(cfg.n()).Draw(seed), Until: 500 * ms,
		Network: sim.Link{Delay: sim.Exponential(ms/2, 2*ms), Loss: 0.02, Duplicate: 0.02, Reorder: 0.1}})
	h, err := Simulate(s, cfg, "x", "y")
	if err != nil {
		panic(err)
	}
	switch c.check {
	case "durability":
		s.Invariant("durability", h.Durability)
	case "deposed":
		s.Invariant("deposed", h.Deposed)
	}
	c.histories[s] = h
	return s
}

// tally adds a finished run's counts to the total.
func (c *cluster) tally(s *sim.Sim) error {
	st := c.histories[s].Stats()
	delete(c.histories, s)
	c.runs++
	if st.Lost > 0 {
		c.lossy++
	}
	t := &c.total
	t.Writes += st.Writes
	t.Acked += st.Acked
	t.Lost += st.Lost
	t.DeposedAcks += st.DeposedAcks
	t.Late += st.Late
	t.Rejected += st.Rejected
	t.Dropped += st.Dropped
	t.Reads += st.Reads
	t.StaleReads += st.StaleReads
	t.MaxLag = max(t.MaxLag, st.MaxLag)
	t.Failovers += st.Failovers
	return nil
}

// modes are the configurations every safety test explores.
var modes = []Config{
	{Mode: Async},
	{Mode: SemiSync},
	{Mode: Sync},
	{N: 5, Mode: Sync, SyncFollowers: 2},
}

// seeds is n, or a quarter of n under the race detector (see underRace).
func seeds(n int) int {
	if underRace {
		return max(1, n/4)
	}
	return n
}

func name(cfg Config) string { return fmt.Sprintf("N=%d %v k=%d", cfg.n(), cfg.Mode, cfg.Acks()) }

// TestFollowerLogIsPrefix: in every mode, under crashes, partitions, lossy
// and reordering links and two failovers, every follower's log is a prefix
// of the log of the leader of the epoch it follows, after every event (the
// invariant "prefix"); and the failovers happen.
func TestFollowerLogIsPrefix(t *testing.T) {
	for _, cfg := range modes {
		t.Run(name(cfg), func(t *testing.T) {
			c := newCluster(cfg, 2)
			simtest.Explore(t, seeds(60), c.build, c.tally)
			if c.total.Failovers < c.runs || c.total.Acked < c.runs*5 {
				t.Errorf("a weak exploration: %d runs, %+v", c.runs, c.total)
			}
		})
	}
}

// TestNoAcceptFromDeposedEpoch: no replica accepts a shipment from an
// epoch below its own, no replica's epoch goes back (across restarts),
// and every epoch has one leader (the invariant "epochs"); the deposed
// leaders do try, and are rejected.
func TestNoAcceptFromDeposedEpoch(t *testing.T) {
	for _, cfg := range modes[:2] {
		t.Run(name(cfg), func(t *testing.T) {
			c := newCluster(cfg, 2)
			simtest.Explore(t, seeds(60), c.build, c.tally)
			if c.total.Rejected == 0 {
				t.Errorf("no shipment of a deposed leader was ever rejected: %+v", c.total)
			}
		})
	}
}

// TestSyncAckSurvivesFailover: with k ≥ 1 followers acknowledging each
// write and the operator waiting for FenceQuorum(N, k) answers before it
// promotes the most up-to-date one, every acknowledged write is in the log
// of every later leader (the invariant "durability"), through one failover
// and through two.
func TestSyncAckSurvivesFailover(t *testing.T) {
	for _, cfg := range modes[1:] {
		for _, failovers := range []int{1, 2} {
			t.Run(fmt.Sprintf("%s, %d failovers", name(cfg), failovers), func(t *testing.T) {
				c := newCluster(cfg, failovers)
				simtest.Explore(t, seeds(80), c.build, c.tally)
				if c.total.Acked < c.runs*5 {
					t.Errorf("a weak exploration: %+v", c.total)
				}
			})
		}
	}
}

// TestDeposedLeaderCannotAck: in the synchronous modes, once a failover's
// fence has its quorum, the deposed leader can gather at most k − 1
// follower acknowledgements in its old epoch, so it acknowledges no write
// it takes from then on (the invariant "deposed"); and deposed leaders do
// take such writes in the exploration.
func TestDeposedLeaderCannotAck(t *testing.T) {
	for _, cfg := range modes[1:] {
		t.Run(name(cfg), func(t *testing.T) {
			c := newCluster(cfg, 1)
			simtest.Explore(t, seeds(50), c.build, c.tally)
			if c.total.Late == 0 && !underRace { // a quarter of the seeds may reach none
				t.Errorf("no deposed leader took a write after a fence: %+v", c.total)
			}
		})
	}
}

// explore runs an asynchronous cluster with one of the invariants the
// synchronous modes promise added, and returns what it found.
func explore(invariant string) sim.Report {
	c := newCluster(Config{Mode: Async}, 1)
	c.check = invariant
	return sim.Exploration{Seeds: 300, Build: c.build, Check: c.tally, MaxShrink: 30}.Run()
}

// TestAsyncFailoverLosesAckedWrite: with asynchronous replication the
// exploration finds a write that the old leader acknowledged after its own
// fsync and that the new leader never had: lost at the failover.
func TestAsyncFailoverLosesAckedWrite(t *testing.T) {
	r := explore("durability")
	if r.Failure == nil || r.Failure.Check != "durability" {
		t.Fatalf("%d seeds passed, or one failed for another reason: %v", r.Schedules, r.Failure)
	}
	t.Logf("caught at seed %d after %d schedules: %v; shrunk to %v", r.Failure.Seed, r.Schedules, r.Failure.Err, r.Shrunk)
}

// TestAsyncDeposedLeaderAcks: with asynchronous replication a deposed
// leader that has not heard of the failover keeps acknowledging writes
// nobody else will ever have; the exploration finds one.
func TestAsyncDeposedLeaderAcks(t *testing.T) {
	r := explore("deposed")
	if r.Failure == nil || r.Failure.Check != "deposed" {
		t.Fatalf("%d seeds passed, or one failed for another reason: %v", r.Schedules, r.Failure)
	}
	t.Logf("caught at seed %d after %d schedules: %v; shrunk to %v", r.Failure.Seed, r.Schedules, r.Failure.Err, r.Shrunk)
}

// TestFollowerReadsCanBeStale: a read from a follower may return a log
// behind the leader's, in every mode: synchronous replication makes
// writes durable, not follower reads fresh.
func TestFollowerReadsCanBeStale(t *testing.T) {
	for _, cfg := range []Config{{Mode: Async}, {Mode: Sync}} {
		c := newCluster(cfg, 0)
		sim.Exploration{Seeds: 40, Build: c.build, Check: c.tally}.Run()
		if c.total.StaleReads == 0 {
			t.Errorf("%v: no stale read in %d reads", cfg.Mode, c.total.Reads)
		}
		t.Logf("%v: %d of %d reads behind the leader, by up to %d entries", cfg.Mode, c.total.StaleReads, c.total.Reads, c.total.MaxLag)
	}
}

// TestExplorationCatchesBrokenVariants: the seeded exploration finds each
// deliberately broken variant by the invariant it breaks.
func TestExplorationCatchesBrokenVariants(t *testing.T) {
	for _, tt := range []struct {
		name  string
		cfg   Config
		check []string
	}{
		{"promote after the first fence answer", Config{Mode: SemiSync, bug: firstAnswer}, []string{"durability"}},
		{"accept shipments of a lower epoch", Config{Mode: SemiSync, bug: noFence}, []string{"epochs"}},
		{"ship before the fsync", Config{Mode: SemiSync, bug: shipUnsynced}, []string{"prefix", "durability"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := newCluster(tt.cfg, 1)
			r := sim.Exploration{Seeds: 300, Build: c.build, MaxShrink: 30}.Run()
			if r.Failure == nil || !slices.Contains(tt.check, r.Failure.Check) {
				t.Fatalf("%d seeds passed, or one failed for another reason: %v", r.Schedules, r.Failure)
			}
			t.Logf("caught at seed %d after %d schedules: %v; shrunk to %v", r.Failure.Seed, r.Schedules, r.Failure.Err, r.Shrunk)
		})
	}
}

func BenchmarkExplore(b *testing.B) {
	c := newCluster(Config{Mode: SemiSync}, 1)
	for b.Loop() {
		simtest.Explore(b, 100, c.build, c.tally)
	}
}

// scripted is the demo's script: A's shipments are cut at 14 ms, A
// crashes at 24 ms and restarts at 50 ms, the operator fails over at 30 ms.
func scripted(mode Mode) (*sim.Sim, *History) {
	s := sim.New(sim.Config{Seed: 7, Until: 90 * ms, Network: sim.Link{Delay: sim.Uniform(ms/2, 2*ms)},
		Faults: []sim.Fault{sim.OneWay(14*ms, 45*ms, 0, 1), sim.OneWay(14*ms, 45*ms, 0, 2), sim.Crash(24*ms, 50*ms, 0)}})
	h, err := Simulate(s, Config{Mode: mode, Failovers: []time.Duration{30 * ms}, Ops: 6, Every: 3 * ms, Heartbeat: 10 * ms}, "x", "y")
	if err != nil {
		panic(err)
	}
	if err := s.Run(); err != nil {
		panic(err)
	}
	return s, h
}

// TestScriptedFailover: the demo's story, asserted. Asynchronously, A
// acknowledges writes B never has; B is promoted for epoch 2; the lost
// writes are in no replica's log at the end, and every replica ends with
// the same log as the leader. Semi-synchronously, nothing acknowledged is
// lost.
func TestScriptedFailover(t *testing.T) {
	s, h := scripted(Async)
	if len(h.Lost()) == 0 {
		t.Fatal("no acknowledged write lost")
	}
	if f := h.Failovers(); len(f) != 1 || f[0].Epoch != 2 || f[0].Leader != 1 || len(f[0].Answers) != 2 {
		t.Fatalf("failovers: %+v", f)
	}
	if op := s.Handler(3).(*Operator); op.Epoch() != 2 {
		t.Errorf("the operator is at epoch %d", op.Epoch())
	}
	leaderLog, leader := h.Log(2)
	if leader != 1 {
		t.Errorf("epoch 2 is led by %d", leader)
	}
	for _, w := range h.Lost() {
		if w.Leader != 0 || w.Missing != 1 || w.At < 0 || w.Epoch != 1 {
			t.Errorf("lost %+v", w)
		}
	}
	for _, id := range s.Nodes()[:3] {
		r := s.Handler(id).(*Replica)
		if r.Leads() != (id == 1) || r.Epoch() != 2 {
			t.Errorf("%s: leads %v in epoch %d", s.Name(id), r.Leads(), r.Epoch())
		}
		if !cmp.Equal(r.Log(), leaderLog) {
			t.Errorf("%s ends with %v, the leader with %v", s.Name(id), r.Log(), leaderLog)
		}
		for _, w := range h.Lost() {
			if r.has(w.ID) {
				t.Errorf("%s still has the lost write %s", s.Name(id), w.ID)
			}
		}
	}
	acked := 0
	for _, w := range h.Writes() {
		if w.At >= 0 {
			acked++
		}
	}
	if acked != h.Stats().Acked {
		t.Errorf("%d writes acknowledged, Stats says %d", acked, h.Stats().Acked)
	}
	if _, h := scripted(SemiSync); len(h.Lost()) != 0 || h.Stats().Acked == 0 {
		t.Errorf("semi-synchronous: %+v", h.Stats())
	}
}
