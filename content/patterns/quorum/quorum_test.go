package quorum

import (
	"errors"
	"math/bits"
	"strings"
	"testing"
	"testing/quick"

	"github.com/google/go-cmp/cmp"
	"github.com/lamport-kb/lamport/sim"
)

// TestQuorumsIntersect: over every read set of size r and write set of
// size w out of n ≤ 8 replicas, the smallest intersection is Overlap(n, r,
// w); so every pair meets exactly when R + W > N.
func TestQuorumsIntersect(t *testing.T) {
	for n := 1; n <= 8; n++ {
		for r := 1; r <= n; r++ {
			for w := 1; w <= n; w++ {
				if got, want := smallestIntersection(n, r, w), Overlap(n, r, w); got != want {
					t.Errorf("n=%d r=%d w=%d: smallest intersection %d, Overlap %d", n, r, w, got, want)
				}
				if cfg := (Config{N: n, R: r, W: w}); cfg.Strict() != (r+w > n) {
					t.Errorf("%v: Strict = %v", cfg, cfg.Strict())
				}
			}
		}
	}
}

// smallestIntersection enumerates the subsets of n replicas as bit sets.
func smallestIntersection(n, r, w int) int {
	least := n
	for a := range 1 << n {
		if bits.OnesCount(uint(a)) != r {
			continue
		}
		for b := range 1 << n {
			if bits.OnesCount(uint(b)) == w {
				least = min(least, bits.OnesCount(uint(a&b)))
			}
		}
	}
	return least
}

// TestMajority: any two majorities overlap, and one fewer does not
// guarantee it.
func TestMajority(t *testing.T) {
	for n := 1; n <= 9; n++ {
		q := Majority(n)
		if Overlap(n, q, q) < 1 || (q > 1 && Overlap(n, q-1, q-1) > 0) {
			t.Errorf("n=%d: Majority %d", n, q)
		}
	}
}

// TestVersionOrder: Compare is a strict total order on distinct versions,
// and Newer agrees with it.
func TestVersionOrder(t *testing.T) {
	f := func(a, b, c Version) bool {
		if (a.Compare(b) == 0) != (a == b) || a.Compare(b) != -b.Compare(a) {
			return false
		}
		if (Tagged{Version: a}).Newer(Tagged{Version: b}) != (a.Compare(b) > 0) {
			return false
		}
		return !(a.Compare(b) < 0 && b.Compare(c) < 0) || a.Compare(c) < 0
	}
	if err := quick.Check(f, nil); err != nil {
		t.Error(err)
	}
}

func TestEncoding(t *testing.T) {
	f := func(t Tagged) bool {
		t.Version.Writer, t.Version.Incarnation = t.Version.Writer&0xffff, t.Version.Incarnation&0xffff
		got, err := decode(encode(t))
		return err == nil && got == t
	}
	if err := quick.Check(f, nil); err != nil {
		t.Error(err)
	}
	if _, err := decode([]byte("short")); !errors.Is(err, ErrCorrupt) {
		t.Errorf("decode(short) = %v", err)
	}
	if diff := cmp.Diff([]string{"∅", `"x1"@v1.3.1`}, []string{Tagged{}.String(), Tagged{Version{1, 3, 1}, "x1"}.String()}); diff != "" {
		t.Error(diff)
	}
}

func TestSimulateRejectsBadQuorums(t *testing.T) {
	for _, cfg := range []Config{{N: 3, R: 4, W: 2}, {N: 3, R: 2, W: 5}, {N: -1}} {
		if _, err := Simulate(sim.New(sim.Config{}), cfg, "x"); err == nil || !strings.Contains(err.Error(), "want 1 ≤ R, W ≤ N") {
			t.Errorf("%v: %v", cfg, err)
		}
	}
}

// TestCorruptReplicaFile: a replica whose file cannot be decoded fails the
// run at its start, with the error.
func TestCorruptReplicaFile(t *testing.T) {
	s := sim.New(sim.Config{Seed: 1, Faults: []sim.Fault{sim.Crash(ms, 2*ms, 0)}})
	replicas, err := Simulate(s, Config{}, "x")
	if err != nil {
		t.Fatal(err)
	}
	s.Disk(replicas[0]).Write(registerFile, []byte("bad"))
	s.Disk(replicas[0]).Sync(registerFile)
	if err := s.Run(); err == nil || !strings.Contains(err.Error(), "corrupt") {
		t.Errorf("Run = %v", err)
	}
}

// TestMessages: the messages print what the diagram's tooltips show.
func TestMessages(t *testing.T) {
	v := Tagged{Version{2, 4, 1}, "x2"}
	got := []string{Get{}.String(), Got{Value: v}.String(), Put{Value: v}.String(), Put{Value: v, Repair: true}.String(), Ack{}.String()}
	want := []string{"get", `got "x2"@v2.4.1`, `put "x2"@v2.4.1`, `repair "x2"@v2.4.1`, "ack"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Error(diff)
	}
	if d := Model.DescribeOperation(Input{Write: true, Value: "a"}, nil) + "|" + Model.DescribeOperation(Input{}, nil) + "|" + Model.DescribeOperation(Input{}, Output{Value: "a"}); d != `write a|read (pending)|read → "a"` {
		t.Error(d)
	}
}

// TestVersionsInvariant: a replica that comes to hold a version another
// replica holds with a different value fails the run at the next event
// of either, under the invariant "versions".
func TestVersionsInvariant(t *testing.T) {
	s := sim.New(sim.Config{Seed: 1})
	replicas, err := Simulate(s, Config{}, "x")
	if err != nil {
		t.Fatal(err)
	}
	forged := false
	s.Invariant("forge", func(s *sim.Sim) error {
		a, okA := s.Handler(replicas[0]).(*Replica)
		b, okB := s.Handler(replicas[1]).(*Replica)
		if !forged && okA && okB && a.value.Version.Counter > 0 {
			b.value = Tagged{Version: a.value.Version, Value: a.value.Value + "!"}
			forged = true
		}
		return nil
	})
	var f *sim.Failure
	if err := s.Run(); !errors.As(err, &f) || f.Check != "versions" {
		t.Errorf("Run = %v, want the invariant versions to fail", err)
	}
}
