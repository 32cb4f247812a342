package loadshed

import (
	"errors"
	"math/rand/v2"
	"sync"
	"testing"
	"testing/quick"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
)

// fixed is an Algorithm that never changes the limit, so tests of the
// admission rules control it exactly.
type fixed struct{}

func (fixed) Next(limit int, _ Sample) int { return limit }

func TestAllowReasons(t *testing.T) {
	type step struct {
		req      Request
		wait     time.Duration // sleep before the step
		deadline time.Duration // nonzero: req.Deadline is this far from now
		want     error
	}
	tests := []struct {
		name  string
		opts  Options
		steps []step
	}{
		{"limit reached", Options{InitialLimit: 2, Algorithm: fixed{}}, []step{
			{req: Request{Priority: CriticalPlus}},
			{req: Request{Priority: CriticalPlus}},
			{req: Request{Priority: CriticalPlus}, want: ErrOverloaded},
		}},
		{"sheddable gets half", Options{InitialLimit: 4, Algorithm: fixed{}}, []step{
			{req: Request{Priority: Sheddable}},
			{req: Request{Priority: Sheddable}},
			{req: Request{Priority: Sheddable}, want: ErrOverloaded},
			{req: Request{Priority: Critical}},
			{req: Request{Priority: CriticalPlus}},
			{req: Request{Priority: CriticalPlus}, want: ErrOverloaded},
		}},
		{"a share never rounds to zero", Options{InitialLimit: 1, Algorithm: fixed{}}, []step{
			{req: Request{Priority: Sheddable}},
			{req: Request{Priority: CriticalPlus}, want: ErrOverloaded},
		}},
		{"deadline already passed", Options{Algorithm: fixed{}}, []step{
			{deadline: -time.Second, want: ErrDeadline},
			{deadline: time.Second},
		}},
		{"out-of-range priority is clamped", Options{InitialLimit: 2, Algorithm: fixed{}}, []step{
			{req: Request{Priority: -3}},
			{req: Request{Priority: -3}, want: ErrOverloaded},
			{req: Request{Priority: 9}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				s := New(tt.opts)
				var want, got []error
				for _, st := range tt.steps {
					time.Sleep(st.wait)
					if st.deadline != 0 {
						st.req.Deadline = time.Now().Add(st.deadline)
					}
					_, err := s.Allow(st.req)
					want, got = append(want, st.want), append(got, err)
				}
				if diff := cmp.Diff(want, got, cmp.Comparer(func(a, b error) bool { return a == b })); diff != "" {
					t.Errorf("errors (-want +got):\n%s", diff)
				}
			})
		})
	}
}

// TestConcurrencyBound: whatever the order of arrivals and completions,
// a request is admitted only while fewer than its threshold are in flight,
// so right after every admission InFlight <= Limit.
func TestConcurrencyBound(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(1, 2))
		for run := range 50 {
			s := New(Options{InitialLimit: 1 + rng.IntN(30), MaxLimit: 40, Algorithm: &AIMD{Timeout: 50 * time.Millisecond}})
			var open []*Token
			for range 400 {
				if len(open) > 0 && rng.IntN(3) == 0 {
					i := rng.IntN(len(open))
					finishRandomly(rng, open[i])
					open = append(open[:i], open[i+1:]...)
					continue
				}
				time.Sleep(time.Duration(rng.IntN(40)) * time.Millisecond)
				p := Priority(rng.IntN(numPriorities))
				before := s.Stats()
				tok, err := s.Allow(Request{Priority: p})
				if err != nil {
					continue
				}
				open = append(open, tok)
				if st := s.Stats(); st.InFlight > st.Limit || before.InFlight >= before.Limit {
					t.Fatalf("run %d: admitted %v with %d in flight, limit %d", run, p, before.InFlight, before.Limit)
				}
			}
		}
	})
}

func finishRandomly(rng *rand.Rand, tok *Token) {
	switch rng.IntN(3) {
	case 0:
		tok.Done()
	case 1:
		tok.Drop()
	default:
		tok.Ignore()
	}
}

// wild is an Algorithm that proposes any limit at all.
type wild struct{ rng *rand.Rand }

func (w wild) Next(int, Sample) int { return w.rng.IntN(1<<20) - 1<<19 }

// TestLimitRange: MinLimit <= Limit <= MaxLimit after any sequence of
// samples, for the built-in algorithms and for one that proposes anything.
func TestLimitRange(t *testing.T) {
	check := func(seed uint64, lo, span uint8, algo uint8) bool {
		rng := rand.New(rand.NewPCG(seed, 7))
		minL, maxL := 1+int(lo%50), 1+int(lo%50)+int(span)
		algos := []Algorithm{&AIMD{}, &Gradient{}, wild{rng}}
		now := time.Unix(0, 0)
		s := New(Options{MinLimit: minL, MaxLimit: maxL, InitialLimit: rng.IntN(300),
			Algorithm: algos[int(algo)%len(algos)], Now: func() time.Time { return now }})
		for range 300 {
			tok, err := s.Allow(Request{Priority: CriticalPlus})
			if err == nil {
				now = now.Add(time.Duration(rng.IntN(8000)) * time.Millisecond)
				finishRandomly(rng, tok)
			}
			if l := s.Limit(); l < minL || l > maxL {
				t.Logf("limit %d outside [%d, %d]", l, minL, maxL)
				return false
			}
		}
		return true
	}
	if err := quick.Check(check, &quick.Config{MaxCount: 300, Rand: nil}); err != nil {
		t.Error(err)
	}
}

// TestPriorityMonotone: in any state, if a request of priority q would be
// admitted, so would any request of a higher priority.
func TestPriorityMonotone(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(3, 4))
		for run := range 200 {
			shares := [numPriorities]float64{rng.Float64(), rng.Float64(), rng.Float64(), rng.Float64()}
			s := New(Options{InitialLimit: 1 + rng.IntN(50), Shares: shares, Algorithm: fixed{}})
			for range rng.IntN(60) {
				s.Allow(Request{Priority: CriticalPlus})
			}
			var admitted [numPriorities]bool
			for p := range Priority(numPriorities) {
				if tok, err := s.Allow(Request{Priority: p}); err == nil {
					admitted[p] = true
					tok.Ignore() // give the slot back, no sample: the state is unchanged
				}
			}
			for p := 1; p < numPriorities; p++ {
				if admitted[p-1] && !admitted[p] {
					t.Fatalf("run %d (shares %v, %+v): %v admitted but %v shed", run, shares, s.Stats(), Priority(p-1), Priority(p))
				}
			}
		}
	})
}

// TestQueueBound: no admitted request has queued longer than
// QueueInterval, and none longer than QueueTarget while the queue stands.
func TestQueueBound(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(5, 6))
		const target, interval = 5 * time.Millisecond, 100 * time.Millisecond
		s := New(Options{QueueTarget: target, QueueInterval: interval, InitialLimit: 1000, Algorithm: fixed{}})
		lastGood := time.Now()
		for range 5000 {
			time.Sleep(time.Duration(rng.IntN(20)) * time.Millisecond)
			wait := time.Duration(rng.IntN(150)) * time.Millisecond
			now := time.Now()
			tok, err := s.Allow(Request{Priority: Critical, Arrived: now.Add(-wait)})
			standing := now.Sub(lastGood) > interval
			switch {
			case err == nil && wait > interval:
				t.Fatalf("admitted after queueing %v > %v", wait, interval)
			case err == nil && standing && wait > target:
				t.Fatalf("admitted after queueing %v while the queue stood", wait)
			case err != nil && !errors.Is(err, ErrQueueTimeout):
				t.Fatalf("unexpected %v", err)
			case err != nil && wait <= target:
				t.Fatalf("shed a request that queued only %v", wait)
			}
			if err == nil {
				tok.Ignore()
				if wait <= target {
					lastGood = now
				}
			}
		}
	})
}

func TestQueueStandingThenRecovers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := New(Options{Algorithm: fixed{}}) // 5 ms target, 100 ms interval
		ago := func(d time.Duration) Request { return Request{Arrived: time.Now().Add(-d)} }
		var got []error
		try := func(r Request) {
			tok, err := s.Allow(r)
			got = append(got, err)
			if err == nil {
				tok.Ignore()
			}
		}
		try(ago(50 * time.Millisecond)) // a burst: tolerated
		time.Sleep(101 * time.Millisecond)
		try(ago(50 * time.Millisecond)) // nothing quick for 101 ms: the queue stands
		try(ago(3 * time.Millisecond))  // a quick one gets in and ends the standing queue
		try(ago(50 * time.Millisecond)) // so bursts are tolerated again
		want := []error{nil, ErrQueueTimeout, nil, nil}
		if diff := cmp.Diff(want, got, cmp.Comparer(func(a, b error) bool { return a == b })); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
}

// TestDeadline: a request is refused when its deadline is no later than
// now plus the fastest completion seen, and admitted otherwise.
func TestDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(8, 9))
		s := New(Options{Algorithm: fixed{}, InitialLimit: 1000})
		fastest := time.Duration(0)
		for range 2000 {
			left := time.Duration(rng.IntN(200)-20) * time.Millisecond
			tok, err := s.Allow(Request{Deadline: time.Now().Add(left)})
			if wantShed := left <= fastest; wantShed != errors.Is(err, ErrDeadline) {
				t.Fatalf("left %v, fastest %v: err %v", left, fastest, err)
			}
			if err != nil {
				continue
			}
			rtt := time.Duration(10+rng.IntN(100)) * time.Millisecond
			time.Sleep(rtt)
			tok.Done()
			if fastest == 0 || rtt < fastest {
				fastest = rtt
			}
		}
	})
}

func TestAIMD(t *testing.T) {
	tests := []struct {
		name  string
		a     AIMD
		limit int
		s     Sample
		want  int
	}{
		{"drop backs off by 0.9", AIMD{}, 20, Sample{Dropped: true, InFlight: 20}, 18},
		{"slow sample is a loss", AIMD{}, 20, Sample{RTT: 6 * time.Second, InFlight: 20}, 18},
		{"custom timeout", AIMD{Timeout: 100 * time.Millisecond}, 10, Sample{RTT: 101 * time.Millisecond, InFlight: 9}, 9},
		{"custom backoff", AIMD{Backoff: 0.5}, 10, Sample{Dropped: true}, 5},
		{"busy success grows by one", AIMD{}, 20, Sample{RTT: time.Millisecond, InFlight: 10}, 21},
		{"idle success keeps the limit", AIMD{}, 20, Sample{RTT: time.Millisecond, InFlight: 9}, 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.a.Next(tt.limit, tt.s); got != tt.want {
				t.Errorf("Next(%d, %+v) = %d, want %d", tt.limit, tt.s, got, tt.want)
			}
		})
	}
}

func TestGradient(t *testing.T) {
	g := &Gradient{}
	limit := 20
	for range 100 { // steady latency, fully used: the limit grows
		limit = g.Next(limit, Sample{RTT: 10 * time.Millisecond, InFlight: limit})
	}
	if limit <= 60 {
		t.Fatalf("limit after steady latency = %d, want growth well above 20", limit)
	}
	grown := limit
	for range 30 { // latency five times the average: a queue, the limit shrinks
		limit = g.Next(limit, Sample{RTT: 50 * time.Millisecond, InFlight: limit})
	}
	if limit >= grown/2 {
		t.Fatalf("limit after queueing = %d, want below %d", limit, grown/2)
	}
	if got := g.Next(limit, Sample{RTT: time.Millisecond, InFlight: 1}); got != limit {
		t.Errorf("app-limited sample changed the limit: %d → %d", limit, got)
	}
	if got := g.Next(40, Sample{RTT: time.Millisecond, InFlight: 40, Dropped: true}); got >= 40 {
		t.Errorf("a drop did not shrink the limit: 40 → %d", got)
	}
}

func TestTokenFinishesOnce(t *testing.T) {
	s := New(Options{InitialLimit: 3, Algorithm: fixed{}})
	tok, _ := s.Allow(Request{})
	s.Allow(Request{Priority: CriticalPlus})
	tok.Done()
	tok.Drop()
	tok.Ignore()
	if got := s.Stats().InFlight; got != 1 {
		t.Errorf("InFlight = %d after one of two finished (three times), want 1", got)
	}
}

func TestStats(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := New(Options{InitialLimit: 2, Algorithm: fixed{}})
		s.Allow(Request{Priority: CriticalPlus})
		s.Allow(Request{Priority: CriticalPlus})
		s.Allow(Request{Priority: Sheddable})
		s.Allow(Request{Priority: Critical, Arrived: time.Now().Add(-time.Second)})
		s.Allow(Request{Priority: SheddablePlus, Deadline: time.Now()})
		want := Stats{Limit: 2, InFlight: 2, Admitted: 2, ShedOverloaded: 1, ShedQueue: 1, ShedDeadline: 1,
			ShedByPriority: [numPriorities]uint64{1, 1, 1, 0}}
		if diff := cmp.Diff(want, s.Stats()); diff != "" {
			t.Errorf("Stats (-want +got):\n%s", diff)
		}
	})
}

func TestDefaults(t *testing.T) {
	o := withDefaults(Options{MinLimit: 50, MaxLimit: 10, QueueTarget: time.Second, Shares: [numPriorities]float64{0.9, 0.2, 2, 0.5}})
	if o.MaxLimit != 50 || o.InitialLimit != 20 || o.QueueInterval != time.Second {
		t.Errorf("limits/queue: %+v", o)
	}
	if want := [numPriorities]float64{0.9, 0.9, 1, 1}; o.Shares != want {
		t.Errorf("Shares = %v, want %v", o.Shares, want)
	}
	if s := New(Options{InitialLimit: 5, MinLimit: 10}); s.Limit() != 10 {
		t.Errorf("initial limit below MinLimit not clamped: %d", s.Limit())
	}
}

func TestPriorityString(t *testing.T) {
	got := []string{Sheddable.String(), SheddablePlus.String(), Critical.String(), CriticalPlus.String(), Priority(7).String()}
	want := []string{"SHEDDABLE", "SHEDDABLE_PLUS", "CRITICAL", "CRITICAL_PLUS", "Priority(7)"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Error(diff)
	}
}

// TestInjectedNow shows the Options.Now injection the demo relies on: the
// latency a Token measures comes from the injected clock.
func TestInjectedNow(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var got []Sample
	s := New(Options{Now: func() time.Time { return now }, Algorithm: recorder{&got}})
	tok, _ := s.Allow(Request{})
	now = now.Add(42 * time.Millisecond)
	tok.Drop()
	if diff := cmp.Diff([]Sample{{RTT: 42 * time.Millisecond, InFlight: 1, Dropped: true}}, got); diff != "" {
		t.Error(diff)
	}
}

type recorder struct{ samples *[]Sample }

func (r recorder) Next(limit int, s Sample) int { *r.samples = append(*r.samples, s); return limit }

func TestConcurrentUse(t *testing.T) {
	s := New(Options{InitialLimit: 8, MaxLimit: 8, Algorithm: &Gradient{}})
	var wg sync.WaitGroup
	var mu sync.Mutex
	maxSeen := 0
	for g := range 8 {
		wg.Go(func() {
			for i := range 500 {
				tok, err := s.Allow(Request{Priority: Priority((g + i) % numPriorities)})
				if err != nil {
					continue
				}
				if st := s.Stats(); st.InFlight > 0 {
					mu.Lock()
					maxSeen = max(maxSeen, st.InFlight)
					mu.Unlock()
				}
				tok.Done()
			}
		})
	}
	wg.Wait()
	if st := s.Stats(); st.InFlight != 0 || maxSeen > 8 || st.Admitted == 0 {
		t.Errorf("after the run: %+v, max in flight seen %d", st, maxSeen)
	}
}

func BenchmarkAllowDone(b *testing.B) {
	s := New(Options{})
	for b.Loop() {
		tok, err := s.Allow(Request{Priority: Critical})
		if err == nil {
			tok.Done()
		}
	}
}

func BenchmarkAllowShed(b *testing.B) {
	s := New(Options{InitialLimit: 1, MaxLimit: 1})
	s.Allow(Request{Priority: CriticalPlus})
	for b.Loop() {
		s.Allow(Request{Priority: Critical})
	}
}

func BenchmarkAllowDoneParallel(b *testing.B) {
	s := New(Options{InitialLimit: 1000})
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if tok, err := s.Allow(Request{Priority: Critical}); err == nil {
				tok.Done()
			}
		}
	})
}
