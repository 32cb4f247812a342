package lamportclock

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/lamport-kb/lamport/sim"
	"github.com/lamport-kb/lamport/sim/simtest"
)

const ms = time.Millisecond

// nemesis draws every kind of fault for a four-process cluster.
var nemesis = sim.Nemesis{Nodes: 4, Horizon: 100 * ms, MaxOutage: 40 * ms,
	Partitions: 2, OneWays: 1, Crashes: 3, Skews: 2, Degrades: 2}

// cluster is a seeded build of four processes, with the clock variant
// given; logs remembers each run's Log for the end-of-run check.
type cluster struct {
	bug  bug
	torn bool // crashes may tear unsynced writes
	logs map[*sim.Sim]*Log
}

func newCluster(b bug) *cluster {
	return &cluster{bug: b, torn: b == correct, logs: map[*sim.Sim]*Log{}}
}

func (c *cluster) build(seed uint64) *sim.Sim {
	s := sim.New(sim.Config{Seed: seed, TornWrites: c.torn, Faults: nemesis.Draw(seed),
		Network: sim.Link{Delay: sim.Exponential(ms, 6*ms), Loss: 0.05, Duplicate: 0.05, Reorder: 0.2}})
	c.logs[s] = Simulate(s, Config{Window: 4, bug: c.bug}, "a", "b", "c", "d")
	return s
}

// check is the full clock condition over every pair of events.
func (c *cluster) check(s *sim.Sim) error {
	defer delete(c.logs, s)
	return c.logs[s].ClockCondition()
}

// TestClockCondition: under every kind of fault (torn writes included:
// the ceiling is synced before it is used, so none can reach it), if a
// happened before b then C(a) < C(b), checked after every event
// (Simulate's invariant) and over every pair at the end of each run.
func TestClockCondition(t *testing.T) {
	c := newCluster(correct)
	simtest.Explore(t, 300, c.build, c.check)
}

// TestTotalOrder: the stamps (C, process) of a run's events are all
// distinct, and their order extends happened-before.
func TestTotalOrder(t *testing.T) {
	c := newCluster(correct)
	simtest.Explore(t, 100, c.build, func(s *sim.Sim) error {
		l := c.logs[s]
		order := l.Order()
		pos := make([]int, len(order))
		for i, e := range order {
			pos[e] = i
			if i > 0 && l.Events[order[i-1]].Stamp().Compare(l.Events[e].Stamp()) >= 0 {
				return fmt.Errorf("stamps %v and %v are not strictly ordered", l.Events[order[i-1]].Stamp(), l.Events[e].Stamp())
			}
		}
		for b := range l.Events {
			for a := range b {
				if l.HappenedBefore(a, b) && pos[a] > pos[b] {
					return fmt.Errorf("event %d happened before %d but comes after it", a, b)
				}
			}
		}
		return nil
	})
}

// TestConverseFails: C(a) < C(b) does not mean that a happened before b.
// In nearly every run some concurrent events are ordered by the clock.
func TestConverseFails(t *testing.T) {
	c := newCluster(correct)
	runs, with := 0, 0
	simtest.Explore(t, 50, c.build, func(s *sim.Sim) error {
		runs++
		if _, concurrent := c.logs[s].Pairs(); concurrent > 0 {
			with++
		}
		return nil
	})
	if with < runs*9/10 {
		t.Errorf("only %d of %d runs had concurrent events", with, runs)
	}
}

// TestExplorationCatchesBrokenVariants: the seeded exploration finds each
// deliberately broken clock, and the durability bugs need a crash.
func TestExplorationCatchesBrokenVariants(t *testing.T) {
	for _, tt := range []struct {
		name  string
		bug   bug
		crash bool
	}{
		{"receipt ignores the message's time", noMax, false},
		{"ceiling written, never synced", noFsync, true},
		{"clock not saved", volatile, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := newCluster(tt.bug)
			r := sim.Exploration{Seeds: 300, Build: c.build, Check: c.check}.Run()
			if r.Failure == nil || (r.Failure.Check != "clock condition" && r.Failure.Check != "check") {
				t.Fatalf("%d seeds passed, or one failed for another reason: %v", r.Schedules, r.Failure)
			}
			if shrunk := fmt.Sprint(r.Shrunk); strings.Contains(shrunk, "Crash") != tt.crash {
				t.Errorf("shrunk to %s", shrunk)
			}
			t.Logf("caught at seed %d after %d schedules: %v; shrunk to %v", r.Failure.Seed, r.Schedules, r.Failure.Err, r.Shrunk)
		})
	}
}

func BenchmarkExplore(b *testing.B) {
	c := newCluster(correct)
	for b.Loop() {
		simtest.Explore(b, 100, c.build, c.check)
	}
}

func BenchmarkTick(b *testing.B) {
	var c Clock
	for b.Loop() {
		c.Tick()
	}
}

func BenchmarkReceiveParallel(b *testing.B) {
	var c Clock
	b.RunParallel(func(pb *testing.PB) {
		for t := Time(0); pb.Next(); t += 2 {
			c.Receive(t)
		}
	})
}

func BenchmarkDurableTick(b *testing.B) {
	d, _ := Restore(&memStore{}, DefaultWindow)
	for b.Loop() {
		d.Tick()
	}
}
