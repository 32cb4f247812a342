package hedge

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
)

var (
	errBusy = errors.New("busy")      // non-fatal in these tests
	errBad  = errors.New("malformed") // fatal in these tests
)

func nonFatal(err error) bool { return errors.Is(err, errBusy) }

// probe is a fake set of replicas: attempt i answers after
// outcomes[i].Latency with outcomes[i].Err, unless its context ends
// first. It counts what happened to the attempts.
type probe struct {
	outcomes  []Outcome
	started   atomic.Int64
	cancelled atomic.Int64
}

func (p *probe) op(ctx context.Context, attempt int) (string, error) {
	p.started.Add(1)
	t := time.NewTimer(p.outcomes[attempt].Latency)
	defer t.Stop()
	select {
	case <-t.C:
		return fmt.Sprintf("r%d", attempt), p.outcomes[attempt].Err
	case <-ctx.Done():
		p.cancelled.Add(1)
		return "", ctx.Err()
	}
}

type got struct {
	Value   string
	Err     string
	Latency time.Duration
	Sent    int64
}

// run calls Do once in a synctest bubble and reports what it saw.
func run(t *testing.T, p Policy, o Options, outcomes []Outcome) got {
	t.Helper()
	var g got
	synctest.Test(t, func(t *testing.T) {
		pr := &probe{outcomes: outcomes}
		h := New[string](p, o)
		start := time.Now()
		v, err := h.Do(t.Context(), pr.op)
		g = got{Value: v, Latency: time.Since(start)}
		if err != nil {
			g.Err = err.Error()
		}
		synctest.Wait() // let cancelled losers return
		g.Sent = pr.started.Load()
	})
	return g
}

func ms(n int) time.Duration { return time.Duration(n) * time.Millisecond }

func TestDo(t *testing.T) {
	two := Policy{MaxAttempts: 2, Delay: ms(10), NonFatal: nonFatal}
	tests := []struct {
		name     string
		policy   Policy
		outcomes []Outcome
		want     got
	}{
		{"fast first attempt: no hedge", two,
			[]Outcome{{ms(5), nil}, {ms(1), nil}},
			got{Value: "r0", Latency: ms(5), Sent: 1}},
		{"slow first attempt: the hedge wins", two,
			[]Outcome{{ms(100), nil}, {ms(5), nil}},
			got{Value: "r1", Latency: ms(15), Sent: 2}},
		{"hedge sent but the first still wins", two,
			[]Outcome{{ms(12), nil}, {ms(20), nil}},
			got{Value: "r0", Latency: ms(12), Sent: 2}},
		{"non-fatal error sends the next at once", two,
			[]Outcome{{ms(2), errBusy}, {ms(3), nil}},
			got{Value: "r1", Latency: ms(5), Sent: 2}},
		{"fatal error ends the call", two,
			[]Outcome{{ms(2), errBad}, {ms(3), nil}},
			got{Err: "malformed", Latency: ms(2), Sent: 1}},
		{"every attempt fails: the last error", two,
			[]Outcome{{ms(50), errBusy}, {ms(5), errBusy}},
			got{Err: "busy", Latency: ms(50), Sent: 2}},
		{"MaxAttempts 1 never hedges", Policy{MaxAttempts: 1, Delay: ms(10)},
			[]Outcome{{ms(100), nil}},
			got{Value: "r0", Latency: ms(100), Sent: 1}},
		{"delay 0 sends all at once", Policy{MaxAttempts: 3},
			[]Outcome{{ms(30), nil}, {ms(20), nil}, {ms(40), nil}},
			got{Value: "r1", Latency: ms(20), Sent: 3}},
		{"three attempts spaced by the delay", Policy{MaxAttempts: 3, Delay: ms(10)},
			[]Outcome{{ms(100), nil}, {ms(100), nil}, {ms(5), nil}},
			got{Value: "r2", Latency: ms(25), Sent: 3}},
		{"the default policy is one hedge", Policy{Delay: ms(10)},
			[]Outcome{{ms(100), nil}, {ms(100), nil}, {ms(1), nil}},
			got{Value: "r0", Latency: ms(100), Sent: 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := run(t, tt.policy, Options{}, tt.outcomes)
			if diff := cmp.Diff(tt.want, g); diff != "" {
				t.Errorf("Do (-want +got):\n%s", diff)
			}
		})
	}
}

// randomCase draws a policy and attempt outcomes. Latencies are whole
// milliseconds plus a distinct odd number of microseconds per attempt,
// and the delay whole milliseconds, so that no two events of a call
// coincide (Do orders coinciding events at random; Replay does not).
func randomCase(rnd *rand.Rand) (Policy, []Outcome) {
	p := Policy{MaxAttempts: 1 + rnd.IntN(4), Delay: ms(rnd.IntN(30)), NonFatal: nonFatal}
	out := make([]Outcome, p.MaxAttempts)
	for i := range out {
		out[i].Latency = ms(rnd.IntN(80)) + time.Duration(2*i+1)*137*time.Microsecond
		switch rnd.IntN(6) {
		case 0:
			out[i].Err = errBusy
		case 1:
			out[i].Err = errBad
		}
	}
	return p, out
}

// hasTie reports whether two events of the replayed call coincide: two
// completions, or a completion and a start.
func hasTie(r Result, out []Outcome) bool {
	seen := map[time.Duration]bool{}
	for i, s := range r.Starts {
		for _, t := range []time.Duration{s + out[i].Latency, s} {
			if i > 0 || t != 0 {
				if seen[t] {
					return true
				}
				seen[t] = true
			}
		}
	}
	return false
}

func TestDoMatchesModel(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	checked := 0
	for range 300 {
		p, out := randomCase(rnd)
		r := Replay(p, nil, out)
		if hasTie(r, out) {
			continue
		}
		checked++
		want := got{Latency: r.Latency, Sent: int64(len(r.Starts))}
		if r.Err != nil {
			want.Err = r.Err.Error()
		} else {
			want.Value = fmt.Sprintf("r%d", r.Winner)
		}
		if diff := cmp.Diff(want, run(t, p, Options{}, out)); diff != "" {
			t.Fatalf("policy %+v, outcomes %v: Do differs from Replay (-model +Do):\n%s", p, out, diff)
		}
	}
	if checked < 200 {
		t.Fatalf("only %d cases without ties", checked)
	}
}

func TestTwoAttemptLatency(t *testing.T) {
	rnd := rand.New(rand.NewPCG(3, 4))
	for range 10000 {
		d, l0, l1 := ms(rnd.IntN(50)), ms(rnd.IntN(200)), ms(rnd.IntN(200))
		r := Replay(Policy{MaxAttempts: 2, Delay: d}, nil, []Outcome{{l0, nil}, {l1, nil}})
		if want := min(l0, d+l1); r.Latency != want {
			t.Fatalf("d=%v L0=%v L1=%v: latency %v, want min(L0, d+L1) = %v", d, l0, l1, r.Latency, want)
		}
		if hedged := len(r.Starts) == 2; hedged != (l0 > d) {
			t.Fatalf("d=%v L0=%v: hedged=%v, want a hedge exactly when L0 > d", d, l0, hedged)
		}
	}
}

func TestAttemptBound(t *testing.T) {
	rnd := rand.New(rand.NewPCG(5, 6))
	for range 10000 {
		p, out := randomCase(rnd)
		r := Replay(p, nil, out)
		if len(r.Starts) > p.MaxAttempts {
			t.Fatalf("%d attempts sent, MaxAttempts %d", len(r.Starts), p.MaxAttempts)
		}
		for j := 1; j < len(r.Starts); j++ {
			s := r.Starts[j]
			if s > r.Latency {
				t.Fatalf("attempt %d started at %v, after the call ended at %v", j, s, r.Latency)
			}
			if s == r.Starts[j-1]+p.Delay {
				continue // the timer
			}
			if !failedAt(r, out, s, j) {
				t.Fatalf("%+v %v: attempt %d started at %v, neither Delay after the previous nor at a failure", p, out, j, s)
			}
		}
	}
}

// failedAt reports whether an attempt before j failed non-fatally at s.
func failedAt(r Result, out []Outcome, s time.Duration, j int) bool {
	for i := range j {
		if r.Starts[i]+out[i].Latency == s && out[i].Err != nil && nonFatal(out[i].Err) {
			return true
		}
	}
	return false
}

func TestLosersCancelled(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		pr := &probe{outcomes: []Outcome{{time.Hour, nil}, {ms(5), nil}, {time.Hour, nil}}}
		h := New[string](Policy{MaxAttempts: 3, Delay: ms(10)}, Options{})
		v, err := h.Do(t.Context(), pr.op)
		if v != "r1" || err != nil {
			t.Fatalf("Do = %q, %v; want r1, nil", v, err)
		}
		synctest.Wait()
		if s, c := pr.started.Load(), pr.cancelled.Load(); s != 2 || c != 1 {
			t.Fatalf("started %d, cancelled %d; want 2 started and the loser cancelled", s, c)
		}
		// synctest.Test itself fails if a goroutine of Do is left behind.
	})
}

func TestParentCancelled(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithTimeout(t.Context(), ms(30))
		defer cancel()
		pr := &probe{outcomes: []Outcome{{time.Hour, nil}, {time.Hour, nil}}}
		h := New[string](Policy{Delay: ms(10)}, Options{})
		start := time.Now()
		_, err := h.Do(ctx, pr.op)
		if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) != ms(30) {
			t.Fatalf("Do = %v after %v; want DeadlineExceeded after 30ms", err, time.Since(start))
		}
		synctest.Wait()
		if c := pr.cancelled.Load(); c != 2 {
			t.Fatalf("%d attempts cancelled, want 2", c)
		}
	})
}

func TestBudgetBound(t *testing.T) {
	rnd := rand.New(rand.NewPCG(7, 8))
	for range 200 {
		ratio, burst := rnd.Float64()*0.3, float64(rnd.IntN(20))
		b := NewBudget(ratio, burst)
		calls, hedges := 0, 0
		for range 500 {
			p, out := randomCase(rnd)
			r := Replay(p, b, out)
			calls++
			hedges += len(r.Starts) - 1
			if bound := burst + ratio*float64(calls); float64(hedges) > bound+1e-9 {
				t.Fatalf("ratio %.3f burst %v: %d hedges after %d calls, bound %.2f", ratio, burst, hedges, calls, bound)
			}
		}
	}
}

func TestBudgetSharedByConcurrentCalls(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := NewBudget(0.1, 2)
		h := New[string](Policy{MaxAttempts: 3, Delay: ms(10)}, Options{Budget: b})
		var wg sync.WaitGroup
		for range 50 {
			wg.Go(func() {
				pr := &probe{outcomes: []Outcome{{ms(100), nil}, {ms(100), nil}, {ms(100), nil}}}
				if _, err := h.Do(t.Context(), pr.op); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		s := h.Stats()
		if bound := 2 + 0.1*float64(s.Calls); float64(s.Hedges) > bound {
			t.Fatalf("%d hedges for %d calls, bound %.1f", s.Hedges, s.Calls, bound)
		}
		if s.Refused == 0 || s.Hedges == 0 {
			t.Fatalf("stats %+v: want some hedges sent and some refused", s)
		}
	})
}

func TestRefusedHedgeReturnsLastError(t *testing.T) {
	b := NewBudget(0, 0)
	g := run(t, Policy{MaxAttempts: 3, Delay: ms(10)}, Options{Budget: b},
		[]Outcome{{ms(5), errBusy}, {ms(5), nil}, {ms(5), nil}})
	if diff := cmp.Diff(got{Err: "busy", Latency: ms(5), Sent: 1}, g); diff != "" {
		t.Fatalf("(-want +got):\n%s", diff)
	}
	r := Replay(Policy{MaxAttempts: 3, Delay: ms(10)}, NewBudget(0, 0), []Outcome{{ms(50), nil}, {ms(5), nil}})
	if !r.Refused || len(r.Starts) != 1 || r.Latency != ms(50) {
		t.Fatalf("Replay = %+v; want the hedge refused and the first attempt's 50ms", r)
	}
}

func TestStats(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := New[string](Policy{Delay: ms(10)}, Options{})
		for _, first := range []time.Duration{ms(5), ms(50), ms(12)} {
			pr := &probe{outcomes: []Outcome{{first, nil}, {ms(10), nil}}}
			h.Do(t.Context(), pr.op)
		}
		want := Stats{Calls: 3, Hedges: 2, HedgeWins: 1}
		if diff := cmp.Diff(want, h.Stats()); diff != "" {
			t.Fatalf("Stats (-want +got):\n%s", diff)
		}
	})
}

func TestAdaptiveDelay(t *testing.T) {
	tr := NewTracker(10, 5)
	h := New[string](Policy{Delay: ms(50)}, Options{Tracker: tr, Percentile: 0.9})
	if d := h.Delay(); d != ms(50) {
		t.Fatalf("cold tracker: delay %v, want the cap 50ms", d)
	}
	for i := 1; i <= 10; i++ {
		tr.Observe(ms(i))
	}
	if d := h.Delay(); d != ms(9) {
		t.Fatalf("warm tracker: delay %v, want p90 of 1..10ms = 9ms", d)
	}
	for range 10 {
		tr.Observe(ms(200)) // the replicas slow down: the percentile follows, capped
	}
	if d := h.Delay(); d != ms(50) {
		t.Fatalf("slow tracker: delay %v, want the cap 50ms", d)
	}
	// Do feeds the tracker with every attempt that completes.
	synctest.Test(t, func(t *testing.T) {
		tr := NewTracker(10, 1)
		h := New[string](Policy{Delay: ms(50)}, Options{Tracker: tr})
		pr := &probe{outcomes: []Outcome{{ms(7), nil}}}
		h.Do(t.Context(), pr.op)
		if q, ok := tr.Quantile(0.5); !ok || q != ms(7) || h.Delay() != ms(7) {
			t.Fatalf("after one 7ms call: quantile %v %v, delay %v", q, ok, h.Delay())
		}
	})
}

func TestTracker(t *testing.T) {
	tr := NewTracker(0, 0)
	if len(tr.ring) != 1000 || tr.minSamples != 100 {
		t.Fatalf("defaults: window %d, minSamples %d", len(tr.ring), tr.minSamples)
	}
	tr = NewTracker(4, 9) // minSamples is at most the window
	for _, d := range []int{40, 10, 30, 20, 50} {
		tr.Observe(ms(d))
	}
	if tr.Len() != 4 {
		t.Fatalf("Len = %d, want the window 4", tr.Len())
	}
	if q, ok := tr.Quantile(1); !ok || q != ms(50) {
		t.Fatalf("max = %v %v, want 50ms (40ms replaced)", q, ok)
	}
	if q, _ := tr.Quantile(0); q != ms(10) {
		t.Fatalf("min = %v, want 10ms", q)
	}
}

func TestPercentile(t *testing.T) {
	samples := func() []time.Duration {
		s := make([]time.Duration, 100)
		for i := range s {
			s[i] = ms(100 - i) // 100ms down to 1ms
		}
		return s
	}
	tests := []struct {
		q    float64
		want time.Duration
	}{{0, ms(1)}, {0.5, ms(50)}, {0.95, ms(95)}, {0.99, ms(99)}, {1, ms(100)}, {2, ms(100)}, {-1, ms(1)}}
	for _, tt := range tests {
		if got := Percentile(samples(), tt.q); got != tt.want {
			t.Errorf("Percentile(1..100ms, %v) = %v, want %v", tt.q, got, tt.want)
		}
	}
	if Percentile(nil, 0.5) != 0 {
		t.Error("Percentile(nil) != 0")
	}
}

func TestNewBudget(t *testing.T) {
	b := NewBudget(-1, -1)
	if b.ratio != 0 || b.burst != 0 || b.Tokens() != 0 || NewBudget(math.Inf(1), 1).ratio <= 0 {
		t.Fatalf("negative values: %+v", b)
	}
	b = NewBudget(0.5, 1)
	if !b.withdraw() || b.withdraw() {
		t.Fatal("a full budget of 1 allows exactly one hedge")
	}
	b.deposit()
	b.deposit()
	if b.Tokens() != 1 || !b.withdraw() {
		t.Fatalf("two calls at ratio 0.5 earn one hedge; tokens %v", b.Tokens())
	}
	var nilBudget *Budget
	nilBudget.deposit()
	if !nilBudget.withdraw() {
		t.Fatal("a nil budget refused a hedge")
	}
}

func TestPolicyDefaults(t *testing.T) {
	got := Policy{MaxAttempts: -3, Delay: -time.Second}.withDefaults()
	if got.MaxAttempts != 2 || got.Delay != 0 {
		t.Fatalf("withDefaults = %+v, want 2 attempts and delay 0", got)
	}
	h := New[int](Policy{}, Options{Percentile: 7})
	if h.percentile != 0.95 {
		t.Fatalf("percentile %v, want the default 0.95", h.percentile)
	}
}

func TestInjectedClock(t *testing.T) {
	// The demo's way: a clock the caller steps, and a Sleep that waits
	// for the caller to fire the hedge timer.
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	fire := make(chan struct{})
	h := New[string](Policy{Delay: ms(10)}, Options{
		Now: func() time.Time { return now },
		Sleep: func(ctx context.Context, d time.Duration) error {
			select {
			case <-fire:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		},
	})
	v, err := h.Do(context.Background(), func(ctx context.Context, attempt int) (string, error) {
		if attempt == 0 {
			close(fire) // the first replica stalls: fire the timer
			<-ctx.Done()
			return "", ctx.Err()
		}
		return "second", nil
	})
	if v != "second" || err != nil {
		t.Fatalf("Do = %q, %v", v, err)
	}
}

func TestRealClock(t *testing.T) {
	h := New[int](Policy{Delay: time.Millisecond}, Options{})
	v, err := h.Do(context.Background(), func(ctx context.Context, attempt int) (int, error) {
		if attempt == 0 {
			<-ctx.Done()
			return 0, ctx.Err()
		}
		return 42, nil
	})
	if v != 42 || err != nil {
		t.Fatalf("Do = %d, %v", v, err)
	}
}

func BenchmarkDoNoHedge(b *testing.B) {
	h := New[int](Policy{Delay: time.Hour}, Options{})
	op := func(context.Context, int) (int, error) { return 1, nil }
	for b.Loop() {
		h.Do(context.Background(), op)
	}
}

func BenchmarkDoHedgeWins(b *testing.B) {
	h := New[int](Policy{Delay: 0}, Options{})
	op := func(ctx context.Context, attempt int) (int, error) {
		if attempt == 0 {
			<-ctx.Done()
			return 0, ctx.Err()
		}
		return 1, nil
	}
	for b.Loop() {
		h.Do(context.Background(), op)
	}
}

func BenchmarkReplay(b *testing.B) {
	p := Policy{MaxAttempts: 2, Delay: ms(10)}
	out := []Outcome{{ms(100), nil}, {ms(5), nil}}
	for b.Loop() {
		Replay(p, nil, out)
	}
}

func BenchmarkTrackerQuantile(b *testing.B) {
	tr := NewTracker(1000, 1)
	for i := range 1000 {
		tr.Observe(time.Duration(i))
	}
	for b.Loop() {
		tr.Quantile(0.95)
	}
}
