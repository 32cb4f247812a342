package bulkhead

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

// The tests run in synctest bubbles with the default clock: there time.Now
// is fake and time advances, exactly, only when every goroutine of the
// bubble is blocked. synctest.Wait returns once they all are, which makes
// "everyone has arrived" a checkable point. TestInjectedClock shows the
// injected clock that the demo relies on.

// hold starts a call that takes a slot and keeps it until the returned
// function is called. It returns Do's error on errc once the call ends.
func hold(ctx context.Context, b *Bulkhead) (done func(), errc <-chan error) {
	stop := make(chan struct{})
	ec := make(chan error, 1)
	go func() {
		ec <- b.Do(ctx, func(context.Context) error { <-stop; return nil })
	}()
	var once sync.Once
	return func() { once.Do(func() { close(stop) }) }, ec
}

func TestDefaults(t *testing.T) {
	tests := []struct {
		name string
		in   Options
		want Options // only the limits are compared
	}{
		{"zero value", Options{}, Options{MaxConcurrent: DefaultMaxConcurrent}},
		{"negative values", Options{MaxConcurrent: -1, MaxQueue: -3, MaxWait: -time.Second}, Options{MaxConcurrent: DefaultMaxConcurrent}},
		{"kept", Options{MaxConcurrent: 3, MaxQueue: 2, MaxWait: time.Second}, Options{MaxConcurrent: 3, MaxQueue: 2, MaxWait: time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := New(tt.in).o
			got := Options{MaxConcurrent: o.MaxConcurrent, MaxQueue: o.MaxQueue, MaxWait: o.MaxWait}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("limits (-want +got):\n%s", diff)
			}
		})
	}
}

func TestTryAcquire(t *testing.T) {
	b := New(Options{MaxConcurrent: 2})
	r1, ok1 := b.TryAcquire()
	r2, ok2 := b.TryAcquire()
	_, ok3 := b.TryAcquire()
	if diff := cmp.Diff([]bool{true, true, false}, []bool{ok1, ok2, ok3}); diff != "" {
		t.Fatalf("TryAcquire results (-want +got):\n%s", diff)
	}
	r1()
	r1() // a second release must not free a second slot
	if _, ok := b.TryAcquire(); !ok {
		t.Fatal("no slot after a release")
	}
	if _, ok := b.TryAcquire(); ok {
		t.Fatal("a double release freed two slots")
	}
	r2()
	want := Stats{InFlight: 1, Admitted: 3, Rejected: 2}
	if diff := cmp.Diff(want, b.Stats()); diff != "" {
		t.Errorf("Stats (-want +got):\n%s", diff)
	}
}

// TestNeverMoreThanN throws random workloads at random bulkheads: callers
// arrive at random times, hold their slot for random durations and some
// give up early. However the calls interleave, no more than MaxConcurrent
// run at once, every call ends in exactly one outcome and no slot leaks.
func TestNeverMoreThanN(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 60 {
		o := Options{
			MaxConcurrent: 1 + rng.IntN(6),
			MaxQueue:      rng.IntN(5),
			MaxWait:       time.Duration(rng.IntN(4)) * 25 * time.Millisecond,
		}
		calls := 1 + rng.IntN(40)
		arrive := make([]time.Duration, calls)
		holdFor := make([]time.Duration, calls)
		patience := make([]time.Duration, calls)
		for c := range calls {
			arrive[c] = time.Duration(rng.IntN(200)) * time.Millisecond
			holdFor[c] = time.Duration(1+rng.IntN(100)) * time.Millisecond
			patience[c] = time.Duration(rng.IntN(3)) * 40 * time.Millisecond // 0: no deadline of its own
		}
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				b := New(o)
				var running, peak, ran atomic.Int64
				var wg sync.WaitGroup
				for c := range calls {
					wg.Go(func() {
						time.Sleep(arrive[c])
						ctx := t.Context()
						if patience[c] > 0 {
							var cancel context.CancelFunc
							ctx, cancel = context.WithTimeout(ctx, patience[c])
							defer cancel()
						}
						b.Do(ctx, func(context.Context) error {
							n := running.Add(1)
							for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
							}
							ran.Add(1)
							time.Sleep(holdFor[c])
							running.Add(-1)
							return nil
						})
					})
				}
				wg.Wait()
				s := b.Stats()
				if p := peak.Load(); p > int64(o.MaxConcurrent) {
					t.Errorf("%+v: %d calls ran at once, more than %d", o, p, o.MaxConcurrent)
				}
				if got := s.Admitted + s.Rejected + s.TimedOut + s.Canceled; got != uint64(calls) {
					t.Errorf("%+v: outcomes %+v add up to %d, want %d calls", o, s, got, calls)
				}
				if s.Admitted != uint64(ran.Load()) {
					t.Errorf("Admitted = %d, but %d calls ran", s.Admitted, ran.Load())
				}
				if s.InFlight != 0 || s.Waiting != 0 {
					t.Errorf("after every call ended: %d in flight, %d waiting", s.InFlight, s.Waiting)
				}
			})
		})
	}
}

// TestQueueBound sends K simultaneous callers to a bulkhead of N slots and
// a queue of Q: exactly min(K, N) run, min(K−N, Q) wait and the rest are
// refused at once.
func TestQueueBound(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for range 40 {
		n, q, k := 1+rng.IntN(6), rng.IntN(6), rng.IntN(20)
		t.Run(fmt.Sprintf("N=%d,Q=%d,K=%d", n, q, k), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				b := New(Options{MaxConcurrent: n, MaxQueue: q})
				stop := make(chan struct{})
				var full atomic.Int64
				var wg sync.WaitGroup
				for range k {
					wg.Go(func() {
						err := b.Do(t.Context(), func(context.Context) error { <-stop; return nil })
						if errors.Is(err, ErrFull) {
							full.Add(1)
						}
					})
				}
				synctest.Wait()
				s := b.Stats()
				want := [3]int{min(k, n), min(max(k-n, 0), q), max(k-n-q, 0)}
				got := [3]int{s.InFlight, s.Waiting, int(full.Load())}
				if got != want {
					t.Errorf("[in flight, waiting, refused] = %v, want %v", got, want)
				}
				close(stop)
				wg.Wait()
				if s := b.Stats(); s.Admitted != uint64(min(k, n+q)) {
					t.Errorf("Admitted = %d, want %d (everyone who got a slot or a queue place)", s.Admitted, min(k, n+q))
				}
			})
		})
	}
}

// TestBoundedWait: no caller waits in the queue longer than MaxWait; those
// that time out waited exactly MaxWait.
func TestBoundedWait(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for i := range 30 {
		maxWait := time.Duration(10+rng.IntN(90)) * time.Millisecond
		n, q, calls := 1+rng.IntN(3), 1+rng.IntN(8), 1+rng.IntN(25)
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				b := New(Options{MaxConcurrent: n, MaxQueue: q, MaxWait: maxWait})
				var mu sync.Mutex
				var wg sync.WaitGroup
				for range calls {
					arrive := time.Duration(rng.IntN(100)) * time.Millisecond
					holdFor := time.Duration(1+rng.IntN(120)) * time.Millisecond
					wg.Go(func() {
						time.Sleep(arrive)
						start := time.Now()
						release, err := b.Acquire(t.Context())
						waited := time.Since(start)
						mu.Lock()
						defer mu.Unlock()
						switch {
						case err == nil:
							if waited > maxWait {
								t.Errorf("admitted after %v, more than MaxWait %v", waited, maxWait)
							}
							wg.Go(func() { time.Sleep(holdFor); release() })
						case errors.Is(err, ErrTimeout) && waited != maxWait:
							t.Errorf("timed out after %v, want exactly %v", waited, maxWait)
						case errors.Is(err, ErrFull) && waited != 0:
							t.Errorf("refused after %v, want at once", waited)
						}
					})
				}
				wg.Wait()
			})
		})
	}
}

// TestFIFO: waiters get slots in the order they arrived, and a newcomer
// cannot take a slot while anyone waits.
func TestFIFO(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := New(Options{MaxConcurrent: 1, MaxQueue: 5})
		release, _ := b.TryAcquire()
		var order []int
		var mu sync.Mutex
		var wg sync.WaitGroup
		releases := make(chan func(), 5)
		for i := range 5 {
			wg.Go(func() {
				r, err := b.Acquire(t.Context())
				if err != nil {
					t.Errorf("waiter %d: %v", i, err)
					return
				}
				mu.Lock()
				order = append(order, i)
				mu.Unlock()
				releases <- r
			})
			synctest.Wait() // waiter i is queued before i+1 arrives
		}
		if _, ok := b.TryAcquire(); ok {
			t.Fatal("TryAcquire overtook the queue")
		}
		release()
		for range 5 {
			synctest.Wait()
			(<-releases)()
		}
		wg.Wait()
		if diff := cmp.Diff([]int{0, 1, 2, 3, 4}, order); diff != "" {
			t.Errorf("admission order (-want +got):\n%s", diff)
		}
	})
}

// TestIsolation plays the same random script against compartment "b" of a
// Group twice: alone, and while compartment "a" is flooded by calls that
// never return. A script step starts a call, finishes a running call or lets
// time pass; synctest.Wait after each step makes the order exact. What "b"
// admits, queues, refuses and times out, step by step, is the same.
func TestIsolation(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for i := range 40 {
		o := Options{MaxConcurrent: 1 + rng.IntN(4), MaxQueue: rng.IntN(4), MaxWait: time.Duration(1+rng.IntN(5)) * 20 * time.Millisecond}
		script := make([]int, 10+rng.IntN(40)) // -1: start a call; 0..: finish call k, or sleep k ms
		for s := range script {
			script[s] = rng.IntN(60) - 20
		}
		run := func(t *testing.T, flood bool) []Stats {
			var trace []Stats
			synctest.Test(t, func(t *testing.T) {
				g := NewGroup(func(string) Options { return o })
				var stops []func()
				defer func() {
					for _, stop := range stops {
						stop()
					}
				}()
				if flood {
					for range 50 {
						stop, _ := hold(t.Context(), g.Get("a"))
						stops = append(stops, stop)
					}
				}
				var calls []func()
				for _, step := range script {
					switch {
					case step < 0:
						stop, _ := hold(t.Context(), g.Get("b"))
						calls = append(calls, stop)
					case step < 20 && len(calls) > 0:
						calls[step%len(calls)]() // a refused or finished call ignores it
					default:
						time.Sleep(time.Duration(step) * time.Millisecond)
					}
					synctest.Wait()
					trace = append(trace, g.Get("b").Stats())
				}
				stops = append(stops, calls...)
			})
			return trace
		}
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			alone, flooded := run(t, false), run(t, true)
			if diff := cmp.Diff(alone, flooded); diff != "" {
				t.Errorf("%+v: compartment b alone vs next to a flooded a (-alone +flooded):\n%s", o, diff)
			}
		})
	}
}

// TestLittleSizing: calls arrive every a and each stays in flight for w
// (w not a multiple of a, so no arrival coincides with a departure). With
// Size(1/a, w) slots and no queue, none is refused; with one slot fewer,
// some are.
func TestLittleSizing(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for range 30 {
		a := time.Duration(5+rng.IntN(50)) * time.Millisecond
		w := time.Duration(1+rng.IntN(400)) * time.Millisecond
		if w%a == 0 {
			w += time.Millisecond
		}
		n := Size(float64(time.Second)/float64(a), w)
		refused := func(t *testing.T, slots int) uint64 {
			var r uint64
			synctest.Test(t, func(t *testing.T) {
				b := New(Options{MaxConcurrent: slots})
				var wg sync.WaitGroup
				for range 100 {
					wg.Go(func() {
						b.Do(t.Context(), func(context.Context) error { time.Sleep(w); return nil })
					})
					time.Sleep(a)
				}
				wg.Wait()
				r = b.Stats().Rejected
			})
			return r
		}
		t.Run(fmt.Sprintf("a=%v,w=%v,N=%d", a, w, n), func(t *testing.T) {
			if r := refused(t, n); r != 0 {
				t.Errorf("%d calls refused with Size = %d slots", r, n)
			}
			if n > 1 {
				if r := refused(t, n-1); r == 0 {
					t.Errorf("no call refused with %d slots, one fewer than Size", n-1)
				}
			}
		})
	}
}

func TestSize(t *testing.T) {
	tests := []struct {
		rate    float64
		latency time.Duration
		want    int
	}{
		{100, 50 * time.Millisecond, 5},
		{10, 300 * time.Millisecond, 3}, // an exact product is not rounded up again
		{1000, 250 * time.Millisecond, 250},
		{200, 12 * time.Millisecond, 3}, // 2.4 rounds up
		{0, time.Second, 1},
		{-5, time.Second, 1},
		{math.NaN(), time.Second, 1},
		{math.Inf(1), time.Second, math.MaxInt32},
	}
	for _, tt := range tests {
		if got := Size(tt.rate, tt.latency); got != tt.want {
			t.Errorf("Size(%v, %v) = %d, want %d", tt.rate, tt.latency, got, tt.want)
		}
	}
}

func TestCancelWhileWaiting(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := New(Options{MaxConcurrent: 1, MaxQueue: 1, MaxWait: time.Minute})
		done, _ := hold(t.Context(), b)
		defer done()
		ctx, cancel := context.WithTimeout(t.Context(), 3*time.Second)
		defer cancel()
		synctest.Wait()
		_, err := b.Acquire(ctx)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v, want the context's DeadlineExceeded", err)
		}
		want := Stats{InFlight: 1, Admitted: 1, Queued: 1, Canceled: 1, WaitTime: 3 * time.Second}
		if diff := cmp.Diff(want, b.Stats()); diff != "" {
			t.Errorf("Stats (-want +got):\n%s", diff)
		}
	})
}

func TestContextAlreadyDone(t *testing.T) {
	b := New(Options{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := b.Acquire(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if diff := cmp.Diff(Stats{}, b.Stats()); diff != "" {
		t.Errorf("a call with a dead context changed the stats (-want +got):\n%s", diff)
	}
}

// TestWaitWithoutMaxWait: with MaxWait 0 a queued caller waits as long as
// its context allows, here an hour.
func TestWaitWithoutMaxWait(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := New(Options{MaxConcurrent: 1, MaxQueue: 1})
		done, errc := hold(t.Context(), b)
		go func() { time.Sleep(time.Hour); done() }()
		synctest.Wait()
		release, err := b.Acquire(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		release()
		if err := <-errc; err != nil {
			t.Fatal(err)
		}
		want := Stats{Admitted: 2, Queued: 1, WaitTime: time.Hour}
		if diff := cmp.Diff(want, b.Stats()); diff != "" {
			t.Errorf("Stats (-want +got):\n%s", diff)
		}
	})
}

func TestDo(t *testing.T) {
	b := New(Options{MaxConcurrent: 1})
	errBoom := errors.New("boom")
	if err := b.Do(context.Background(), func(context.Context) error { return errBoom }); !errors.Is(err, errBoom) {
		t.Errorf("Do returned %v, want the call's error", err)
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Error("the panic was swallowed")
			}
		}()
		b.Do(context.Background(), func(context.Context) error { panic("boom") })
	}()
	if s := b.Stats(); s.InFlight != 0 {
		t.Errorf("a panicking call kept its slot: %d in flight", s.InFlight)
	}
	release, _ := b.TryAcquire()
	defer release()
	called := false
	err := b.Do(context.Background(), func(context.Context) error { called = true; return nil })
	if !errors.Is(err, ErrFull) || called {
		t.Errorf("Do on a full bulkhead: err %v, called %v; want ErrFull without calling", err, called)
	}
}

// TestInjectedClock drives the bulkhead with Options.Now and Options.Sleep,
// as the demo does: Sleep returns at once as if MaxWait had passed.
func TestInjectedClock(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var slept []time.Duration
	b := New(Options{
		MaxConcurrent: 1, MaxQueue: 1, MaxWait: 250 * time.Millisecond,
		Now: func() time.Time { return now },
		Sleep: func(_ context.Context, d time.Duration) error {
			slept = append(slept, d)
			now = now.Add(d)
			return nil
		},
	})
	release, _ := b.TryAcquire()
	defer release()
	if _, err := b.Acquire(context.Background()); !errors.Is(err, ErrTimeout) {
		t.Fatalf("err = %v, want ErrTimeout", err)
	}
	if diff := cmp.Diff([]time.Duration{250 * time.Millisecond}, slept); diff != "" {
		t.Errorf("Sleep calls (-want +got):\n%s", diff)
	}
	want := Stats{InFlight: 1, Admitted: 1, Queued: 1, TimedOut: 1, WaitTime: 250 * time.Millisecond}
	if diff := cmp.Diff(want, b.Stats()); diff != "" {
		t.Errorf("Stats (-want +got):\n%s", diff)
	}
}

// TestHandoffWinsOverTimeout: a slot handed over at the moment MaxWait ends
// goes to the waiter, which must then release it; otherwise the slot would
// leak.
func TestHandoffWinsOverTimeout(t *testing.T) {
	var release func()
	b := New(Options{
		MaxConcurrent: 1, MaxQueue: 1, MaxWait: time.Second,
		Sleep: func(context.Context, time.Duration) error {
			release() // the holder finishes just as the timer fires
			return nil
		},
	})
	release, _ = b.TryAcquire()
	r, err := b.Acquire(context.Background())
	if err != nil {
		t.Fatalf("err = %v, want the handed-over slot", err)
	}
	r()
	if s := b.Stats(); s.InFlight != 0 || s.TimedOut != 0 || s.Admitted != 2 {
		t.Errorf("Stats = %+v, want 2 admitted, none timed out, none in flight", s)
	}
}

func TestGroup(t *testing.T) {
	g := NewGroup(func(key string) Options {
		if key == "payments" {
			return Options{MaxConcurrent: 2}
		}
		return Options{Name: "shared-" + key, MaxConcurrent: 5}
	})
	p := g.Get("payments")
	if g.Get("payments") != p {
		t.Error("Get returned a new Bulkhead for a known key")
	}
	c := g.Get("catalog")
	got := []string{p.Name(), c.Name(), fmt.Sprint(p.o.MaxConcurrent), fmt.Sprint(c.o.MaxConcurrent)}
	if diff := cmp.Diff([]string{"payments", "shared-catalog", "2", "5"}, got); diff != "" {
		t.Errorf("names and sizes (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"catalog", "payments"}, g.Keys()); diff != "" {
		t.Errorf("Keys (-want +got):\n%s", diff)
	}
}

func TestRealTimer(t *testing.T) {
	// The default Sleep outside a bubble, once: a short real timeout.
	b := New(Options{MaxConcurrent: 1, MaxQueue: 1, MaxWait: time.Millisecond})
	release, _ := b.TryAcquire()
	defer release()
	if _, err := b.Acquire(context.Background()); !errors.Is(err, ErrTimeout) {
		t.Fatalf("err = %v, want ErrTimeout", err)
	}
}

func BenchmarkTryAcquireRelease(b *testing.B) {
	bh := New(Options{MaxConcurrent: 1})
	for b.Loop() {
		release, _ := bh.TryAcquire()
		release()
	}
}

func BenchmarkDo(b *testing.B) {
	bh := New(Options{MaxConcurrent: 100})
	ctx := context.Background()
	noop := func(context.Context) error { return nil }
	for b.Loop() {
		bh.Do(ctx, noop)
	}
}

func BenchmarkDoParallel(b *testing.B) {
	bh := New(Options{MaxConcurrent: 1000})
	ctx := context.Background()
	noop := func(context.Context) error { return nil }
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			bh.Do(ctx, noop)
		}
	})
}

func BenchmarkRejectFull(b *testing.B) {
	bh := New(Options{MaxConcurrent: 1})
	release, _ := bh.TryAcquire()
	defer release()
	ctx := context.Background()
	noop := func(context.Context) error { return nil }
	for b.Loop() {
		bh.Do(ctx, noop)
	}
}

// BenchmarkDoQueued: two slots shared by eight goroutines per CPU, so most
// calls wait in the queue and are handed a slot by a release.
func BenchmarkDoQueued(b *testing.B) {
	bh := New(Options{MaxConcurrent: 2, MaxQueue: 1 << 20})
	ctx := context.Background()
	noop := func(context.Context) error { return nil }
	b.SetParallelism(8)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			bh.Do(ctx, noop)
		}
	})
}
