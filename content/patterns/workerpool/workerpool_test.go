package workerpool

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"testing/quick"
	"testing/synctest"
	"time"

	"github.com/lamport-kb/lamport/internal/proptest"
)

// gauge counts jobs in flight and remembers the most seen at once.
type gauge struct{ now, peak atomic.Int64 }

func (g *gauge) enter() {
	n := g.now.Add(1)
	for {
		p := g.peak.Load()
		if n <= p || g.peak.CompareAndSwap(p, n) {
			return
		}
	}
}

func (g *gauge) leave() { g.now.Add(-1) }

// sleepy returns a job that holds a slot for d, counted by g.
func sleepy(g *gauge, d time.Duration) Job {
	return func(ctx context.Context) error {
		g.enter()
		defer g.leave()
		select {
		case <-time.After(d):
			return nil
		case <-ctx.Done():
			return context.Cause(ctx)
		}
	}
}

func TestNeverMoreThanN(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range proptest.Seeds(60) {
		n, queue, jobs := 1+rng.IntN(6), rng.IntN(5), rng.IntN(40)
		durs := make([]time.Duration, jobs)
		for i := range durs {
			durs[i] = time.Duration(1+rng.IntN(50)) * time.Millisecond
		}
		synctest.Test(t, func(t *testing.T) {
			var g gauge
			p := New(Options{Workers: n, Queue: queue})
			for _, d := range durs {
				if _, err := p.Submit(context.Background(), sleepy(&g, d)); err != nil {
					t.Fatal(err)
				}
			}
			if err := p.Wait(); err != nil {
				t.Fatal(err)
			}
			checkPeak(t, fmt.Sprintf("trial %d: Pool", trial), g.peak.Load(), n, jobs)

			var mg gauge
			Map(context.Background(), n, durs, func(ctx context.Context, d time.Duration) (int, error) {
				return 0, sleepy(&mg, d)(ctx)
			})
			checkPeak(t, fmt.Sprintf("trial %d: Map", trial), mg.peak.Load(), n, jobs)
		})
	}
}

// checkPeak wants exactly min(n, jobs) in flight at the peak: never more
// than n, and the whole width used when there is enough work.
func checkPeak(t *testing.T, what string, peak int64, n, jobs int) {
	t.Helper()
	if want := int64(min(n, jobs)); peak != want {
		t.Errorf("%s: %d jobs on %d workers: peak in flight %d, want %d", what, jobs, n, peak, want)
	}
}

// outcomes records what Options.Done reported, per id.
type outcomes struct {
	mu   sync.Mutex
	errs map[uint64][]error
}

func (o *outcomes) done(id uint64, err error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.errs[id] = append(o.errs[id], err)
}

func TestExactlyOnceOrReported(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for trial := range proptest.Seeds(80) {
		n, queue, jobs := 1+rng.IntN(4), rng.IntN(4), rng.IntN(30)
		failFast := rng.IntN(2) == 0
		stopAt := time.Duration(rng.IntN(120)) * time.Millisecond
		kinds := make([]int, jobs) // 0 ok, 1 error, 2 panic
		durs := make([]time.Duration, jobs)
		for i := range kinds {
			kinds[i] = []int{0, 0, 0, 0, 1, 2}[rng.IntN(6)]
			durs[i] = time.Duration(1+rng.IntN(30)) * time.Millisecond
		}
		synctest.Test(t, func(t *testing.T) {
			out := outcomes{errs: map[uint64][]error{}}
			p := New(Options{Workers: n, Queue: queue, FailFast: failFast, Done: out.done})
			stopper := time.AfterFunc(stopAt, func() { p.Stop(nil) })
			calls := map[uint64]*atomic.Int32{}
			var accepted []uint64
			for i := range jobs {
				c := new(atomic.Int32)
				id, err := p.Submit(context.Background(), kindJob(kinds[i], durs[i], c))
				if err != nil {
					if !errors.Is(err, ErrStopped) && !errors.Is(err, errJob) && !isPanic(err) {
						t.Fatalf("Submit: %v", err)
					}
					continue
				}
				calls[id] = c
				accepted = append(accepted, id)
			}
			p.Wait()
			stopper.Stop()
			checkOutcomes(t, trial, p.Stats(), accepted, calls, &out)
		})
	}
}

var errJob = errors.New("job failed")

func isPanic(err error) bool {
	var pe *PanicError
	return errors.As(err, &pe)
}

func kindJob(kind int, d time.Duration, calls *atomic.Int32) Job {
	return func(ctx context.Context) error {
		calls.Add(1)
		select {
		case <-time.After(d):
		case <-ctx.Done():
			return context.Cause(ctx)
		}
		switch kind {
		case 1:
			return errJob
		case 2:
			panic("boom")
		}
		return nil
	}
}

// checkOutcomes wants one outcome per accepted job, the job called once
// unless it was skipped and never otherwise, and counters that add up.
func checkOutcomes(t *testing.T, trial uint64, s Stats, accepted []uint64, calls map[uint64]*atomic.Int32, out *outcomes) {
	t.Helper()
	if len(out.errs) != len(accepted) {
		t.Fatalf("trial %d: %d outcomes for %d accepted jobs", trial, len(out.errs), len(accepted))
	}
	var skipped uint64
	for _, id := range accepted {
		errs := out.errs[id]
		if len(errs) != 1 {
			t.Fatalf("trial %d: job %d reported %d times", trial, id, len(errs))
		}
		wantCalls := int32(1)
		if errors.Is(errs[0], ErrSkipped) {
			wantCalls = 0
			skipped++
		}
		if got := calls[id].Load(); got != wantCalls {
			t.Fatalf("trial %d: job %d (outcome %v) called %d times, want %d", trial, id, errs[0], got, wantCalls)
		}
	}
	if s.Submitted != uint64(len(accepted)) || s.Succeeded+s.Failed+s.Skipped != s.Submitted || s.Skipped != skipped {
		t.Fatalf("trial %d: stats %+v for %d accepted, %d skipped", trial, s, len(accepted), skipped)
	}
}

func TestWaitAfterAllExit(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for trial := range proptest.Seeds(60) {
		n, queue, jobs := 1+rng.IntN(5), rng.IntN(5), rng.IntN(30)
		failAt := rng.IntN(jobs + 1) // == jobs: no failure
		synctest.Test(t, func(t *testing.T) {
			var g gauge
			p := New(Options{Workers: n, Queue: queue, FailFast: rng.IntN(2) == 0})
			for i := range jobs {
				d := time.Duration(1+i%7) * time.Millisecond
				p.Submit(context.Background(), func(ctx context.Context) error {
					err := sleepy(&g, d)(ctx)
					if i == failAt {
						return errJob
					}
					return err
				})
			}
			err := p.Wait()
			if s := p.Stats(); s.Workers != 0 || s.Running != 0 || s.Queued != 0 || g.now.Load() != 0 {
				t.Fatalf("trial %d: after Wait: %+v, %d jobs still in their function", trial, s, g.now.Load())
			}
			if (failAt < jobs) != errors.Is(err, errJob) {
				t.Fatalf("trial %d: Wait = %v, failing job %d of %d", trial, err, failAt, jobs)
			}

			var mg gauge
			Map(context.Background(), n, make([]int, jobs), func(ctx context.Context, i int) (int, error) {
				sleepy(&mg, time.Millisecond)(ctx)
				return 0, errJob
			})
			if mg.now.Load() != 0 {
				t.Fatalf("trial %d: Map returned with %d calls still running", trial, mg.now.Load())
			}
		})
	}
}

func TestMapOrder(t *testing.T) {
	prop := func(in []uint8, workers uint8) bool {
		ok := true
		synctest.Test(t, func(t *testing.T) {
			got, err := Map(context.Background(), int(workers%9), in, func(ctx context.Context, v uint8) (int, error) {
				time.Sleep(time.Duration(255-v) * time.Millisecond) // later elements often finish first
				return int(v) * 3, nil
			})
			want := make([]int, len(in))
			for i, v := range in {
				want[i] = int(v) * 3
			}
			ok = err == nil && slices.Equal(got, want)
		})
		return ok
	}
	if err := quick.Check(prop, &quick.Config{Rand: newQuickRand(7)}); err != nil {
		t.Error(err)
	}
}

func TestFirstErrorCancels(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 9))
	for trial := range proptest.Seeds(60) {
		n, jobs := 1+rng.IntN(5), 1+rng.IntN(30)
		bad := rng.IntN(jobs)
		synctest.Test(t, func(t *testing.T) {
			start := time.Now()
			var mu sync.Mutex
			starts := map[int]time.Duration{}
			var failedAt time.Duration
			_, err := Map(context.Background(), n, make([]struct{}, jobs), func(ctx context.Context, _ struct{}) (int, error) {
				mu.Lock()
				i := len(starts)
				starts[i] = time.Since(start)
				mu.Unlock()
				select {
				case <-time.After(time.Duration(5+i%4) * time.Millisecond):
				case <-ctx.Done():
					if !errors.Is(context.Cause(ctx), errJob) {
						t.Errorf("trial %d: cancelled with cause %v", trial, context.Cause(ctx))
					}
					return 0, ctx.Err()
				}
				if i == bad {
					mu.Lock()
					failedAt = time.Since(start)
					mu.Unlock()
					return 0, fmt.Errorf("element %d: %w", i, errJob)
				}
				return i, nil
			})
			if !errors.Is(err, errJob) {
				t.Fatalf("trial %d: Map = %v, want the failing element's error", trial, err)
			}
			for i, at := range starts {
				if at > failedAt {
					t.Fatalf("trial %d: element %d started at %v, after the failure at %v", trial, i, at, failedAt)
				}
			}
		})
	}
}

func TestMakespan(t *testing.T) {
	rng := rand.New(rand.NewPCG(10, 11))
	for trial := range proptest.Seeds(60) {
		n, k := 1+rng.IntN(8), rng.IntN(50)
		s := time.Duration(1+rng.IntN(100)) * time.Millisecond
		want := time.Duration((k+n-1)/n) * s
		synctest.Test(t, func(t *testing.T) {
			start := time.Now()
			Map(context.Background(), n, make([]int, k), func(context.Context, int) (int, error) {
				time.Sleep(s)
				return 0, nil
			})
			if got := time.Since(start); got != want {
				t.Errorf("trial %d: Map of %d jobs of %v on %d workers took %v, want %v", trial, k, s, n, got, want)
			}
			start = time.Now()
			p := New(Options{Workers: n})
			for range k {
				p.Submit(context.Background(), func(context.Context) error { time.Sleep(s); return nil })
			}
			p.Wait()
			if got := time.Since(start); got != want {
				t.Errorf("trial %d: Pool of %d jobs of %v on %d workers took %v, want %v", trial, k, s, n, got, want)
			}
		})
	}
}
