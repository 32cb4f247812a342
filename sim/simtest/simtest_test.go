package simtest

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/lamport-kb/lamport/internal/proptest"
	"github.com/lamport-kb/lamport/sim"
)

// echo answers every message once: two nodes ping-pong a few times.
type echo struct{ left int }

func (e *echo) Start(n *sim.Node) {
	e.left = 3
	if n.ID() == 0 {
		n.Send(1, "ping")
	}
}

func (e *echo) Receive(n *sim.Node, from sim.NodeID, msg any) {
	if e.left--; e.left > 0 {
		n.Send(from, msg)
	}
}

func (e *echo) Fire(*sim.Node, string) {}

func pair(seed uint64) *sim.Sim {
	s := sim.New(sim.Config{Seed: seed})
	for _, name := range []string{"a", "b"} {
		s.Add(name, func() sim.Handler { return &echo{} })
	}
	return s
}

func TestExploreScalesWithLAMPORT_SEEDS(t *testing.T) {
	t.Setenv(proptest.Variable, "3")
	if r := Explore(t, 20, pair, nil); r.Schedules != 60 || r.Events == 0 {
		t.Errorf("explored %d schedules, %d events; want 60 schedules", r.Schedules, r.Events)
	}
}

func TestExploreRunsOneSeed(t *testing.T) {
	t.Setenv(SeedVariable, "17")
	var seeds []uint64
	Explore(t, 50, func(seed uint64) *sim.Sim {
		seeds = append(seeds, seed)
		return pair(seed)
	}, nil)
	if len(seeds) != 1 || seeds[0] != 17 {
		t.Errorf("ran seeds %v, want only 17", seeds)
	}
}

func TestExploreRejectsABadSeed(t *testing.T) {
	t.Setenv(SeedVariable, "x")
	if _, err := seed(); err == nil || !strings.Contains(err.Error(), SeedVariable) {
		t.Errorf("LAMPORT_SEED=x: %v", err)
	}
}

func TestExplainNamesTheReproduction(t *testing.T) {
	r := sim.Exploration{Seeds: 5, Build: pair, Check: func(s *sim.Sim) error {
		if s.Seed() == 3 {
			return errTest
		}
		return nil
	}}.Run()
	if r.Failure == nil {
		t.Fatal("seed 3 passed its check")
	}
	if text := r.Explain("TestX", false); !strings.Contains(text, "LAMPORT_SEED=3 go test -run '^TestX$' .") {
		t.Errorf("no reproduction line in:\n%s", text)
	}
}

var errTest = errors.New("seed three")

func BenchmarkExplore(b *testing.B) {
	build := func(seed uint64) *sim.Sim {
		s := pair(seed)
		s.SetFaults(sim.Nemesis{Nodes: 2, Horizon: 50 * time.Millisecond, Partitions: 1, Crashes: 1}.Draw(seed))
		return s
	}
	for b.Loop() {
		Explore(b, 100, build, nil)
	}
}
