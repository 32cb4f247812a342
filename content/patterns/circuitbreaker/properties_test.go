package circuitbreaker

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
	"testing/synctest"
	"time"

	"github.com/lamport-kb/lamport/internal/proptest"
)

// The guarantees of the chapter's formal model, checked over seeded random
// workloads: calls that succeed or fail, two-step calls reported late or
// never (lost probes), and waits around the breaker's timeouts. Each runs
// in a synctest bubble, so the waits take no time.

const seeds = 200

// harness drives one breaker with a random workload.
type harness struct {
	t       *testing.T
	rng     *rand.Rand
	b       *Breaker
	s       Settings
	pending []pendingCall

	transitions int                 // state changes so far
	entered     map[State]time.Time // when the breaker last entered each state
	probes      uint32              // calls admitted since it last entered HalfOpen
}

// pendingCall is a two-step call admitted but not yet reported.
type pendingCall struct {
	done        func(bool)
	transitions int // harness.transitions when it was admitted
}

// record is what one step did.
type record struct {
	op     string // call, allow, report, wait
	before State  // the state just before the step
	ran    bool   // the call reached the dependency (call), or was admitted (allow)
	err    error  // the error returned
	want   error  // the error the dependency returned (call)
}

// randomSettings returns settings with small thresholds and timeouts, so
// that a short workload visits every state.
func randomSettings(rng *rand.Rand) Settings {
	trip := uint32(1 + rng.IntN(3))
	s := Settings{
		ReadyToTrip:    func(c Counts) bool { return c.ConsecutiveFailures >= trip },
		OpenTimeout:    time.Duration(1+rng.IntN(5)) * time.Second,
		HalfOpenProbes: uint32(1 + rng.IntN(3)),
	}
	switch rng.IntN(4) {
	case 0, 1:
		s.HalfOpenTimeout = time.Duration(1+rng.IntN(5)) * time.Second
	case 2:
		s.HalfOpenTimeout = -1 // no deadline
	}
	if rng.IntN(3) == 0 {
		s.Interval = time.Duration(1+rng.IntN(10)) * time.Second
	}
	return s
}

func newHarness(t *testing.T, seed uint64, s Settings) *harness {
	h := &harness{t: t, rng: rand.New(rand.NewPCG(seed, 0)), s: s, entered: map[State]time.Time{Closed: time.Now()}}
	s.OnStateChange = func(_ string, _, to State) {
		h.transitions++
		h.entered[to] = time.Now()
		if to == HalfOpen {
			h.probes = 0
		}
	}
	h.b = New(s)
	return h
}

// step takes one random step and returns what it did.
func (h *harness) step() record {
	r := record{before: h.b.State()}
	switch n := h.rng.IntN(10); {
	case n < 4:
		r.op = "call"
		if h.rng.IntN(2) == 0 {
			r.want = errBoom
		}
		r.err = h.b.Execute(func() error { r.ran = true; return r.want })
	case n < 6:
		r.op = "allow"
		var done func(bool)
		done, r.err = h.b.Allow()
		r.ran = r.err == nil
		if r.ran && h.rng.IntN(3) > 0 { // else lost: never reported
			h.pending = append(h.pending, pendingCall{done, h.transitions})
		}
	case n < 8 && len(h.pending) > 0:
		r.op = "report"
		i := h.rng.IntN(len(h.pending))
		h.pending[i].done(h.rng.IntN(2) == 0)
		h.pending = append(h.pending[:i], h.pending[i+1:]...)
	default:
		r.op = "wait"
		time.Sleep(time.Duration(h.rng.IntN(3000)) * time.Millisecond)
	}
	if r.ran && r.before == HalfOpen {
		h.probes++
	}
	return r
}

// run runs a random workload for every seed, calling check after each step.
func run(t *testing.T, check func(h *harness, r record) error) {
	for seed := range proptest.Seeds(seeds) {
		synctest.Test(t, func(t *testing.T) {
			h := newHarness(t, seed, randomSettings(rand.New(rand.NewPCG(seed, 1))))
			for i := range 300 {
				r := h.step()
				if err := check(h, r); err != nil {
					t.Fatalf("seed %d, step %d (%s from %v): %v", seed, i, r.op, r.before, err)
				}
			}
		})
	}
}

// TestFailFastWhileOpen: in Open, no call reaches the dependency.
func TestFailFastWhileOpen(t *testing.T) {
	run(t, func(h *harness, r record) error {
		if r.before == Open && r.ran {
			return errors.New("an Open breaker let a call through")
		}
		return nil
	})
}

// TestRefusalsMatchErrOpen: every refusal, open or half-open, matches
// ErrOpen; an admitted call returns the dependency's own error.
func TestRefusalsMatchErrOpen(t *testing.T) {
	run(t, func(h *harness, r record) error {
		switch {
		case r.op != "call" && r.op != "allow":
		case !r.ran && !errors.Is(r.err, ErrOpen):
			return fmt.Errorf("refused with %v, which does not match ErrOpen", r.err)
		case !r.ran && r.before == HalfOpen && !errors.Is(r.err, ErrTooManyProbes):
			return fmt.Errorf("half-open refusal %v is not ErrTooManyProbes", r.err)
		case r.ran && r.op == "call" && r.err != r.want:
			return fmt.Errorf("admitted call returned %v, the dependency %v", r.err, r.want)
		}
		return nil
	})
	if errors.Is(ErrOpen, ErrTooManyProbes) {
		t.Error("ErrOpen matches ErrTooManyProbes")
	}
	if got, want := ErrTooManyProbes.Error(), "circuit breaker is half-open and its probes are in flight"; got != want {
		t.Errorf("ErrTooManyProbes says %q, want %q", got, want)
	}
}

// TestProbeBound: in one HalfOpen period, at most HalfOpenProbes calls are
// admitted, whether or not their outcomes are ever reported.
func TestProbeBound(t *testing.T) {
	run(t, func(h *harness, r record) error {
		if h.probes > h.s.HalfOpenProbes {
			return fmt.Errorf("%d probes admitted, HalfOpenProbes = %d", h.probes, h.s.HalfOpenProbes)
		}
		return nil
	})
}

// TestHalfOpenDeadline: the breaker leaves HalfOpen within HalfOpenTimeout
// of entering it (default OpenTimeout), even when probes are lost; with a
// negative HalfOpenTimeout, time alone never moves it out of HalfOpen.
func TestHalfOpenDeadline(t *testing.T) {
	run(t, func(h *harness, r record) error {
		limit := h.s.HalfOpenTimeout
		if limit == 0 {
			limit = h.s.OpenTimeout
		}
		state := h.b.State()
		if limit < 0 {
			if r.op == "wait" && r.before == HalfOpen && state != HalfOpen {
				return fmt.Errorf("left half-open for %v with no outcome reported and no deadline", state)
			}
			return nil
		}
		if state == HalfOpen {
			if d := time.Since(h.entered[HalfOpen]); d >= limit {
				return fmt.Errorf("half-open for %v, HalfOpenTimeout %v", d, limit)
			}
		}
		return nil
	})
}

// TestStaleOutcomesIgnored: an outcome reported for a call admitted before
// a state change changes neither the state nor the counts.
func TestStaleOutcomesIgnored(t *testing.T) {
	for seed := range proptest.Seeds(seeds) {
		synctest.Test(t, func(t *testing.T) {
			h := newHarness(t, seed, randomSettings(rand.New(rand.NewPCG(seed, 1))))
			for i := range 300 {
				if len(h.pending) == 0 || h.pending[0].transitions == h.transitions {
					h.step()
					continue
				}
				p := h.pending[0]
				h.pending = h.pending[1:]
				state, counts := h.b.State(), h.b.Counts()
				p.done(h.rng.IntN(2) == 0)
				if s, c := h.b.State(), h.b.Counts(); s != state || c != counts {
					t.Fatalf("seed %d, step %d: a stale outcome moved %v %+v to %v %+v", seed, i, state, counts, s, c)
				}
			}
		})
	}
}

// never is a ReadyToTrip that keeps the breaker Closed.
func never(Counts) bool { return false }

// TestCountWindow: with WindowCalls = n, the Closed counts are exactly the
// last n reported outcomes, in the order they were reported.
func TestCountWindow(t *testing.T) {
	for seed := range proptest.Seeds(seeds) {
		rng := rand.New(rand.NewPCG(seed, 0))
		n := 1 + rng.IntN(20)
		b := New(Settings{WindowCalls: n, ReadyToTrip: never})
		var outcomes []bool // true for a failure, in report order
		var pending []func(bool)
		for i := range 200 {
			switch k := rng.IntN(4); {
			case k == 0:
				done, _ := b.Allow()
				pending = append(pending, done)
			case k == 1 && len(pending) > 0:
				j := rng.IntN(len(pending))
				f := rng.IntN(2) == 0
				pending[j](!f)
				pending = append(pending[:j], pending[j+1:]...)
				outcomes = append(outcomes, f)
			default:
				f := rng.IntN(2) == 0
				b.Execute(func() error {
					if f {
						return errBoom
					}
					return nil
				})
				outcomes = append(outcomes, f)
			}
			var want Counts
			for _, f := range outcomes[max(0, len(outcomes)-n):] {
				if f {
					want.Failures++
				} else {
					want.Successes++
				}
			}
			got := b.Counts()
			if got.Successes != want.Successes || got.Failures != want.Failures || got.Requests != want.Successes+want.Failures {
				t.Fatalf("seed %d, step %d, window %d: counts %+v, want %d successes and %d failures", seed, i, n, got, want.Successes, want.Failures)
			}
		}
	}
}

// TestTimeWindow: with WindowDuration = d, kept in ten buckets of w = d/10,
// an outcome counts while it is less than 9w old and never once it is 10w
// old.
func TestTimeWindow(t *testing.T) {
	for seed := range proptest.Seeds(seeds) {
		synctest.Test(t, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 0))
			d := time.Duration(1+rng.IntN(60)) * time.Second
			w := d / 10
			b := New(Settings{WindowDuration: d, ReadyToTrip: never})
			type outcome struct {
				at      time.Time
				failure bool
			}
			var outcomes []outcome
			for i := range 300 {
				if rng.IntN(3) == 0 {
					time.Sleep(time.Duration(rng.Int64N(int64(d / 3))))
				} else {
					f := rng.IntN(2) == 0
					b.Execute(func() error {
						if f {
							return errBoom
						}
						return nil
					})
					outcomes = append(outcomes, outcome{time.Now(), f})
				}
				// time only moves on: an outcome that left the window never returns
				for len(outcomes) > 0 && time.Since(outcomes[0].at) >= 10*w {
					outcomes = outcomes[1:]
				}
				var low, high [2]uint32 // successes, failures
				for _, o := range outcomes {
					k := 0
					if o.failure {
						k = 1
					}
					if age := time.Since(o.at); age < 10*w {
						high[k]++
						if age < 9*w {
							low[k]++
						}
					}
				}
				c := b.Counts()
				got := [2]uint32{c.Successes, c.Failures}
				for k := range got {
					if got[k] < low[k] || got[k] > high[k] {
						t.Fatalf("seed %d, step %d, window %v: counts %+v, want successes in [%d, %d], failures in [%d, %d]",
							seed, i, d, c, low[0], high[0], low[1], high[1])
					}
				}
			}
		})
	}
}

// TestFailureRateTrip: with WindowCalls = n and FailureRate(m, θ), the
// breaker opens at the first failure after which the last n outcomes hold
// at least m outcomes and a share θ or more of failures, and not before.
func TestFailureRateTrip(t *testing.T) {
	for seed := range proptest.Seeds(seeds) {
		rng := rand.New(rand.NewPCG(seed, 0))
		n := 1 + rng.IntN(30)
		m := uint32(1 + rng.IntN(n))
		theta := float64(1+rng.IntN(9)) / 10
		b := New(Settings{WindowCalls: n, ReadyToTrip: FailureRate(m, theta), OpenTimeout: time.Hour})
		var outcomes []bool
		for i := range 500 {
			f := rng.IntN(3) == 0
			b.Execute(func() error {
				if f {
					return errBoom
				}
				return nil
			})
			outcomes = append(outcomes, f)
			var s, fl uint32
			for _, f := range outcomes[max(0, len(outcomes)-n):] {
				if f {
					fl++
				} else {
					s++
				}
			}
			want := f && s+fl >= m && float64(fl)/float64(s+fl) >= theta
			if got := b.State() == Open; got != want {
				t.Fatalf("seed %d, call %d (n=%d, m=%d, θ=%v, %d of %d failed): open = %v, want %v", seed, i, n, m, theta, fl, s+fl, got, want)
			}
			if want {
				break
			}
		}
	}
}
