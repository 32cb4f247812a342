// Package lease implements time-bound ownership: a grantor gives a right
// (a lock, leadership, a key) to one holder at a time for a duration,
// and takes it back when the duration has passed unless the holder renews
// it. A crashed holder's lease simply runs out.
//
// Two clocks measure the same lease, and they disagree. The grantor frees
// the lease when its own clock says the duration has passed since the
// grant; the holder must stop believing before that, by its own clock,
// whatever the two clocks' rates. Trust is the rule: a holder counts from
// the moment it sent the request (before the grant was made) and trusts
// the lease for d · (1 − ρ) / (1 + ρ) of its own time, where ρ bounds
// both clocks' drift. Both sides measure with timers (a monotonic clock),
// never with wall-clock readings, so a clock that jumps changes nothing;
// only a clock's rate does, and the margin covers it.
//
// Grantor and Client are sim.Handlers that run the protocol on a
// simulated cluster (package sim): clients acquire, renew and release the
// lease while clocks drift and jump, links are slow, lossy or cut, and
// nodes crash. History watches a run and checks, after every event, that
// at most one client believes it holds the lease.
package lease

import "time"

// Trust returns how long a holder may trust a lease of duration d, on
// its own clock, counted from when it sent the request: d · (1 − ρ) / (1 + ρ).
//
// The grantor frees the lease d of its time after the grant; a grantor
// clock fast by ρ makes that d / (1 + ρ) of real time. The holder's trust
// t of its time lasts at most t / (1 − ρ) of real time on a clock slow by
// ρ, and it started no later than the grant. So t / (1 − ρ) ≤ d / (1 + ρ)
// is the condition, and Trust is its largest t. It is zero when ρ ≥ 1.
func Trust(d time.Duration, drift float64) time.Duration {
	if drift >= 1 {
		return 0
	}
	return time.Duration(float64(d) * (1 - drift) / (1 + drift))
}
