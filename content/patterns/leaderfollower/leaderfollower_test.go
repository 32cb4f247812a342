package leaderfollower

import (
	"errors"
	"math/bits"
	"strings"
	"testing"
	"testing/quick"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/lamport-kb/lamport/sim"
)

// TestFenceQuorumIntersects: over every set of k holders and every set of
// answers among the n − 1 followers (n ≤ 8), the smallest overlap is
// answers + k − (n − 1); so FenceQuorum's n − k answers always include a
// holder when k ≥ 1, one answer fewer does not, and with k = 0 nothing
// does.
func TestFenceQuorumIntersects(t *testing.T) {
	for n := 2; n <= 8; n++ {
		f := n - 1 // followers
		for k := 0; k <= f; k++ {
			for r := 1; r <= f; r++ {
				if got, want := smallestOverlap(f, k, r), max(0, r+k-f); got != want {
					t.Errorf("n=%d k=%d r=%d: smallest overlap %d, want %d", n, k, r, got, want)
				}
				if Covered(n, k, r) != (smallestOverlap(f, k, r) > 0) {
					t.Errorf("n=%d k=%d r=%d: Covered = %v", n, k, r, Covered(n, k, r))
				}
			}
			q := FenceQuorum(n, k)
			if q < 1 || q > f {
				t.Errorf("n=%d k=%d: FenceQuorum %d outside 1..%d", n, k, q, f)
			}
			if Covered(n, k, q) != (k > 0) {
				t.Errorf("n=%d k=%d: FenceQuorum %d covered = %v", n, k, q, Covered(n, k, q))
			}
			if k > 0 && q > 1 && Covered(n, k, q-1) {
				t.Errorf("n=%d k=%d: FenceQuorum %d is not the smallest", n, k, q)
			}
		}
	}
}

// smallestOverlap enumerates the subsets of f followers as bit sets.
func smallestOverlap(f, k, r int) int {
	least := f
	for a := range 1 << f {
		if bits.OnesCount(uint(a)) != k {
			continue
		}
		for b := range 1 << f {
			if bits.OnesCount(uint(b)) == r {
				least = min(least, bits.OnesCount(uint(a&b)))
			}
		}
	}
	return least
}

// TestBestIsMostUpToDate: for any answers, Best's position is at least
// every other's (later epoch first, then longer log), and of equal
// positions it is the lowest node.
func TestBestIsMostUpToDate(t *testing.T) {
	f := func(raw []struct {
		Node  uint8
		Index uint8
		Epoch uint8
	}) bool {
		if len(raw) == 0 {
			return true
		}
		cs := make([]Candidate, len(raw))
		for i, c := range raw {
			cs[i] = Candidate{Node: int(c.Node % 5), Last: Pos{Index: int(c.Index % 6), Epoch: uint64(c.Epoch % 3)}}
		}
		b := Best(cs)
		for _, c := range cs {
			if d := c.Last.Compare(b.Last); d > 0 || (d == 0 && c.Node < b.Node) {
				return false
			}
		}
		return true
	}
	if err := quick.Check(f, nil); err != nil {
		t.Error(err)
	}
	if (Pos{Index: 9, Epoch: 1}).Compare(Pos{Index: 2, Epoch: 2}) >= 0 {
		t.Error("a longer log of an older epoch counts as more up to date")
	}
}

func TestEncoding(t *testing.T) {
	f := func(es []Entry) bool {
		got, err := decodeEntries(encodeEntries(es))
		return err == nil && cmp.Equal(got, es, cmpopts.EquateEmpty())
	}
	if err := quick.Check(f, nil); err != nil {
		t.Error(err)
	}
	g := func(m meta) bool {
		got, err := decodeMeta(encodeMeta(m))
		return err == nil && got == m
	}
	if err := quick.Check(g, nil); err != nil {
		t.Error(err)
	}
	for _, b := range [][]byte{[]byte("short"), append(encodeEntries([]Entry{{1, "abc"}}), 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 9)} {
		if _, err := decodeEntries(b); !errors.Is(err, ErrCorrupt) {
			t.Errorf("decodeEntries(%q) = %v", b, err)
		}
	}
	if _, err := decodeMeta([]byte("x")); !errors.Is(err, ErrCorrupt) {
		t.Errorf("decodeMeta = %v", err)
	}
}

// TestCorruptFiles: a replica whose files cannot be decoded fails the run
// at its start, with the error.
func TestCorruptFiles(t *testing.T) {
	for _, file := range []string{metaFile, logFile} {
		s := sim.New(sim.Config{Seed: 1})
		if _, err := Simulate(s, Config{}, "x"); err != nil {
			t.Fatal(err)
		}
		s.Disk(1).Write(file, []byte("bad"))
		s.Disk(1).Sync(file)
		if err := s.Run(); err == nil || !strings.Contains(err.Error(), "corrupt") {
			t.Errorf("%s: Run = %v", file, err)
		}
	}
}

func TestSimulateRejectsBadConfigs(t *testing.T) {
	for _, cfg := range []Config{{N: 1}, {Mode: Sync, SyncFollowers: 3}, {Mode: Sync + 1}} {
		if _, err := Simulate(sim.New(sim.Config{}), cfg); err == nil || !strings.Contains(err.Error(), "want N ≥ 2") {
			t.Errorf("%+v: %v", cfg, err)
		}
	}
}

// TestModes: the number of follower acknowledgements and the fence quorum
// of each mode.
func TestModes(t *testing.T) {
	for _, tt := range []struct {
		cfg         Config
		acks, fence int
		mode        string
	}{
		{Config{}, 0, 2, "asynchronous"},
		{Config{Mode: SemiSync}, 1, 2, "semi-synchronous"},
		{Config{Mode: Sync}, 2, 1, "synchronous"},
		{Config{N: 5, Mode: Sync, SyncFollowers: 2}, 2, 3, "synchronous"},
		{Config{N: 5, Mode: SemiSync, bug: firstAnswer}, 1, 1, "semi-synchronous"},
	} {
		if tt.cfg.Acks() != tt.acks || tt.cfg.Quorum() != tt.fence || tt.cfg.Mode.String() != tt.mode {
			t.Errorf("%+v: acks %d, fence %d, %v", tt.cfg, tt.cfg.Acks(), tt.cfg.Quorum(), tt.cfg.Mode)
		}
	}
}

// TestMessages: the messages print what the diagram's tooltips show.
func TestMessages(t *testing.T) {
	got := []string{
		Write{ID: "x1"}.String(), Written{ID: "x1", Index: 3}.String(), Redirect{Leader: 1, Epoch: 2}.String(),
		Read{}.String(), ReadReply{Index: 2, Value: "x1"}.String(),
		Append{Epoch: 1, Prev: Pos{2, 1}}.String(), Append{Epoch: 2, Prev: Pos{2, 1}, Entries: []Entry{{2, "a"}, {2, "b"}}}.String(),
		Ack{Epoch: 1, Match: 4}.String(), Nack{Epoch: 1, Hint: 2}.String(), Stale{Epoch: 3}.String(),
		Fence{Epoch: 2}.String(), Fenced{Epoch: 2, Last: Pos{5, 1}}.String(), Promote{Epoch: 2}.String(),
		Promoted{Epoch: 2}.String(), Leader{Epoch: 2, Leader: 1}.String(),
	}
	want := []string{
		"write x1", "ok x1 #3", "not the leader (1 leads epoch 2)",
		"read", "#2 x1",
		"e1 append after e1#2 (heartbeat)", "e2 append #3–#4 after e1#2",
		"e1 ack #4", "e1 nack, from #3", "stale: epoch 3",
		"fence e2", "fenced e2 at e1#5", "promote e2",
		"promoted e2", "leader of e2: 1",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Error(diff)
	}
}
