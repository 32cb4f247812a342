package ratelimit

import (
	"context"
	"errors"
	"math"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
)

// The tests run in a synctest bubble with the default clock: time.Now is
// fake there, and time.Sleep(d) advances it by exactly d. TestOptions
// shows that an injected clock (what the demo uses) is honoured.

func TestAllow(t *testing.T) {
	tests := []struct {
		name  string
		limit Limit
		burst int
		steps []time.Duration // wait before each Allow
		want  []bool
	}{
		{"burst then refused", 1, 3, []time.Duration{0, 0, 0, 0}, []bool{true, true, true, false}},
		{"refills at the rate", 2, 1, []time.Duration{0, 0, 400 * time.Millisecond, 100 * time.Millisecond, 0}, []bool{true, false, false, true, false}},
		{"never above burst", 100, 2, []time.Duration{time.Hour, 0, 0, 0}, []bool{true, true, false, false}},
		{"every interval", Every(time.Second), 1, []time.Duration{0, 999 * time.Millisecond, time.Millisecond}, []bool{true, false, true}},
		{"infinite", Inf, 0, []time.Duration{0, 0, 0}, []bool{true, true, true}},
		{"zero rate", 0, 1, []time.Duration{0, time.Hour}, []bool{true, false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				l := New(tt.limit, tt.burst)
				var got []bool
				for _, d := range tt.steps {
					time.Sleep(d)
					got = append(got, l.Allow())
				}
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Errorf("Allow results (-want +got):\n%s", diff)
				}
			})
		})
	}
}

func TestAllowN(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := New(10, 10)
		if !l.AllowN(7) || l.AllowN(4) || !l.AllowN(3) {
			t.Fatal("AllowN did not take tokens in whole requests")
		}
		time.Sleep(500 * time.Millisecond)
		if got := l.Tokens(); math.Abs(got-5) > 1e-9 {
			t.Errorf("tokens after 0.5 s at 10/s = %v, want 5", got)
		}
	})
}

func TestReserve(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := New(10, 2)
		var delays []time.Duration
		for range 5 {
			delays = append(delays, l.Reserve().Delay())
		}
		want := []time.Duration{0, 0, 100 * time.Millisecond, 200 * time.Millisecond, 300 * time.Millisecond}
		if diff := cmp.Diff(want, delays); diff != "" {
			t.Errorf("delays (-want +got):\n%s", diff)
		}
		if r := l.ReserveN(3); r.OK() || r.Delay() != forever {
			t.Error("a reservation above the burst must not be OK")
		}
		if r := New(Inf, 0).ReserveN(100); !r.OK() || r.Delay() != 0 {
			t.Error("an infinite limiter must admit at once")
		}
	})
}

func TestReservationCancel(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := New(1, 1)
		l.Allow()
		r := l.Reserve() // due in 1 s
		r.Cancel()
		r.Cancel() // idempotent
		time.Sleep(time.Second)
		if !l.Allow() {
			t.Error("a cancelled reservation kept its token")
		}
		l2 := New(1, 2)
		l2.AllowN(2)
		used := l2.Reserve() // due in 1 s
		time.Sleep(1500 * time.Millisecond)
		used.Cancel() // too late: already due
		if got := l2.Tokens(); math.Abs(got-0.5) > 1e-9 {
			t.Errorf("tokens = %v, want 0.5: cancelling a due reservation must not return tokens", got)
		}
	})
}

func TestWait(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := New(10, 1)
		start := time.Now()
		for range 3 {
			if err := l.Wait(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
		if got := time.Since(start); got != 200*time.Millisecond {
			t.Errorf("three waits at 10/s with burst 1 took %v, want 200ms", got)
		}
	})
}

func TestWaitDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := New(1, 1)
		l.Allow()
		ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		defer cancel()
		start := time.Now()
		if err := l.Wait(ctx); !errors.Is(err, ErrWouldExceedDeadline) {
			t.Fatalf("err = %v, want ErrWouldExceedDeadline", err)
		}
		if waited := time.Since(start); waited != 0 {
			t.Errorf("a wait that would pass the deadline waited %v before failing", waited)
		}
		if got := l.Tokens(); got < -1e-9 {
			t.Errorf("a refused wait kept its reservation: tokens %v", got)
		}
		cancelled, stop := context.WithCancel(context.Background())
		stop()
		if err := l.Wait(cancelled); !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want context.Canceled", err)
		}
		if err := New(1, 0).Wait(context.Background()); err == nil {
			t.Error("a zero burst admitted an event")
		}
	})
}

// TestWaitCancelled: cancelling the context ends a Wait at that moment and
// gives the token back.
func TestWaitCancelled(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		slow := New(Every(time.Hour), 1)
		slow.Allow()
		go func() { time.Sleep(5 * time.Millisecond); cancel() }()
		start := time.Now()
		if err := slow.Wait(ctx); !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want context.Canceled", err)
		}
		if waited := time.Since(start); waited != 5*time.Millisecond {
			t.Errorf("Wait returned %v after the start, want 5ms (when ctx was cancelled)", waited)
		}
		if got, want := slow.Tokens(), 5*time.Millisecond.Seconds()/time.Hour.Seconds(); math.Abs(got-want) > 1e-12 {
			t.Errorf("tokens = %v, want %v: a cancelled wait must give its token back", got, want)
		}
	})
}

// TestOptions: an injected clock replaces the real one, for reading the
// time and for waiting.
func TestOptions(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var slept []time.Duration
	o := Options{
		Now: func() time.Time { return now },
		Sleep: func(ctx context.Context, d time.Duration) error {
			slept = append(slept, d)
			now = now.Add(d)
			return ctx.Err()
		},
	}
	l := NewWithOptions(10, 1, o)
	for range 3 {
		if err := l.Wait(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	want := []time.Duration{100 * time.Millisecond, 100 * time.Millisecond}
	if diff := cmp.Diff(want, slept); diff != "" {
		t.Errorf("sleeps (-want +got):\n%s", diff)
	}
	now = now.Add(50 * time.Millisecond)
	if got := l.Tokens(); math.Abs(got-0.5) > 1e-9 {
		t.Errorf("tokens 50 ms after the last wait = %v, want 0.5", got)
	}
	w := NewSlidingWindow(1, time.Minute, o)
	if !w.Allow() || w.Allow() {
		t.Error("a sliding window of 1 per minute must admit exactly one event")
	}
	now = now.Add(2 * time.Minute)
	if !NewKeyed(1, 1, 1, o).Allow("a") || !w.Allow() {
		t.Error("the injected clock moved two minutes; the window must admit again")
	}
}

func TestKeyed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		k := NewKeyed(1, 2, 2, Options{})
		got := []bool{k.Allow("a"), k.Allow("a"), k.Allow("a"), k.Allow("b")}
		if diff := cmp.Diff([]bool{true, true, false, true}, got); diff != "" {
			t.Errorf("per-key results (-want +got):\n%s", diff)
		}
		if k.Allow("c") {
			t.Error("a new key was admitted by forgetting a key that is still refilling")
		}
		if _, ok := k.Limiter("c"); ok || k.Len() != 2 {
			t.Errorf("Limiter(new key) ok = %v, Len = %d; want false, 2", ok, k.Len())
		}
		time.Sleep(2 * time.Second) // "a" (least recently used) is full again
		if !k.Allow("c") {
			t.Error("a new key was refused although the least recently used bucket had refilled")
		}
		if _, ok := k.keys["a"]; ok || k.Len() != 2 {
			t.Errorf("want \"a\" forgotten and 2 keys, have %d keys", k.Len())
		}
		if first, second, third := k.Allow("a"), k.Allow("a"), k.Allow("a"); !first || !second || third {
			t.Error("a forgotten key must come back with a full bucket of 2")
		}
		if l, ok := k.Limiter("a"); !ok || l == nil || k.Len() != 2 {
			t.Error("Limiter must return the bucket without growing the table")
		}
	})
}

func TestSlidingWindow(t *testing.T) {
	// The bubble's clock starts at midnight, 2000-01-01 UTC: on a window edge.
	synctest.Test(t, func(t *testing.T) {
		w := NewSlidingWindow(4, time.Minute, Options{})
		allowed := func(n int) int {
			ok := 0
			for range n {
				if w.Allow() {
					ok++
				}
			}
			return ok
		}
		if got := allowed(6); got != 4 {
			t.Fatalf("first window admitted %d, want 4", got)
		}
		time.Sleep(time.Minute + 15*time.Second) // 75% of the previous window still counts: 3
		if got := allowed(6); got != 1 {
			t.Errorf("just after the edge admitted %d, want 1 (a fixed window would admit 4)", got)
		}
		time.Sleep(45 * time.Second) // next window starts; previous had 1 event, weight 1
		if got := allowed(6); got != 3 {
			t.Errorf("admitted %d, want 3", got)
		}
		time.Sleep(10 * time.Minute)
		if got := allowed(6); got != 4 {
			t.Errorf("after an idle gap admitted %d, want 4", got)
		}
	})
}

// TestConcurrent: eight goroutines together get exactly burst + rate ×
// time. Each takes what it can, then sleeps 10 ms (one token at 100/s);
// the bubble's clock moves only when all of them sleep. Run with -race.
func TestConcurrent(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := New(100, 10)
		var admitted atomic.Int64
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				for tick := range 10 {
					for range 100 {
						if l.Allow() {
							admitted.Add(1)
						}
					}
					if tick < 9 {
						time.Sleep(10 * time.Millisecond)
					}
				}
			})
		}
		wg.Wait()
		if n := admitted.Load(); n != 10+9 {
			t.Errorf("admitted %d events, want burst 10 + 100/s × 90 ms = 19", n)
		}
		k := NewKeyed(100, 1, 16, Options{})
		for g := range 8 {
			wg.Go(func() {
				for i := range 500 {
					k.Allow(string(rune('a' + (g+i)%20)))
				}
			})
		}
		wg.Wait()
		if k.Len() > 16 {
			t.Errorf("Keyed grew to %d keys, limit 16", k.Len())
		}
	})
}

func BenchmarkAllow(b *testing.B) {
	l := New(1e9, 1<<30)
	for b.Loop() {
		l.Allow()
	}
}

func BenchmarkAllowParallel(b *testing.B) {
	l := New(1e9, 1<<30)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			l.Allow()
		}
	})
}

func benchmarkKeyed(b *testing.B, keys int) {
	k := NewKeyed(1e9, 1<<20, 1024, Options{})
	names := make([]string, keys)
	for i := range names {
		names[i] = string(rune(0x4e00 + i))
	}
	i := 0
	for b.Loop() {
		k.Allow(names[i%len(names)])
		i++
	}
}

// BenchmarkKeyedAllow: 1,000 clients, all remembered.
func BenchmarkKeyedAllow(b *testing.B) { benchmarkKeyed(b, 1000) }

// BenchmarkKeyedChurn: 2,048 clients round-robin through 1,024 slots, so
// every call evicts a key and creates a bucket (the worst case).
func BenchmarkKeyedChurn(b *testing.B) { benchmarkKeyed(b, 2048) }

func BenchmarkSlidingWindow(b *testing.B) {
	w := NewSlidingWindow(1<<30, time.Minute, Options{})
	for b.Loop() {
		w.Allow()
	}
}
