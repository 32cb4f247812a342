package sim_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"
	"github.com/google/go-cmp/cmp"
	"github.com/lamport-kb/lamport/sim"
)

func TestInvariantStopsTheRun(t *testing.T) {
	s := cluster(sim.Config{Seed: 3}, 3)
	s.Invariant("few messages", func(s *sim.Sim) error {
		if n := len(s.Messages()); n > 4 {
			return fmt.Errorf("%d messages", n)
		}
		return nil
	})
	err := s.Run()
	var f *sim.Failure
	if !errors.As(err, &f) || f.Check != "few messages" || f.Seed != 3 || f.Event != len(s.Events())-1 {
		t.Fatalf("Run = %v (%+v)", err, f)
	}
	if !strings.Contains(err.Error(), "few messages failed at") || errors.Unwrap(err) == nil {
		t.Errorf("error %q", err)
	}
	if err := s.Run(); err == nil {
		t.Error("a second Run did not fail")
	}
}

// bomb panics on its first timer, or floods the network.
type bomb struct{ flood bool }

func (b bomb) Start(n *sim.Node) { n.After(ms, "go") }
func (b bomb) Fire(n *sim.Node, _ string) {
	if !b.flood {
		panic("boom")
	}
	for {
		n.Send(n.ID(), "spam")
	}
}
func (bomb) Receive(*sim.Node, sim.NodeID, any) {}

func TestFailures(t *testing.T) {
	run := func(h sim.Handler, cfg sim.Config) error {
		s := sim.New(cfg)
		s.Add("x", func() sim.Handler { return h })
		return s.Run()
	}
	var f *sim.Failure
	if err := run(bomb{}, sim.Config{}); !errors.As(err, &f) || f.Check != "panic" || !strings.Contains(f.Err.Error(), "boom") {
		t.Errorf("panic: %v", err)
	}
	if err := run(bomb{flood: true}, sim.Config{MaxEvents: 500}); !errors.Is(err, sim.ErrEventLimit) {
		t.Errorf("flood: %v", err)
	}
	if err := sim.New(sim.Config{}).Run(); err == nil {
		t.Error("a run without nodes did not fail")
	}
	for _, fault := range []sim.Fault{
		sim.Crash(10*ms, 0, 3), sim.Partition(0, 0), sim.Partition(5*ms, 2*ms, 0),
		sim.OneWay(0, 0, 0, 0), sim.Skew(-ms, 0, 0, 0), sim.Degrade(0, 0, 0, 7, sim.Link{}),
	} {
		err := run(recorder{new([]any)}, sim.Config{Faults: []sim.Fault{fault}})
		if err == nil || !strings.Contains(err.Error(), fault.String()) {
			t.Errorf("%v: %v", fault, err)
		}
	}
}

// TestSendToUnknown: a handler's mistake fails the run with a clear error.
func TestSendToUnknown(t *testing.T) {
	s := sim.New(sim.Config{})
	s.Add("a", func() sim.Handler { return sender{1} }) // sends to node 1, which does not exist
	if err := s.Run(); err == nil || !strings.Contains(err.Error(), "a sends to unknown node 1") {
		t.Errorf("Run = %v", err)
	}
}

// timers sets three timers and cancels the second.
type timers struct{ fired *[]string }

func (k timers) Start(n *sim.Node) {
	n.After(ms, "one")
	n.Cancel(n.After(2*ms, "two"))
	id := n.After(3*ms, "three")
	n.Cancel(id + 10) // unknown: nothing happens
	n.After(-ms, "now")
}
func (k timers) Fire(n *sim.Node, name string) {
	*k.fired = append(*k.fired, fmt.Sprintf("%s@%v", name, n.Now().Sub(sim.Epoch)))
	n.Note("fired %s", name)
	n.Note("again")
}
func (timers) Receive(*sim.Node, sim.NodeID, any) {}

func TestTimers(t *testing.T) {
	var fired []string
	s := sim.New(sim.Config{})
	s.Add("a", func() sim.Handler { return timers{&fired} })
	mustRun(t, s)
	if diff := cmp.Diff([]string{"now@0s", "one@1ms", "three@3ms"}, fired); diff != "" {
		t.Error(diff)
	}
	if !strings.Contains(s.Trace(), "timer one  (fired one; again)") {
		t.Errorf("trace:\n%s", s.Trace())
	}
}

func TestNemesis(t *testing.T) {
	m := sim.Nemesis{Nodes: 5, Horizon: time.Second, Partitions: 3, OneWays: 2, Crashes: 3, Skews: 2, Degrades: 2, Permanent: true}
	kinds := map[string]bool{}
	for seed := range uint64(100) {
		faults := m.Draw(seed)
		if diff := cmp.Diff(fmt.Sprint(faults), fmt.Sprint(m.Draw(seed))); diff != "" {
			t.Fatalf("seed %d drew two schedules: %s", seed, diff)
		}
		s := cluster(sim.Config{Seed: seed, Faults: faults, Until: 2 * time.Second}, 5)
		mustRun(t, s) // every drawn fault is valid
		for _, f := range faults {
			kinds[strings.SplitN(f.String(), "(", 2)[0]] = true
		}
	}
	if len(kinds) != 5 {
		t.Errorf("100 schedules drew only %v", kinds)
	}
	if (sim.Nemesis{}).Draw(1) != nil || len((sim.Nemesis{Nodes: 1, Partitions: 5}).Draw(1)) != 0 {
		t.Error("a nemesis without nodes or partners drew faults")
	}
}

// fragile fails when node 1 crashes while node 0 is cut off: the
// shrinker should find those two faults among many.
func fragile(seed uint64) *sim.Sim {
	faults := sim.Nemesis{Nodes: 3, Horizon: 50 * ms, Skews: 3, Degrades: 3, OneWays: 2}.Draw(seed)
	faults = append(faults, sim.Crash(20*ms, 30*ms, 1), sim.Partition(15*ms, 40*ms, 0))
	s := cluster(sim.Config{Seed: seed, Faults: faults}, 3)
	crashed, cut := false, false
	s.Invariant("not both", func(s *sim.Sim) error {
		e := s.Events()[len(s.Events())-1]
		switch e.Kind {
		case sim.EventCrash:
			crashed = true
		case sim.EventPartition:
			cut = cut || strings.HasPrefix(e.Note, "{n0}")
		}
		if crashed && cut {
			return errors.New("a crash during the partition")
		}
		return nil
	})
	return s
}

func TestExplorationShrinks(t *testing.T) {
	r := sim.Exploration{Seeds: 5, Build: fragile}.Run()
	if r.Failure == nil || r.Failure.Seed != 1 || r.Schedules != 1 {
		t.Fatalf("report %+v", r)
	}
	want := "[Crash(20ms, 30ms, 1) Partition(15ms, 40ms, 0)]" // as fmt prints the slice
	if got := fmt.Sprint(r.Shrunk); got != want || len(r.Failure.Faults) <= 2 {
		t.Errorf("shrunk %d faults to %s, want %s", len(r.Failure.Faults), got, want)
	}
	text := r.Explain("TestX/sub case", false)
	for _, s := range []string{"not both failed", "shrunk in", "Crash(20ms, 30ms, 1), Partition(15ms, 40ms, 0)", "20.000ms  n1       crash", "LAMPORT_SEED=1 go test -run '^TestX$/^sub case$' ."} {
		if !strings.Contains(text, s) {
			t.Errorf("the explanation lacks %q:\n%s", s, text)
		}
	}
}

func TestExplorationCheck(t *testing.T) {
	calls := 0
	build := func(seed uint64) *sim.Sim { return cluster(sim.Config{Seed: seed}, 2) }
	r := sim.Exploration{Seeds: 10, First: 4, Build: build, Check: func(s *sim.Sim) error {
		if calls++; s.Seed() == 7 {
			return errors.New("seven")
		}
		return nil
	}}.Run()
	if r.Failure == nil || r.Failure.Seed != 7 || r.Failure.Check != "check" || r.Schedules != 4 || len(r.Shrunk) != 0 {
		t.Errorf("report %+v after %d checks", r, calls)
	}
	if r.EventsPerSecond() <= 0 || r.SchedulesPerSecond() <= 0 {
		t.Error("no rates")
	}
	bad := sim.Exploration{Seeds: 3, Build: func(seed uint64) *sim.Sim {
		return cluster(sim.Config{Faults: []sim.Fault{sim.Crash(0, 0, 9)}}, 2)
	}}.Run()
	if bad.Failure == nil || bad.Failure.Check != "configuration" {
		t.Errorf("a bad schedule: %+v", bad.Failure)
	}
}

func TestExplore(t *testing.T) {
	r := sim.Exploration{Seeds: 50, Build: func(seed uint64) *sim.Sim {
		return cluster(sim.Config{Seed: seed, Faults: sim.Nemesis{Nodes: 3, Horizon: 50 * ms, Partitions: 1, Crashes: 1}.Draw(seed)}, 3)
	}}.Run()
	if r.Schedules != 50 || r.Events < 50*30 {
		t.Errorf("explored %d schedules, %d events", r.Schedules, r.Events)
	}
}

func BenchmarkExplore(b *testing.B) {
	build := func(seed uint64) *sim.Sim {
		return cluster(sim.Config{Seed: seed, Faults: sim.Nemesis{Nodes: 5, Horizon: 50 * ms, Partitions: 2, Crashes: 2, Degrades: 1}.Draw(seed)}, 5)
	}
	for b.Loop() {
		r := sim.Exploration{Seeds: 100, Build: build}.Run()
		b.ReportMetric(r.SchedulesPerSecond(), "schedules/s")
		b.ReportMetric(r.EventsPerSecond(), "events/s")
	}
}

// register is a key-value register of one key; replicas copy its writes
// to each other, and reads are served locally (stale: not linearizable)
// or by node 0 (linearizable).
type register struct {
	value    int
	replicas int // nodes 0 .. replicas-1 hold the register
}

type write struct{ V int }
type read struct{}
type copyOf struct{ V int }
type reply struct {
	Op OpRef
	V  int
}

// OpRef carries a client's operation ID through the network.
type OpRef struct{ ID sim.OpID }

type request struct {
	Op OpRef
	In any
}

func (r *register) Start(*sim.Node)        {}
func (r *register) Fire(*sim.Node, string) {}
func (r *register) Receive(n *sim.Node, from sim.NodeID, msg any) {
	switch m := msg.(type) {
	case copyOf:
		r.value = m.V
	case request:
		switch in := m.In.(type) {
		case write:
			r.value = in.V
			for p := range sim.NodeID(r.replicas) {
				if p != n.ID() {
					n.Send(p, copyOf(in))
				}
			}
			n.Send(from, reply{m.Op, 0})
		case read:
			n.Send(from, reply{m.Op, r.value})
		}
	}
}

// client writes 1..5 to node 0 and reads from the replica it picks.
type client struct {
	k     int
	stale bool
}

func (c *client) Start(n *sim.Node) { n.After(ms, "op") }
func (c *client) Fire(n *sim.Node, _ string) {
	c.k++
	if c.k > 10 {
		return
	}
	var in any = read{}
	to := sim.NodeID(0)
	if c.k%2 == 1 {
		in = write{c.k}
	} else if c.stale {
		to = 1
	}
	n.Send(to, request{OpRef{n.Invoke(in)}, in})
}
func (c *client) Receive(n *sim.Node, _ sim.NodeID, msg any) {
	m := msg.(reply)
	n.Return(m.Op.ID, m.V)
	n.After(ms, "op")
}

var registerModel = porcupine.Model{
	Init: func() any { return 0 },
	Step: func(state, input, output any) (bool, any) {
		switch in := input.(type) {
		case write:
			return true, in.V
		default:
			return output == nil || output == state, state
		}
	},
}

func TestLinearizable(t *testing.T) {
	run := func(seed uint64, stale bool) *sim.Sim {
		s := sim.New(sim.Config{Seed: seed, Network: sim.Link{Delay: sim.Exponential(ms, 5*ms), Reorder: 1}})
		s.Add("primary", func() sim.Handler { return &register{replicas: 2} })
		s.Add("replica", func() sim.Handler { return &register{replicas: 2} })
		s.Add("c1", func() sim.Handler { return &client{stale: stale} })
		s.Add("c2", func() sim.Handler { return &client{stale: stale} })
		return mustRun(t, s)
	}
	caught := 0
	for seed := range uint64(50) {
		if err := sim.Linearizable(registerModel, run(seed, false).History(), time.Second); err != nil {
			t.Fatalf("seed %d: reads from the primary: %v", seed, err)
		}
		if sim.Linearizable(registerModel, run(seed, true).History(), time.Second) != nil {
			caught++
		}
	}
	if caught == 0 {
		t.Error("stale reads from the replica were never caught in 50 seeds")
	}
	t.Logf("stale reads caught in %d of 50 seeds", caught)
}

func TestHistory(t *testing.T) {
	s := sim.New(sim.Config{Faults: []sim.Fault{sim.Crash(4500*time.Microsecond, 0, 0)}, Network: sim.Link{Delay: sim.Fixed(ms)}})
	s.Add("primary", func() sim.Handler { return &register{replicas: 1} })
	s.Add("c", func() sim.Handler { return &client{} })
	mustRun(t, s)
	h := s.History()
	if len(h) != 2 || !h[0].Done || h[1].Done || h[0].Return != 3*ms {
		t.Fatalf("history %+v", h)
	}
	ops := sim.Operations(h)
	if ops[0].Call != int64(ms) || ops[0].Return != int64(3*ms) || ops[1].Return != 1<<63-1 || ops[1].ClientId != 1 {
		t.Errorf("operations %+v", ops)
	}
	if err := sim.Linearizable(registerModel, h, 0); err != nil {
		t.Error(err)
	}
	slow := registerModel
	slow.Step = func(state, input, output any) (bool, any) { time.Sleep(20 * ms); return false, state }
	if err := sim.Linearizable(slow, h, time.Millisecond); err == nil || !strings.Contains(err.Error(), "timed out") {
		t.Errorf("a slow check: %v", err)
	}
}

// badReturn returns an operation it did not invoke.
type badReturn struct{}

func (badReturn) Start(n *sim.Node)                  { n.Return(3, nil) }
func (badReturn) Fire(*sim.Node, string)             {}
func (badReturn) Receive(*sim.Node, sim.NodeID, any) {}

func TestReturnUnknown(t *testing.T) {
	s := sim.New(sim.Config{})
	s.Add("a", func() sim.Handler { return badReturn{} })
	if err := s.Run(); err == nil || !strings.Contains(err.Error(), "has not invoked") {
		t.Errorf("Run = %v", err)
	}
}

// badRestart panics when it boots again after a crash.
type badRestart struct{}

func (badRestart) Start(n *sim.Node) {
	if n.Incarnation() > 1 {
		panic("cannot recover")
	}
}
func (badRestart) Fire(*sim.Node, string)             {}
func (badRestart) Receive(*sim.Node, sim.NodeID, any) {}

func TestPanicNamesTheNode(t *testing.T) {
	s := sim.New(sim.Config{Faults: []sim.Fault{sim.Crash(ms, 2*ms, 1)}})
	s.Add("a", func() sim.Handler { return badRestart{} })
	s.Add("b", func() sim.Handler { return badRestart{} })
	if err := s.Run(); err == nil || !strings.Contains(err.Error(), "b: cannot recover") {
		t.Errorf("Run = %v", err)
	}
}
