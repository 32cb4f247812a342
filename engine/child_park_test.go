package engine

import (
	"context"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

// waiter is a parent: a step "start", then child kid, then a step
// "after"; it returns "parent:" and the child's output.
func waiter(calls *counter, kid string) Workflow {
	return func(c *Context, _ []byte) ([]byte, error) {
		if _, err := Step(c, "start", func(context.Context, string) (bool, error) { calls.inc("start"); return true, nil }); err != nil {
			return nil, err
		}
		out, err := Child(c, kid, nil)
		if err != nil {
			return nil, err
		}
		_, err = Step(c, "after", func(context.Context, string) (bool, error) { calls.inc("after"); return true, nil })
		return append([]byte("parent:"), out...), err
	}
}

// crashedParents leaves runs parents p0… of workflow "parent" crashed
// after their first step, for Recover to resume.
func crashedParents(t *testing.T, path string, opts Options, runs int, register func(*Engine)) {
	t.Helper()
	opts.Fault = crashAt(FaultAfterCommit, "start")
	crashing := mustOpen(t, path, opts)
	register(crashing)
	for i := range runs {
		if _, err := crashing.Run(context.Background(), "parent", fmt.Sprint("p", i), nil); !errors.Is(err, ErrCrashed) {
			t.Fatal(err)
		}
	}
	crashing.Close()
}

// TestParkedChildHoldsNoGoroutine: parents resumed by recovery that wait
// for an hour-long child park, and so does the child, so N of them hold
// no goroutine; after a restart, once the children's timers are due, one
// Recover ends the children, whose ends wake the parents, which end too,
// each step having run once.
func TestParkedChildHoldsNoGoroutine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "e.db")
	clock := newFakeClock()
	var calls counter
	register := func(e *Engine) {
		e.Register("parent", waiter(&calls, "nap"))
		e.Register("nap", napper(&calls))
	}
	const runs = 50
	crashedParents(t, path, clock.options(), runs, register)

	e := mustOpen(t, path, clock.options())
	register(e)
	before := runtime.NumGoroutine()
	if n, err := e.Recover(context.Background()); n != runs || err != nil {
		t.Fatalf("Recover = %d, %v; want %d", n, err, runs)
	}
	if extra := runtime.NumGoroutine() - before; extra > 5 {
		t.Errorf("%d goroutines more with %d parents waiting for their children", extra, runs)
	}
	var parkedParents, parkedKids int
	e.db.QueryRow(`SELECT count(*) FROM engine_runs WHERE parent IS NULL AND owner IS NULL AND wake = ?`, int64(math.MaxInt64)).Scan(&parkedParents)
	e.db.QueryRow(`SELECT count(*) FROM engine_runs WHERE parent IS NOT NULL AND owner IS NULL AND wake IS NOT NULL AND status = 'running'`).Scan(&parkedKids)
	if parkedParents != runs || parkedKids != runs || calls.get("a") != runs || calls.get("c") != 0 {
		t.Fatalf("%d parents and %d children parked, a ran %d times, c %d; want %d parked each, a once per child, c never",
			parkedParents, parkedKids, calls.get("a"), calls.get("c"), runs)
	}
	e.Close()

	restarted := mustOpen(t, path, clock.options())
	register(restarted)
	clock.advance(time.Hour)
	if n, err := restarted.Recover(context.Background()); n != runs || err != nil {
		t.Fatalf("Recover after the timers are due = %d, %v; want the %d children", n, err, runs)
	}
	for i := range runs {
		out, err := restarted.Await(context.Background(), fmt.Sprint("p", i))
		if err != nil || string(out) != "parent:rested" {
			t.Errorf("p%d = %q, %v; want parent:rested", i, out, err)
		}
	}
	for _, step := range []string{"start", "a", "c", "after"} {
		if n := calls.get(step); n != runs {
			t.Errorf("%s ran %d times, want %d", step, n, runs)
		}
	}
}

// TestParkedChildEndsFirst: a child that ends before (or while) its
// parent parks wakes the parent all the same, and Recover waits for the
// whole family.
func TestParkedChildEndsFirst(t *testing.T) {
	path := filepath.Join(t.TempDir(), "e.db")
	var calls counter
	register := func(e *Engine) {
		e.Register("parent", waiter(&calls, "quick"))
		e.Register("quick", func(c *Context, _ []byte) ([]byte, error) {
			return Step(c, "q", func(context.Context, string) ([]byte, error) { calls.inc("q"); return []byte("q"), nil })
		})
	}
	const runs = 30
	crashedParents(t, path, Options{}, runs, register)
	e := mustOpen(t, path, Options{})
	register(e)
	if n, err := e.Recover(context.Background()); n != runs || err != nil {
		t.Fatalf("Recover = %d, %v; want %d", n, err, runs)
	}
	for i := range runs {
		if st, _, _ := e.Status(context.Background(), fmt.Sprint("p", i)); st != statusDone {
			t.Errorf("p%d is %q once Recover returned, want done", i, st)
		}
	}
	if calls.get("q") != runs || calls.get("after") != runs {
		t.Errorf("q ran %d times, after %d; want %d each", calls.get("q"), calls.get("after"), runs)
	}
}

// TestParkedChildFailure: a parked parent records its child's failure as
// its failed step.
func TestParkedChildFailure(t *testing.T) {
	path := filepath.Join(t.TempDir(), "e.db")
	var calls counter
	register := func(e *Engine) {
		e.Register("parent", waiter(&calls, "kid"))
		e.Register("kid", func(*Context, []byte) ([]byte, error) { return nil, errors.New("no stock") })
	}
	crashedParents(t, path, Options{}, 1, register)
	e := mustOpen(t, path, Options{})
	register(e)
	e.Recover(context.Background())
	_, err := e.Await(context.Background(), "p0")
	var re *RunError
	if !errors.As(err, &re) || calls.get("after") != 0 {
		t.Errorf("parent = %v, after ran %d times; want the child's failure, after never", err, calls.get("after"))
	}
}
