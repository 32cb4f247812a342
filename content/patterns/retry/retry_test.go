package retry

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
)

var errFlaky = errors.New("flaky")

// Tests that wait run in a synctest bubble with the default clock: time.Now
// is fake there and the real timer of Do fires after exactly its delay, at
// once. TestOptions shows that an injected clock is honoured instead.

func seeded() *rand.Rand { return rand.New(rand.NewPCG(1, 2)) }

func TestBackoffNoJitter(t *testing.T) {
	p := Policy{Initial: 100 * time.Millisecond, Max: time.Second, Jitter: NoJitter}
	var got []time.Duration
	for n := 1; n <= 6; n++ {
		got = append(got, p.Backoff(n, 0, seeded()))
	}
	want := []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond, 800 * time.Millisecond, time.Second, time.Second}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("delays (-want +got):\n%s", diff)
	}
}

func TestBackoffJitterBounds(t *testing.T) {
	base, cap := 100*time.Millisecond, 2*time.Second
	tests := []struct {
		jitter Jitter
		lo, hi func(n int, prev time.Duration) time.Duration
	}{
		{FullJitter, func(int, time.Duration) time.Duration { return 0 }, exp(base, cap)},
		{EqualJitter, func(n int, p time.Duration) time.Duration { return exp(base, cap)(n, p) / 2 }, exp(base, cap)},
		{DecorrelatedJitter, func(int, time.Duration) time.Duration { return base },
			func(_ int, p time.Duration) time.Duration { return min(cap, max(3*p, base)) }},
	}
	for _, tt := range tests {
		rnd := seeded()
		p := Policy{Initial: base, Max: cap, Jitter: tt.jitter}
		prev := time.Duration(0)
		seen := map[time.Duration]bool{}
		for i := 0; i < 2000; i++ {
			n := i%8 + 1
			d := p.Backoff(n, prev, rnd)
			if d < tt.lo(n, prev) || d > tt.hi(n, prev) {
				t.Fatalf("jitter %d, retry %d after %v: delay %v outside [%v, %v]", tt.jitter, n, prev, d, tt.lo(n, prev), tt.hi(n, prev))
			}
			seen[d] = true
			prev = d
		}
		if len(seen) < 100 {
			t.Errorf("jitter %d produced only %d distinct delays", tt.jitter, len(seen))
		}
	}
}

func exp(base, cap time.Duration) func(int, time.Duration) time.Duration {
	return func(n int, _ time.Duration) time.Duration {
		return min(cap, base<<(n-1))
	}
}

func TestDo(t *testing.T) {
	tests := []struct {
		name      string
		policy    Policy
		results   []error // what successive attempts return; nil = success
		wantCalls int
		wantErr   error
		reason    string
		sleeps    []time.Duration
	}{
		{"succeeds at once", Policy{}, []error{nil}, 1, nil, "", nil},
		{"succeeds on the third attempt", Policy{Jitter: NoJitter}, []error{errFlaky, errFlaky, nil}, 3, nil, "",
			[]time.Duration{100 * time.Millisecond, 200 * time.Millisecond}},
		{"runs out of attempts", Policy{MaxAttempts: 3, Jitter: NoJitter}, []error{errFlaky, errFlaky, errFlaky, nil}, 3, errFlaky, "attempts",
			[]time.Duration{100 * time.Millisecond, 200 * time.Millisecond}},
		{"permanent error stops", Policy{}, []error{Permanent(errFlaky), nil}, 1, errFlaky, "permanent", nil},
		{"retry-after raises the delay", Policy{Jitter: NoJitter}, []error{After(errFlaky, 3*time.Second), nil}, 2, nil, "",
			[]time.Duration{3 * time.Second}},
		{"retry-after below the backoff is ignored", Policy{Jitter: NoJitter, Initial: time.Second}, []error{After(errFlaky, time.Millisecond), nil}, 2, nil, "",
			[]time.Duration{time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				r := New(tt.policy, Options{Rand: seeded()})
				var at []time.Time // when each call started
				err := r.Do(context.Background(), func(context.Context) error {
					at = append(at, time.Now())
					return tt.results[len(at)-1]
				})
				if len(at) != tt.wantCalls {
					t.Errorf("calls = %d, want %d", len(at), tt.wantCalls)
				}
				if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
					t.Errorf("err = %v, want %v", err, tt.wantErr)
				}
				var re *Error
				if tt.reason != "" && (!errors.As(err, &re) || re.Reason != tt.reason) {
					t.Errorf("err = %v, want reason %q", err, tt.reason)
				}
				if diff := cmp.Diff(tt.sleeps, gaps(at)); diff != "" {
					t.Errorf("sleeps (-want +got):\n%s", diff)
				}
			})
		})
	}
}

// gaps returns the time between consecutive calls: the sleeps of Do.
func gaps(at []time.Time) []time.Duration {
	var d []time.Duration
	for i := 1; i < len(at); i++ {
		d = append(d, at[i].Sub(at[i-1]))
	}
	return d
}

func TestDoRespectsDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 250*time.Millisecond)
		defer cancel()
		r := New(Policy{MaxAttempts: 10, Jitter: NoJitter}, Options{})
		var at []time.Time
		start := time.Now()
		err := r.Do(ctx, func(context.Context) error { at = append(at, time.Now()); return errFlaky })
		var re *Error
		if !errors.As(err, &re) || re.Reason != "deadline" {
			t.Fatalf("err = %v, want a deadline stop", err)
		}
		// 100 ms, then 200 ms would end at 300 ms > 250 ms: two calls, one
		// sleep, and Do returns at once instead of sleeping in vain.
		if diff := cmp.Diff([]time.Duration{100 * time.Millisecond}, gaps(at)); diff != "" {
			t.Errorf("sleeps (-want +got):\n%s", diff)
		}
		if took := time.Since(start); took != 100*time.Millisecond {
			t.Errorf("Do took %v, want 100ms", took)
		}
	})
}

// TestOptions: an injected Now and Sleep replace the real clock. The
// injected time starts 250 ms before the context's deadline, which is an
// hour away in real time: only the injected Now can make Do stop.
func TestOptions(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	dl, _ := ctx.Deadline()
	now := dl.Add(-250 * time.Millisecond)
	var slept []time.Duration
	r := New(Policy{MaxAttempts: 10, Jitter: NoJitter}, Options{
		Now: func() time.Time { return now },
		Sleep: func(ctx context.Context, d time.Duration) error {
			slept = append(slept, d)
			now = now.Add(d)
			return ctx.Err()
		},
	})
	calls := 0
	err := r.Do(ctx, func(context.Context) error { calls++; return errFlaky })
	var re *Error
	if !errors.As(err, &re) || re.Reason != "deadline" {
		t.Fatalf("err = %v, want a deadline stop", err)
	}
	if diff := cmp.Diff([]time.Duration{100 * time.Millisecond}, slept); diff != "" || calls != 2 {
		t.Errorf("calls = %d, sleeps (-want +got):\n%s", calls, diff)
	}
}

func TestDoCanceled(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		r := New(Policy{MaxAttempts: 5, Initial: time.Hour, Jitter: NoJitter}, Options{})
		calls := 0
		go func() { time.Sleep(10 * time.Millisecond); cancel() }()
		start := time.Now()
		err := r.Do(ctx, func(context.Context) error { calls++; return errFlaky })
		var re *Error
		if !errors.As(err, &re) || re.Reason != "canceled" || calls != 1 {
			t.Fatalf("err = %v after %d calls, want canceled after 1", err, calls)
		}
		if took := time.Since(start); took != 10*time.Millisecond {
			t.Errorf("Do returned %v after the start, want 10ms (when ctx was cancelled)", took)
		}
		if re.Error() == "" || !errors.Is(err, errFlaky) {
			t.Error("Error must describe and wrap the last error")
		}
		// A context canceled during the call stops without sleeping.
		calls = 0
		err = r.Do(ctx, func(context.Context) error { calls++; return errFlaky })
		if !errors.As(err, &re) || re.Reason != "canceled" || calls != 1 {
			t.Fatalf("err = %v after %d calls", err, calls)
		}
	})
}

func TestBudget(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := NewBudget(10, 0.1)
		r := New(Policy{MaxAttempts: 3}, Options{Budget: b})
		calls := 0
		for range 10 {
			r.Do(context.Background(), func(context.Context) error { calls++; return errFlaky })
		}
		// 10 tokens, retries while more than 5 remain: the first Do makes 3
		// calls (10→7), the second 2 (→5, no retry), the last 8 one each.
		if calls != 3+2+8 {
			t.Errorf("calls = %d, want 13", calls)
		}
		if b.Tokens() != 0 {
			t.Errorf("tokens = %v, want 0", b.Tokens())
		}
		for range 60 {
			b.record(true)
		}
		if math.Abs(b.Tokens()-6) > 1e-9 || !b.allowRetry() {
			t.Errorf("after 60 successes tokens = %v, retries allowed = %v", b.Tokens(), b.allowRetry())
		}
		for range 100 {
			b.record(true)
		}
		if b.Tokens() != 10 {
			t.Errorf("tokens exceed the maximum: %v", b.Tokens())
		}
	})
}

// TestBudgetIgnoresPermanent checks the gRFC A6 rule that only retryable
// failures count against the budget: permanent errors spend no token, so a
// flood of bad requests cannot switch retries off for everyone else.
func TestBudgetIgnoresPermanent(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := NewBudget(10, 0.1)
		r := New(Policy{MaxAttempts: 3}, Options{Budget: b})
		bad := Permanent(errors.New("400 bad request"))
		for range 50 {
			r.Do(context.Background(), func(context.Context) error { return bad })
		}
		if b.Tokens() != 10 {
			t.Errorf("after 50 permanent errors tokens = %v, want 10", b.Tokens())
		}
		r.Do(context.Background(), func(context.Context) error { return errFlaky })
		if b.Tokens() != 7 {
			t.Errorf("after one call failing 3 times tokens = %v, want 7", b.Tokens())
		}
	})
}

func TestNilBudgetAndDefaults(t *testing.T) {
	var b *Budget
	b.record(false)
	if !b.allowRetry() {
		t.Error("a nil budget refused a retry")
	}
	p := Policy{}.withDefaults()
	if p.MaxAttempts != 4 || p.Initial != 100*time.Millisecond || p.Max != 10*time.Second || p.Multiplier != 2 || p.Jitter != FullJitter {
		t.Errorf("defaults = %+v", p)
	}
	if o := (Options{}).withDefaults(); o.Budget != nil || o.Now == nil || o.Sleep == nil || o.Rand == nil {
		t.Errorf("default options = %+v", o)
	}
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		if err := sleepContext(context.Background(), time.Microsecond); err != nil || time.Since(start) != time.Microsecond {
			t.Errorf("sleepContext(1µs) = %v after %v", err, time.Since(start))
		}
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if err := sleepContext(ctx, time.Hour); !errors.Is(err, context.Canceled) || time.Since(start) != time.Microsecond {
			t.Errorf("sleepContext on a cancelled context = %v", err)
		}
	})
	if Permanent(errFlaky).Error() != "flaky" || After(errFlaky, 0).Error() != "flaky" {
		t.Error("wrappers must keep the message")
	}
}

// TestConcurrent shares one Retrier and Budget between goroutines; run
// with -race.
func TestConcurrent(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := NewBudget(100, 0.5)
		r := New(Policy{MaxAttempts: 3, Initial: time.Microsecond, Max: 10 * time.Microsecond}, Options{Budget: b})
		var wg sync.WaitGroup
		for g := range 8 {
			wg.Go(func() {
				for i := range 200 {
					n := 0
					r.Do(context.Background(), func(context.Context) error {
						n++
						if (i+g+n)%2 == 0 {
							return nil
						}
						return errFlaky
					})
				}
			})
		}
		wg.Wait()
		if tk := b.Tokens(); tk < 0 || tk > 100 {
			t.Errorf("tokens = %v, outside [0, 100]", tk)
		}
	})
}

func BenchmarkBackoff(b *testing.B) {
	p := Policy{}
	rnd := seeded()
	n := 0
	for b.Loop() {
		n = n%10 + 1
		p.Backoff(n, 0, rnd)
	}
}

func BenchmarkDoSuccess(b *testing.B) {
	r := New(Policy{}, Options{Budget: NewBudget(10, 0.1)})
	ctx := context.Background()
	op := func(context.Context) error { return nil }
	for b.Loop() {
		r.Do(ctx, op)
	}
}

func BenchmarkDoParallel(b *testing.B) {
	var mu sync.Mutex
	var slept time.Duration
	sleep := func(ctx context.Context, d time.Duration) error {
		mu.Lock()
		slept += d
		mu.Unlock()
		return nil
	}
	r := New(Policy{MaxAttempts: 2}, Options{Sleep: sleep})
	b.RunParallel(func(pb *testing.PB) {
		ctx := context.Background()
		fail := true
		for pb.Next() {
			r.Do(ctx, func(context.Context) error {
				fail = !fail
				if fail {
					return errFlaky
				}
				return nil
			})
		}
	})
}
