package ratelimit

import (
	"context"
	"errors"
	"math"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// fakeClock is a clock the tests move; Sleep advances it.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.Advance(d)
	return nil
}

func (c *fakeClock) Clock() Clock { return Clock{Now: c.Now, Sleep: c.Sleep} }

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
			c := newFakeClock()
			l := NewWithClock(tt.limit, tt.burst, c.Clock())
			var got []bool
			for _, d := range tt.steps {
				c.Advance(d)
				got = append(got, l.Allow())
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Allow results (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAllowN(t *testing.T) {
	c := newFakeClock()
	l := NewWithClock(10, 10, c.Clock())
	if !l.AllowN(7) || l.AllowN(4) || !l.AllowN(3) {
		t.Fatal("AllowN did not take tokens in whole requests")
	}
	c.Advance(500 * time.Millisecond)
	if got := l.Tokens(); math.Abs(got-5) > 1e-9 {
		t.Errorf("tokens after 0.5 s at 10/s = %v, want 5", got)
	}
}

func TestReserve(t *testing.T) {
	c := newFakeClock()
	l := NewWithClock(10, 2, c.Clock())
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
	if r := NewWithClock(Inf, 0, c.Clock()).ReserveN(100); !r.OK() || r.Delay() != 0 {
		t.Error("an infinite limiter must admit at once")
	}
}

func TestReservationCancel(t *testing.T) {
	c := newFakeClock()
	l := NewWithClock(1, 1, c.Clock())
	l.Allow()
	r := l.Reserve() // due in 1 s
	r.Cancel()
	r.Cancel() // idempotent
	c.Advance(time.Second)
	if !l.Allow() {
		t.Error("a cancelled reservation kept its token")
	}
	l2 := NewWithClock(1, 2, c.Clock())
	l2.AllowN(2)
	used := l2.Reserve() // due in 1 s
	c.Advance(1500 * time.Millisecond)
	used.Cancel() // too late: already due
	if got := l2.Tokens(); math.Abs(got-0.5) > 1e-9 {
		t.Errorf("tokens = %v, want 0.5: cancelling a due reservation must not return tokens", got)
	}
}

func TestWait(t *testing.T) {
	c := newFakeClock()
	l := NewWithClock(10, 1, c.Clock())
	start := c.Now()
	for range 3 {
		if err := l.Wait(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if got := c.Now().Sub(start); got != 200*time.Millisecond {
		t.Errorf("three waits at 10/s with burst 1 took %v, want 200ms", got)
	}
}

func TestWaitDeadline(t *testing.T) {
	c := &fakeClock{t: time.Now()}
	l := NewWithClock(1, 1, c.Clock())
	l.Allow()
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	if err := l.Wait(ctx); !errors.Is(err, ErrWouldExceedDeadline) {
		t.Fatalf("err = %v, want ErrWouldExceedDeadline", err)
	}
	if got := l.Tokens(); got < -1e-9 {
		t.Errorf("a refused wait kept its reservation: tokens %v", got)
	}
	cancelled, stop := context.WithCancel(context.Background())
	stop()
	if err := l.Wait(cancelled); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	if err := NewWithClock(1, 0, c.Clock()).Wait(context.Background()); err == nil {
		t.Error("a zero burst admitted an event")
	}
}

func TestRealClock(t *testing.T) {
	l := New(1000, 1)
	start := time.Now()
	for range 3 {
		if err := l.Wait(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if time.Since(start) < time.Millisecond {
		t.Error("three waits at 1000/s with burst 1 did not wait")
	}
	ctx, cancel := context.WithCancel(context.Background())
	slow := New(Every(time.Hour), 1)
	slow.Allow()
	go func() { time.Sleep(5 * time.Millisecond); cancel() }()
	if err := slow.Wait(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

func TestKeyed(t *testing.T) {
	c := newFakeClock()
	k := NewKeyed(1, 2, 2, c.Clock())
	got := []bool{k.Allow("a"), k.Allow("a"), k.Allow("a"), k.Allow("b")}
	if diff := cmp.Diff([]bool{true, true, false, true}, got); diff != "" {
		t.Errorf("per-key results (-want +got):\n%s", diff)
	}
	k.Allow("c") // evicts "a", the least recently used
	if k.Len() != 2 {
		t.Errorf("Len = %d, want 2", k.Len())
	}
	if !k.Allow("a") {
		t.Error("an evicted key should start with a full bucket")
	}
	if k.Limiter("c") == nil || k.Len() != 2 {
		t.Error("Limiter must return the bucket without growing the table")
	}
}

func TestSlidingWindow(t *testing.T) {
	c := newFakeClock()
	w := NewSlidingWindow(4, time.Minute, c.Clock())
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
	c.Advance(time.Minute + 15*time.Second) // 75% of the previous window still counts: 3
	if got := allowed(6); got != 1 {
		t.Errorf("just after the edge admitted %d, want 1 (a fixed window would admit 4)", got)
	}
	c.Advance(45 * time.Second) // next window starts; previous had 1 event, weight 1
	if got := allowed(6); got != 3 {
		t.Errorf("admitted %d, want 3", got)
	}
	c.Advance(10 * time.Minute)
	if got := allowed(6); got != 4 {
		t.Errorf("after an idle gap admitted %d, want 4", got)
	}
}

// TestConcurrent: many goroutines never get more than burst + rate × time.
func TestConcurrent(t *testing.T) {
	c := newFakeClock()
	l := NewWithClock(100, 10, c.Clock())
	var admitted atomic.Int64
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 1000 {
				if l.Allow() {
					admitted.Add(1)
				}
			}
		}()
	}
	for range 10 {
		c.Advance(10 * time.Millisecond) // 1 token each
	}
	wg.Wait()
	if n := admitted.Load(); n > 20 {
		t.Errorf("admitted %d events, more than burst 10 + 100/s × 100 ms", n)
	}
	k := NewKeyed(100, 1, 16, Clock{})
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 500 {
				k.Allow(string(rune('a' + (g+i)%20)))
			}
		}()
	}
	wg.Wait()
	if k.Len() > 16 {
		t.Errorf("Keyed grew to %d keys, limit 16", k.Len())
	}
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
	k := NewKeyed(1e9, 1<<20, 1024, Clock{})
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
	w := NewSlidingWindow(1<<30, time.Minute, Clock{})
	for b.Loop() {
		w.Allow()
	}
}
