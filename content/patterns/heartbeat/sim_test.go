package heartbeat

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/lamport-kb/lamport/sim"
	"github.com/lamport-kb/lamport/sim/simtest"
)

const ms = time.Millisecond

// members is the size of the explored clusters: a monitor and three
// members, nodes 1 to 3.
const members = 3

// faults says which faults a schedule may draw.
type faults struct {
	partitions bool // members cut off from the monitor for a while
	loss       bool // bursts of loss on a member's link to the monitor
	spikes     bool // delay spikes beyond Config.MaxDelay
}

// draw returns a schedule for seed in the first 300 ms: crashes of
// members (some for good), clock jumps and drift within 5 % on members,
// drift within 5 % on the monitor (a jump back would stall any detector
// that reads its clock), slow links within 10 ms, and what f allows.
func (f faults) draw(seed uint64) []sim.Fault {
	r := rand.New(rand.NewPCG(seed, 0xbea7))
	at := func() time.Duration { return time.Duration(r.Int64N(int64(300 * ms))) }
	member := func() sim.NodeID { return sim.NodeID(1 + r.IntN(members)) }
	var out []sim.Fault
	for range 1 + r.IntN(2) {
		t := at()
		restart := t + time.Duration(20+r.IntN(120))*ms
		if r.IntN(3) == 0 {
			restart = 0
		}
		out = append(out, sim.Crash(t, restart, member()))
	}
	for range r.IntN(3) {
		jump := time.Duration(r.IntN(101)-50) * ms
		out = append(out, sim.Skew(at(), member(), jump, drift(r)))
	}
	out = append(out, sim.Skew(at(), 0, 0, drift(r)))
	for range r.IntN(3) {
		t := at()
		out = append(out, sim.Degrade(t, t+time.Duration(10+r.IntN(60))*ms, member(), 0,
			sim.Link{Delay: sim.Uniform(ms, time.Duration(2+r.IntN(9))*ms)}))
	}
	if f.partitions {
		t := at()
		out = append(out, sim.Partition(t, t+time.Duration(30+r.IntN(80))*ms, member()))
	}
	if f.loss {
		t := at()
		out = append(out, sim.Degrade(t, t+time.Duration(20+r.IntN(80))*ms, member(), 0,
			sim.Link{Delay: sim.Uniform(ms, 3*ms), Loss: 0.5}))
	}
	if f.spikes {
		t := at()
		out = append(out, sim.Degrade(t, t+time.Duration(10+r.IntN(40))*ms, member(), 0,
			sim.Link{Delay: sim.Fixed(time.Duration(50+r.IntN(50)) * ms)}))
	}
	return out
}

// drift is a clock rate error within ±5 %.
func drift(r *rand.Rand) float64 { return float64(r.IntN(11)-5) / 100 }

type cluster struct {
	cfg       Config
	faults    faults
	accuracy  bool
	histories map[*sim.Sim]*History
	total     Stats
	runs      int
}

func newCluster(cfg Config, f faults, accuracy bool) *cluster {
	return &cluster{cfg: cfg, faults: f, accuracy: accuracy, histories: map[*sim.Sim]*History{}}
}

func (c *cluster) build(seed uint64) *sim.Sim {
	s := sim.New(sim.Config{Seed: seed, Faults: c.faults.draw(seed), Until: 400 * ms,
		Network: sim.Link{Delay: sim.Uniform(ms, 3*ms), Reorder: 0.1}})
	h := Simulate(s, c.cfg, "a", "b", "c")
	if c.accuracy {
		s.Invariant("accuracy", h.Accuracy)
	}
	c.histories[s] = h
	return s
}

func (c *cluster) tally(s *sim.Sim) error {
	st := c.histories[s].Stats()
	delete(c.histories, s)
	c.runs++
	c.total.Suspicions += st.Suspicions
	c.total.False += st.False
	c.total.Trusted += st.Trusted
	c.total.Crashes += st.Crashes
	c.total.Detected += st.Detected
	c.total.Slowest = max(c.total.Slowest, st.Slowest)
	return nil
}

// TestCompleteness: under crashes (some for good), partitions, lossy and
// slow links, delay spikes and drifting clocks, every member that has been
// down and silent for longer than Config.SilenceBound is suspected (the
// invariant "completeness", after every event), and the exploration
// detects most crashes before the member comes back.
func TestCompleteness(t *testing.T) {
	c := newCluster(Config{}, faults{partitions: true, loss: true, spikes: true}, false)
	simtest.Explore(t, 200, c.build, c.tally)
	if c.total.Crashes < c.runs || c.total.Detected < c.total.Crashes/2 {
		t.Errorf("%d crashes in %d runs, %d detected: the exploration does not reach crashes", c.total.Crashes, c.runs, c.total.Detected)
	}
	t.Logf("%d crashes, %d detected while down, slowest after %v (bound from the last heartbeat %v); %d false suspicions",
		c.total.Crashes, c.total.Detected, c.total.Slowest, Config{}.SilenceBound(), c.total.False)
}

// TestPhiCompleteness: the φ-accrual detector meets its own bound
// (threshold · ln 10 · its longest interval) under the same faults.
func TestPhiCompleteness(t *testing.T) {
	cfg := Config{Phi: 1}
	c := newCluster(cfg, faults{partitions: true, loss: true, spikes: true}, false)
	simtest.Explore(t, 100, c.build, c.tally)
	if c.total.Detected == 0 {
		t.Error("no crash detected")
	}
	t.Logf("φ > 1: %d crashes, %d detected while down, slowest after %v (bound from the last heartbeat %v); %d false suspicions",
		c.total.Crashes, c.total.Detected, c.total.Slowest, cfg.SilenceBound(), c.total.False)
}

// TestAccuracyUnderBoundedDelay: when links lose nothing and deliver
// within MaxDelay and clocks drift within MaxDrift, whatever the members'
// clock jumps and crashes, no member is suspected after being up for the
// accuracy window (the invariant "accuracy", after every event), and
// every crash detected while the member is down is detected within
// Config.DetectionBound of the crash.
func TestAccuracyUnderBoundedDelay(t *testing.T) {
	cfg := Config{}
	if err := cfg.Valid(); err != nil {
		t.Fatal(err)
	}
	c := newCluster(cfg, faults{}, true)
	simtest.Explore(t, 200, c.build, c.tally)
	if c.total.Detected == 0 || c.total.Slowest > cfg.DetectionBound() {
		t.Errorf("%d crashes detected, the slowest after %v: the bound from the crash is %v", c.total.Detected, c.total.Slowest, cfg.DetectionBound())
	}
	t.Logf("%d suspicions, %d of members up (all within the window after a restart)", c.total.Suspicions, c.total.False)
}

// TestFalseSuspicion: a partition or a delay spike longer than the
// timeout makes the monitor suspect a member that is up, and once the
// heartbeats flow again the member is trusted again.
func TestFalseSuspicion(t *testing.T) {
	c := newCluster(Config{}, faults{partitions: true, spikes: true}, false)
	simtest.Explore(t, 150, c.build, c.tally)
	if c.total.False < c.runs/2 {
		t.Errorf("only %d false suspicions in %d runs", c.total.False, c.runs)
	}
	if c.total.Trusted < c.total.False {
		t.Errorf("%d false suspicions, only %d members trusted again", c.total.False, c.total.Trusted)
	}
	t.Logf("%d runs: %d false suspicions, %d members trusted again", c.runs, c.total.False, c.total.Trusted)
}

// TestExplorationCatchesSenderClock: a monitor that dates heartbeats by
// the member's clock instead of its own is caught by the exploration: a
// member whose clock jumps back looks silent and is suspected while up.
func TestExplorationCatchesSenderClock(t *testing.T) {
	c := newCluster(Config{bug: senderClock}, faults{}, true)
	r := sim.Exploration{Seeds: 300, Build: c.build}.Run()
	if r.Failure == nil || (r.Failure.Check != "accuracy" && r.Failure.Check != "completeness") {
		t.Fatalf("%d seeds passed, or one failed for another reason: %v", r.Schedules, r.Failure)
	}
	t.Logf("caught at seed %d after %d schedules: %s: %v; shrunk to %v", r.Failure.Seed, r.Schedules, r.Failure.Check, r.Failure.Err, r.Shrunk)
}

func BenchmarkExplore(b *testing.B) {
	c := newCluster(Config{}, faults{partitions: true, loss: true, spikes: true}, false)
	for b.Loop() {
		simtest.Explore(b, 100, c.build, c.tally)
	}
}
