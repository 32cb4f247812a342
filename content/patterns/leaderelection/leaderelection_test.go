package leaderelection

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/lamport-kb/lamport/internal/proptest"
	"github.com/lamport-kb/lamport/sim"
)

func newDisk(limit int) *sim.Disk {
	s := sim.New(sim.Config{DiskLimit: limit})
	return s.Disk(s.Add("n", func() sim.Handler { return nil }))
}

// TestTermsSurviveRestart: a term counter reloaded from its disk goes on
// above every term it gave, and each new term is synced before it is
// returned.
func TestTermsSurviveRestart(t *testing.T) {
	d := newDisk(0)
	var high Term
	for boot := range 5 {
		terms, err := LoadTerms(d)
		if err != nil {
			t.Fatal(err)
		}
		if terms.Last() != high {
			t.Fatalf("boot %d: reloaded %d, gave up to %d", boot, terms.Last(), high)
		}
		for range boot + 1 {
			next, err := terms.Next()
			if err != nil || next != high+1 || d.Dirty(termFile) {
				t.Fatalf("Next = %d, %v (dirty %v) after %d", next, err, d.Dirty(termFile), high)
			}
			high = next
		}
	}
}

func TestTermsErrors(t *testing.T) {
	d := newDisk(0)
	d.Write(termFile, []byte{1, 2, 3})
	if _, err := LoadTerms(d); err == nil || !strings.Contains(err.Error(), "3 bytes") {
		t.Errorf("a 3-byte file: %v", err)
	}
	terms, _ := LoadTerms(newDisk(4))
	if _, err := terms.Next(); err == nil || terms.Last() != 0 {
		t.Errorf("a full disk: %v, last %d", err, terms.Last())
	}
}

// TestTrustEndsFirst: for any lease, drift bound ρ < 1 and clock rates
// within [1 − ρ, 1 + ρ], a leader's trust ends, in real time, no later
// than the store's lease.
func TestTrustEndsFirst(t *testing.T) {
	for seed := range proptest.Seeds(2000) {
		r := rand.New(rand.NewPCG(seed, 2))
		d := time.Duration(1 + r.Int64N(int64(time.Minute)))
		rho := r.Float64() * 0.9
		leader, store := 1-rho+2*rho*r.Float64(), 1-rho+2*rho*r.Float64()
		if float64(Trust(d, rho))/leader > float64(d)/store*(1+1e-9) {
			t.Fatalf("d %v, ρ %g, rates %g and %g: the leader trusts longer than the store's lease", d, rho, leader, store)
		}
	}
	if Trust(time.Second, 1) != 0 {
		t.Error("Trust at ρ = 1")
	}
}

func TestStrings(t *testing.T) {
	for _, tt := range []struct{ got, want string }{
		{Campaign{Req: 3}.String(), "campaign #3"},
		{Elected{Req: 3, Term: 2}.String(), "elected #3, term 2"},
		{Refused{Term: 2, Leader: 1}.String(), "refused: term 2, leader #1"},
	} {
		if tt.got != tt.want {
			t.Errorf("%q, want %q", tt.got, tt.want)
		}
	}
}
