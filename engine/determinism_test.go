package engine

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

// interrupted runs threeSteps as run "r" until a crash after the commit of
// step at, then closes the engine, and returns the database file.
func interrupted(t *testing.T, at string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "e.db")
	e := mustOpen(t, path, Options{Fault: crashAt(FaultAfterCommit, at)})
	e.Register("wf", threeSteps(&counter{}, nil))
	if _, err := e.Run(context.Background(), "wf", "r", []byte("abc")); !errors.Is(err, ErrCrashed) {
		t.Fatal(err)
	}
	e.Close()
	return path
}

// recoverWith recovers the file under wf and returns the run's status
// after it and Recover's error.
func recoverWith(t *testing.T, path string, wf Workflow) (string, error) {
	t.Helper()
	e := mustOpen(t, path, Options{})
	e.Register("wf", wf)
	_, err := e.Recover(context.Background())
	st, _, _ := e.Status(context.Background(), "r")
	return st, err
}

// TestChangedResultType: code whose step now returns another type than
// the one recorded stops with a NonDeterminismError, and the run stays
// resumable, instead of failing.
func TestChangedResultType(t *testing.T) {
	path := interrupted(t, "b")
	st, err := recoverWith(t, path, func(c *Context, _ []byte) ([]byte, error) {
		_, err := Step(c, "a", func(context.Context, string) (string, error) { return "three", nil })
		return nil, err // the workflow gives up on any error
	})
	var nd *NonDeterminismError
	if !errors.As(err, &nd) || nd.Seq != 0 || nd.Expected != "a" || !strings.Contains(nd.Error(), "string") {
		t.Fatalf("err = %v, want a NonDeterminismError at step 0 about the result's type", err)
	}
	if st != "running" {
		t.Errorf("status %q, want running", st)
	}
}

// TestCodeEndingEarly: code that returns before asking for every recorded
// step is flagged like a renamed step, not finished.
func TestCodeEndingEarly(t *testing.T) {
	path := interrupted(t, "b") // a and b recorded (c's record would commit with the end)
	st, err := recoverWith(t, path, func(c *Context, input []byte) ([]byte, error) {
		_, err := Step(c, "a", func(context.Context, string) (int, error) { return len(input), nil })
		return []byte("short"), err
	})
	var nd *NonDeterminismError
	if !errors.As(err, &nd) || nd.Seq != 1 || nd.Expected != "b" || nd.Got != "" {
		t.Fatalf("err = %v, want a NonDeterminismError at step 1 (b, then the code returned)", err)
	}
	if st != "running" {
		t.Errorf("status %q, want running", st)
	}
}

// TestFailedPatchMarker: when the Patched marker cannot be written, the
// run stops there; it does not go on down the old branch, which would
// leave a history that no code can replay.
func TestFailedPatchMarker(t *testing.T) {
	path := filepath.Join(t.TempDir(), "e.db")
	var calls counter
	wf := func(c *Context, _ []byte) ([]byte, error) {
		step := func(name string) error {
			_, err := Step(c, name, func(context.Context, string) (bool, error) { calls.inc(name); return true, nil })
			return err
		}
		if err := step("charge"); err != nil {
			return nil, err
		}
		if Patched(c, "fraud") {
			if err := step("fraud-check"); err != nil {
				return nil, err
			}
		}
		if err := step("ship"); err != nil {
			return nil, err
		}
		return []byte("ok"), step("email")
	}
	markerFailed, shipCrashed := false, false
	e := mustOpen(t, path, Options{Fault: func(p FaultPoint, _, step string) error {
		switch {
		case step == "patch:fraud" && p == FaultBeforeCommit && !markerFailed:
			markerFailed = true
			return errors.New("disk full")
		case step == "ship" && p == FaultAfterCommit && !shipCrashed:
			shipCrashed = true
			return errors.New("kill -9")
		}
		return nil
	}})
	e.Register("wf", wf)
	if _, err := e.Run(context.Background(), "wf", "r", nil); !errors.Is(err, ErrCrashed) {
		t.Fatalf("Run = %v", err)
	}
	for range 2 { // the crash in ship comes in the first or second execution
		if _, err := e.Recover(context.Background()); err != nil && !errors.Is(err, ErrCrashed) {
			t.Fatalf("Recover after a failed marker: %v", err)
		}
	}
	out, err := e.Run(context.Background(), "wf", "r", nil)
	if err != nil || string(out) != "ok" || calls.get("fraud-check") != 1 || calls.get("ship") != 1 {
		t.Errorf("Run = %q, %v; fraud-check ran %d times, ship %d", out, err, calls.get("fraud-check"), calls.get("ship"))
	}
}
