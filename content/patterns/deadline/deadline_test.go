package deadline

import (
	"context"
	"errors"
	"math/rand/v2"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
)

// far is a fake "now" a century ahead: contexts built on it get real
// timers that never fire during a test, so only the injected clock counts.
var far = time.Now().Add(100 * 365 * 24 * time.Hour)

func ms(n int) time.Duration { return time.Duration(n) * time.Millisecond }

// TestAttemptDeadlineBound checks inv-attempt-bound on random inputs: an
// attempt's deadline is exactly min(D − Reserve, now + PerTry), never
// later, and an attempt is refused exactly when it would get less than
// MinTry.
func TestAttemptDeadlineBound(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	for i := range 5000 {
		hasParent := rnd.IntN(4) > 0
		parentLeft := ms(rnd.IntN(2000) - 100)
		p := Policy{
			Reserve: ms(rnd.IntN(200)),
			MinTry:  ms(rnd.IntN(100)),
			Now:     func() time.Time { return far },
		}
		if rnd.IntN(3) > 0 {
			p.PerTry = ms(1 + rnd.IntN(1500))
		}
		parent := context.Background()
		if hasParent {
			var cancel context.CancelFunc
			parent, cancel = context.WithDeadline(parent, far.Add(parentLeft))
			defer cancel()
		}

		var want time.Time
		bounded := hasParent || p.PerTry > 0
		switch {
		case hasParent && p.PerTry > 0:
			want = minTime(far.Add(parentLeft-p.Reserve), far.Add(p.PerTry))
		case hasParent:
			want = far.Add(parentLeft - p.Reserve)
		case p.PerTry > 0:
			want = far.Add(p.PerTry)
		}

		ctx, cancel, err := p.Attempt(parent)
		got, ok := ctx.Deadline()
		cancel()
		switch {
		case !bounded:
			if err != nil || ok {
				t.Fatalf("case %d: unbounded attempt: err %v, deadline %v", i, err, ok)
			}
		case want.Sub(far) < p.minTry():
			if !errors.Is(err, ErrBudgetExhausted) {
				t.Fatalf("case %d: %v left, MinTry %v: err = %v, want ErrBudgetExhausted", i, want.Sub(far), p.MinTry, err)
			}
		default:
			if err != nil || !ok || !got.Equal(want) {
				t.Fatalf("case %d: deadline %v (err %v), want %v", i, got.Sub(far), err, want.Sub(far))
			}
			if hasParent && got.After(far.Add(parentLeft-p.Reserve)) {
				t.Fatalf("case %d: the attempt outlives the caller's deadline less Reserve", i)
			}
		}
	}
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// TestDoNeverOutlivesDeadline checks inv-do-bound: with an operation that
// honours its context and random latencies, Do returns by the caller's
// deadline less Reserve, makes at most Attempts attempts, and starts none
// with less than MinTry left. It runs the default clock in a synctest
// bubble, where time.Sleep and timers are fake and exact.
func TestDoNeverOutlivesDeadline(t *testing.T) {
	rnd := rand.New(rand.NewPCG(3, 4))
	for i := range 300 {
		budget := ms(50 + rnd.IntN(2000))
		p := Policy{
			PerTry:   ms(1 + rnd.IntN(800)),
			Attempts: 1 + rnd.IntN(5),
			Reserve:  ms(rnd.IntN(100)),
			MinTry:   ms(rnd.IntN(60)),
		}
		latencies := make([]time.Duration, 8)
		for j := range latencies {
			latencies[j] = ms(rnd.IntN(1200))
		}
		synctest.Test(t, func(t *testing.T) {
			start := time.Now()
			ctx, cancel := context.WithTimeout(context.Background(), budget)
			defer cancel()
			attempts := 0
			p.Do(ctx, func(ctx context.Context) error {
				if left, _ := Remaining(ctx, time.Now()); left < p.minTry() {
					t.Errorf("case %d: attempt started with %v left, MinTry %v", i, left, p.MinTry)
				}
				lat := latencies[attempts]
				attempts++
				select {
				case <-time.After(lat):
					return errors.New("unavailable") // retried only if Retry says so
				case <-ctx.Done():
					return ctx.Err()
				}
			})
			if elapsed := time.Since(start); elapsed > max(budget-p.Reserve, 0) {
				t.Errorf("case %d: Do took %v, budget %v less reserve %v", i, elapsed, budget, p.Reserve)
			}
			if attempts > p.Attempts {
				t.Errorf("case %d: %d attempts, at most %d allowed", i, attempts, p.Attempts)
			}
		})
	}
}

// step is one attempt as the table tests see it.
type step struct {
	At   time.Duration // when the attempt started, from the start of Do
	Left time.Duration // its own deadline, from its start
}

func TestDo(t *testing.T) {
	errDown := errors.New("down")
	tests := []struct {
		name    string
		budget  time.Duration // 0: no deadline
		policy  Policy
		results []time.Duration // how long each attempt takes; negative: fail at once with errDown
		want    []step
		wantErr []error // errors.Is targets; nil: success
	}{
		{
			name:    "first attempt succeeds",
			budget:  ms(1000),
			policy:  Policy{PerTry: ms(300), Attempts: 3},
			results: []time.Duration{ms(100)},
			want:    []step{{0, ms(300)}},
		},
		{
			name:    "per-try timeout, then success",
			budget:  ms(1000),
			policy:  Policy{PerTry: ms(300), Attempts: 3},
			results: []time.Duration{ms(900), ms(50)},
			want:    []step{{0, ms(300)}, {ms(300), ms(300)}},
		},
		{
			name:    "the last attempt gets only what is left",
			budget:  ms(700),
			policy:  Policy{PerTry: ms(300), Attempts: 3},
			results: []time.Duration{ms(900), ms(900), ms(900)},
			want:    []step{{0, ms(300)}, {ms(300), ms(300)}, {ms(600), ms(100)}},
			wantErr: []error{context.DeadlineExceeded},
		},
		{
			name:    "reserve and MinTry stop a hopeless attempt",
			budget:  ms(700),
			policy:  Policy{PerTry: ms(300), Attempts: 3, Reserve: ms(50), MinTry: ms(100)},
			results: []time.Duration{ms(900), ms(900), ms(900)},
			want:    []step{{0, ms(300)}, {ms(300), ms(300)}},
			wantErr: []error{ErrBudgetExhausted, context.DeadlineExceeded},
		},
		{
			name:    "a failure that is not a timeout is not retried",
			budget:  ms(1000),
			policy:  Policy{PerTry: ms(300), Attempts: 3},
			results: []time.Duration{-1},
			want:    []step{{0, ms(300)}},
			wantErr: []error{errDown},
		},
		{
			name:    "Retry decides",
			budget:  ms(1000),
			policy:  Policy{PerTry: ms(300), Attempts: 3, Retry: func(err error) bool { return errors.Is(err, errDown) }},
			results: []time.Duration{-1, -1, ms(10)},
			want:    []step{{0, ms(300)}, {0, ms(300)}, {0, ms(300)}},
		},
		{
			name:    "no deadline and no PerTry: one unbounded attempt",
			policy:  Policy{},
			results: []time.Duration{ms(5000)},
			want:    []step{{0, 0}},
		},
		{
			name:    "attempts exhausted",
			policy:  Policy{PerTry: ms(100), Attempts: 2},
			results: []time.Duration{ms(500), ms(500)},
			want:    []step{{0, ms(100)}, {ms(100), ms(100)}},
			wantErr: []error{context.DeadlineExceeded},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ctx := context.Background()
				if tt.budget > 0 {
					var cancel context.CancelFunc
					ctx, cancel = context.WithTimeout(ctx, tt.budget)
					defer cancel()
				}
				start := time.Now()
				var got []step
				err := tt.policy.Do(ctx, func(ctx context.Context) error {
					s := step{At: time.Since(start)}
					if left, ok := Remaining(ctx, time.Now()); ok {
						s.Left = left
					}
					d := tt.results[len(got)]
					got = append(got, s)
					if d < 0 {
						return errDown
					}
					select {
					case <-time.After(d):
						return nil
					case <-ctx.Done():
						return ctx.Err()
					}
				})
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Errorf("attempts (-want +got):\n%s", diff)
				}
				if tt.wantErr == nil && err != nil {
					t.Errorf("err = %v, want nil", err)
				}
				for _, target := range tt.wantErr {
					if !errors.Is(err, target) {
						t.Errorf("err = %v, want it to match %v", err, target)
					}
				}
			})
		})
	}
}

func TestDoParentEnded(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	calls := 0
	err := Policy{Attempts: 3}.Do(ctx, func(context.Context) error { calls++; return nil })
	if !errors.Is(err, context.Canceled) || calls != 0 {
		t.Errorf("Do on a canceled context: err %v, %d calls; want context.Canceled, 0 calls", err, calls)
	}
}

// TestDoCanceledMidway shows that a caller's cancellation reaches the
// attempt in flight and is not retried.
func TestDoCanceledMidway(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(ms(50), cancel)
		calls := 0
		err := Policy{PerTry: ms(300), Attempts: 3}.Do(ctx, func(ctx context.Context) error {
			calls++
			<-ctx.Done()
			return ctx.Err()
		})
		if !errors.Is(err, context.Canceled) || calls != 1 {
			t.Errorf("err %v after %d calls; want context.Canceled after 1", err, calls)
		}
	})
}

func TestErrBudgetExhausted(t *testing.T) {
	if !errors.Is(ErrBudgetExhausted, context.DeadlineExceeded) {
		t.Error("ErrBudgetExhausted does not match context.DeadlineExceeded")
	}
	if errors.Is(ErrBudgetExhausted, context.Canceled) {
		t.Error("ErrBudgetExhausted matches context.Canceled")
	}
	var te interface{ Timeout() bool }
	if !errors.As(ErrBudgetExhausted, &te) || !te.Timeout() {
		t.Error("ErrBudgetExhausted is not a timeout")
	}
	if ErrBudgetExhausted.Error() == "" {
		t.Error("empty message")
	}
}

func TestRemaining(t *testing.T) {
	if _, ok := Remaining(context.Background(), far); ok {
		t.Error("Background has a deadline")
	}
	ctx, cancel := context.WithDeadline(context.Background(), far.Add(ms(250)))
	defer cancel()
	if left, ok := Remaining(ctx, far); !ok || left != ms(250) {
		t.Errorf("Remaining = %v, %v; want 250ms, true", left, ok)
	}
	if left, _ := Remaining(ctx, far.Add(ms(300))); left != -ms(50) {
		t.Errorf("Remaining after the deadline = %v, want -50ms", left)
	}
}

func BenchmarkAttempt(b *testing.B) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	p := Policy{PerTry: time.Second, Reserve: ms(10)}
	for b.Loop() {
		_, c, _ := p.Attempt(ctx)
		c()
	}
}

func BenchmarkDo(b *testing.B) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	p := Policy{PerTry: time.Second, Attempts: 3}
	op := func(context.Context) error { return nil }
	for b.Loop() {
		if err := p.Do(ctx, op); err != nil {
			b.Fatal(err)
		}
	}
}
