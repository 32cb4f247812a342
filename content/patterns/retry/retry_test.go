package retry

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
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

// TestBackoffJitterBounds checks, for random policies and every strategy,
// that each delay lies in the strategy's range: [0, d] (full), [d/2, d]
// (equal), [min(b, c), min(c, 3·max(b, prev))] (decorrelated), exactly d
// (none); and that the jittered ones are actually spread.
func TestBackoffJitterBounds(t *testing.T) {
	rnd := seeded()
	for range 200 {
		p := randomPolicy(rnd)
		for _, j := range []Jitter{FullJitter, EqualJitter, DecorrelatedJitter, NoJitter} {
			p.Jitter = j
			prev := time.Duration(0)
			for n := 1; n <= 12; n++ {
				d := p.Backoff(n, prev, rnd)
				lo, hi := delayRange(p, n, prev)
				if d < lo || d > hi || d > p.Max {
					t.Fatalf("%+v, retry %d after %v: delay %v outside [%v, %v]", p, n, prev, d, lo, hi)
				}
				prev = d
			}
		}
	}
	base, cap := 100*time.Millisecond, 2*time.Second
	for _, j := range []Jitter{FullJitter, EqualJitter, DecorrelatedJitter} {
		p := Policy{Initial: base, Max: cap, Jitter: j}
		seen := map[time.Duration]bool{}
		prev := time.Duration(0)
		for i := range 2000 {
			prev = p.Backoff(i%8+1, prev, rnd)
			seen[prev] = true
		}
		if len(seen) < 100 {
			t.Errorf("jitter %d produced only %d distinct delays", j, len(seen))
		}
	}
}

// randomPolicy draws a policy with any base, cap (possibly below the base)
// and multiplier; the jitter is left to the caller.
func randomPolicy(rnd *rand.Rand) Policy {
	return Policy{
		MaxAttempts: 1 + rnd.IntN(12),
		Initial:     time.Duration(1 + rnd.Int64N(int64(time.Second))),
		Max:         time.Duration(1 + rnd.Int64N(int64(20*time.Second))),
		Multiplier:  1 + 3*rnd.Float64(),
	}
}

// ceiling is the un-jittered delay d_n = min(c, b·m^(n-1)).
func ceiling(p Policy, n int) time.Duration {
	d := float64(p.Initial)
	for i := 1; i < n; i++ {
		d *= p.Multiplier
	}
	return time.Duration(min(d, float64(p.Max)))
}

// delayRange is the range the formal model gives the delay of retry n.
func delayRange(p Policy, n int, prev time.Duration) (lo, hi time.Duration) {
	d := ceiling(p, n)
	switch p.Jitter {
	case FullJitter:
		return 0, d
	case EqualJitter:
		return d / 2, d
	case DecorrelatedJitter:
		return min(p.Initial, p.Max), min(p.Max, 3*max(p.Initial, prev))
	}
	return d, d
}

// TestDecorrelatedFirstDelay: Brooker's decorrelated jitter starts from
// sleep = base, so the first delay is uniform in [b, 3b], not always b.
func TestDecorrelatedFirstDelay(t *testing.T) {
	b := 100 * time.Millisecond
	p := Policy{Initial: b, Max: time.Minute, Jitter: DecorrelatedJitter}
	rnd := seeded()
	lo, hi, sum := time.Duration(math.MaxInt64), time.Duration(0), 0.0
	const draws = 5000
	for range draws {
		d := p.Backoff(1, 0, rnd)
		if d < b || d > 3*b {
			t.Fatalf("first delay %v outside [%v, %v]", d, b, 3*b)
		}
		lo, hi, sum = min(lo, d), max(hi, d), sum+float64(d)
	}
	if lo > b+b/20 || hi < 3*b-b/20 {
		t.Errorf("first delays span [%v, %v], want about [%v, %v]", lo, hi, b, 3*b)
	}
	if mean := time.Duration(sum / draws); mean < 19*b/10 || mean > 21*b/10 {
		t.Errorf("mean first delay %v, want about %v", mean, 2*b)
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
		{"retry-after of exactly Max is waited for", Policy{Jitter: NoJitter, Max: 5 * time.Second}, []error{After(errFlaky, 5*time.Second), nil}, 2, nil, "",
			[]time.Duration{5 * time.Second}},
		{"retry-after beyond Max gives up", Policy{Jitter: NoJitter, Max: 5 * time.Second}, []error{After(errFlaky, time.Hour), nil}, 1, errFlaky, "retry-after", nil},
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

// run calls Do with p, an injected sleep that only records, and an op
// whose attempt n returns result(n).
func run(p Policy, seed uint64, result func(n int) error) (sleeps []time.Duration, calls int, err error) {
	r := New(p, Options{
		Sleep: func(_ context.Context, d time.Duration) error { sleeps = append(sleeps, d); return nil },
		Rand:  rand.New(rand.NewPCG(seed, 3)),
	})
	err = r.Do(context.Background(), func(context.Context) error { calls++; return result(calls) })
	return sleeps, calls, err
}

// TestAttemptsBound: for random policies and random outcomes, Do makes at
// most k calls, stops at the first success or permanent error, and sleeps
// once between two calls.
func TestAttemptsBound(t *testing.T) {
	rnd := seeded()
	for i := range 2000 {
		p := randomPolicy(rnd)
		p.Jitter = Jitter(rnd.IntN(4))
		outcomes := make([]error, p.MaxAttempts)
		for n := range outcomes {
			switch rnd.IntN(6) {
			case 0:
				outcomes[n] = nil
			case 1:
				outcomes[n] = Permanent(errFlaky)
			default:
				outcomes[n] = errFlaky
			}
		}
		sleeps, calls, err := run(p, uint64(i), func(n int) error { return outcomes[n-1] })
		want := p.MaxAttempts
		for n, e := range outcomes {
			if e == nil || isPermanent(e) {
				want = n + 1
				break
			}
		}
		if calls != want || len(sleeps) != calls-1 || (err == nil) != (outcomes[calls-1] == nil) {
			t.Fatalf("%+v, outcomes %v: %d calls (want %d), %d sleeps, err %v", p, outcomes, calls, want, len(sleeps), err)
		}
	}
}

// TestWaitBoundExponential: without jitter, with full and with equal
// jitter every delay is at most d_n, so the total wait of k attempts is at
// most the sum of d_1 … d_(k-1), exactly that sum without jitter.
func TestWaitBoundExponential(t *testing.T) {
	rnd := seeded()
	for i := range 3000 {
		p := randomPolicy(rnd)
		p.Jitter = []Jitter{NoJitter, FullJitter, EqualJitter}[i%3]
		sleeps, _, _ := run(p, uint64(i), func(int) error { return errFlaky })
		var total, bound time.Duration
		for n, s := range sleeps {
			if s > ceiling(p, n+1) {
				t.Fatalf("%+v: delay %d is %v > d_n = %v", p, n+1, s, ceiling(p, n+1))
			}
			total, bound = total+s, bound+ceiling(p, n+1)
		}
		if len(sleeps) != p.MaxAttempts-1 || total > bound || p.Jitter == NoJitter && total != bound {
			t.Fatalf("%+v: %d sleeps, %v in all, bound %v", p, len(sleeps), total, bound)
		}
	}
}

// TestWaitBoundDecorrelated: decorrelated delays are bounded by
// min(c, 3^n·b), whatever the multiplier, and their sum by the sum of
// those; the exponential sum of d_n is not a bound for them.
func TestWaitBoundDecorrelated(t *testing.T) {
	rnd := seeded()
	exceeded := 0
	for i := range 3000 {
		p := randomPolicy(rnd)
		p.Jitter = DecorrelatedJitter
		sleeps, _, _ := run(p, uint64(i), func(int) error { return errFlaky })
		var total, bound, expo time.Duration
		hi := p.Initial
		for n, s := range sleeps {
			hi = min(p.Max, 3*hi) // min(c, 3^n b)
			if s > hi {
				t.Fatalf("%+v: delay %d is %v > min(c, 3^n b) = %v", p, n+1, s, hi)
			}
			total, bound, expo = total+s, bound+hi, expo+ceiling(p, n+1)
		}
		if total > bound {
			t.Fatalf("%+v: waited %v in all, bound %v", p, total, bound)
		}
		if total > expo {
			exceeded++
		}
	}
	if exceeded == 0 {
		t.Error("no run waited longer than the sum of d_n; the test no longer shows why that sum is not the bound")
	}
}

// TestWaitBoundRetryAfter: with a server's Retry-After a, each wait is
// max(backoff, a) when a ≤ c, Do gives up at the first a > c, so no wait
// exceeds c and k attempts wait at most (k-1)·c, for every strategy.
func TestWaitBoundRetryAfter(t *testing.T) {
	rnd := seeded()
	for i := range 3000 {
		p := randomPolicy(rnd)
		p.Jitter = Jitter(i % 4)
		afters := make([]time.Duration, p.MaxAttempts)
		for n := range afters {
			afters[n] = time.Duration(rnd.Int64N(int64(2*p.Max) + 1))
		}
		sleeps, calls, err := run(p, uint64(i), func(n int) error { return After(errFlaky, afters[n-1]) })
		var total time.Duration
		for n, s := range sleeps {
			if s > p.Max || s < afters[n] {
				t.Fatalf("%+v: wait %v after Retry-After %v", p, s, afters[n])
			}
			total += s
		}
		if total > time.Duration(p.MaxAttempts-1)*p.Max {
			t.Fatalf("%+v: waited %v in all", p, total)
		}
		var re *Error
		if !errors.As(err, &re) {
			t.Fatalf("err = %v", err)
		}
		gaveUp := slices.IndexFunc(afters[:p.MaxAttempts-1], func(a time.Duration) bool { return a > p.Max })
		if gaveUp >= 0 && (calls != gaveUp+1 || re.Reason != "retry-after") || gaveUp < 0 && calls != p.MaxAttempts {
			t.Fatalf("%+v, Retry-After %v: %d calls, reason %q", p, afters, calls, re.Reason)
		}
	}
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
		if !errors.As(err, &re) || re.Reason != "deadline" || !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, errFlaky) {
			t.Fatalf("err = %v, want a deadline stop matching context.DeadlineExceeded and the last error", err)
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

// TestDeadlineBound: for random policies and deadlines D, no attempt
// starts after D, Do returns by D, and it returns either when its last
// attempt ends or at D: it never sleeps in vain. A deadline stop matches
// context.DeadlineExceeded.
func TestDeadlineBound(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rnd := seeded()
		for i := range 500 {
			p := randomPolicy(rnd)
			p.Jitter = Jitter(i % 4)
			p.MaxAttempts = 1 + rnd.IntN(30)
			ctx, cancel := context.WithTimeout(context.Background(), time.Duration(rnd.Int64N(int64(10*time.Second))))
			dl, _ := ctx.Deadline()
			r := New(p, Options{Rand: rand.New(rand.NewPCG(uint64(i), 5))})
			var last time.Time
			err := r.Do(ctx, func(context.Context) error { last = time.Now(); return errFlaky })
			end := time.Now()
			cancel()
			var re *Error
			if !errors.As(err, &re) || last.After(dl) || end.After(dl) || !end.Equal(last) && !end.Equal(dl) {
				t.Fatalf("%+v: last attempt %v, return %v, deadline %v: %v", p, last, end, dl, err)
			}
			if (re.Reason == "deadline") != errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("reason %q, but errors.Is(err, DeadlineExceeded) = %v", re.Reason, errors.Is(err, context.DeadlineExceeded))
			}
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

// TestDoCanceled: when the caller's context ends, during a sleep or an
// attempt, Do returns at that moment with an Error that matches both the
// last error and ctx.Err().
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
		if re.Error() == "" || !errors.Is(err, errFlaky) || !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v: must describe and match the last error and context.Canceled", err)
		}
		// A context cancelled already: one call, no sleep.
		calls = 0
		err = r.Do(ctx, func(context.Context) error { calls++; return errFlaky })
		if !errors.As(err, &re) || re.Reason != "canceled" || calls != 1 || !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v after %d calls", err, calls)
		}
		// A context cancelled during the last attempt, or with a permanent
		// error: the error still matches context.Canceled.
		for _, last := range []error{errFlaky, Permanent(errFlaky)} {
			ctx, cancel := context.WithCancel(context.Background())
			err = New(Policy{MaxAttempts: 1}, Options{}).Do(ctx, func(context.Context) error { cancel(); return last })
			if !errors.As(err, &re) || re.Reason != "canceled" || !errors.Is(err, context.Canceled) || !errors.Is(err, errFlaky) {
				t.Fatalf("err = %v, want canceled matching context.Canceled and the last error", err)
			}
		}
		// A deadline that passes during an attempt.
		ctx, cancel = context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		err = r.Do(ctx, func(ctx context.Context) error { <-ctx.Done(); return errFlaky })
		if !errors.As(err, &re) || re.Reason != "deadline" || !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, errFlaky) {
			t.Fatalf("err = %v, want a deadline stop matching context.DeadlineExceeded", err)
		}
	})
	synctest.Test(t, func(t *testing.T) {
		rnd := seeded()
		for i := range 300 {
			p := Policy{MaxAttempts: 1000, Initial: time.Duration(1+rnd.Int64N(100)) * time.Millisecond, Max: 500 * time.Millisecond, Jitter: Jitter(i % 4)}
			work := time.Duration(rnd.Int64N(int64(50 * time.Millisecond)))
			at := time.Duration(rnd.Int64N(int64(2 * time.Second)))
			ctx, cancel := context.WithCancel(context.Background())
			go func() { time.Sleep(at); cancel() }()
			start := time.Now()
			err := New(p, Options{Rand: rand.New(rand.NewPCG(uint64(i), 7))}).Do(ctx, func(ctx context.Context) error {
				select {
				case <-time.After(work):
				case <-ctx.Done():
				}
				return errFlaky
			})
			if took := time.Since(start); took != at || !errors.Is(err, context.Canceled) || !errors.Is(err, errFlaky) {
				t.Fatalf("%+v, work %v, cancelled at %v: returned after %v with %v", p, work, at, took, err)
			}
		}
	})
}

// TestAttemptTimeout: with AttemptTimeout a, each attempt's context ends
// at min(start + a, D) and not before; a timed-out attempt is retried.
func TestAttemptTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rnd := seeded()
		for range 300 {
			a := time.Duration(1 + rnd.Int64N(int64(time.Second)))
			p := Policy{MaxAttempts: 1 + rnd.IntN(5), Initial: 10 * time.Millisecond, Jitter: NoJitter, AttemptTimeout: a}
			ctx, cancel := context.WithTimeout(context.Background(), time.Duration(rnd.Int64N(int64(5*time.Second))))
			dl, _ := ctx.Deadline()
			calls := 0
			err := New(p, Options{}).Do(ctx, func(actx context.Context) error {
				calls++
				start := time.Now()
				want := start.Add(a)
				if dl.Before(want) {
					want = dl
				}
				if got, ok := actx.Deadline(); !ok || !got.Equal(want) {
					t.Fatalf("attempt deadline %v, want %v", got, want)
				}
				<-actx.Done()
				if !time.Now().Equal(want) {
					t.Fatalf("attempt ended at %v, want %v", time.Now(), want)
				}
				return actx.Err()
			})
			cancel()
			var re *Error
			if !errors.As(err, &re) || !errors.Is(err, context.DeadlineExceeded) || re.Reason == "attempts" && calls != p.MaxAttempts {
				t.Fatalf("%+v: %d calls, err %v", p, calls, err)
			}
		}
		// Without AttemptTimeout the attempt gets the caller's context.
		ctx := context.Background()
		New(Policy{}, Options{}).Do(ctx, func(actx context.Context) error {
			if actx != ctx {
				t.Error("without AttemptTimeout the attempt must get the caller's context")
			}
			return nil
		})
	})
}

func TestNilBudget(t *testing.T) {
	var b *Budget
	b.succeed()
	if !b.fail() || !math.IsInf(b.Tokens(), 1) {
		t.Errorf("a nil budget: fail() = %v, Tokens() = %v; want true, +Inf", b.fail(), b.Tokens())
	}
	sleeps, calls, _ := run(Policy{MaxAttempts: 3}, 1, func(int) error { return errFlaky })
	if calls != 3 || len(sleeps) != 2 {
		t.Errorf("without a budget: %d calls, %d sleeps; want 3, 2", calls, len(sleeps))
	}
}

func TestDefaults(t *testing.T) {
	p := Policy{}.withDefaults()
	if p.MaxAttempts != 4 || p.Initial != 100*time.Millisecond || p.Max != 10*time.Second || p.Multiplier != 2 || p.Jitter != FullJitter || p.AttemptTimeout != 0 {
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
	// An injected Sleep that fails without the context ending still stops Do.
	errSleep := errors.New("sleep failed")
	r := New(Policy{}, Options{Sleep: func(context.Context, time.Duration) error { return errSleep }})
	err := r.Do(context.Background(), func(context.Context) error { return errFlaky })
	var re *Error
	if !errors.As(err, &re) || re.Reason != "canceled" || !errors.Is(err, errSleep) {
		t.Errorf("err = %v", err)
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
