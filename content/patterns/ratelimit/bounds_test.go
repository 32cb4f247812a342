package ratelimit

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/lamport-kb/lamport/internal/proptest"
)

// The guarantees of the formal model, as property tests: seeded loops over
// random sequences of calls, checked against the bound over every interval
// between two admitted events.

// event is n tokens' worth of events admitted at one time.
type event struct {
	at time.Time
	n  int
}

// worstInterval returns the interval [from, to] between two events that
// admits the most beyond what bound allows, and by how much (≤ 0: none).
func worstInterval(events []event, bound func(d time.Duration) float64) (from, to time.Time, excess float64) {
	ev := slices.Clone(events)
	slices.SortStableFunc(ev, func(a, b event) int { return a.at.Compare(b.at) })
	excess = -1
	for i := range ev {
		if i > 0 && ev[i].at.Equal(ev[i-1].at) {
			continue
		}
		sum := 0
		for j := i; j < len(ev); j++ {
			sum += ev[j].n
			if j+1 < len(ev) && ev[j+1].at.Equal(ev[j].at) {
				continue
			}
			if x := float64(sum) - bound(ev[j].at.Sub(ev[i].at)); x > excess {
				from, to, excess = ev[i].at, ev[j].at, x
			}
		}
	}
	return from, to, excess
}

// tokenBound is b + rΔ, with room for the nanosecond rounding of times.
func tokenBound(limit Limit, burst int) func(time.Duration) float64 {
	return func(d time.Duration) float64 { return float64(burst) + float64(limit)*d.Seconds() + 1e-6 }
}

// TestCancelKeepsLaterReservations is the review's case: with burst 1,
// cancelling a reservation that a later one was timed behind must not let
// a new event share the later one's token.
func TestCancelKeepsLaterReservations(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := New(1, 1)
		l.Allow()
		first := l.Reserve()  // acts at 1 s
		second := l.Reserve() // acts at 2 s, on the token that refills in [1 s, 2 s]
		first.Cancel()
		time.Sleep(second.Delay())
		if l.Allow() {
			t.Error("at 2 s the second reservation and a new event both got the one token")
		}
		time.Sleep(time.Second)
		if !l.Allow() {
			t.Error("a token refills every second")
		}
		// Cancelling the latest reservation gives its token back whole.
		last := l.Reserve()
		last.Cancel()
		if got := l.Tokens(); got != 0 {
			t.Errorf("tokens after cancelling the latest reservation = %v, want 0", got)
		}
	})
}

// TestBurstBound: over any interval of length Δ, a Limiter admits at most
// b + rΔ tokens' worth of events, whatever mix of AllowN, ReserveN,
// Cancel, Wait and its deadline or cancellation it sees. A reservation's
// events happen when it is due, unless it was cancelled before.
func TestBurstBound(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range proptest.Seeds(400) {
		limit := Limit(0.5 + rng.Float64()*20)
		burst := 1 + rng.IntN(5)
		ops := burstScript(rng, burst, 80)
		t.Run(fmt.Sprint(trial), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				events := runScript(New(limit, burst), limit, ops)
				if from, to, x := worstInterval(events, tokenBound(limit, burst)); x > 0 {
					t.Errorf("r=%.3f b=%d: %v beyond b + rΔ in [%v, %v]", float64(limit), burst, x,
						from.Format("05.000000000"), to.Format("05.000000000"))
				}
			})
		})
	}
}

// op is one step of a script: what to call and its argument.
type op struct {
	kind string // allow, reserve, cancel, wait, waitCancelled, sleep
	n    int    // tokens, or which open reservation to cancel
	d    time.Duration
}

func burstScript(rng *rand.Rand, burst, steps int) []op {
	kinds := []string{"allow", "reserve", "reserve", "cancel", "cancel", "wait", "waitCancelled", "sleep", "sleep"}
	ops := make([]op, steps)
	for i := range ops {
		ops[i] = op{kind: kinds[rng.IntN(len(kinds))], n: 1 + rng.IntN(burst),
			d: time.Duration(rng.IntN(1500)) * time.Millisecond}
	}
	return ops
}

// runScript runs ops against l in a synctest bubble and returns the events
// admitted, reservations included at the time they act.
func runScript(l *Limiter, limit Limit, ops []op) []event {
	var events []event
	type held struct {
		r         *Reservation
		cancelled bool
	}
	var open []*held
	for _, o := range ops {
		switch o.kind {
		case "allow":
			if l.AllowN(o.n) {
				events = append(events, event{time.Now(), o.n})
			}
		case "reserve":
			if r := l.ReserveN(o.n); r.OK() {
				open = append(open, &held{r: r})
			}
		case "cancel":
			if len(open) > 0 {
				h := open[o.n%len(open)]
				if time.Now().Before(h.r.act) {
					h.cancelled = true
				}
				h.r.Cancel()
			}
		case "wait":
			ctx, cancel := context.WithTimeout(context.Background(), o.d)
			if l.Wait(ctx) == nil {
				events = append(events, event{time.Now(), 1})
			}
			cancel()
		case "waitCancelled":
			ctx, cancel := context.WithCancel(context.Background())
			go func() {
				select {
				case <-time.After(o.d):
					cancel()
				case <-ctx.Done():
				}
			}()
			if l.Wait(ctx) == nil {
				events = append(events, event{time.Now(), 1})
			}
			cancel()
		case "sleep":
			time.Sleep(o.d / time.Duration(1+float64(limit)/4))
		}
	}
	for _, h := range open {
		if !h.cancelled {
			events = append(events, event{h.r.act, h.r.n})
		}
	}
	return events
}

// TestKeyedChurn is the review's case: a client spends its burst of 10,
// then other keys churn through the table. Its budget must not come back
// while no time passes.
func TestKeyedChurn(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		k := NewKeyed(1, 10, 4, Options{})
		admitted := 0
		for round := range 10 {
			for range 10 {
				if k.Allow("victim") {
					admitted++
				}
			}
			for i := range 4 {
				k.Allow(fmt.Sprintf("churn-%d-%d", round, i))
			}
		}
		if admitted != 10 {
			t.Errorf("admitted %d events for one key at one instant, burst 10", admitted)
		}
	})
}

// TestKeyedBound: every key of a Keyed limiter keeps b + rΔ, however many
// other keys come and go, and the table never holds more than maxKeys.
func TestKeyedBound(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for trial := range proptest.Seeds(200) {
		limit := Limit(0.5 + rng.Float64()*10)
		burst := 1 + rng.IntN(10)
		maxKeys := 1 + rng.IntN(4)
		t.Run(fmt.Sprint(trial), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				k := NewKeyed(limit, burst, maxKeys, Options{})
				events := map[string][]event{}
				for step := range 300 {
					key := fmt.Sprint("hot-", rng.IntN(3))
					if rng.IntN(2) == 0 {
						key = fmt.Sprint("new-", step)
					}
					if k.Allow(key) {
						events[key] = append(events[key], event{time.Now(), 1})
					}
					if k.Len() > maxKeys {
						t.Fatalf("%d keys remembered, max %d", k.Len(), maxKeys)
					}
					if rng.IntN(4) == 0 {
						time.Sleep(time.Duration(rng.IntN(int(float64(burst)/float64(limit)*1000))) * time.Millisecond)
					}
				}
				for key, ev := range events {
					if from, to, x := worstInterval(ev, tokenBound(limit, burst)); x > 0 {
						t.Errorf("key %s: %v beyond b + rΔ in [%v, %v]", key, x, from, to)
					}
				}
			})
		})
	}
}

// windowBound is L + ⌈L·Δ/W⌉ for Δ ≤ W, in integers.
func windowBound(limit int, window time.Duration) func(time.Duration) float64 {
	return func(d time.Duration) float64 {
		if d > window {
			return float64(1 << 62) // not claimed
		}
		return float64(limit + int((int64(limit)*int64(d)+int64(window)-1)/int64(window)))
	}
}

// TestSlidingWindowBound: each fixed window admits at most L, and any
// interval of length Δ ≤ W at most L + ⌈L·Δ/W⌉, over random arrivals.
func TestSlidingWindowBound(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	const window = time.Minute
	for trial := range proptest.Seeds(300) {
		limit := 1 + rng.IntN(12)
		t.Run(fmt.Sprint(trial), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				w := NewSlidingWindow(limit, window, Options{})
				var events []event
				perWindow := map[time.Time]int{}
				for range 150 {
					for range rng.IntN(2 * limit) {
						if w.Allow() {
							events = append(events, event{time.Now(), 1})
							perWindow[time.Now().Truncate(window)]++
						}
					}
					time.Sleep(time.Duration(rng.IntN(20000)) * time.Millisecond)
				}
				for start, n := range perWindow {
					if n > limit {
						t.Errorf("fixed window at %v admitted %d, limit %d", start, n, limit)
					}
				}
				if from, to, x := worstInterval(events, windowBound(limit, window)); x > 0 {
					t.Errorf("L=%d: %v beyond L + ⌈LΔ/W⌉ in [%v, %v]", limit, x, from, to)
				}
			})
		})
	}
}

// TestSlidingWindowWorstCase is the review's case, and shows the bound is
// tight: 100 events just before a window edge and 100 just before the next
// edge are all admitted, 200 within 60 s for a limit of 100 per minute.
func TestSlidingWindowWorstCase(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := NewSlidingWindow(100, time.Minute, Options{})
		burst := func() (n int) {
			for range 100 {
				if w.Allow() {
					n++
				}
			}
			return n
		}
		time.Sleep(59*time.Second + 990*time.Millisecond)
		first := time.Now()
		n := burst()
		time.Sleep(59*time.Second + 990*time.Millisecond)
		n += burst()
		if span := time.Since(first); n != 200 || span >= time.Minute {
			t.Errorf("admitted %d within %v, want 200 within a minute", n, span)
		}
	})
}

// gcra is the generic cell rate algorithm: one theoretical arrival time
// per key, what a shared store keeps (redis-cell's CL.THROTTLE).
type gcra struct {
	tat      time.Time
	interval time.Duration // 1/r
	burst    int
}

func (g *gcra) allow(now time.Time, n int) bool {
	tat := g.tat
	if tat.Before(now) {
		tat = now
	}
	next := tat.Add(time.Duration(n) * g.interval)
	if next.Sub(now) > time.Duration(g.burst)*g.interval {
		return false
	}
	g.tat = next
	return true
}

// TestGCRAEquivalence: a token bucket and GCRA with one timestamp of state
// make the same decisions on every sequence of AllowN calls. Rates are
// powers of two and times multiples of 1/8 s, so both compute exactly.
func TestGCRAEquivalence(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for trial := range proptest.Seeds(300) {
		limit := Limit(int(1) << rng.IntN(4))
		burst := 1 + rng.IntN(8)
		now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		l := NewWithOptions(limit, burst, Options{Now: func() time.Time { return now }})
		g := &gcra{interval: time.Duration(float64(time.Second) / float64(limit)), burst: burst}
		for step := range 200 {
			n := 1 + rng.IntN(burst)
			if a, b := l.AllowN(n), g.allow(now, n); a != b {
				t.Fatalf("trial %d step %d (r=%v b=%d n=%d): token bucket %v, GCRA %v", trial, step, limit, burst, n, a, b)
			}
			now = now.Add(time.Duration(rng.IntN(12)) * 125 * time.Millisecond)
		}
	}
}
