package engine

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// gate blocks step b of threeSteps until opened, and reports entries.
type gate struct {
	entered chan string
	open    chan struct{}
	err     error // what b returns once opened
}

func newGate() *gate { return &gate{entered: make(chan string, 64), open: make(chan struct{})} }

func (g *gate) hook(id string) func(context.Context) error {
	return func(ctx context.Context) error {
		g.entered <- id
		select {
		case <-g.open:
			return g.err
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// gated is threeSteps whose step b waits at g.
func gated(calls *counter, g *gate) Workflow {
	return func(c *Context, input []byte) ([]byte, error) {
		return threeSteps(calls, g.hook(c.RunID()))(c, input)
	}
}

// TestRecoverLeavesRunsInFlight: a second engine on the same file calls
// Recover while the first runs; the runs are the first's (their leases
// hold), so Recover takes none and no step runs twice.
func TestRecoverLeavesRunsInFlight(t *testing.T) {
	path := filepath.Join(t.TempDir(), "e.db")
	var calls counter
	g := newGate()
	a := mustOpen(t, path, Options{})
	a.Register("wf", gated(&calls, g))
	b := mustOpen(t, path, Options{})
	b.Register("wf", threeSteps(&calls, nil))

	const runs = 8
	var wg sync.WaitGroup
	for i := range runs {
		wg.Go(func() {
			if _, err := a.Run(context.Background(), "wf", fmt.Sprint("r", i), nil); err != nil {
				t.Error(err)
			}
		})
	}
	for range runs {
		<-g.entered
	}
	n, err := b.Recover(context.Background())
	if n != 0 || err != nil {
		t.Errorf("Recover on the second engine = %d, %v; want 0 runs: all are in flight on the first", n, err)
	}
	close(g.open)
	wg.Wait()
	for _, s := range []string{"a", "b", "c"} {
		if calls.get(s) != runs {
			t.Errorf("step %s ran %d times for %d runs", s, calls.get(s), runs)
		}
	}
}

// TestConcurrentStartsShareOneExecution: 16 callers start one ID at once,
// half on each of two engines; the steps run once and all get its result.
func TestConcurrentStartsShareOneExecution(t *testing.T) {
	path := filepath.Join(t.TempDir(), "e.db")
	var calls counter
	engines := []*Engine{mustOpen(t, path, Options{}), mustOpen(t, path, Options{})}
	for _, e := range engines {
		e.Register("wf", threeSteps(&calls, func(context.Context) error { time.Sleep(20 * time.Millisecond); return nil }))
	}
	var wg sync.WaitGroup
	outs := make([]string, 16)
	for i := range outs {
		wg.Go(func() {
			out, err := engines[i%2].Run(context.Background(), "wf", "one", []byte("hello"))
			if err != nil {
				t.Error(err)
			}
			outs[i] = string(out)
		})
	}
	wg.Wait()
	for i, out := range outs {
		if out != "5 one/1/b" {
			t.Errorf("caller %d got %q", i, out)
		}
	}
	for _, s := range []string{"a", "b", "c"} {
		if calls.get(s) != 1 {
			t.Errorf("step %s ran %d times, want 1", s, calls.get(s))
		}
	}
}

// TestStaleOwnerCannotWrite: the first engine is stopped in step b past
// its lease (a long pause); the second takes the run over and finishes it.
// When the first resumes, its writes fail on the ownership check: the run
// stays done with the second's result, and the first caller gets that
// result too.
func TestStaleOwnerCannotWrite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "e.db")
	var calls counter
	g := newGate()
	g.err = errors.New("card declined") // what the stale owner would record
	a := mustOpen(t, path, Options{})
	a.Register("wf", gated(&calls, g))
	b := mustOpen(t, path, Options{})
	b.Register("wf", threeSteps(&calls, nil))

	type result struct {
		out []byte
		err error
	}
	first := make(chan result, 1)
	go func() {
		out, err := a.Run(context.Background(), "wf", "r", []byte("in"))
		first <- result{out, err}
	}()
	<-g.entered
	a.stopRenewing() // the pause: a holds the run but stops renewing it
	if _, err := b.db.Exec(`UPDATE engine_runs SET lease_until = 0 WHERE id = 'r'`); err != nil {
		t.Log(err) // the lease lapses
	}
	if n, err := b.Recover(context.Background()); n != 1 || err != nil {
		t.Fatalf("Recover after the lease lapsed = %d, %v", n, err)
	}
	close(g.open)
	got := <-first
	if got.err != nil || string(got.out) != "2 r/1/b" {
		t.Errorf("the stale owner's caller got %q, %v; want the run's result", got.out, got.err)
	}
	for _, e := range []*Engine{a, b} {
		out, err := e.Run(context.Background(), "wf", "r", nil)
		if err != nil || string(out) != "2 r/1/b" {
			t.Errorf("Run after both = %q, %v", out, err)
		}
		if st, _, _ := e.Status(context.Background(), "r"); st != "done" {
			t.Errorf("status %q, want done", st)
		}
	}
	h, err := b.History(context.Background(), "r")
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range h.Events {
		if ev.Failed {
			t.Errorf("the stale owner recorded %+v", ev)
		}
	}
}

// TestRestartedExecutorTakesBackItsRuns: a process restarted with the same
// ExecutorID resumes the runs it held at once; another executor waits
// until their leases lapse.
func TestRestartedExecutorTakesBackItsRuns(t *testing.T) {
	path := filepath.Join(t.TempDir(), "e.db")
	var calls counter
	lease := 300 * time.Millisecond
	dead := mustOpen(t, path, Options{ExecutorID: "worker-1", Lease: lease, Fault: func(p FaultPoint, _, step string) error {
		if step == "b" {
			return errors.New("kill -9")
		}
		return nil
	}})
	dead.Register("wf", threeSteps(&calls, nil))
	for _, id := range []string{"x", "y"} {
		if _, err := dead.Run(context.Background(), "wf", id, nil); !errors.Is(err, ErrCrashed) {
			t.Fatal(err)
		}
	}
	// No Close: a killed process does not let go of its runs.
	other := mustOpen(t, path, Options{ExecutorID: "worker-2", Lease: lease})
	other.Register("wf", threeSteps(&calls, nil))
	if n, err := other.Recover(context.Background()); n != 0 || err != nil {
		t.Errorf("another executor's Recover before the leases lapse = %d, %v; want 0", n, err)
	}
	same := mustOpen(t, path, Options{ExecutorID: "worker-1", Lease: lease})
	same.Register("wf", threeSteps(&calls, nil))
	if n, err := same.Recover(context.Background()); n != 2 || err != nil {
		t.Errorf("the restarted executor's Recover = %d, %v; want its 2 runs", n, err)
	}
	if calls.get("c") != 2 || calls.get("a") != 2 {
		t.Errorf("a ran %d times, c %d; want 2 and 2", calls.get("a"), calls.get("c"))
	}
}

// TestLeaseLapsesForOthers: runs a killed executor held are taken over by
// another once their leases lapse.
func TestLeaseLapsesForOthers(t *testing.T) {
	path := filepath.Join(t.TempDir(), "e.db")
	var calls counter
	lease := 200 * time.Millisecond
	dead := mustOpen(t, path, Options{Lease: lease, Fault: func(p FaultPoint, _, step string) error {
		if step == "b" {
			return errors.New("kill -9")
		}
		return nil
	}})
	dead.Register("wf", threeSteps(&calls, nil))
	claimed := time.Now() // no later than the dead executor's claim
	if _, err := dead.Run(context.Background(), "wf", "x", nil); !errors.Is(err, ErrCrashed) {
		t.Fatal(err)
	}
	other := mustOpen(t, path, Options{Lease: lease})
	other.Register("wf", threeSteps(&calls, nil))
	out, err := other.Run(context.Background(), "wf", "x", nil) // waits for the lease, then resumes
	if err != nil || string(out) != "0 x/1/b" {
		t.Fatalf("Run = %q, %v", out, err)
	}
	// Measured from before the claim, so that a slow machine between the
	// crash and this Run does not count against the lease.
	if held := time.Since(claimed); held < lease {
		t.Errorf("took the run over %v after it was claimed, before its lease of %v lapsed", held, lease)
	}
	if calls.get("a") != 1 || calls.get("c") != 1 {
		t.Errorf("a ran %d times, c %d", calls.get("a"), calls.get("c"))
	}
}
