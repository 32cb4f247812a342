package circuitbreaker

import (
	"context"
	"errors"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
)

// Tests whose outcome depends on time run in a synctest bubble with the
// default clock: time.Now is fake there, and time.Sleep(d) advances it by
// exactly d, at once. TestOnStateChange injects Settings.Now instead, as the
// demo does.

var errBoom = errors.New("boom")

func fail() error    { return errBoom }
func succeed() error { return nil }

// step is one action in a scenario: a call with an outcome, or a wait.
type step struct {
	call    func() error // nil: only wait
	wait    time.Duration
	wantErr error
	want    State
}

// outcome is what one step observed: the call's error and the state after.
type outcome struct{ Err, State string }

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestTransitions(t *testing.T) {
	tests := []struct {
		name     string
		settings Settings
		steps    []step
	}{
		{
			name:     "trips after the threshold",
			settings: Settings{ReadyToTrip: func(c Counts) bool { return c.ConsecutiveFailures >= 3 }},
			steps: []step{
				{call: fail, wantErr: errBoom, want: Closed},
				{call: fail, wantErr: errBoom, want: Closed},
				{call: fail, wantErr: errBoom, want: Open},
				{call: succeed, wantErr: ErrOpen, want: Open},
			},
		},
		{
			name:     "a success resets consecutive failures",
			settings: Settings{ReadyToTrip: func(c Counts) bool { return c.ConsecutiveFailures >= 2 }},
			steps: []step{
				{call: fail, wantErr: errBoom, want: Closed},
				{call: succeed, want: Closed},
				{call: fail, wantErr: errBoom, want: Closed},
				{call: fail, wantErr: errBoom, want: Open},
			},
		},
		{
			name:     "half-open after the timeout, closes on a probe success",
			settings: Settings{ReadyToTrip: func(c Counts) bool { return c.Failures >= 1 }, OpenTimeout: 10 * time.Second},
			steps: []step{
				{call: fail, wantErr: errBoom, want: Open},
				{wait: 9 * time.Second, want: Open},
				{wait: time.Second, want: HalfOpen},
				{call: succeed, want: Closed},
				{call: succeed, want: Closed},
			},
		},
		{
			name:     "a probe failure reopens",
			settings: Settings{ReadyToTrip: func(c Counts) bool { return c.Failures >= 1 }, OpenTimeout: time.Second},
			steps: []step{
				{call: fail, wantErr: errBoom, want: Open},
				{wait: time.Second, want: HalfOpen},
				{call: fail, wantErr: errBoom, want: Open},
				{call: succeed, wantErr: ErrOpen, want: Open},
			},
		},
		{
			name:     "needs every probe to succeed",
			settings: Settings{ReadyToTrip: func(c Counts) bool { return c.Failures >= 1 }, OpenTimeout: time.Second, HalfOpenProbes: 2},
			steps: []step{
				{call: fail, wantErr: errBoom, want: Open},
				{wait: time.Second, want: HalfOpen},
				{call: succeed, want: HalfOpen},
				{call: succeed, want: Closed},
			},
		},
		{
			name:     "interval forgets old failures",
			settings: Settings{ReadyToTrip: func(c Counts) bool { return c.Failures >= 2 }, Interval: time.Minute},
			steps: []step{
				{call: fail, wantErr: errBoom, want: Closed},
				{wait: time.Minute, want: Closed},
				{call: fail, wantErr: errBoom, want: Closed},
				{call: fail, wantErr: errBoom, want: Open},
			},
		},
		{
			name: "errors that are not failures do not count",
			settings: Settings{
				ReadyToTrip: func(c Counts) bool { return c.Failures >= 1 },
				IsFailure:   func(err error) bool { return err != nil && !errors.Is(err, context.Canceled) },
			},
			steps: []step{
				{call: func() error { return context.Canceled }, wantErr: context.Canceled, want: Closed},
				{call: fail, wantErr: errBoom, want: Open},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				b := New(tt.settings)
				var got, want []outcome
				for _, s := range tt.steps {
					time.Sleep(s.wait)
					var err error
					if s.call != nil {
						err = b.Execute(s.call)
					}
					got = append(got, outcome{errText(err), b.State().String()})
					want = append(want, outcome{errText(s.wantErr), s.want.String()})
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("steps (-want +got):\n%s", diff)
				}
			})
		})
	}
}

func TestDefaults(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := New(Settings{})
		for range 4 {
			b.Execute(fail)
		}
		if b.State() != Closed {
			t.Fatal("opened before five consecutive failures")
		}
		b.Execute(fail)
		if b.State() != Open {
			t.Fatal("did not open after five consecutive failures")
		}
		time.Sleep(29 * time.Second)
		if b.State() != Open {
			t.Fatal("left Open before the 30 s default timeout")
		}
		time.Sleep(time.Second)
		if b.State() != HalfOpen {
			t.Fatal("not HalfOpen after 30 s")
		}
	})
}

func TestHalfOpenAdmitsOnlyProbes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := New(Settings{ReadyToTrip: func(c Counts) bool { return c.Failures > 0 }, OpenTimeout: time.Second})
		b.Execute(fail)
		time.Sleep(time.Second)
		done, err := b.Allow()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := b.Allow(); !errors.Is(err, ErrTooManyProbes) || !errors.Is(err, ErrOpen) {
			t.Fatalf("second concurrent probe: err = %v, want ErrTooManyProbes, which matches ErrOpen", err)
		}
		done(true)
		done(false) // a second report is ignored
		if b.State() != Closed {
			t.Fatalf("state = %v after a successful probe", b.State())
		}
	})
}

// TestStaleOutcomeIgnored: a call admitted before the breaker opened
// reports success after; that must not close the breaker.
func TestStaleOutcomeIgnored(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := New(Settings{ReadyToTrip: func(c Counts) bool { return c.Failures > 0 }})
		slow, _ := b.Allow()
		b.Execute(fail)
		slow(true)
		if b.State() != Open {
			t.Fatalf("a late success from an older generation changed the state to %v", b.State())
		}
	})
}

func TestPanicCountsAsFailure(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := New(Settings{ReadyToTrip: func(c Counts) bool { return c.Failures > 0 }})
		func() {
			defer func() {
				if recover() == nil {
					t.Error("the panic was swallowed")
				}
			}()
			b.Execute(func() error { panic("bad") })
		}()
		if b.State() != Open {
			t.Errorf("state = %v after a panicking call", b.State())
		}
	})
}

// TestOnStateChange also shows that an injected Settings.Now drives the
// breaker: only the test's own clock moves past OpenTimeout.
func TestOnStateChange(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var got []string
	var b *Breaker
	b = New(Settings{
		Name: "db", Now: func() time.Time { return now }, OpenTimeout: time.Second,
		ReadyToTrip: func(c Counts) bool { return c.Failures > 0 },
		OnStateChange: func(name string, from, to State) {
			got = append(got, name+": "+from.String()+" → "+to.String())
			_ = b.State() // callbacks may call back into the breaker
		},
	})
	b.Execute(fail)
	now = now.Add(time.Second)
	b.Execute(succeed)
	want := []string{"db: closed → open", "db: open → half-open", "db: half-open → closed"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("transitions (-want +got):\n%s", diff)
	}
}

func TestCounts(t *testing.T) {
	b := New(Settings{})
	b.Execute(succeed)
	b.Execute(fail)
	b.Execute(fail)
	want := Counts{Requests: 3, Successes: 1, Failures: 2, ConsecutiveFailures: 2}
	if diff := cmp.Diff(want, b.Counts()); diff != "" {
		t.Errorf("counts (-want +got):\n%s", diff)
	}
	if b.Name() != "" || State(7).String() != "State(7)" {
		t.Error("Name or State.String wrong")
	}
}

// TestConcurrentProbesBounded: many goroutines ask a half-open breaker for
// admission at once; exactly HalfOpenProbes of them get it.
func TestConcurrentProbesBounded(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := New(Settings{ReadyToTrip: func(c Counts) bool { return c.Failures > 0 }, HalfOpenProbes: 3, OpenTimeout: time.Second})
		b.Execute(fail)
		time.Sleep(time.Second)
		const callers = 32
		var (
			wg       sync.WaitGroup
			mu       sync.Mutex
			admitted []func(bool)
			refused  int
		)
		for range callers {
			wg.Go(func() {
				done, err := b.Allow()
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					admitted = append(admitted, done)
				case errors.Is(err, ErrTooManyProbes):
					refused++
				default:
					t.Errorf("Allow: unexpected error %v", err)
				}
			})
		}
		wg.Wait()
		got := map[string]int{"admitted": len(admitted), "refused": refused}
		want := map[string]int{"admitted": 3, "refused": callers - 3}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("half-open admission (-want +got):\n%s", diff)
		}
		for _, done := range admitted {
			done(true)
		}
		if s := b.State(); s != Closed {
			t.Errorf("state = %v after %d successful probes, want closed", s, len(admitted))
		}
	})
}

// TestConcurrent hammers one breaker; run with -race. Every goroutine
// sleeps one OpenTimeout now and then, so an open breaker goes half-open
// while the others keep calling.
func TestConcurrent(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := New(Settings{OpenTimeout: time.Millisecond})
		var wg sync.WaitGroup
		for g := range 8 {
			wg.Go(func() {
				for i := range 1000 {
					b.Execute(func() error {
						if (i+g)%3 == 0 {
							return errBoom
						}
						return nil
					})
					b.State()
					if i%100 == g {
						time.Sleep(time.Millisecond)
					}
				}
			})
		}
		wg.Wait()
		c := b.Counts()
		if c.Successes+c.Failures > c.Requests {
			t.Errorf("more outcomes than requests: %+v", c)
		}
	})
}

func BenchmarkExecuteClosed(b *testing.B) {
	br := New(Settings{})
	for b.Loop() {
		br.Execute(succeed)
	}
}

func BenchmarkExecuteOpen(b *testing.B) {
	br := New(Settings{ReadyToTrip: func(c Counts) bool { return true }, OpenTimeout: time.Hour})
	br.Execute(fail)
	for b.Loop() {
		br.Execute(succeed)
	}
}

func BenchmarkExecuteParallel(b *testing.B) {
	br := New(Settings{})
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			br.Execute(succeed)
		}
	})
}

// TestWindowForgetsOldSuccesses: 10,000 successes do not make the breaker
// need 10,000 failures to trip. With a rolling window the rate is the
// recent one: half of the last 100 calls, or ten failures in a fresh
// minute.
func TestWindowForgetsOldSuccesses(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		for _, s := range []Settings{{WindowCalls: 100}, {WindowDuration: time.Minute}} {
			s.ReadyToTrip = FailureRate(10, 0.5)
			b := New(s)
			for range 10_000 {
				b.Execute(succeed)
			}
			time.Sleep(time.Minute)
			failures := 0
			for b.State() == Closed && failures < 10_000 {
				b.Execute(fail)
				failures++
			}
			want := 50
			if s.WindowDuration > 0 {
				want = 10
			}
			if failures != want {
				t.Errorf("%+v: tripped after %d failures, want %d", s, failures, want)
			}
		}
	})
}

// TestLostProbe: a probe whose outcome is never reported does not keep the
// breaker half-open: by default it opens again after OpenTimeout, then
// probes afresh.
func TestLostProbe(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := New(Settings{}) // OpenTimeout 30 s, HalfOpenTimeout = OpenTimeout
		for range 5 {
			b.Execute(fail)
		}
		time.Sleep(30 * time.Second)
		if _, err := b.Allow(); err != nil { // the probe, lost
			t.Fatal(err)
		}
		time.Sleep(29 * time.Second)
		if _, err := b.Allow(); !errors.Is(err, ErrTooManyProbes) {
			t.Fatalf("before the half-open deadline: err = %v, want ErrTooManyProbes", err)
		}
		time.Sleep(time.Second)
		if s := b.State(); s != Open {
			t.Fatalf("state = %v after the half-open deadline, want open", s)
		}
		time.Sleep(30 * time.Second)
		if err := b.Execute(succeed); err != nil || b.State() != Closed {
			t.Fatalf("fresh probe: err = %v, state = %v, want closed", err, b.State())
		}
	})
}

// TestNoHalfOpenDeadline: a negative HalfOpenTimeout waits for the probes
// however long they take.
func TestNoHalfOpenDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := New(Settings{ReadyToTrip: func(c Counts) bool { return true }, OpenTimeout: time.Second, HalfOpenTimeout: -1})
		b.Execute(fail)
		time.Sleep(time.Second)
		done, _ := b.Allow()
		time.Sleep(time.Hour)
		if s := b.State(); s != HalfOpen {
			t.Fatalf("state = %v, want half-open", s)
		}
		done(true)
		if s := b.State(); s != Closed {
			t.Fatalf("state = %v, want closed", s)
		}
	})
}

func TestNewPanicsOnTwoWindows(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("New accepted both WindowCalls and WindowDuration")
		}
	}()
	New(Settings{WindowCalls: 10, WindowDuration: time.Second})
}

func TestFailureRate(t *testing.T) {
	tests := []struct {
		minCalls uint32
		rate     float64
		c        Counts
		want     bool
	}{
		{0, 0.5, Counts{}, false},
		{0, 0.5, Counts{Failures: 1}, true},
		{10, 0.5, Counts{Successes: 4, Failures: 5}, false},
		{10, 0.5, Counts{Successes: 5, Failures: 5}, true},
		{10, 0.5, Counts{Successes: 6, Failures: 5}, false},
		{10, 0.5, Counts{Requests: 100, Failures: 9}, false}, // calls in flight do not count
	}
	for _, tt := range tests {
		if got := FailureRate(tt.minCalls, tt.rate)(tt.c); got != tt.want {
			t.Errorf("FailureRate(%d, %v)(%+v) = %v, want %v", tt.minCalls, tt.rate, tt.c, got, tt.want)
		}
	}
}
