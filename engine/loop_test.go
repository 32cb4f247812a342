package engine

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
	"time"
)

// napper is a workflow a → Sleep 1 h → c.
func napper(calls *counter) Workflow {
	return func(c *Context, _ []byte) ([]byte, error) {
		if _, err := Step(c, "a", func(context.Context, string) (int, error) { calls.inc("a"); return 1, nil }); err != nil {
			return nil, err
		}
		if err := Sleep(c, "nap", time.Hour); err != nil {
			return nil, err
		}
		_, err := Step(c, "c", func(context.Context, string) (int, error) { calls.inc("c"); return 3, nil })
		return []byte("rested"), err
	}
}

// crashAt returns a fault hook that kills every run at point of step.
func crashAt(point FaultPoint, step string) func(FaultPoint, string, string) error {
	return func(p FaultPoint, _, s string) error {
		if p == point && s == step {
			return errors.New("kill -9")
		}
		return nil
	}
}

// TestRecoverParksLongTimers: Recover resumes runs that crashed during an
// hour-long durable timer and returns without waiting for it; the parked
// runs hold no goroutine, a second Recover leaves them alone, and the
// recovery loop wakes them when the timer is due.
func TestRecoverParksLongTimers(t *testing.T) {
	path := filepath.Join(t.TempDir(), "e.db")
	clock := newFakeClock()
	var calls counter
	opts := clock.options()
	opts.Fault = crashAt(FaultAfterCommit, "nap")
	crashing := mustOpen(t, path, opts)
	crashing.Register("nap", napper(&calls))
	const runs = 50
	for i := range runs {
		if _, err := crashing.Run(context.Background(), "nap", fmt.Sprint("r", i), nil); !errors.Is(err, ErrCrashed) {
			t.Fatal(err)
		}
	}
	crashing.Close()

	e := mustOpen(t, path, clock.options())
	e.Register("nap", napper(&calls))
	before := runtime.NumGoroutine()
	if n, err := e.Recover(context.Background()); n != runs || err != nil {
		t.Fatalf("Recover = %d, %v; want %d", n, err, runs)
	}
	if slices.Contains(clock.sleeps, time.Hour) || calls.get("c") != 0 {
		t.Fatalf("Recover waited for the timers: sleeps %v, c ran %d times", clock.sleeps, calls.get("c"))
	}
	if extra := runtime.NumGoroutine() - before; extra > 5 {
		t.Errorf("%d goroutines more after parking %d runs", extra, runs)
	}
	if n, err := e.Recover(context.Background()); n != 0 || err != nil {
		t.Errorf("second Recover before the timers are due = %d, %v; want 0", n, err)
	}
	e.Close()

	loopOpts := clock.options()
	loopOpts.RecoverEvery = 5 * time.Millisecond
	looping := mustOpen(t, path, loopOpts)
	looping.Register("nap", napper(&calls))
	time.Sleep(50 * time.Millisecond)
	if calls.get("c") != 0 {
		t.Fatalf("the loop woke %d runs before their timers were due", calls.get("c"))
	}
	clock.advance(time.Hour)
	for i := range runs {
		if st := awaitDone(looping, fmt.Sprint("r", i)); st != "done" {
			t.Errorf("run r%d is %q after its timer was due", i, st)
		}
	}
	if calls.get("a") != runs || calls.get("c") != runs {
		t.Errorf("a ran %d times, c %d; want %d each", calls.get("a"), calls.get("c"), runs)
	}
}

// TestLoopTakesOverLapsedLeases: the recovery loop resumes the runs of a
// killed executor once their leases lapse, without anyone calling Recover.
func TestLoopTakesOverLapsedLeases(t *testing.T) {
	path := filepath.Join(t.TempDir(), "e.db")
	var calls counter
	dead := mustOpen(t, path, Options{Lease: 100 * time.Millisecond, Fault: crashAt(FaultAfterCommit, "b")})
	dead.Register("wf", threeSteps(&calls, nil))
	if _, err := dead.Run(context.Background(), "wf", "x", nil); !errors.Is(err, ErrCrashed) {
		t.Fatal(err)
	}
	live := mustOpen(t, path, Options{Lease: 100 * time.Millisecond, RecoverEvery: 10 * time.Millisecond})
	live.Register("wf", threeSteps(&calls, nil))
	if st := awaitDone(live, "x"); st != "done" || calls.get("b") != 1 {
		t.Errorf("status %q, b ran %d times; want done, 1", st, calls.get("b"))
	}
}

// awaitDone polls a run's status for up to 20 s until it is no longer
// running, and returns it.
func awaitDone(e *Engine, id string) string {
	deadline := time.Now().Add(20 * time.Second)
	for {
		st, _, err := e.Status(context.Background(), id)
		if err != nil || st != "running" || time.Now().After(deadline) {
			return st
		}
		time.Sleep(5 * time.Millisecond)
	}
}
