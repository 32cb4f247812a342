package engine

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// gauge tracks how many runs are inside a step at once, and how often
// each run's step ran.
type gauge struct {
	now, peak atomic.Int64
	mu        sync.Mutex
	ran       map[string]int
}

// worker is a one-step workflow that holds its step for hold.
func (g *gauge) worker(hold time.Duration) Workflow {
	return func(c *Context, in []byte) ([]byte, error) {
		return Step(c, "work", func(context.Context, string) ([]byte, error) {
			g.mu.Lock()
			if g.ran == nil {
				g.ran = map[string]int{}
			}
			g.ran[c.RunID()]++
			g.mu.Unlock()
			n := g.now.Add(1)
			for p := g.peak.Load(); n > p && !g.peak.CompareAndSwap(p, n); p = g.peak.Load() {
			}
			time.Sleep(hold)
			g.now.Add(-1)
			return in, nil
		})
	}
}

// TestQueueConcurrencyAcrossExecutors: two executors serving one queue
// with concurrency 3 never run more than 3 of its runs at once, and run
// each of 30 runs once.
func TestQueueConcurrencyAcrossExecutors(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "e.db")
	var g gauge
	q := Queue{Name: "q", Concurrency: 3}
	var engines []*Engine
	for range 2 {
		e := mustOpen(t, path, Options{Durability: Normal})
		e.Register("work", g.worker(15*time.Millisecond))
		if err := e.RegisterQueue(q); err != nil {
			t.Fatal(err)
		}
		engines = append(engines, e)
	}
	const runs = 30
	for i := range runs {
		if err := engines[i%2].Enqueue(ctx, "q", "work", fmt.Sprint("r", i), []byte(fmt.Sprint(i))); err != nil {
			t.Fatal(err)
		}
	}
	for i := range runs {
		out, err := engines[0].Await(ctx, fmt.Sprint("r", i))
		if err != nil || string(out) != fmt.Sprint(i) {
			t.Fatalf("run r%d: %q, %v", i, out, err)
		}
	}
	if p := g.peak.Load(); p > 3 || p < 2 {
		t.Errorf("peak concurrency %d, want at most 3 (and more than 1: the queue runs in parallel)", p)
	}
	for id, n := range g.ran {
		if n != 1 {
			t.Errorf("run %s's step ran %d times", id, n)
		}
	}
	if len(g.ran) != runs {
		t.Errorf("%d runs ran, want %d", len(g.ran), runs)
	}
}

// TestQueueRateLimit: of 12 runs at 4 per 200 ms, no 200 ms window holds
// more than 4 starts (the times the runs left the queue), so the last
// starts two periods after the first.
func TestQueueRateLimit(t *testing.T) {
	ctx := context.Background()
	e := mustOpen(t, filepath.Join(t.TempDir(), "e.db"), Options{Durability: Normal})
	var g gauge
	e.Register("work", g.worker(0))
	const period = 200 * time.Millisecond
	if err := e.RegisterQueue(Queue{Name: "slow", Limit: 4, Period: period}); err != nil {
		t.Fatal(err)
	}
	for i := range 12 {
		if err := e.Enqueue(ctx, "slow", "work", fmt.Sprint("r", i), nil); err != nil {
			t.Fatal(err)
		}
	}
	var starts []time.Time
	for i := range 12 {
		id := fmt.Sprint("r", i)
		if _, err := e.Await(ctx, id); err != nil {
			t.Fatal(err)
		}
		info, err := e.RunInfo(ctx, id)
		if err != nil || info.Queue != "slow" || info.Started.IsZero() {
			t.Fatalf("RunInfo(%s) = %+v, %v", id, info, err)
		}
		starts = append(starts, info.Started)
	}
	sort.Slice(starts, func(i, j int) bool { return starts[i].Before(starts[j]) })
	for i := range starts {
		in := 0
		for j := i; j < len(starts) && starts[j].Sub(starts[i]) < period; j++ {
			in++
		}
		if in > 4 {
			t.Fatalf("%d runs started within %v of %v", in, period, starts[i])
		}
	}
	if took := starts[len(starts)-1].Sub(starts[0]); took < 2*period-time.Millisecond {
		t.Errorf("12 runs at 4 per %v started within %v", period, took)
	}
}

// TestQueueCrashRecovered: queued runs whose executor crashes mid-run
// stay counted against the queue's concurrency and are recovered by
// another executor, each step recorded once; an enqueued run cancelled
// before it starts ends cancelled without running.
func TestQueueCrashRecovered(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "e.db")
	var g gauge
	crashes := atomic.Int64{}
	lease := 100 * time.Millisecond
	crashing := mustOpen(t, path, Options{Lease: lease, Fault: func(p FaultPoint, _, step string) error {
		if p == FaultAfterCommit && step == "work" && crashes.Add(1) <= 2 {
			return errors.New("kill -9")
		}
		return nil
	}})
	// work, then a step after it, so that a crash after work's commit
	// leaves the run unfinished (a last step commits with the run's end).
	work := func(c *Context, in []byte) ([]byte, error) {
		out, err := g.worker(0)(c, in)
		if err == nil {
			_, err = Step(c, "tail", func(context.Context, string) (bool, error) { return true, nil })
		}
		return out, err
	}
	crashing.Register("work", work)
	if err := crashing.Enqueue(ctx, "q", "work", "never", nil); err != nil {
		t.Fatal(err)
	}
	if err := crashing.Cancel(ctx, "never"); err != nil {
		t.Fatal(err)
	}
	for i := range 6 {
		crashing.Enqueue(ctx, "q", "work", fmt.Sprint("r", i), []byte("ok"))
	}
	if err := crashing.RegisterQueue(Queue{Name: "q", Concurrency: 2}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return crashes.Load() >= 2 }) // the first two crashed: the queue is full
	time.Sleep(3 * queuePoll)
	if got := len(g.ran); got != 2 {
		t.Fatalf("%d runs started while two crashed runs held the queue's 2 slots", got)
	}
	// The process is gone: it starts nothing more, and its leases lapse.
	crashing.loop.stop()
	crashing.loop.done.Wait()
	crashing.stopRenewing()

	rescuer := mustOpen(t, path, Options{Lease: lease, RecoverEvery: 20 * time.Millisecond})
	rescuer.Register("work", work)
	if err := rescuer.RegisterQueue(Queue{Name: "q", Concurrency: 2}); err != nil {
		t.Fatal(err)
	}
	for i := range 6 {
		if out, err := rescuer.Await(ctx, fmt.Sprint("r", i)); err != nil || string(out) != "ok" {
			t.Fatalf("r%d: %q, %v", i, out, err)
		}
	}
	if _, err := rescuer.Await(ctx, "never"); !errors.Is(err, ErrCancelled) {
		t.Errorf("the cancelled queued run: %v, want ErrCancelled", err)
	}
	for id, n := range g.ran {
		if n != 1 {
			t.Errorf("run %s's step ran %d times", id, n)
		}
	}
	if g.ran["never"] != 0 {
		t.Error("the cancelled queued run ran")
	}
}

// TestRunOfAQueuedID: Run with the ID of a queued run waits for the
// queue to run it and returns its output, instead of starting it.
func TestRunOfAQueuedID(t *testing.T) {
	ctx := context.Background()
	e := mustOpen(t, filepath.Join(t.TempDir(), "e.db"), Options{})
	var g gauge
	e.Register("work", g.worker(0))
	if err := e.Enqueue(ctx, "q", "work", "r", []byte("queued")); err != nil {
		t.Fatal(err)
	}
	done := make(chan string, 1)
	go func() { out, err := e.Run(ctx, "work", "r", []byte("direct")); done <- fmt.Sprint(string(out), err) }()
	time.Sleep(20 * time.Millisecond) // Run is waiting: the queue is not served yet
	if err := e.RegisterQueue(Queue{Name: "q", Concurrency: 1}); err != nil {
		t.Fatal(err)
	}
	select {
	case got := <-done:
		if got != "queued<nil>" {
			t.Fatalf("Run = %s, want the queued run's output", got)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run of a queued ID never returned")
	}
	if g.ran["r"] != 1 {
		t.Errorf("the run's step ran %d times", g.ran["r"])
	}
}
