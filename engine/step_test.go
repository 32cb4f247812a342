package engine

import (
	"context"
	"errors"
	"math/rand/v2"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// fakeClock records sleeps and advances its time instead of sleeping.
// onSleep, when set, runs first and may fail the sleep (a "crash").
type fakeClock struct {
	mu      sync.Mutex
	now     time.Time
	sleeps  []time.Duration
	onSleep func() error
}

func newFakeClock() *fakeClock { return &fakeClock{now: time.Unix(1_800_000_000, 0)} }

func (f *fakeClock) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if f.onSleep != nil {
		if err := f.onSleep(); err != nil {
			return err
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sleeps = append(f.sleeps, d)
	f.now = f.now.Add(d)
	return ctx.Err()
}

func (f *fakeClock) advance(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = f.now.Add(d)
}

func (f *fakeClock) options() Options { return Options{Now: f.Now, Sleep: f.Sleep} }

// flaky fails the first n calls.
func flaky(n int, calls *int, err error) func(context.Context, string) (string, error) {
	return func(ctx context.Context, key string) (string, error) {
		*calls++
		if *calls <= n {
			return "", err
		}
		return "ok", nil
	}
}

func TestRetries(t *testing.T) {
	errBusy := errors.New("503")
	policy := RetryPolicy{MaxAttempts: 4, Initial: time.Second, NoJitter: true}
	tests := []struct {
		name      string
		failures  int
		err       error
		wantCalls int
		wantErr   bool
		sleeps    []time.Duration
	}{
		{"fails twice then succeeds", 2, errBusy, 3, false, []time.Duration{time.Second, 2 * time.Second}},
		{"runs out of attempts", 9, errBusy, 4, true, []time.Duration{time.Second, 2 * time.Second, 4 * time.Second}},
		{"permanent error stops", 9, Permanent(errBusy), 1, true, nil},
		{"retry-after raises the delay", 1, RetryAfter(errBusy, 30*time.Second), 2, false, []time.Duration{30 * time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := newFakeClock()
			e := mustOpen(t, ":memory:", clock.options())
			calls := 0
			e.Register("wf", func(c *Context, _ []byte) ([]byte, error) {
				v, err := StepWith(c, "call", StepOptions{Retry: policy}, flaky(tt.failures, &calls, tt.err))
				return []byte(v), err
			})
			_, err := e.Run(context.Background(), "wf", "r", nil)
			if (err != nil) != tt.wantErr || calls != tt.wantCalls {
				t.Errorf("err = %v after %d calls; want error %v after %d", err, calls, tt.wantErr, tt.wantCalls)
			}
			if diff := cmp.Diff(tt.sleeps, clock.sleeps); diff != "" {
				t.Errorf("backoff sleeps (-want +got):\n%s", diff)
			}
		})
	}
}

func TestJitterBounds(t *testing.T) {
	p := RetryPolicy{Initial: time.Second}
	for range 200 {
		if d := p.delay(3, errors.New("x"), rand.Int64N); d < 2*time.Second || d > 4*time.Second {
			t.Fatalf("jittered delay %v outside [2s, 4s]", d)
		}
	}
	if d := (RetryPolicy{Max: 3 * time.Second, NoJitter: true}).delay(10, nil, rand.Int64N); d != 3*time.Second {
		t.Errorf("delay above the cap: %v", d)
	}
}

// TestCrashDuringBackoff: the run dies while waiting before attempt 2;
// 4 s later a new engine resumes it and waits only the 6 s that remain.
// TestInjectedClockAndRand: jitter draws from Options.Rand, and the run's
// timestamps come from Options.Now, so a test controls both.
func TestInjectedClockAndRand(t *testing.T) {
	clock := newFakeClock()
	opts := clock.options()
	opts.Rand = func(n int64) int64 { return 0 } // the lowest jitter: half the delay
	e := mustOpen(t, ":memory:", opts)
	calls := 0
	e.Register("wf", func(c *Context, _ []byte) ([]byte, error) {
		v, err := StepWith(c, "call", StepOptions{Retry: RetryPolicy{MaxAttempts: 3, Initial: 4 * time.Second}}, flaky(1, &calls, errors.New("503")))
		return []byte(v), err
	})
	start := clock.Now()
	if _, err := e.Run(context.Background(), "wf", "r", nil); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]time.Duration{2 * time.Second}, clock.sleeps); diff != "" {
		t.Errorf("backoff with Rand = 0 (-want +got):\n%s", diff)
	}
	if _, _, err := e.Status(context.Background(), "r"); err != nil { // waits for the run's end to be written
		t.Fatal(err)
	}
	var created, finished int64
	if err := e.db.QueryRow(`SELECT created, finished FROM engine_runs WHERE id = 'r'`).Scan(&created, &finished); err != nil {
		t.Fatal(err)
	}
	if created != start.UnixNano() || finished != clock.Now().UnixNano() {
		t.Errorf("created %d, finished %d; want the fake clock's %d and %d", created, finished, start.UnixNano(), clock.Now().UnixNano())
	}
}

func TestCrashDuringBackoff(t *testing.T) {
	path := filepath.Join(t.TempDir(), "e.db")
	clock := newFakeClock()
	crash := errors.New("crash")
	clock.onSleep = func() error { return crash }
	calls := 0
	wf := func(c *Context, _ []byte) ([]byte, error) {
		v, err := StepWith(c, "call", StepOptions{Retry: RetryPolicy{MaxAttempts: 3, Initial: 10 * time.Second, NoJitter: true}},
			flaky(1, &calls, errors.New("503")))
		return []byte(v), err
	}
	first := mustOpen(t, path, clock.options())
	first.Register("wf", wf)
	ctx, cancel := context.WithCancel(context.Background())
	clock.onSleep = func() error { cancel(); return crash }
	if _, err := first.Run(ctx, "wf", "r", nil); err == nil {
		t.Fatal("the crashed run reported success")
	}
	first.Close()

	clock.onSleep = nil
	clock.advance(4 * time.Second)
	second := mustOpen(t, path, clock.options())
	second.Register("wf", wf)
	if n, err := second.Recover(context.Background()); n != 1 || err != nil {
		t.Fatalf("Recover = %d, %v", n, err)
	}
	if diff := cmp.Diff([]time.Duration{6 * time.Second}, clock.sleeps); diff != "" {
		t.Errorf("resumed backoff (-want +got):\n%s", diff)
	}
	if calls != 2 {
		t.Errorf("calls = %d, want 2", calls)
	}
}

// TestDurableSleep: a one-hour sleep interrupted after 20 minutes sleeps
// 40 more minutes on resume, and a finished sleep is not slept again.
func TestDurableSleep(t *testing.T) {
	path := filepath.Join(t.TempDir(), "e.db")
	clock := newFakeClock()
	wf := func(c *Context, _ []byte) ([]byte, error) {
		if err := Sleep(c, "cool-off", time.Hour); err != nil {
			return nil, err
		}
		return []byte("woke"), nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	clock.onSleep = func() error { cancel(); return context.Canceled }
	first := mustOpen(t, path, clock.options())
	first.Register("wf", wf)
	first.Run(ctx, "wf", "r", nil)
	first.Close()

	clock.onSleep = nil
	clock.advance(20 * time.Minute)
	second := mustOpen(t, path, clock.options())
	second.Register("wf", wf)
	second.Recover(context.Background())
	out, err := second.Run(context.Background(), "wf", "r", nil)
	if err != nil || string(out) != "woke" {
		t.Fatalf("result %q, %v", out, err)
	}
	if diff := cmp.Diff([]time.Duration{40 * time.Minute}, clock.sleeps); diff != "" {
		t.Errorf("sleeps (-want +got):\n%s", diff)
	}
}

func TestAttemptTimeout(t *testing.T) {
	e := mustOpen(t, ":memory:", Options{})
	calls := 0
	e.Register("wf", func(c *Context, _ []byte) ([]byte, error) {
		_, err := StepWith(c, "hang", StepOptions{Timeout: 5 * time.Millisecond, Retry: RetryPolicy{MaxAttempts: 2, Initial: time.Millisecond}},
			func(ctx context.Context, _ string) (int, error) {
				calls++
				<-ctx.Done()
				return 0, ctx.Err()
			})
		return nil, err
	})
	_, err := e.Run(context.Background(), "wf", "r", nil)
	var se *StepError
	if !errors.As(err, &se) || se.Attempts != 2 || calls != 2 {
		t.Errorf("err = %v, calls = %d; want a StepError after 2 timed-out attempts", err, calls)
	}
}
