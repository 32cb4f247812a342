package engine

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"
)

// TestDeadlineCancels: a run whose deadline passes during its hour-long
// timer is woken at the deadline and cancelled with ErrDeadline; its
// compensations run and the next step does not.
func TestDeadlineCancels(t *testing.T) {
	ctx := context.Background()
	clock := newFakeClock()
	e := mustOpen(t, filepath.Join(t.TempDir(), "e.db"), clock.options())
	var calls counter
	e.Register("order", order(&calls))
	start := clock.Now()
	_, err := e.RunWith(ctx, "order", "o", nil, RunOptions{Timeout: 30 * time.Minute})
	if !errors.Is(err, ErrDeadline) || !errors.Is(err, ErrCancelled) {
		t.Fatalf("Run: %v, want ErrDeadline", err)
	}
	if got := clock.Now().Sub(start); got != 30*time.Minute {
		t.Errorf("the run ended after %v of workflow time, want the 30 min deadline", got)
	}
	if calls.get("ship") != 0 || calls.get("undo:charge") != 1 || calls.get("undo:reserve") != 1 {
		t.Errorf("calls %v: want both undos once, no ship", calls.n)
	}
	if _, err := e.Run(ctx, "order", "o", nil); !errors.Is(err, ErrDeadline) {
		t.Errorf("Run again: %v, want the recorded ErrDeadline", err)
	}
}

// TestDeadlineSurvivesRestart: the deadline is stored with the run. Runs
// that crashed and are recovered before their deadline park at their
// hour-long timer only until the deadline; recovered after it, they
// cancel at their next step.
func TestDeadlineSurvivesRestart(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "e.db")
	clock := newFakeClock()
	var calls counter
	opts := clock.options()
	opts.Fault = crashAt(FaultAfterCommit, "charge")
	crashing := mustOpen(t, path, opts)
	crashing.Register("order", order(&calls))
	deadline := clock.Now().Add(20 * time.Minute)
	for _, id := range []string{"r1", "r2"} {
		if _, err := crashing.RunWith(ctx, "order", id, nil, RunOptions{Deadline: deadline, Timeout: time.Hour}); !errors.Is(err, ErrCrashed) {
			t.Fatal(err)
		}
	}
	crashing.Close()

	e := mustOpen(t, path, clock.options())
	e.Register("order", order(&calls))
	if _, err := e.Recover(ctx); err != nil { // before the deadline: both park
		t.Fatal(err)
	}
	var wake int64
	if err := e.db.QueryRow(`SELECT wake FROM engine_runs WHERE id = 'r2'`).Scan(&wake); err != nil {
		t.Fatal(err)
	}
	if got := time.Unix(0, wake); !got.Equal(deadline) {
		t.Errorf("parked until %v, want the deadline %v (before the hour-long timer)", got, deadline)
	}
	clock.advance(time.Hour)
	if _, err := e.Recover(ctx); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"r1", "r2"} {
		if _, err := e.Run(ctx, "order", id, nil); !errors.Is(err, ErrDeadline) {
			t.Errorf("run %s: %v, want ErrDeadline", id, err)
		}
	}
	if calls.get("ship") != 0 || calls.get("undo:charge") != 2 {
		t.Errorf("calls %v: want each run compensated once, nothing shipped", calls.n)
	}
}
