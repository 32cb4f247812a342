package fencing

import (
	"errors"
	"testing"
	"testing/quick"

	"github.com/lamport-kb/lamport/sim"
)

func newDisk(limit int) *sim.Disk {
	s := sim.New(sim.Config{DiskLimit: limit})
	return s.Disk(s.Add("n", func() sim.Handler { return nil }))
}

// TestFenceAdmitsMonotone: for any sequence of tokens, the admitted ones
// never decrease, and a token is rejected exactly when it is below the
// highest admitted before it.
func TestFenceAdmitsMonotone(t *testing.T) {
	f := func(tokens []uint8) bool {
		var fence Fence
		var highest Token
		for _, b := range tokens {
			tok := Token(b)
			if fence.Admit(tok) != (tok >= highest) {
				return false
			}
			highest = max(highest, tok)
			if fence.Highest() != highest {
				return false
			}
		}
		return true
	}
	if err := quick.Check(f, &quick.Config{MaxCount: 2000}); err != nil {
		t.Error(err)
	}
}

// TestGenerationSurvivesRestart: a counter reloaded from its disk goes on
// above every number it handed out, and each Next is synced at once.
func TestGenerationSurvivesRestart(t *testing.T) {
	d := newDisk(0)
	var high Token
	for boot := range 5 {
		g, err := LoadGeneration(d, "gen")
		if err != nil {
			t.Fatal(err)
		}
		if g.Last() != high {
			t.Fatalf("boot %d: reloaded %d, handed out up to %d", boot, g.Last(), high)
		}
		for range boot + 1 {
			next, err := g.Next()
			if err != nil || next != high+1 || d.Dirty("gen") {
				t.Fatalf("Next = %d, %v (dirty %v) after %d", next, err, d.Dirty("gen"), high)
			}
			high = next
		}
	}
}

func TestGenerationErrors(t *testing.T) {
	d := newDisk(0)
	d.Write("gen", []byte{1, 2, 3})
	if _, err := LoadGeneration(d, "gen"); !errors.Is(err, ErrTorn) {
		t.Errorf("a 3-byte file: %v", err)
	}
	g, _ := LoadGeneration(newDisk(4), "gen")
	if _, err := g.Next(); !errors.Is(err, sim.ErrDiskFull) || g.Last() != 0 {
		t.Errorf("a full disk: %v, last %d", err, g.Last())
	}
}

func TestStrings(t *testing.T) {
	for _, tt := range []struct{ got, want string }{
		{Acquire{"A"}.String(), "acquire for A"},
		{Grant{3, 20 * ms}.String(), "grant token 3, 20ms"},
		{Busy{5 * ms}.String(), "busy, retry in 5ms"},
		{Write{3, "A1"}.String(), "write A1, token 3"},
		{Result{Token: 3, Data: "A1", Accepted: true, Highest: 3}.String(), "ok A1"},
		{Result{Token: 2, Data: "A1", Highest: 3}.String(), "rejected token 2 < 3"},
		{Pause{"A", ms, 2 * ms}.String(), "Pause(A, 1ms, 2ms)"},
	} {
		if tt.got != tt.want {
			t.Errorf("%q, want %q", tt.got, tt.want)
		}
	}
}
