package quorum

import (
	"fmt"
	"testing"
	"time"

	"github.com/lamport-kb/lamport/sim"
	"github.com/lamport-kb/lamport/sim/simtest"
)

const ms = time.Millisecond

// clients are the cluster's clients; with N replicas before them, the
// nemesis draws faults over all the nodes.
var clients = []string{"x", "y", "z"}

func nemesis(n int) sim.Nemesis {
	return sim.Nemesis{Nodes: n + len(clients), Horizon: 100 * ms, MaxOutage: 40 * ms,
		Partitions: 2, OneWays: 1, Crashes: 3, Skews: 1, Degrades: 2}
}

// build returns a seeded build of cfg's replicas and three clients on a
// lossy, duplicating, reordering network, with the nemesis's faults.
func build(cfg Config) func(seed uint64) *sim.Sim {
	return func(seed uint64) *sim.Sim {
		s := sim.New(sim.Config{Seed: seed, Faults: nemesis(cfg.n()).Draw(seed),
			Network: sim.Link{Delay: sim.Exponential(ms, 5*ms), Loss: 0.05, Duplicate: 0.05, Reorder: 0.2}})
		if _, err := Simulate(s, cfg, clients...); err != nil {
			panic(err)
		}
		return s
	}
}

func linearizable(s *sim.Sim) error { return Linearizable(s.History(), 5*time.Second) }

func readAfterWrite(s *sim.Sim) error { return ReadAfterWrite(s.History()) }

// strict are quorum configurations with R + W > N.
var strict = []Config{{N: 3, R: 2, W: 2}, {N: 5, R: 3, W: 3}, {N: 3, R: 1, W: 3}, {N: 3, R: 3, W: 1}, {N: 4, R: 2, W: 3}, racy}

// racy widens the windows where reads overlap writes in progress: more
// operations, fewer writes, and a lost message resent only after 40 ms.
var racy = Config{N: 3, R: 2, W: 2, Ops: 10, Retry: 40 * ms, Writes: 0.3}

// TestLinearizable: with R + W > N the register is linearizable (porcupine
// on every run's history), under crashes, partitions, clock skew, loss,
// duplication and reordering.
func TestLinearizable(t *testing.T) {
	for _, cfg := range strict {
		t.Run(cfg.String(), func(t *testing.T) {
			seeds := 20
			if cfg == strict[0] {
				seeds = 80
			}
			simtest.Explore(t, seeds, build(cfg), linearizable)
		})
	}
}

// TestReadSeesCompletedWrite: with R + W > N, a read that begins after a
// write has completed returns that write's version or a newer one. Also
// checks that operations complete: faults heal, and retries get through.
func TestReadSeesCompletedWrite(t *testing.T) {
	for _, cfg := range strict {
		t.Run(cfg.String(), func(t *testing.T) {
			simtest.Explore(t, 30, build(cfg), func(s *sim.Sim) error {
				if err := readAfterWrite(s); err != nil {
					return err
				}
				return allDone(s)
			})
		})
	}
}

// allDone requires that every operation of a client that did not crash
// returned: the quorum waits out partitions and crashes of a minority.
func allDone(s *sim.Sim) error {
	crashed := map[sim.NodeID]bool{}
	for _, e := range s.Events() {
		if e.Kind == sim.EventCrash {
			crashed[e.Node] = true
		}
	}
	for _, op := range s.History() {
		if !op.Done && !crashed[op.Client] {
			return fmt.Errorf("%s's operation from %v never returned", s.Name(op.Client), op.Call)
		}
	}
	return nil
}

// TestWeakQuorumsMissWrites: with R + W ≤ N the quorums can miss each
// other; the exploration finds a read that misses a completed write, and
// the linearizability check fails too.
func TestWeakQuorumsMissWrites(t *testing.T) {
	for _, cfg := range []Config{{N: 3, R: 1, W: 1}, {N: 5, R: 2, W: 3}} {
		t.Run(cfg.String(), func(t *testing.T) {
			if cfg.Strict() {
				t.Fatalf("%v is strict", cfg)
			}
			r := sim.Exploration{Seeds: 200, Build: build(cfg), Check: readAfterWrite, MaxShrink: 20}.Run()
			if r.Failure == nil || r.Failure.Check != "check" {
				t.Fatalf("%d seeds passed, or one failed for another reason: %v", r.Schedules, r.Failure)
			}
			t.Logf("caught at seed %d after %d schedules: %v", r.Failure.Seed, r.Schedules, r.Failure.Err)
			if l := (sim.Exploration{Seeds: 200, Build: build(cfg), Check: linearizable, MaxShrink: 1}.Run()); l.Failure == nil {
				t.Errorf("porcupine accepted %d histories", l.Schedules)
			}
		})
	}
}

// TestReadRepair: when a read returns, its value is on at least W
// replicas' disks, so a later read quorum meets it; checked after every
// event.
func TestReadRepair(t *testing.T) {
	for _, cfg := range []Config{strict[0], racy} {
		simtest.Explore(t, 20, withRepair(cfg), nil)
	}
}

// withRepair is build with the invariant "read repair".
func withRepair(cfg Config) func(seed uint64) *sim.Sim {
	return func(seed uint64) *sim.Sim {
		s := build(cfg)(seed)
		s.Invariant("read repair", func(s *sim.Sim) error { return repaired(s, cfg) })
		return s
	}
}

// repaired checks that every completed read's version is durable on W
// replicas. It decodes each disk once per event, not once per read.
func repaired(s *sim.Sim, cfg Config) error {
	var durable []Version
	for _, op := range s.History() {
		if !op.Done || op.Input.(Input).Write {
			continue
		}
		if durable == nil {
			durable = make([]Version, cfg.n())
			for id := range durable {
				var t Tagged // a replica that never stored anything holds the initial value
				if data, ok := s.Disk(sim.NodeID(id)).Read(registerFile); ok {
					t, _ = decode(data)
				}
				durable[id] = t.Version
			}
		}
		v, holders := op.Output.(Output).Version, 0
		for _, d := range durable {
			if d.Compare(v) >= 0 {
				holders++
			}
		}
		if holders < cfg.w() {
			return fmt.Errorf("a read returned %v, held by %d replicas < W = %d", v, holders, cfg.w())
		}
	}
	return nil
}

// TestExplorationCatchesBrokenVariants: a read that returns without
// writing back breaks read repair at once, and linearizability when two
// reads overlap a write in progress (the new value, then the old), though
// it never misses a completed write.
func TestExplorationCatchesBrokenVariants(t *testing.T) {
	cfg := racy
	cfg.bug = noWriteBack
	r := sim.Exploration{Seeds: 300, Build: build(cfg), Check: linearizable, MaxShrink: 40}.Run()
	if r.Failure == nil || r.Failure.Check != "check" {
		t.Fatalf("%d seeds passed, or one failed for another reason: %v", r.Schedules, r.Failure)
	}
	t.Logf("caught at seed %d after %d schedules: %v; shrunk to %v", r.Failure.Seed, r.Schedules, r.Failure.Err, r.Shrunk)
	s := build(cfg)(r.Failure.Seed)
	s.Run()
	if err := readAfterWrite(s); err != nil {
		t.Errorf("without write-back a read still sees completed writes, but: %v", err)
	}
	if r := (sim.Exploration{Seeds: 100, Build: withRepair(cfg), MaxShrink: 1}.Run()); r.Failure == nil || r.Failure.Check != "read repair" {
		t.Errorf("read repair held over %d seeds without the write-back, or failed for another reason: %v", r.Schedules, r.Failure)
	}
}

func BenchmarkExplore(b *testing.B) {
	for b.Loop() {
		simtest.Explore(b, 100, build(strict[0]), linearizable)
	}
}
