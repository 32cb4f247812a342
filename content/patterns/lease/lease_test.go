package lease

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/lamport-kb/lamport/internal/proptest"
)

// TestTrustOutlastsNoGrant: for any lease duration, drift bound ρ < 1 and
// clock rates within [1 − ρ, 1 + ρ] for the holder and the grantor, the
// real time a holder trusts the lease (Trust on a clock at its rate) ends
// no later than the real time the grantor frees it (d on a clock at its
// rate); and Trust is the largest such time: at the worst rates the two
// meet.
func TestTrustOutlastsNoGrant(t *testing.T) {
	for seed := range proptest.Seeds(2000) {
		r := rand.New(rand.NewPCG(seed, 1))
		d := time.Duration(1 + r.Int64N(int64(time.Minute)))
		rho := r.Float64() * 0.9
		holder := 1 - rho + 2*rho*r.Float64()
		grantor := 1 - rho + 2*rho*r.Float64()
		trusted := float64(Trust(d, rho)) / holder
		freed := float64(d) / grantor
		if trusted > freed*(1+1e-9) {
			t.Fatalf("d %v, ρ %g, rates %g and %g: trusted for %v of real time, freed after %v",
				d, rho, holder, grantor, time.Duration(trusted), time.Duration(freed))
		}
		worstTrusted := float64(Trust(d, rho)) / (1 - rho)
		worstFreed := float64(d) / (1 + rho)
		if diff := worstFreed - worstTrusted; diff < 0 || diff > 1e-9*float64(d)+2/(1-rho) { // only rounding apart: Trust truncates a nanosecond
			t.Fatalf("d %v, ρ %g: at the worst rates the holder stops %v before the grantor frees", d, rho, time.Duration(diff))
		}
	}
	if Trust(time.Second, 1) != 0 || Trust(time.Second, 0) != time.Second {
		t.Error("Trust at ρ = 1 or ρ = 0")
	}
}

func TestStrings(t *testing.T) {
	for _, tt := range []struct{ got, want string }{
		{Acquire{Req: 3}.String(), "acquire #3"},
		{Grant{Req: 3}.String(), "grant #3"},
		{Busy{5 * time.Millisecond}.String(), "busy, retry in 5ms"},
		{Release{Req: 4}.String(), "release up to #4"},
	} {
		if tt.got != tt.want {
			t.Errorf("%q, want %q", tt.got, tt.want)
		}
	}
}
