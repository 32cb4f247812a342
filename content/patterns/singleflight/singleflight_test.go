package singleflight

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
)

var errDown = errors.New("database down")

// outcome is what one caller of Do saw.
type outcome struct {
	Val    string
	Shared bool
	Err    string
}

func outcomeOf(v string, shared bool, err error) outcome {
	o := outcome{Val: v, Shared: shared}
	if err != nil {
		o.Err = err.Error()
	}
	return o
}

// TestDo runs n callers for one key that all arrive while the first
// execution is in flight, and compares what each saw.
func TestDo(t *testing.T) {
	tests := []struct {
		name      string
		callers   int
		val       string
		err       error
		wantExecs int64
	}{
		{"one caller is not shared", 1, "v", nil, 1},
		{"concurrent callers share one execution", 5, "v", nil, 1},
		{"the error is shared too", 3, "", errDown, 1},
		{"a value and an error together", 2, "partial", errDown, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var g Group[string, string]
				release := make(chan struct{})
				fn := func(context.Context) (string, error) {
					<-release
					return tt.val, tt.err
				}
				got := make([]outcome, tt.callers)
				var wg sync.WaitGroup
				for i := range tt.callers {
					wg.Go(func() { got[i] = outcomeOf(g.Do(context.Background(), "k", fn)) })
				}
				synctest.Wait() // every caller has joined
				close(release)
				wg.Wait()
				want := make([]outcome, tt.callers)
				for i := range want {
					want[i] = outcomeOf(tt.val, tt.callers > 1, tt.err)
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("outcomes (-want +got):\n%s", diff)
				}
				if s := g.Stats(); s.Executions != tt.wantExecs || s.Calls != int64(tt.callers) {
					t.Errorf("stats = %+v, want %d executions for %d calls", s, tt.wantExecs, tt.callers)
				}
			})
		})
	}
}

func TestSequentialCallsExecuteAgain(t *testing.T) {
	var g Group[string, int]
	n := 0
	fn := func(context.Context) (int, error) { n++; return n, nil }
	for want := 1; want <= 3; want++ {
		v, shared, err := g.Do(context.Background(), "k", fn)
		if v != want || shared || err != nil {
			t.Fatalf("call %d = (%d, %v, %v), want (%d, false, nil): singleflight must not cache", want, v, shared, err, want)
		}
	}
}

func TestErrorIsNotRemembered(t *testing.T) {
	var g Group[string, string]
	fails := true
	fn := func(context.Context) (string, error) {
		if fails {
			return "", errDown
		}
		return "ok", nil
	}
	if _, _, err := g.Do(context.Background(), "k", fn); !errors.Is(err, errDown) {
		t.Fatalf("err = %v, want %v", err, errDown)
	}
	fails = false
	if v, _, err := g.Do(context.Background(), "k", fn); v != "ok" || err != nil {
		t.Fatalf("after the failure: (%q, %v), want a fresh execution", v, err)
	}
}

func TestKeysAreIndependent(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var g Group[int, int]
		release := make(chan struct{})
		var wg sync.WaitGroup
		got := make([]int, 3)
		for k := range 3 {
			wg.Go(func() {
				got[k], _, _ = g.Do(context.Background(), k, func(context.Context) (int, error) {
					<-release
					return k * 10, nil
				})
			})
		}
		synctest.Wait()
		if s := g.Stats(); s.InFlight != 3 || s.Executions != 3 {
			t.Errorf("three keys: stats %+v, want 3 in flight", s)
		}
		close(release)
		wg.Wait()
		if diff := cmp.Diff([]int{0, 10, 20}, got); diff != "" {
			t.Errorf("values (-want +got):\n%s", diff)
		}
	})
}

// TestLeaderCancelDoesNotFailOthers is the classic x/sync pitfall: the
// first caller's context must not decide the outcome for the others.
func TestLeaderCancelDoesNotFailOthers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var g Group[string, string]
		fn := func(ctx context.Context) (string, error) {
			select {
			case <-time.After(100 * time.Millisecond):
				return "row", nil
			case <-ctx.Done():
				return "", ctx.Err()
			}
		}
		leaderCtx, cancelLeader := context.WithCancel(context.Background())
		var leader, follower outcome
		var wg sync.WaitGroup
		wg.Go(func() { leader = outcomeOf(g.Do(leaderCtx, "k", fn)) })
		synctest.Wait()
		wg.Go(func() { follower = outcomeOf(g.Do(context.Background(), "k", fn)) })
		synctest.Wait()
		cancelLeader()
		wg.Wait()
		if diff := cmp.Diff(outcome{Err: context.Canceled.Error()}, leader); diff != "" {
			t.Errorf("leader (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(outcome{Val: "row"}, follower); diff != "" {
			t.Errorf("follower (-want +got):\n%s", diff)
		}
	})
}

func TestNewcomerDoesNotJoinAbandonedFlight(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var g Group[string, int]
		var execs atomic.Int32
		stubborn := func(context.Context) (int, error) { // ignores cancellation
			n := execs.Add(1)
			time.Sleep(50 * time.Millisecond)
			return int(n), nil
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
		defer cancel()
		if _, _, err := g.Do(ctx, "k", stubborn); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v, want the caller's deadline", err)
		}
		start := time.Now()
		v, _, err := g.Do(context.Background(), "k", stubborn)
		if v != 2 || err != nil {
			t.Fatalf("newcomer got (%d, %v), want a second execution's result", v, err)
		}
		if waited := time.Since(start); waited != 90*time.Millisecond {
			t.Errorf("newcomer waited %v, want 40ms for the abandoned execution + 50ms for its own", waited)
		}
		if s := g.Stats(); s.Abandoned != 1 || s.GaveUp != 1 || s.Executions != 2 {
			t.Errorf("stats = %+v", s)
		}
	})
}

func TestWaitingForClosedFlightHonoursContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var g Group[string, int]
		release := make(chan struct{})
		fn := func(context.Context) (int, error) { <-release; return 1, nil }
		go g.Do(context.Background(), "k", fn)
		synctest.Wait()
		g.Forget("k")
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		start := time.Now()
		if _, _, err := g.Do(ctx, "k", fn); !errors.Is(err, context.DeadlineExceeded) || time.Since(start) != time.Second {
			t.Errorf("err = %v after %v, want the deadline after 1s", err, time.Since(start))
		}
		close(release)
	})
}

func TestForgetWithoutFlight(t *testing.T) {
	var g Group[string, int]
	g.Forget("nothing") // must not panic or create state
	if s := g.Stats(); s != (Stats{}) {
		t.Errorf("stats = %+v, want zero", s)
	}
}

func TestContextAlreadyDone(t *testing.T) {
	var g Group[string, int]
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	called := false
	_, _, err := g.Do(ctx, "k", func(context.Context) (int, error) { called = true; return 1, nil })
	if !errors.Is(err, context.Canceled) || called {
		t.Errorf("err = %v, called = %v; want context.Canceled and no execution", err, called)
	}
	if s := g.Stats(); s.Calls != 1 || s.GaveUp != 1 || s.Executions != 0 {
		t.Errorf("stats = %+v", s)
	}
}

type ctxKey struct{}

func TestFlightContext(t *testing.T) {
	var g Group[string, string]
	ctx, cancel := context.WithTimeout(context.WithValue(context.Background(), ctxKey{}, "trace-1"), time.Hour)
	defer cancel()
	var hasDeadline bool
	v, _, _ := g.Do(ctx, "k", func(ctx context.Context) (string, error) {
		_, hasDeadline = ctx.Deadline()
		s, _ := ctx.Value(ctxKey{}).(string)
		return s, nil
	})
	if v != "trace-1" || hasDeadline {
		t.Errorf("flight context: value %q, deadline %v; want the caller's values without its deadline", v, hasDeadline)
	}
}

func TestPanicReachesEveryCaller(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var g Group[string, int]
		release := make(chan struct{})
		boom := errors.New("boom")
		fn := func(context.Context) (int, error) { <-release; panic(boom) }
		recovered := make([]any, 3)
		var wg sync.WaitGroup
		for i := range recovered {
			wg.Go(func() {
				defer func() { recovered[i] = recover() }()
				g.Do(context.Background(), "k", fn)
			})
		}
		synctest.Wait()
		close(release)
		wg.Wait()
		for i, r := range recovered {
			p, ok := r.(*PanicError)
			if !ok {
				t.Fatalf("caller %d recovered %#v, want a *PanicError", i, r)
			}
			if !errors.Is(p, boom) || !strings.Contains(string(p.Stack), "singleflight") || !strings.Contains(p.Error(), "boom") {
				t.Errorf("caller %d: PanicError %q does not carry the value and the stack", i, p.Error())
			}
		}
		// The group is usable after a panic.
		if v, _, err := g.Do(context.Background(), "k", func(context.Context) (int, error) { return 7, nil }); v != 7 || err != nil {
			t.Errorf("after the panic: (%d, %v)", v, err)
		}
	})
}

func TestPanicWithNonError(t *testing.T) {
	var g Group[string, int]
	defer func() {
		p, ok := recover().(*PanicError)
		if !ok || p.Value != "plain" || p.Unwrap() != nil {
			t.Errorf("recovered %#v, want a *PanicError with value \"plain\" and nothing to unwrap", p)
		}
	}()
	g.Do(context.Background(), "k", func(context.Context) (int, error) { panic("plain") })
}

func TestGoexit(t *testing.T) {
	var g Group[string, int]
	_, _, err := g.Do(context.Background(), "k", func(context.Context) (int, error) {
		runtime.Goexit()
		return 1, nil
	})
	if !errors.Is(err, ErrGoexit) {
		t.Errorf("err = %v, want ErrGoexit", err)
	}
	if s := g.Stats(); s.InFlight != 0 {
		t.Errorf("key still in flight after Goexit: %+v", s)
	}
}

// TestStress runs many goroutines on a few keys with the real scheduler,
// under -race, and checks that executions never overlap per key.
func TestStress(t *testing.T) {
	var g Group[int, int]
	var active [4]atomic.Int32
	var overlaps atomic.Int32
	var wg sync.WaitGroup
	for i := range 200 {
		wg.Go(func() {
			key := i % 4
			ctx, cancel := context.WithTimeout(context.Background(), time.Duration(i%7)*time.Millisecond+time.Millisecond)
			defer cancel()
			if i%50 == 0 {
				g.Forget(key)
			}
			g.Do(ctx, key, func(ctx context.Context) (int, error) {
				if active[key].Add(1) > 1 {
					overlaps.Add(1)
				}
				defer active[key].Add(-1)
				time.Sleep(time.Millisecond)
				return key, nil
			})
		})
	}
	wg.Wait()
	if n := overlaps.Load(); n > 0 {
		t.Errorf("%d executions overlapped another for the same key", n)
	}
}

// BenchmarkDoSequential measures one whole flight per call: nobody joins,
// so every call pays for a goroutine, a context and a channel.
func BenchmarkDoSequential(b *testing.B) {
	var g Group[string, int]
	fn := func(context.Context) (int, error) { return 1, nil }
	ctx := context.Background()
	for b.Loop() {
		g.Do(ctx, "k", fn)
	}
}

// BenchmarkDoParallelSameKey runs 32 goroutines per CPU against one key
// whose backend call takes 1 ms: the figure that matters is %suppressed,
// the share of calls that did not reach the backend.
func BenchmarkDoParallelSameKey(b *testing.B) {
	var g Group[string, int]
	fn := func(context.Context) (int, error) { time.Sleep(time.Millisecond); return 1, nil }
	ctx := context.Background()
	b.SetParallelism(32)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			g.Do(ctx, "k", fn)
		}
	})
	reportSuppression(b, g.Stats())
}

// BenchmarkDoParallelDistinctKeys measures flights on distinct keys from
// all CPUs: the cost of the Group's one mutex under contention.
func BenchmarkDoParallelDistinctKeys(b *testing.B) {
	var g Group[int64, int]
	fn := func(context.Context) (int, error) { return 1, nil }
	ctx := context.Background()
	var next atomic.Int64
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			g.Do(ctx, next.Add(1), fn)
		}
	})
	reportSuppression(b, g.Stats())
}

// reportSuppression reports the share of calls that ran no execution.
func reportSuppression(b *testing.B, s Stats) {
	if s.Calls > 0 {
		b.ReportMetric(100*(1-float64(s.Executions)/float64(s.Calls)), "%suppressed")
	}
}
