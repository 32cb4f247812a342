package gossip

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/lamport-kb/lamport/sim"
	"github.com/lamport-kb/lamport/sim/simtest"
)

const ms = time.Millisecond

// names is the explored cluster: six members, nodes 0 to 5.
var names = []string{"a", "b", "c", "d", "e", "f"}

// lan is the explored network: 1–3 ms (Config.MaxDelay is 3 ms), some
// reordering, no loss.
var lan = sim.Link{Delay: sim.Uniform(ms, 3*ms), Reorder: 0.1}

// cluster is a seeded build of six members; histories remembers each run's
// History for the end-of-run check.
type cluster struct {
	members   []string // names, unless a test explores a smaller cluster
	cfg       Config
	draw      func(seed uint64) ([]sim.Fault, time.Duration) // faults, and when the last one ends
	converge  bool                                           // check convergence from the bound on
	accuracy  bool
	histories map[*sim.Sim]*History
	settle    map[*sim.Sim]time.Duration
	total     Stats
	runs      int
	// the last moment, after the last fault, at which a run's views had
	// not converged, and the longest that took over the runs
	unsettled map[*sim.Sim]time.Duration
	slowest   time.Duration
}

func newCluster(cfg Config, draw func(uint64) ([]sim.Fault, time.Duration)) *cluster {
	return &cluster{members: names, cfg: cfg, draw: draw, histories: map[*sim.Sim]*History{}, settle: map[*sim.Sim]time.Duration{},
		unsettled: map[*sim.Sim]time.Duration{}}
}

func (c *cluster) build(seed uint64) *sim.Sim {
	faults, end := c.draw(seed)
	settle := end + c.cfg.ConvergenceBound(len(c.members))
	until := end + 150*ms
	if c.converge {
		until = settle + 5*c.cfg.interval()
	}
	s := sim.New(sim.Config{Seed: seed, Faults: faults, Until: until, Network: lan})
	h := Simulate(s, c.cfg, c.members...)
	if c.converge {
		s.Invariant("convergence", h.ConvergedFrom(settle))
		c.unsettled[s] = end
		s.Invariant("time to converge", func(s *sim.Sim) error {
			if s.Now() >= end && s.Now() < settle && h.Converged(s) != nil {
				c.unsettled[s] = s.Now()
			}
			return nil
		})
	}
	if c.accuracy {
		s.Invariant("accuracy", h.Accuracy)
	}
	c.histories[s], c.settle[s] = h, settle
	return s
}

// check closes a run: it must have lasted past the convergence bound, and
// its counts add to the totals.
func (c *cluster) check(s *sim.Sim) error {
	h, settle, unsettled := c.histories[s], c.settle[s], c.unsettled[s]
	delete(c.histories, s)
	delete(c.settle, s)
	delete(c.unsettled, s)
	c.slowest = max(c.slowest, unsettled-(settle-c.cfg.ConvergenceBound(len(c.members))))
	c.runs++
	st := h.Stats()
	c.total.Suspicions += st.Suspicions
	c.total.Deaths += st.Deaths
	c.total.FalseSuspicions += st.FalseSuspicions
	c.total.FalseDeaths += st.FalseDeaths
	c.total.Refutations += st.Refutations
	c.total.Restarts += st.Restarts
	if c.converge && s.Now() < settle {
		return fmt.Errorf("the run ended at %v, before the convergence bound at %v", s.Now(), settle)
	}
	return nil
}

// anything is a nemesis of every kind of fault, some for good: crashes,
// partitions, one-way cuts, lossy, slow and duplicating links, clock jumps
// and drift.
func anything(seed uint64) ([]sim.Fault, time.Duration) {
	m := sim.Nemesis{Nodes: len(names), Horizon: 400 * ms, MaxOutage: 200 * ms, Permanent: true,
		Partitions: 2, OneWays: 2, Crashes: 3, Skews: 2, Degrades: 3}
	return m.Draw(seed), 400 * ms
}

// healing draws faults for a cluster of n in the first 300 ms that all
// end, except crashes for good, and keep every delay within
// Config.MaxDelay: crashes (a third of them permanent), partitions,
// one-way cuts, and bursts of loss, duplication and reordering. It returns
// when the last one ends.
func healing(n int, seed uint64) ([]sim.Fault, time.Duration) {
	r := rand.New(rand.NewPCG(seed, 0x9055))
	var out []sim.Fault
	var end time.Duration
	window := func(longest int, permanent bool) (time.Duration, time.Duration) {
		at := time.Duration(r.IntN(300)) * ms
		to := at + time.Duration(10+r.IntN(longest))*ms
		if permanent {
			to = 0 // a crash for good: it ends nothing
		}
		end = max(end, at, to)
		return at, to
	}
	node := func() sim.NodeID { return sim.NodeID(r.IntN(n)) }
	for range 1 + r.IntN(3) {
		at, to := window(200, r.IntN(3) == 0)
		out = append(out, sim.Crash(at, to, node()))
	}
	for range r.IntN(3) {
		at, to := window(200, false)
		side := r.Perm(n)[:1+r.IntN(n-1)]
		ids := make([]sim.NodeID, len(side))
		for i, p := range side {
			ids[i] = sim.NodeID(p)
		}
		out = append(out, sim.Partition(at, to, ids...))
	}
	for range r.IntN(3) {
		at, to := window(150, false)
		from, into := pair(r, n)
		out = append(out, sim.OneWay(at, to, from, into))
	}
	for range r.IntN(3) {
		at, to := window(150, false)
		from, into := pair(r, n)
		out = append(out, sim.Degrade(at, to, from, into, sim.Link{Delay: sim.Uniform(ms, 3*ms),
			Loss: float64(1+r.IntN(9)) / 10, Duplicate: 0.2, Reorder: 0.3}))
	}
	return out, end
}

// pair draws two different members of a cluster of n.
func pair(r *rand.Rand, n int) (sim.NodeID, sim.NodeID) {
	from := r.IntN(n)
	return sim.NodeID(from), sim.NodeID((from + 1 + r.IntN(n-1)) % n)
}

// lossyLinks draws faulty links under the condition of the accuracy
// bound: up to four pairs of members, no member in more than two of
// them, each pair cut one way or degraded (30–100 % loss, delays up to
// 10 ms, duplicates) in one or both directions, for up to 220 ms in the
// first 400 ms. Nobody crashes; every other link delivers within 3 ms.
func lossyLinks(seed uint64) ([]sim.Fault, time.Duration) {
	r := rand.New(rand.NewPCG(seed, 0x1055))
	degree := make([]int, len(names))
	var out []sim.Fault
	var end time.Duration
	for range 1 + r.IntN(4) {
		x, v := pair(r, len(names))
		if degree[x] == 2 || degree[v] == 2 {
			continue
		}
		degree[x]++
		degree[v]++
		for _, dir := range [][2]sim.NodeID{{x, v}, {v, x}}[:1+r.IntN(2)] {
			at := time.Duration(r.IntN(400)) * ms
			to := at + time.Duration(20+r.IntN(200))*ms
			end = max(end, to)
			if r.IntN(3) == 0 {
				out = append(out, sim.OneWay(at, to, dir[0], dir[1]))
				continue
			}
			out = append(out, sim.Degrade(at, to, dir[0], dir[1], sim.Link{Delay: sim.Uniform(ms, 10*ms),
				Loss: float64(3+r.IntN(8)) / 10, Duplicate: 0.1}))
		}
	}
	return out, end
}

// TestMonotone: under every kind of fault, clock jumps included, no
// member's incarnation ever goes down, a restarted member always comes
// back above every incarnation it used (it is synced before it is
// announced), and no entry of any view is ever replaced by one that does
// not supersede it (the invariant "monotone", after every event).
func TestMonotone(t *testing.T) {
	c := newCluster(Config{}, anything)
	simtest.Explore(t, 100, c.build, c.check)
	if c.total.Restarts == 0 || c.total.Refutations == 0 {
		t.Errorf("%d restarts and %d refutations in %d runs: the exploration does not reach them", c.total.Restarts, c.total.Refutations, c.runs)
	}
	t.Logf("%d runs: %d restarts, %d refutations, %d suspicions (%d false), %d deaths (%d false)", c.runs,
		c.total.Restarts, c.total.Refutations, c.total.Suspicions, c.total.FalseSuspicions, c.total.Deaths, c.total.FalseDeaths)
}

// TestConvergence: whatever crashes, partitions, one-way cuts and lossy
// links came before, from Config.ConvergenceBound after the last fault
// ends, every live member holds the same view, in which the live members
// are alive and the others dead (the invariant "convergence", after every
// event to the end of the run).
func TestConvergence(t *testing.T) {
	cfg := Config{}
	c := newCluster(cfg, func(seed uint64) ([]sim.Fault, time.Duration) { return healing(5, seed) })
	c.members = names[:5]
	c.converge = true
	simtest.Explore(t, 80, c.build, c.check)
	if c.total.FalseDeaths == 0 || c.total.Refutations == 0 {
		t.Errorf("%d false deaths and %d refutations in %d runs: the faults do not test refutation", c.total.FalseDeaths, c.total.Refutations, c.runs)
	}
	t.Logf("%d runs: converged at most %v after the last fault (bound %v); %d suspicions (%d false), %d deaths (%d false), %d refutations, %d restarts",
		c.runs, c.slowest, cfg.ConvergenceBound(len(c.members)), c.total.Suspicions, c.total.FalseSuspicions, c.total.Deaths, c.total.FalseDeaths, c.total.Refutations, c.total.Restarts)
}

// TestAccuracy: when no member belongs to more than two faulty pairs
// (links that cut, lose, delay or duplicate, one way or both), every other
// link delivers within MaxDelay, Config.Valid holds and nobody crashes,
// then nobody is ever suspected, let alone declared dead: a probe over a
// faulty pair has at most two bad helpers among the four candidates, and
// asks three (the invariant "accuracy", after every event).
func TestAccuracy(t *testing.T) {
	cfg := Config{}
	if err := cfg.Valid(); err != nil {
		t.Fatal(err)
	}
	c := newCluster(cfg, lossyLinks)
	c.accuracy = true
	simtest.Explore(t, 60, c.build, c.check)
	if c.total.Suspicions != 0 {
		t.Errorf("%d suspicions", c.total.Suspicions)
	}
}

// TestNoIndirectProbes: without ping-req, the same faulty links make
// members suspect members that are up; the suspicion is refuted.
func TestNoIndirectProbes(t *testing.T) {
	c := newCluster(Config{IndirectChecks: -1}, lossyLinks)
	simtest.Explore(t, 40, c.build, c.check)
	if c.total.FalseSuspicions < c.runs/2 || c.total.Refutations == 0 {
		t.Errorf("%d false suspicions and %d refutations in %d runs", c.total.FalseSuspicions, c.total.Refutations, c.runs)
	}
	t.Logf("%d runs without indirect probes: %d false suspicions, %d refutations, %d false deaths",
		c.runs, c.total.FalseSuspicions, c.total.Refutations, c.total.FalseDeaths)
}

// disseminationBound is the number of periods within which a new update
// reaches every member of a cluster of n by piggybacking alone.
func disseminationBound(n int) int { return int(math.Ceil(math.Log2(float64(n)))) + 2 }

// TestDisseminationRounds: in clusters of 8 to 64 members without
// anti-entropy or faults, a member that restarts announces its new
// incarnation on its pings and acks, and every other member learns it
// within disseminationBound(n) protocol periods, over every seed. The test
// piggybacks each update 8 · ⌈log10(n+1)⌉ times, so that none runs out of
// retransmissions; with memberlist's multiplier of 4 (4 retransmissions
// for 8 members) it counts, over 40 seeds, the runs that left a member to
// the anti-entropy exchange.
func TestDisseminationRounds(t *testing.T) {
	for _, n := range []int{8, 16, 32, 64} {
		worst, sum := 0, 0
		seeds := max(3, 80/n) // fewer for the larger clusters, whose runs cost more
		for seed := range uint64(seeds) {
			rounds, all, err := spread(Config{PushPullInterval: -1, RetransmitMult: 8}, n, seed+1)
			if err != nil || !all {
				t.Fatalf("n=%d, seed %d: not every member learned of the restart (%v)", n, seed+1, err)
			}
			worst, sum = max(worst, rounds), sum+rounds
		}
		if worst > disseminationBound(n) {
			t.Errorf("n=%d: an update took %d periods to reach everyone, more than %d", n, worst, disseminationBound(n))
		}
		t.Logf("n=%2d: every member knew within %d periods at worst, %.1f on average (bound %d)", n, worst, float64(sum)/float64(seeds), disseminationBound(n))
	}
	short := 0
	for seed := range uint64(40) {
		if _, all, err := spread(Config{PushPullInterval: -1}, 8, seed+1); err != nil {
			t.Fatal(err)
		} else if !all {
			short++
		}
	}
	t.Logf("n= 8 with RetransmitMult 4: %d of 40 runs left someone out", short)
}

// spread runs one cluster of n in which one member restarts at 41 ms,
// and returns the periods its new incarnation took to reach the members
// that learned it, and whether they all did.
func spread(cfg Config, n int, seed uint64) (rounds int, all bool, err error) {
	members := make([]string, n)
	for i := range members {
		members[i] = fmt.Sprintf("m%d", i)
	}
	r := sim.NodeID(seed % uint64(n))
	const restart = 41 * ms
	s := sim.New(sim.Config{Seed: seed, Network: lan, Until: restart + 10*cfg.interval(),
		Faults: []sim.Fault{sim.Crash(40*ms, restart, r)}})
	h := Simulate(s, cfg, members...)
	if err := s.Run(); err != nil {
		return 0, false, err
	}
	learned := map[sim.NodeID]time.Duration{}
	for _, c := range h.Changes() {
		if c.Update.Node == r && c.Update.Incarnation >= 1 && c.Observer != r {
			if _, ok := learned[c.Observer]; !ok {
				learned[c.Observer] = c.At
			}
		}
	}
	var last time.Duration
	for _, at := range learned {
		last = max(last, at)
	}
	return int(math.Ceil(float64(last-restart) / float64(cfg.interval()))), len(learned) == n-1, nil
}

// TestExplorationCatchesBrokenVariants: the exploration finds each
// deliberately broken member; the durability bug needs a crash.
func TestExplorationCatchesBrokenVariants(t *testing.T) {
	for _, tt := range []struct {
		name  string
		bug   bug
		check string
		crash bool
	}{
		{"alive wins a tie with suspect", aliveTies, "monotone", false},
		{"incarnation written, never synced", unsynced, "monotone", true},
		{"accusations not refuted", noRefute, "convergence", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := newCluster(Config{bug: tt.bug}, func(seed uint64) ([]sim.Fault, time.Duration) { return healing(len(names), seed) })
			c.converge = true
			r := sim.Exploration{Seeds: 300, Build: c.build, Check: c.check}.Run()
			if r.Failure == nil || r.Failure.Check != tt.check {
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
	c := newCluster(Config{}, func(seed uint64) ([]sim.Fault, time.Duration) { return healing(len(names), seed) })
	c.converge = true
	for b.Loop() {
		simtest.Explore(b, 50, c.build, c.check)
	}
}

// TestConvergedAnswersAsBefore: Converged, which reuses its answer while
// no life, incarnation or view changes, answers after every event of
// faulty runs exactly as the full comparison does.
func TestConvergedAnswersAsBefore(t *testing.T) {
	for seed := range uint64(4) {
		faults, _ := healing(len(names), seed+1)
		s := sim.New(sim.Config{Seed: seed + 1, Faults: faults, Until: 600 * ms, Network: lan})
		h := Simulate(s, Config{}, names...)
		agreed := 0
		s.Invariant("same answer", func(s *sim.Sim) error {
			memo, full := h.Converged(s), h.converged(s)
			if fmt.Sprint(memo) != fmt.Sprint(full) {
				return fmt.Errorf("Converged says %v, the full comparison %v", memo, full)
			}
			if full == nil {
				agreed++
			}
			return nil
		})
		if err := s.Run(); err != nil {
			t.Fatalf("seed %d: %v", seed+1, err)
		}
		if agreed == 0 {
			t.Errorf("seed %d: the views never converged, so the comparison says little", seed+1)
		}
	}
}
