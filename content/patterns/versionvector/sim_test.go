package versionvector

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/lamport-kb/lamport/sim"
	"github.com/lamport-kb/lamport/sim/simtest"
)

const ms = time.Millisecond

// nemesis draws every kind of fault for three replicas in the first 100
// ms, each over by 140 ms; anti-entropy runs for 200 ms (Rounds), so the
// last 60 ms are fault-free.
var nemesis = sim.Nemesis{Nodes: 3, Horizon: 100 * ms, MaxOutage: 40 * ms,
	Partitions: 2, OneWays: 1, Crashes: 2, Skews: 2, Degrades: 2}

// cluster is a seeded build of a three-replica store; hists remembers
// each run's History for the end-of-run checks.
type cluster struct {
	cfg     Config
	nemesis sim.Nemesis
	hists   map[*sim.Sim]*History
}

func newCluster(cfg Config) *cluster {
	cfg.Rounds, cfg.Every = 10, 20*ms
	return &cluster{cfg: cfg, nemesis: nemesis, hists: map[*sim.Sim]*History{}}
}

func (c *cluster) build(seed uint64) *sim.Sim {
	s := sim.New(sim.Config{Seed: seed, Faults: c.nemesis.Draw(seed), Until: time.Second,
		Network: sim.Link{Delay: sim.Exponential(ms, 5*ms), Loss: 0.05, Duplicate: 0.05, Reorder: 0.2}})
	c.hists[s] = Simulate(s, c.cfg, "A", "B", "C")
	return s
}

// converged is the end-of-run check: anti-entropy has made the replicas
// equal, holding exactly the concurrent frontier of the writes.
func (c *cluster) converged(s *sim.Sim) error {
	defer delete(c.hists, s)
	return c.hists[s].Converged(s)
}

var twoKeys = Config{Keys: []string{"cart", "wishlist"}}

// TestNoLostWrite: under partitions, one-way cuts, crashes, clock skew,
// loss, duplication and reordering, every acknowledged write stays a
// sibling on some replica or in the context of a later write that read
// it, and no dot names two writes (both checked after every event).
func TestNoLostWrite(t *testing.T) {
	for _, tt := range []struct {
		cfg   Config
		seeds int
	}{{Config{}, 100}, {twoKeys, 50}, {Config{Sessions: 3, Writes: 4, Think: 3 * ms}, 50}} {
		cfg := tt.cfg
		t.Run(fmt.Sprintf("%d keys, %d sessions", len(cfg.keys()), or(cfg.Sessions, 2)), func(t *testing.T) {
			c := newCluster(cfg)
			simtest.Explore(t, tt.seeds, c.build, func(s *sim.Sim) error { delete(c.hists, s); return nil })
		})
	}
}

// TestConvergence: once the faults stop, anti-entropy brings every
// replica to the same entries and registers, and each key's siblings are
// exactly the writes that no other write read.
func TestConvergence(t *testing.T) {
	for _, tt := range []struct {
		cfg   Config
		seeds int
	}{{Config{}, 80}, {twoKeys, 40}} {
		t.Run(fmt.Sprintf("%d keys", len(tt.cfg.keys())), func(t *testing.T) {
			c := newCluster(tt.cfg)
			simtest.Explore(t, tt.seeds, c.build, c.converged)
		})
	}
}

// lwwCheck fails a run in which last-write-wins dropped an acknowledged
// write (any, or only one that read the write that beat it).
func lwwCheck(c *cluster, onlyLater bool) func(s *sim.Sim) error {
	return func(s *sim.Sim) error {
		defer delete(c.hists, s)
		for _, d := range c.hists[s].LostUnderLWW(s) {
			if !onlyLater || d.Later {
				return fmt.Errorf("last-write-wins dropped %s (%s's write, stamped %v), beaten by %s (%s, stamped %v); later: %v",
					d.Item, s.Name(d.Replica), d.LWW.Stamp.Sub(sim.Epoch), d.By.Item, s.Name(d.By.Replica), d.By.LWW.Stamp.Sub(sim.Epoch), d.Later)
			}
		}
		return nil
	}
}

// TestLWWLosesWrites is the demonstrated negative: on the same runs, the
// exploration finds last-write-wins dropping acknowledged writes, and,
// with clock skew, dropping a write that read the very write that beat
// it (the causally later one); the shrunk schedule keeps a Skew.
func TestLWWLosesWrites(t *testing.T) {
	t.Run("a concurrent write", func(t *testing.T) {
		c := newCluster(Config{})
		r := sim.Exploration{Seeds: 50, Build: c.build, Check: lwwCheck(c, false)}.Run()
		if r.Failure == nil || r.Failure.Check != "check" {
			t.Fatalf("%d seeds and last-write-wins lost nothing: %v", r.Schedules, r.Failure)
		}
		t.Logf("found at seed %d after %d schedules: %v", r.Failure.Seed, r.Schedules, r.Failure.Err)
	})
	t.Run("the causally later write", func(t *testing.T) {
		c := newCluster(Config{})
		r := sim.Exploration{Seeds: 300, Build: c.build, Check: lwwCheck(c, true)}.Run()
		if r.Failure == nil || r.Failure.Check != "check" {
			t.Fatalf("%d seeds and no later write lost: %v", r.Schedules, r.Failure)
		}
		if shrunk := fmt.Sprint(r.Shrunk); !strings.Contains(shrunk, "Skew") {
			t.Errorf("shrunk to %s, without a clock skew", shrunk)
		}
		t.Logf("found at seed %d after %d schedules: %v; shrunk to %v", r.Failure.Seed, r.Schedules, r.Failure.Err, r.Shrunk)
	})
}

// TestLWWNeedsSkewToDropALaterWrite: with every fault but clock skew,
// last-write-wins drops concurrent writes only: a write that read another
// is stamped later than it, since time runs on between the two.
func TestLWWNeedsSkewToDropALaterWrite(t *testing.T) {
	c := newCluster(Config{})
	c.nemesis.Skews = 0
	simtest.Explore(t, 60, c.build, lwwCheck(c, true))
}

// TestExplorationCatchesBrokenVariants: each deliberately broken store is
// caught by the lost-write or the dots invariant.
func TestExplorationCatchesBrokenVariants(t *testing.T) {
	for _, tt := range []struct {
		name string
		bug  bug
	}{
		{"the dot counts from the client's context", dotFromContext},
		{"a write replaces every sibling it finds", ignoreContext},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := newCluster(Config{bug: tt.bug})
			r := sim.Exploration{Seeds: 300, Build: c.build}.Run()
			if r.Failure == nil || (r.Failure.Check != "no lost write" && r.Failure.Check != "dots") {
				t.Fatalf("%d seeds passed, or one failed for another reason: %v", r.Schedules, r.Failure)
			}
			t.Logf("caught at seed %d after %d schedules: %v; shrunk to %v", r.Failure.Seed, r.Schedules, r.Failure.Err, r.Shrunk)
		})
	}
}

// TestScript: a scripted run writes exactly its script, in both stores.
func TestScript(t *testing.T) {
	script := []Write{
		{At: 5 * ms, Replica: 0, Key: "cart", Item: "milk"},
		{At: 40 * ms, Replica: 1, Key: "cart", Item: "eggs"},
	}
	s := sim.New(sim.Config{Seed: 1, Until: time.Second, Faults: []sim.Fault{sim.Skew(ms, 0, 100*ms, 0)}})
	h := Simulate(s, Config{Script: script, Rounds: 10}, "A", "B")
	if err := s.Run(); err != nil {
		t.Fatal(err)
	}
	if err := h.Converged(s); err != nil {
		t.Fatal(err)
	}
	vv, lww := h.Kept(s, "cart")
	if fmt.Sprint(vv, lww) != "[eggs milk] [milk]" {
		t.Errorf("kept %v under version vectors, %v under last-write-wins", vv, lww)
	}
	lost := h.LostUnderLWW(s)
	if len(lost) != 1 || lost[0].Item != "eggs" || !lost[0].Later || !lost[0].Dropped || lost[0].By.Item != "milk" {
		t.Errorf("lost under last-write-wins: %+v", lost)
	}
	if m := s.Messages(); len(m) < 2 || fmt.Sprint(m[0].Payload) != "put cart += milk (try 1)" || !strings.HasPrefix(fmt.Sprint(m[1].Payload), "sync cart [") {
		t.Errorf("messages: %v", m)
	}
	for _, r := range h.Requests(s) {
		if len(r.Tries) != 1 || r.Acked() == nil || r.Tries[0].Written.Item != r.Item {
			t.Errorf("%s: %s: %v", r.Item, r.Fate(), r.Tries)
		}
	}
}

// TestScriptSurvivesCrashes: the script's writes come from the client,
// whatever the faults. B is down when its write is due, so the client
// tries C, which is cut off, and then A, which acknowledges it; with every
// replica down the write is sent three times and never acknowledged. The
// fate of each try is told from the run.
func TestScriptSurvivesCrashes(t *testing.T) {
	script := []Write{
		{At: 5 * ms, Replica: 0, Key: "cart", Item: "milk"},
		{At: 20 * ms, Replica: 1, Key: "cart", Item: "eggs"},
	}
	for _, tt := range []struct {
		name    string
		faults  []sim.Fault
		fate    string
		tries   []string
		written string
	}{
		{
			name:    "B down, C cut off",
			faults:  []sim.Fault{sim.Crash(10*ms, 0, 1), sim.Partition(15*ms, 60*ms, 2)},
			fate:    "acknowledged by A at 107.461818ms, after 3 tries",
			tries:   []string{"to B at 20ms: B was down", "to C at 50ms: the request was cut by a partition", "to A at 80ms: written as A:2, acknowledged at 107.461818ms"},
			written: "[milk eggs]",
		},
		{
			name:    "every replica down",
			faults:  []sim.Fault{sim.Crash(10*ms, 0, 0), sim.Crash(10*ms, 0, 1), sim.Crash(10*ms, 0, 2)},
			fate:    "never acknowledged, after 3 tries",
			tries:   []string{"to B at 20ms: B was down", "to C at 50ms: C was down", "to A at 80ms: A was down"},
			written: "[]",
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := sim.New(sim.Config{Seed: 1, Until: 300 * ms, Faults: tt.faults})
			h := Simulate(s, Config{Script: script, Timeout: 30 * ms, Rounds: 10}, "A", "B", "C")
			if err := s.Run(); err != nil {
				t.Fatal(err)
			}
			eggs := h.Requests(s)[1]
			var tries []string
			for _, tr := range eggs.Tries {
				tries = append(tries, tr.String())
			}
			if diff := cmp.Diff(tt.tries, tries); diff != "" || eggs.Fate() != tt.fate {
				t.Errorf("eggs: %s (want %s); tries (-want +got):\n%s", eggs.Fate(), tt.fate, diff)
			}
			var written []string
			for _, w := range h.Writes {
				written = append(written, w.Item)
			}
			if fmt.Sprint(written) != tt.written {
				t.Errorf("written %v, want %s", written, tt.written)
			}
		})
	}
}

// TestCorruptDisk: a replica whose state file does not decode fails the
// run at its restart (a panic the simulator reports), not silently.
func TestCorruptDisk(t *testing.T) {
	s := sim.New(sim.Config{Seed: 1, Until: 100 * ms, Faults: []sim.Fault{sim.Crash(20*ms, 30*ms, 0)}})
	Simulate(s, Config{}, "A", "B")
	s.Invariant("corrupt", func(s *sim.Sim) error {
		if s.Handler(0) == nil {
			s.Disk(0).Write(stateFile, []byte("{"))
			s.Disk(0).Sync(stateFile)
		}
		return nil
	})
	var f *sim.Failure
	if err := s.Run(); !errors.As(err, &f) || f.Check != "panic" {
		t.Errorf("run: %v", err)
	}
}

func BenchmarkExplore(b *testing.B) {
	c := newCluster(Config{})
	for b.Loop() {
		simtest.Explore(b, 100, c.build, c.converged)
	}
}

func BenchmarkMerge(b *testing.B) {
	x := Vector{"A": 3, "B": 1, "C": 7}
	y := Vector{"A": 2, "B": 5, "D": 1}
	for b.Loop() {
		x.Merge(y)
	}
}

func BenchmarkEntryMerge(b *testing.B) {
	var x, y Entry
	x, _ = x.Put("A", nil, "milk")
	y, _ = y.Put("B", nil, "eggs")
	y = y.Merge(x)
	x, _ = x.Put("A", x.Context(), "milk tea")
	for b.Loop() {
		x.Merge(y)
	}
}

// TestTryFates: what the history tells of each try matches what the run
// did to it, for a client that crashes, a link that duplicates every
// message, an acknowledgement cut on its way back, and a run that ends
// with a request on the wire.
func TestTryFates(t *testing.T) {
	script := []Write{{At: 5 * ms, Replica: 0, Key: "cart", Item: "milk"}}
	for _, tt := range []struct {
		name  string
		cfg   sim.Config
		fate  string
		tries []string
	}{
		{
			name: "the client is down",
			cfg:  sim.Config{Faults: []sim.Fault{sim.Crash(ms, 0, 3)}},
			fate: "never sent: the client was down",
		},
		{
			name:  "every message duplicated",
			cfg:   sim.Config{Network: sim.Link{Delay: sim.Uniform(ms, 10*ms), Duplicate: 1}},
			fate:  "acknowledged by A at 20.828133ms",
			tries: []string{"to A at 5ms: written as A:1, acknowledged at 20.828133ms"},
		},
		{
			name: "the acknowledgement cut",
			cfg:  sim.Config{Faults: []sim.Fault{sim.OneWay(0, 0, 0, 3)}},
			fate: "acknowledged by B at 50.106032ms, after 2 tries",
			tries: []string{
				"to A at 5ms: written as A:1, but the acknowledgement was cut by a partition",
				"to B at 35ms: written as B:1, acknowledged at 50.106032ms",
			},
		},
		{
			name:  "the run ends first",
			cfg:   sim.Config{Until: 6 * ms, Network: sim.Link{Delay: sim.Fixed(2 * ms)}},
			fate:  "never acknowledged, after 1 try",
			tries: []string{"to A at 5ms: still on the wire at the end"},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tt.cfg
			cfg.Seed = 1
			s := sim.New(cfg)
			h := Simulate(s, Config{Script: script, Think: ms, Timeout: 30 * ms, Rounds: 3}, "A", "B", "C")
			if err := s.Run(); err != nil {
				t.Fatal(err)
			}
			r := h.Requests(s)[0]
			var tries []string
			for _, tr := range r.Tries {
				tries = append(tries, tr.String())
			}
			if diff := cmp.Diff(tt.tries, tries); diff != "" || r.Fate() != tt.fate {
				t.Errorf("%s (want %s); tries (-want +got):\n%s", r.Fate(), tt.fate, diff)
			}
			if n := len(h.Writes); n > len(r.Tries) {
				t.Errorf("%d writes of %d tries: a duplicate was written twice", n, len(r.Tries))
			}
		})
	}
}
