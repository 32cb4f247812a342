package sim_test

import (
	"errors"
	"flag"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/lamport-kb/lamport/sim"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func TestSameSeedSameRun(t *testing.T) {
	faults := sim.Nemesis{Nodes: 4, Horizon: 60 * ms, Partitions: 2, OneWays: 1, Crashes: 2, Skews: 1, Degrades: 2}
	run := func(seed uint64) (string, string) {
		s := cluster(sim.Config{Seed: seed, Faults: faults.Draw(seed), TornWrites: true,
			Network: sim.Link{Delay: sim.Exponential(ms, 4*ms), Loss: 0.05, Duplicate: 0.05, Reorder: 0.3}}, 4)
		mustRun(t, s)
		return s.Trace(), s.Diagram(sim.DiagramOptions{})
	}
	for seed := uint64(1); seed <= 10; seed++ {
		trace1, svg1 := run(seed)
		trace2, svg2 := run(seed)
		if trace1 != trace2 || svg1 != svg2 {
			t.Fatalf("seed %d: two runs differ:\n%s", seed, cmp.Diff(trace1, trace2))
		}
	}
	if a, _ := run(1); a == func() string { b, _ := run(2); return b }() {
		t.Error("seeds 1 and 2 gave the same run")
	}
}

// TestGolden pins the text trace and the diagram of one run with every kind
// of fault; go test -run TestGolden -update rewrites them.
func TestGolden(t *testing.T) {
	s := cluster(sim.Config{Seed: 7, Network: sim.Link{Delay: sim.Uniform(ms, 8*ms), Loss: 0.1}, Faults: []sim.Fault{
		sim.Partition(15*ms, 35*ms, 0),
		sim.OneWay(12*ms, 18*ms, 1, 2),
		sim.Crash(22*ms, 42*ms, 2),
		sim.Skew(5*ms, 1, 3*ms, 0.5),
		sim.Degrade(50*ms, 60*ms, 0, 1, sim.Link{Delay: sim.Fixed(9 * ms), Duplicate: 1}),
	}}, 3)
	mustRun(t, s)
	for name, got := range map[string]string{"pingers.trace": s.Trace(), "pingers.svg": s.Diagram(sim.DiagramOptions{})} {
		golden(t, name, got)
	}
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := "testdata/" + name
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s changed (-want +got); rerun with -update if you meant it:\n%s", path, diff)
	}
}

// recorder keeps what it received, in order.
type recorder struct{ got *[]any }

func (r recorder) Start(*sim.Node)                            {}
func (r recorder) Fire(*sim.Node, string)                     {}
func (r recorder) Receive(_ *sim.Node, _ sim.NodeID, msg any) { *r.got = append(*r.got, msg) }

// sender sends 0..n-1 to node 1 at start.
type sender struct{ n int }

func (s sender) Start(n *sim.Node) {
	for i := range s.n {
		n.Send(1, i)
	}
}
func (sender) Fire(*sim.Node, string)             {}
func (sender) Receive(*sim.Node, sim.NodeID, any) {}

// pair runs a sender of n messages to a recorder over link l.
func pair(t *testing.T, seed uint64, n int, l sim.Link, faults ...sim.Fault) (*sim.Sim, []any) {
	t.Helper()
	var got []any
	s := sim.New(sim.Config{Seed: seed, Network: l, Faults: faults})
	s.Add("tx", func() sim.Handler { return sender{n} })
	s.Add("rx", func() sim.Handler { return recorder{&got} })
	mustRun(t, s)
	return s, got
}

func TestLinks(t *testing.T) {
	inOrder := func(got []any) bool {
		for i := 1; i < len(got); i++ {
			if got[i].(int) < got[i-1].(int) {
				return false
			}
		}
		return true
	}
	t.Run("in order by default", func(t *testing.T) {
		for seed := range uint64(20) {
			if _, got := pair(t, seed, 50, sim.Link{Delay: sim.Uniform(ms, 50*ms)}); len(got) != 50 || !inOrder(got) {
				t.Fatalf("seed %d: got %v", seed, got)
			}
		}
	})
	t.Run("reorder", func(t *testing.T) {
		if _, got := pair(t, 1, 50, sim.Link{Delay: sim.Uniform(ms, 50*ms), Reorder: 1}); len(got) != 50 || inOrder(got) {
			t.Fatalf("got %v, want all 50 out of order", got)
		}
	})
	t.Run("loss", func(t *testing.T) {
		s, got := pair(t, 1, 1000, sim.Link{Delay: sim.Fixed(ms), Loss: 0.3})
		if len(got) < 620 || len(got) > 780 {
			t.Errorf("%d of 1000 delivered with loss 0.3", len(got))
		}
		if lost := count(s, sim.Lost); lost+len(got) != 1000 {
			t.Errorf("%d lost + %d delivered != 1000", lost, len(got))
		}
	})
	t.Run("duplicate", func(t *testing.T) {
		s, got := pair(t, 1, 10, sim.Link{Delay: sim.Fixed(ms), Duplicate: 1})
		if len(got) != 20 || len(s.Messages()) != 20 || !s.Messages()[1].Copy {
			t.Errorf("got %v from %d messages", got, len(s.Messages()))
		}
	})
	t.Run("delays", func(t *testing.T) {
		for _, d := range []sim.Dist{sim.Fixed(3 * ms), sim.Uniform(2*ms, 4*ms), sim.Exponential(2*ms, 5*ms)} {
			s, _ := pair(t, 3, 200, sim.Link{Delay: d, Reorder: 1})
			for _, m := range s.Messages() {
				if wait := m.Arrive - m.Sent; wait < d.Min || (d.Kind != sim.DistExponential && wait > d.Max) {
					t.Fatalf("%v: a message took %v", d, wait)
				}
			}
		}
	})
	t.Run("per link", func(t *testing.T) {
		var got []any
		s := sim.New(sim.Config{})
		s.Add("tx", func() sim.Handler { return sender{5} })
		s.Add("rx", func() sim.Handler { return recorder{&got} })
		s.SetLink(0, 1, sim.Link{Delay: sim.Fixed(ms), Loss: 1})
		mustRun(t, s)
		if len(got) != 0 {
			t.Errorf("a link with loss 1 delivered %v", got)
		}
	})
}

func count(s *sim.Sim, f sim.Fate) int {
	n := 0
	for _, m := range s.Messages() {
		if m.Fate == f {
			n++
		}
	}
	return n
}

// talker sends its tick number to every peer every 10 ms, 10 times.
type talker struct {
	ticks int
	got   *[][2]int // (from, tick)
}

func (k *talker) Start(n *sim.Node) { n.After(10*ms, "tick") }
func (k *talker) Fire(n *sim.Node, _ string) {
	k.ticks++
	n.Broadcast(k.ticks)
	if k.ticks < 10 {
		n.After(10*ms, "tick")
	}
}
func (k *talker) Receive(n *sim.Node, from sim.NodeID, msg any) {
	*k.got = append(*k.got, [2]int{int(from)*10 + int(n.ID()), msg.(int)})
}

// talkers runs three talkers under faults and returns what crossed each
// link: from*10+to → ticks.
func talkers(t *testing.T, faults ...sim.Fault) (*sim.Sim, map[int][]int) {
	t.Helper()
	var got [][2]int
	s := sim.New(sim.Config{Seed: 1, Network: sim.Link{Delay: sim.Fixed(ms)}, Faults: faults})
	for _, name := range []string{"a", "b", "c"} {
		s.Add(name, func() sim.Handler { return &talker{got: &got} })
	}
	mustRun(t, s)
	links := map[int][]int{}
	for _, g := range got {
		links[g[0]] = append(links[g[0]], g[1])
	}
	return s, links
}

func TestPartitions(t *testing.T) {
	all := []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	t.Run("symmetric", func(t *testing.T) {
		_, links := talkers(t, sim.Partition(25*ms, 55*ms, 0))
		want := map[int][]int{
			1: {1, 2, 6, 7, 8, 9, 10}, 2: {1, 2, 6, 7, 8, 9, 10}, // a→b, a→c: cut for ticks 3..5
			10: {1, 2, 6, 7, 8, 9, 10}, 20: {1, 2, 6, 7, 8, 9, 10},
			12: all, 21: all,
		}
		if diff := cmp.Diff(want, links); diff != "" {
			t.Error(diff)
		}
	})
	t.Run("one way", func(t *testing.T) {
		_, links := talkers(t, sim.OneWay(25*ms, 0, 0, 1))
		if diff := cmp.Diff([]int{1, 2}, links[1]); diff != "" {
			t.Error("a→b:", diff)
		}
		if diff := cmp.Diff(all, links[10]); diff != "" {
			t.Error("b→a:", diff)
		}
	})
	t.Run("cut in flight", func(t *testing.T) {
		// A message sent at 10 ms arrives at 11 ms, inside the partition.
		s, links := talkers(t, sim.Partition(10500*time.Microsecond, 12*ms, 2))
		if links[2][0] != 2 || s.Messages()[1].Fate != sim.Cut || s.Messages()[1].Event < 0 {
			t.Errorf("a→c got %v; message 1: %+v", links[2], s.Messages()[1])
		}
	})
	t.Run("degrade", func(t *testing.T) {
		_, links := talkers(t, sim.Degrade(25*ms, 55*ms, 0, 1, sim.Link{Delay: sim.Fixed(ms), Loss: 1}))
		if diff := cmp.Diff([]int{1, 2, 6, 7, 8, 9, 10}, links[1]); diff != "" {
			t.Error(diff)
		}
	})
}

// counter counts its ticks in memory and on disk, synced or not.
type counter struct {
	ticks int
	sync  bool
	boots *[]string // what each boot found: "ticks=N disk=M"
}

func (c *counter) Start(n *sim.Node) {
	data, _ := n.Disk().Read("ticks")
	*c.boots = append(*c.boots, strings.Repeat("x", c.ticks)+string(data))
	n.After(10*ms, "tick")
}
func (c *counter) Fire(n *sim.Node, _ string) {
	c.ticks++
	if err := n.Disk().Append("ticks", []byte("t")); err != nil {
		panic(err)
	}
	if c.sync {
		n.Disk().Sync("ticks")
	}
	n.Note("tick %d", c.ticks)
	n.After(10*ms, "tick")
}
func (c *counter) Receive(*sim.Node, sim.NodeID, any) {}

func TestCrash(t *testing.T) {
	boot := func(cfg sim.Config, sync bool) []string {
		var boots []string
		cfg.Until = 100 * ms
		cfg.Faults = []sim.Fault{sim.Crash(45*ms, 50*ms, 0), sim.Crash(75*ms, 0, 0)}
		s := sim.New(cfg)
		s.Add("n", func() sim.Handler { return &counter{sync: sync, boots: &boots} })
		mustRun(t, s)
		if len(s.Events()) == 0 || s.Events()[len(s.Events())-1].Kind != sim.EventCrash {
			t.Errorf("the node ran after a crash with no restart:\n%s", s.Trace())
		}
		return boots
	}
	if diff := cmp.Diff([]string{"", "tttt"}, boot(sim.Config{}, true)); diff != "" {
		t.Error("synced: volatile state lost, disk kept:", diff)
	}
	if diff := cmp.Diff([]string{"", ""}, boot(sim.Config{}, false)); diff != "" {
		t.Error("unsynced: both lost:", diff)
	}
	torn := map[string]bool{}
	for seed := range uint64(40) {
		torn[boot(sim.Config{Seed: seed, TornWrites: true}, false)[1]] = true
	}
	if len(torn) < 4 {
		t.Errorf("torn writes kept only %v of the four unsynced bytes", torn)
	}
}

func TestDisk(t *testing.T) {
	s := sim.New(sim.Config{DiskLimit: 8})
	s.Add("n", func() sim.Handler { return recorder{new([]any)} })
	d := s.Disk(0)
	if _, ok := d.Read("f"); ok {
		t.Error("a new disk has a file")
	}
	d.Sync("f") // nothing to sync
	if err := d.Write("f", []byte("hello")); err != nil {
		t.Fatal(err)
	}
	if !d.Dirty("f") {
		t.Error("an unsynced write is not dirty")
	}
	d.Sync("f")
	if d.Dirty("f") || !cmp.Equal(d.Files(), []string{"f"}) {
		t.Error("after Sync:", d.Dirty("f"), d.Files())
	}
	if err := d.Append("f", []byte("!!!!")); !errors.Is(err, sim.ErrDiskFull) {
		t.Errorf("a write past the limit: %v", err)
	}
	if data, _ := d.Read("f"); string(data) != "hello" {
		t.Errorf("read %q", data)
	}
	if s.Disk(5) != nil || s.Handler(0) != nil || s.Name(9) != "?" {
		t.Error("unknown or unstarted nodes answer")
	}
}

// clockReader notes its local time at each tick.
type clockReader struct{ seen *[]time.Duration }

func (c clockReader) Start(n *sim.Node) { n.After(10*ms, "tick") }
func (c clockReader) Fire(n *sim.Node, _ string) {
	*c.seen = append(*c.seen, n.Now().Sub(sim.Epoch))
	if len(*c.seen) < 3 {
		n.After(10*ms, "tick")
	}
}
func (clockReader) Receive(*sim.Node, sim.NodeID, any) {}

func TestSkew(t *testing.T) {
	var seen []time.Duration
	s := sim.New(sim.Config{Faults: []sim.Fault{sim.Skew(5*ms, 0, 100*ms, 1)}})
	s.Add("n", func() sim.Handler { return clockReader{&seen} })
	mustRun(t, s)
	// At 5 ms the clock reads 105 ms and runs twice as fast: the first
	// timer, set at 0 for 10 ms, still fires at 10 ms (115 local); the
	// next ones take 5 ms of simulated time for 10 local.
	if diff := cmp.Diff([]time.Duration{115 * ms, 125 * ms, 135 * ms}, seen); diff != "" {
		t.Error(diff)
	}
	if got := s.Now(); got != 20*ms {
		t.Errorf("the last tick at %v, want 20ms", got)
	}
}
