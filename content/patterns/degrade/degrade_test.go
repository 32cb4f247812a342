package degrade

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/lamport-kb/lamport/internal/proptest"
)

// The property tests drive the clock through an injected Now (a *clock);
// the tests of timeouts run in synctest bubbles on the default clock.

var (
	errDown = errors.New("503 service unavailable")
	errBad  = errors.New("400 bad request")
)

type clock struct{ t time.Time }

func newClock() *clock                { return &clock{time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)} }
func (c *clock) now() time.Time       { return c.t }
func (c *clock) step(d time.Duration) { c.t = c.t.Add(d) }
func constant(v string) func(context.Context, string, error) (string, error) {
	return func(context.Context, string, error) (string, error) { return v, nil }
}

// flaky is a primary whose answer the test sets before each call.
type flaky struct {
	calls int
	err   error
	value string
}

func (p *flaky) get(_ context.Context, key string) (string, error) {
	p.calls++
	if p.err != nil {
		return "", p.err
	}
	return key + "=" + p.value, nil
}

func TestSourceString(t *testing.T) {
	for s, want := range map[Source]string{Primary: "primary", Stale: "stale", Default: "default", Source(7): "Source(7)"} {
		if got := s.String(); got != want {
			t.Errorf("Source(%d).String() = %q, want %q", int(s), got, want)
		}
	}
}

func TestDefaults(t *testing.T) {
	f := New(func(context.Context, int) (int, error) { return 0, nil }, Options[int, int]{})
	got := []any{f.o.MaxStale, f.o.MaxEntries, f.o.MaxConcurrentDefaults, f.o.ShouldDegrade(errDown), f.o.ShouldDegrade(nil)}
	want := []any{time.Minute, 1024, 10, true, false}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("defaults (-want +got):\n%s", diff)
	}
	if f.o.Now == nil || f.last == nil {
		t.Error("Now or the store not set")
	}
}

// step is one call of a scenario: what the primary does, how much time
// passes before the call, and what Get answers.
type step struct {
	wait  time.Duration
	err   error // the primary's error; nil: it answers
	value string
}

type answer struct {
	Value  string
	Source string
	Age    time.Duration
	Cause  string
	Err    string
}

func TestScenarios(t *testing.T) {
	tests := []struct {
		name  string
		opts  Options[string, string]
		steps []step
		want  []answer
	}{
		{
			name:  "primary answers",
			steps: []step{{value: "1"}, {wait: time.Second, value: "2"}},
			want:  []answer{{Value: "k=1", Source: "primary"}, {Value: "k=2", Source: "primary"}},
		},
		{
			name:  "stale until MaxStale, then the error",
			opts:  Options[string, string]{MaxStale: 10 * time.Second},
			steps: []step{{value: "1"}, {wait: 4 * time.Second, err: errDown}, {wait: 6 * time.Second, err: errDown}, {wait: time.Second, err: errDown}},
			want: []answer{
				{Value: "k=1", Source: "primary"},
				{Value: "k=1", Source: "stale", Age: 4 * time.Second, Cause: errDown.Error()},
				{Value: "k=1", Source: "stale", Age: 10 * time.Second, Cause: errDown.Error()},
				{Source: "primary", Cause: errDown.Error(), Err: errDown.Error()},
			},
		},
		{
			name:  "default when there is no stale value",
			opts:  Options[string, string]{MaxStale: time.Second, Default: constant("fallback")},
			steps: []step{{err: errDown}, {value: "1"}, {wait: 2 * time.Second, err: errDown}},
			want: []answer{
				{Value: "fallback", Source: "default", Cause: errDown.Error()},
				{Value: "k=1", Source: "primary"},
				{Value: "fallback", Source: "default", Cause: errDown.Error()},
			},
		},
		{
			name:  "stale answers switched off",
			opts:  Options[string, string]{MaxStale: -1, Default: constant("fallback")},
			steps: []step{{value: "1"}, {err: errDown}},
			want:  []answer{{Value: "k=1", Source: "primary"}, {Value: "fallback", Source: "default", Cause: errDown.Error()}},
		},
		{
			name:  "a bad request is not degraded",
			opts:  Options[string, string]{Default: constant("fallback"), ShouldDegrade: func(err error) bool { return !errors.Is(err, errBad) }},
			steps: []step{{value: "1"}, {err: errBad}},
			want:  []answer{{Value: "k=1", Source: "primary"}, {Source: "primary", Cause: errBad.Error(), Err: errBad.Error()}},
		},
		{
			name:  "the default fails too",
			opts:  Options[string, string]{Default: func(context.Context, string, error) (string, error) { return "", errBad }},
			steps: []step{{err: errDown}},
			want:  []answer{{Source: "primary", Cause: errDown.Error(), Err: errDown.Error() + "\n" + errBad.Error()}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newClock()
			tt.opts.Now = c.now
			p := &flaky{}
			f := New(p.get, tt.opts)
			var got []answer
			for _, s := range tt.steps {
				c.step(s.wait)
				p.err, p.value = s.err, s.value
				r, err := f.Get(context.Background(), "k")
				got = append(got, toAnswer(r, err))
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("answers (-want +got):\n%s", diff)
			}
		})
	}
}

func toAnswer(r Result[string], err error) answer {
	a := answer{Value: r.Value, Source: r.Source.String(), Age: r.Age}
	if r.Cause != nil {
		a.Cause = r.Cause.Error()
	}
	if err != nil {
		a.Err = err.Error()
	}
	return a
}

// model is the reference the property tests compare with: the last value
// the primary returned per key and when its call started.
type model struct {
	value map[string]string
	at    map[string]time.Time
}

// TestStaleIsLatestAndBounded checks, over random histories of successes,
// failures and time steps on a few keys, that a degraded answer is the
// latest value the primary returned for the key, that its Age is the time
// since that call started and at most MaxStale, and that no stale answer is
// given once the latest value is older than MaxStale.
func TestStaleIsLatestAndBounded(t *testing.T) {
	keys := []string{"a", "b", "c"}
	for seed := range proptest.Seeds(200) {
		rng := rand.New(rand.NewPCG(seed, 1))
		maxStale := time.Duration(1+rng.IntN(20)) * time.Second
		c := newClock()
		p := &flaky{}
		f := New(p.get, Options[string, string]{MaxStale: maxStale, Now: c.now, Default: constant("default")})
		m := model{value: map[string]string{}, at: map[string]time.Time{}}
		for i := range 100 {
			c.step(time.Duration(rng.IntN(5000)) * time.Millisecond)
			key := keys[rng.IntN(len(keys))]
			p.err, p.value = nil, fmt.Sprint(i)
			if rng.IntN(2) == 0 {
				p.err = errDown
			}
			r, err := f.Get(context.Background(), key)
			if err != nil {
				t.Fatalf("seed %d step %d: unexpected error %v", seed, i, err)
			}
			if p.err == nil {
				m.value[key], m.at[key] = r.Value, c.now()
				if r.Source != Primary || r.Value != key+"="+p.value {
					t.Fatalf("seed %d step %d: primary answered %q, got %+v", seed, i, p.value, r)
				}
				continue
			}
			want, ok := m.value[key]
			age := c.now().Sub(m.at[key])
			switch {
			case ok && age <= maxStale:
				if r.Source != Stale || r.Value != want || r.Age != age || r.Age > maxStale {
					t.Fatalf("seed %d step %d: want stale %q age %v (max %v), got %+v", seed, i, want, age, maxStale, r)
				}
			default:
				if r.Source != Default {
					t.Fatalf("seed %d step %d: no fresh-enough value (age %v, max %v), got %+v", seed, i, age, maxStale, r)
				}
			}
		}
	}
}

// TestEveryAnswerLabelled checks, over random histories, that Stats counts
// every call exactly once under the path that answered it, and that an
// answer is marked Primary exactly when the primary succeeded in that call,
// with a Cause exactly when it is degraded.
func TestEveryAnswerLabelled(t *testing.T) {
	for seed := range proptest.Seeds(200) {
		rng := rand.New(rand.NewPCG(seed, 2))
		c := newClock()
		p := &flaky{}
		opts := Options[string, string]{MaxStale: time.Duration(rng.IntN(4)) * time.Second, Now: c.now}
		if rng.IntN(2) == 0 {
			opts.Default = constant("default")
		}
		f := New(p.get, opts)
		var want Stats
		n := 1 + rng.IntN(60)
		for i := range n {
			c.step(time.Duration(rng.IntN(3000)) * time.Millisecond)
			p.err = nil
			if rng.IntN(3) > 0 {
				p.err = errDown
			}
			r, err := f.Get(context.Background(), fmt.Sprint(rng.IntN(3)))
			if (r.Source == Primary && err == nil) != (p.err == nil) {
				t.Fatalf("seed %d step %d: Source %v with primary error %v", seed, i, r.Source, p.err)
			}
			if r.Degraded() != (r.Cause != nil) && err == nil {
				t.Fatalf("seed %d step %d: Degraded %v but Cause %v", seed, i, r.Degraded(), r.Cause)
			}
			switch {
			case err != nil:
				want.Failed++
			case r.Source == Primary:
				want.Primary++
			case r.Source == Stale:
				want.Stale++
			case r.Source == Default:
				want.Default++
			}
		}
		got := f.Stats()
		if diff := cmp.Diff(want, got); diff != "" || got.Total() != uint64(n) {
			t.Fatalf("seed %d: stats (-want +got), total %d of %d:\n%s", seed, got.Total(), n, diff)
		}
	}
}

// TestFallbackConcurrencyBound checks, for random limits and loads, that
// at most MaxConcurrentDefaults calls of Default run at once and that every
// call beyond the limit is refused at once with ErrFallbackLimit.
func TestFallbackConcurrencyBound(t *testing.T) {
	for seed := range proptest.Seeds(40) {
		rng := rand.New(rand.NewPCG(seed, 3))
		limit, callers := 1+rng.IntN(8), 1+rng.IntN(30)
		synctest.Test(t, func(t *testing.T) {
			var inFlight, peak atomic.Int64
			slow := func(context.Context, string, error) (string, error) {
				n := inFlight.Add(1)
				for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
				}
				time.Sleep(time.Second) // a fallback that calls something slow
				inFlight.Add(-1)
				return "default", nil
			}
			f := New(func(context.Context, string) (string, error) { return "", errDown },
				Options[string, string]{MaxConcurrentDefaults: limit, Default: slow})
			var wg sync.WaitGroup
			var refused atomic.Int64
			start := time.Now()
			for i := range callers {
				wg.Go(func() {
					_, err := f.Get(context.Background(), fmt.Sprint(i))
					if errors.Is(err, ErrFallbackLimit) {
						if !errors.Is(err, errDown) || time.Since(start) != 0 {
							t.Errorf("refusal %v after %v: want the cause wrapped, at once", err, time.Since(start))
						}
						refused.Add(1)
					}
				})
			}
			wg.Wait()
			wantRefused := int64(max(callers-limit, 0))
			if peak.Load() > int64(limit) || refused.Load() != wantRefused {
				t.Errorf("limit %d, %d callers: peak %d in flight, %d refused (want %d)", limit, callers, peak.Load(), refused.Load(), wantRefused)
			}
			if s := f.Stats(); s.Rejected != uint64(wantRefused) || s.Default != uint64(callers)-uint64(wantRefused) {
				t.Errorf("stats %+v", s)
			}
		})
	}
}

// TestNoMasking checks, over random errors, that an error ShouldDegrade
// rejects, or any error once the caller's context is done, comes back
// unchanged with no fallback consulted, even when a stale value and a
// default exist.
func TestNoMasking(t *testing.T) {
	for seed := range proptest.Seeds(100) {
		rng := rand.New(rand.NewPCG(seed, 4))
		var defaults int
		cause := fmt.Errorf("error %d: %w", rng.IntN(1000), errBad)
		p := &flaky{}
		f := New(p.get, Options[string, string]{
			ShouldDegrade: func(err error) bool { return !errors.Is(err, errBad) },
			Default:       func(context.Context, string, error) (string, error) { defaults++; return "default", nil },
		})
		p.value = "1"
		if _, err := f.Get(context.Background(), "k"); err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		if rng.IntN(2) == 0 { // the caller gave up: even errDown is not degraded
			var cancel context.CancelFunc
			ctx, cancel = context.WithCancel(ctx)
			cancel()
			cause = fmt.Errorf("%w (%w)", errDown, ctx.Err())
		}
		p.err = cause
		r, err := f.Get(ctx, "k")
		if err != cause || r.Cause != cause || r.Value != "" || defaults != 0 {
			t.Fatalf("seed %d: got %+v, %v, %d defaults; want the cause %v unchanged and no fallback", seed, r, err, defaults, cause)
		}
	}
}

// TestRememberedBound checks, for random key streams and bounds, that the
// store never holds more than MaxEntries keys and that it keeps the most
// recently refreshed ones.
func TestRememberedBound(t *testing.T) {
	for seed := range proptest.Seeds(100) {
		rng := rand.New(rand.NewPCG(seed, 5))
		maxEntries := 1 + rng.IntN(10)
		c := newClock()
		p := &flaky{}
		f := New(p.get, Options[string, string]{MaxEntries: maxEntries, Now: c.now})
		var recent []string // keys, most recently refreshed last, no repeats
		for range 200 {
			c.step(time.Millisecond)
			key := fmt.Sprint(rng.IntN(3 * maxEntries))
			if _, err := f.Get(context.Background(), key); err != nil {
				t.Fatal(err)
			}
			recent = append(without(recent, key), key)
			if f.Remembered() > maxEntries {
				t.Fatalf("seed %d: %d remembered, max %d", seed, f.Remembered(), maxEntries)
			}
		}
		p.err = errDown
		for i, key := range recent {
			kept := i >= len(recent)-maxEntries
			r, _ := f.Get(context.Background(), key)
			if (r.Source == Stale) != kept {
				t.Fatalf("seed %d: key %s (rank %d of %d, max %d): source %v", seed, key, i, len(recent), maxEntries, r.Source)
			}
		}
	}
}

func without(keys []string, key string) []string {
	out := keys[:0]
	for _, k := range keys {
		if k != key {
			out = append(out, k)
		}
	}
	return out
}

func TestTimeoutDegrades(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		slow := func(ctx context.Context, key string) (string, error) {
			select {
			case <-time.After(5 * time.Second):
				return "late", nil
			case <-ctx.Done():
				return "", ctx.Err()
			}
		}
		f := New(slow, Options[string, string]{Timeout: 300 * time.Millisecond, Default: constant("default")})
		start := time.Now()
		r, err := f.Get(context.Background(), "k")
		if err != nil || r.Source != Default || !errors.Is(r.Cause, context.DeadlineExceeded) || time.Since(start) != 300*time.Millisecond {
			t.Errorf("got %+v, %v after %v; want the default after exactly 300ms", r, err, time.Since(start))
		}
	})
}

func TestDrill(t *testing.T) {
	c := newClock()
	p := &flaky{value: "1"}
	f := New(p.get, Options[string, string]{
		Now:           c.now,
		Default:       constant("default"),
		ShouldDegrade: func(error) bool { return false }, // a drill degrades anyway
		Drill:         func(key string) bool { return key == "canary" },
	})
	var got []answer
	for _, key := range []string{"canary", "other"} {
		r, err := f.Get(context.Background(), key)
		got = append(got, toAnswer(r, err))
	}
	want := []answer{{Value: "default", Source: "default", Cause: ErrDrill.Error()}, {Value: "other=1", Source: "primary"}}
	if diff := cmp.Diff(want, got); diff != "" || p.calls != 1 {
		t.Errorf("answers (-want +got), %d primary calls (want 1):\n%s", p.calls, diff)
	}
}

// TestOutOfOrderCompletion: a slow call that started first must not
// overwrite the value of a faster call that started later.
func TestOutOfOrderCompletion(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		delays := map[string]time.Duration{"old": 2 * time.Second, "new": time.Second}
		var version atomic.Value
		primary := func(_ context.Context, _ string) (string, error) {
			v := version.Load().(string)
			if v == "down" {
				return "", errDown
			}
			time.Sleep(delays[v])
			return v, nil
		}
		f := New(primary, Options[string, string]{})
		var wg sync.WaitGroup
		version.Store("old")
		wg.Go(func() { f.Get(context.Background(), "k") })
		synctest.Wait()
		time.Sleep(time.Millisecond)
		version.Store("new")
		wg.Go(func() { f.Get(context.Background(), "k") })
		synctest.Wait()
		wg.Wait()
		version.Store("down")
		r, _ := f.Get(context.Background(), "k")
		if r.Source != Stale || r.Value != "new" {
			t.Errorf("got %+v, want the stale value of the call that started last", r)
		}
	})
}

func TestStatsHelpers(t *testing.T) {
	s := Stats{Primary: 5, Stale: 3, Default: 2, Failed: 1, Rejected: 4}
	if s.Degraded() != 5 || s.Total() != 15 {
		t.Errorf("Degraded %d (want 5), Total %d (want 15)", s.Degraded(), s.Total())
	}
	off := New(func(context.Context, int) (int, error) { return 1, nil }, Options[int, int]{MaxStale: -1})
	off.Get(context.Background(), 1)
	if off.Remembered() != 0 {
		t.Errorf("Remembered %d with stale answers off", off.Remembered())
	}
}

func BenchmarkGetPrimary(b *testing.B) {
	f := New(func(_ context.Context, k int) (int, error) { return k, nil }, Options[int, int]{})
	ctx := context.Background()
	for i := 0; b.Loop(); i++ {
		f.Get(ctx, i&1023)
	}
}

func BenchmarkGetStale(b *testing.B) {
	down := false
	f := New(func(_ context.Context, k int) (int, error) {
		if down {
			return 0, errDown
		}
		return k, nil
	}, Options[int, int]{MaxStale: time.Hour})
	ctx := context.Background()
	for k := range 1024 {
		f.Get(ctx, k)
	}
	down = true
	for i := 0; b.Loop(); i++ {
		f.Get(ctx, i&1023)
	}
}

func BenchmarkGetDefault(b *testing.B) {
	f := New(func(context.Context, int) (int, error) { return 0, errDown },
		Options[int, int]{MaxStale: -1, Default: func(context.Context, int, error) (int, error) { return -1, nil }})
	ctx := context.Background()
	for i := 0; b.Loop(); i++ {
		f.Get(ctx, i)
	}
}

func BenchmarkGetParallel(b *testing.B) {
	f := New(func(_ context.Context, k int) (int, error) { return k, nil }, Options[int, int]{})
	ctx := context.Background()
	b.RunParallel(func(pb *testing.PB) {
		for i := 0; pb.Next(); i++ {
			f.Get(ctx, i&1023)
		}
	})
}
