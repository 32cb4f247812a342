package hashring

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/lamport-kb/lamport/internal/proptest"
)

// TestBoundedCapacity: over random sequences of Acquire and Release, every
// placement leaves its node at or under ceil((1+ε)·m/n), m counting the new
// key; with no releases, that holds for every node at every moment.
func TestBoundedCapacity(t *testing.T) {
	for seed := range proptest.Seeds(30) {
		rng := rand.New(rand.NewPCG(seed, 17))
		nodes := randomNodes(rng, 2+rng.IntN(10))
		eps := []float64{0.05, 0.25, 1}[rng.IntN(3)]
		r := New(Options{VirtualNodes: 1 + rng.IntN(100)})
		r.Add(nodes...)
		b := NewBounded(r, eps)
		var held []string
		releases := rng.IntN(2) == 0
		for i := range 2000 {
			if releases && len(held) > 0 && rng.IntN(3) == 0 {
				j := rng.IntN(len(held))
				b.Release(held[j])
				held = slices.Delete(held, j, j+1)
				continue
			}
			// A hot key: a fifth of the keys are the same one.
			key := fmt.Sprint("k", i)
			if rng.IntN(5) == 0 {
				key = "hot"
			}
			n, _ := b.Acquire(key)
			held = append(held, n)
			limit := Capacity(len(held), len(nodes), eps)
			if b.Load(n) > limit {
				t.Fatalf("seed %d: %q holds %d, capacity %d", seed, n, b.Load(n), limit)
			}
			if releases {
				continue
			}
			for _, x := range nodes {
				if b.Load(x) > limit {
					t.Fatalf("seed %d: %q holds %d, capacity %d", seed, x, b.Load(x), limit)
				}
			}
		}
	}
}

func TestBoundedEdges(t *testing.T) {
	b := NewBounded(New(Options{}), 0.25)
	if _, ok := b.Acquire("k"); ok {
		t.Error("Acquire on an empty ring reported true")
	}
	b.Release("nobody") // no effect, no panic
	if Capacity(10, 0, 0.25) != 0 {
		t.Error("Capacity with no nodes should be 0")
	}
	if got := Capacity(10, 4, 0.25); got != 4 { // ceil(1.25 · 2.5) = ceil(3.125)
		t.Errorf("Capacity(10, 4, 0.25) = %d, want 4", got)
	}
}

// TestRendezvousMinimalDisruption: removing a node moves only its keys,
// adding it back restores them, and the winner is always a member.
func TestRendezvousMinimalDisruption(t *testing.T) {
	ks := keys(1000)
	for seed := range proptest.Seeds(10) {
		rng := rand.New(rand.NewPCG(seed, 19))
		nodes := randomNodes(rng, 2+rng.IntN(15))
		gone := nodes[rng.IntN(len(nodes))]
		rest := slices.DeleteFunc(slices.Clone(nodes), func(n string) bool { return n == gone })
		for _, k := range ks {
			before, _ := Rendezvous(k, nodes, nil)
			after, _ := Rendezvous(k, rest, nil)
			if before != gone && after != before {
				t.Fatalf("seed %d: %q moved from %q to %q though %q left", seed, k, before, after, gone)
			}
			if !slices.Contains(rest, after) {
				t.Fatalf("seed %d: %q mapped to non-member %q", seed, k, after)
			}
		}
	}
	if _, ok := Rendezvous("k", nil, nil); ok {
		t.Error("Rendezvous with no nodes reported true")
	}
	tie := func([]byte) uint64 { return 1 }
	if got, _ := Rendezvous("k", []string{"b", "a"}, tie); got != "a" {
		t.Errorf("tie broken to %q, want the smaller name a", got)
	}
}

// TestJumpMonotone: Jump stays in [0, n), and growing from n to n+1 buckets
// moves keys only to the new bucket n.
func TestJumpMonotone(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 23))
	for range 2000 {
		key := rng.Uint64()
		prev := Jump(key, 1)
		if prev != 0 {
			t.Fatalf("Jump(%d, 1) = %d, want 0", key, prev)
		}
		for n := 2; n <= 300; n++ {
			got := Jump(key, n)
			if got < 0 || got >= n || (got != prev && got != n-1) {
				t.Fatalf("key %d: %d buckets -> %d, %d buckets -> %d", key, n-1, prev, n, got)
			}
			prev = got
		}
	}
	if Jump(42, 0) != -1 {
		t.Error("Jump with 0 buckets should be -1")
	}
}

func TestSlot(t *testing.T) {
	if got := crc16([]byte("123456789")); got != 0x31C3 {
		t.Errorf("crc16(123456789) = %#x, want 0x31c3", got)
	}
	tests := []struct{ key, hashed string }{
		{"user1000", "user1000"},
		{"{user1000}.following", "user1000"},
		{"foo{}{bar}", "foo{}{bar}"},
		{"foo{{bar}}zap", "{bar"},
		{"foo{bar}{zap}", "bar"},
		{"foo{bar", "foo{bar"},
	}
	for _, tt := range tests {
		if got := hashTag(tt.key); got != tt.hashed {
			t.Errorf("hashTag(%q) = %q, want %q", tt.key, got, tt.hashed)
		}
		if got, want := Slot(tt.key), int(crc16([]byte(tt.hashed))%Slots); got != want {
			t.Errorf("Slot(%q) = %d, want %d", tt.key, got, want)
		}
	}
	if Slot("{user1000}.following") != Slot("{user1000}.followers") {
		t.Error("keys with the same hash tag in different slots")
	}
}

func BenchmarkRendezvous(b *testing.B) {
	for _, n := range []int{10, 100} {
		b.Run(fmt.Sprint("nodes=", n), func(b *testing.B) {
			nodes := randomNodes(rand.New(rand.NewPCG(1, 1)), n)
			ks := keys(1024)
			for i := 0; b.Loop(); i++ {
				Rendezvous(ks[i%len(ks)], nodes, nil)
			}
		})
	}
}

func BenchmarkJump(b *testing.B) {
	for _, n := range []int{10, 100} {
		b.Run(fmt.Sprint("buckets=", n), func(b *testing.B) {
			for i := uint64(0); b.Loop(); i++ {
				Jump(mix(i), n)
			}
		})
	}
}

func BenchmarkBoundedAcquireRelease(b *testing.B) {
	r := New(Options{})
	r.Add(randomNodes(rand.New(rand.NewPCG(1, 1)), 10)...)
	bd := NewBounded(r, 0.25)
	ks := keys(1024)
	for i := 0; b.Loop(); i++ {
		n, _ := bd.Acquire(ks[i%len(ks)])
		bd.Release(n)
	}
}

func BenchmarkSlot(b *testing.B) {
	ks := keys(1024)
	for i := 0; b.Loop(); i++ {
		Slot(ks[i%len(ks)])
	}
}
