package engine

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"
)

// parentOf runs two children of workflow "kid" and joins their outputs;
// a kid steps once, counting in calls, and doubles its input.
func parentOf(calls *counter) (parent, kid Workflow) {
	kid = func(c *Context, input []byte) ([]byte, error) {
		return Step(c, "double", func(context.Context, string) ([]byte, error) {
			calls.inc("double:" + string(input))
			return append(input, input...), nil
		})
	}
	parent = func(c *Context, _ []byte) ([]byte, error) {
		a, err := Child(c, "kid", []byte("a"))
		if err != nil {
			return nil, err
		}
		b, err := Child(c, "kid", []byte("b"))
		return []byte(string(a) + "+" + string(b)), err
	}
	return parent, kid
}

// TestChildAtEveryCrashPoint crashes a parent with two children at each
// event boundary of either in turn, then recovers: the output is the
// crash-free one, each child's step ran once (no boundary here loses an
// effect's record), and the children are recorded as the parent's.
func TestChildAtEveryCrashPoint(t *testing.T) {
	for k := 0; ; k++ {
		out, boundaries, calls, e, lost := crashChild(t, k)
		if out != "aa+bb" {
			t.Errorf("crash at boundary %d: output %q, want aa+bb", k, out)
		}
		for _, s := range []string{"double:a", "double:b"} {
			if n := calls.get(s); n != 1 && !(n == 2 && lost == s) {
				t.Errorf("crash at boundary %d: %s ran %d times", k, s, n)
			}
		}
		runs, err := e.Runs(context.Background(), RunFilter{Parent: "p"})
		if err != nil || len(runs) != 2 || runs[0].ID != "p/0/child:kid" || runs[0].Status != statusDone {
			t.Fatalf("crash at boundary %d: children %+v, %v", k, runs, err)
		}
		if k >= boundaries {
			if boundaries < 8 {
				t.Fatalf("only %d boundaries", boundaries)
			}
			return
		}
	}
}

// crashChild crashes at the k-th boundary and recovers. It returns the
// output, the boundaries seen, the step calls, the engine, and the child
// step whose effect's record the crash lost (after the effect, before
// the commit: that step runs again, at least once).
func crashChild(t *testing.T, k int) (out string, boundaries int, calls *counter, e *Engine, lost string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "e.db")
	calls = &counter{}
	parent, kid := parentOf(calls)
	opts := Options{Fault: func(p FaultPoint, runID, step string) error {
		boundaries++
		if boundaries-1 == k {
			if step == "double" && (p == FaultAfterEffect || p == FaultBeforeCommit) {
				lost = "double:" + map[string]string{"p/0/child:kid": "a", "p/1/child:kid": "b"}[runID]
			}
			return errors.New("kill -9")
		}
		return nil
	}}
	e = mustOpen(t, path, opts)
	e.Register("parent", parent)
	e.Register("kid", kid)
	got, err := e.Run(context.Background(), "parent", "p", nil)
	if err == nil {
		return string(got), boundaries, calls, e, lost
	}
	if !errors.Is(err, ErrCrashed) {
		t.Fatalf("crash at %d: %v", k, err)
	}
	e.Close()
	again := mustOpen(t, path, Options{})
	again.Register("parent", parent)
	again.Register("kid", kid)
	if _, err := again.Recover(context.Background()); err != nil {
		t.Fatal(err)
	}
	got, err = again.Run(context.Background(), "parent", "p", nil)
	if err != nil {
		t.Fatal(err)
	}
	return string(got), boundaries, calls, again, lost
}

// TestChildFailsParentStep: a child's failure is the parent's failed
// step, recorded.
func TestChildFailsParentStep(t *testing.T) {
	e := mustOpen(t, filepath.Join(t.TempDir(), "e.db"), Options{})
	e.Register("kid", func(*Context, []byte) ([]byte, error) { return nil, errors.New("no stock") })
	e.Register("parent", func(c *Context, _ []byte) ([]byte, error) { return Child(c, "kid", nil) })
	_, err := e.Run(context.Background(), "parent", "p", nil)
	var se *StepError
	if !errors.As(err, &se) || se.Step != "child:kid" {
		t.Fatalf("err = %v, want the parent's failed child step", err)
	}
	if s, _, _ := e.Status(context.Background(), "p/0/child:kid"); s != statusFailed {
		t.Errorf("child status %q, want failed", s)
	}
}

// TestCancelParentCancelsChild: cancelling a parent waiting for its child
// cancels the child (which compensates), then the parent.
func TestCancelParentCancelsChild(t *testing.T) {
	ctx := context.Background()
	e := mustOpen(t, filepath.Join(t.TempDir(), "e.db"), Options{})
	var calls counter
	e.Register("order", order(&calls))
	e.Register("parent", func(c *Context, _ []byte) ([]byte, error) {
		out, err := Child(c, "order", nil)
		if err != nil {
			return nil, err
		}
		_, err = Step(c, "after", func(context.Context, string) (bool, error) { calls.inc("after"); return true, nil })
		return out, err
	})
	done := make(chan error, 1)
	go func() { _, err := e.Run(ctx, "parent", "p", nil); done <- err }()
	child := "p/0/child:order"
	waitFor(t, func() bool { h, _ := e.History(ctx, child); return h != nil && len(h.Events) == 3 })
	if err := e.Cancel(ctx, "p"); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if !errors.Is(err, ErrCancelled) {
			t.Fatalf("parent: %v, want ErrCancelled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the parent did not end")
	}
	for _, id := range []string{"p", child} {
		if s, _, _ := e.Status(ctx, id); s != statusCancelled {
			t.Errorf("%s: status %q, want cancelled", id, s)
		}
	}
	if calls.get("undo:charge") != 1 || calls.get("after") != 0 {
		t.Errorf("calls %v", calls.n)
	}
}
