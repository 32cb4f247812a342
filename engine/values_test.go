package engine

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"
)

// publisher publishes "progress" twice around a step that waits for gate,
// then ends.
func publisher(gate <-chan struct{}, calls *counter) Workflow {
	return func(c *Context, _ []byte) ([]byte, error) {
		if err := SetEvent(c, "progress", []byte("started")); err != nil {
			return nil, err
		}
		if _, err := Step(c, "work", func(ctx context.Context, _ string) (bool, error) {
			calls.inc("work")
			<-gate
			return true, nil
		}); err != nil {
			return nil, err
		}
		return []byte("ok"), SetEvent(c, "progress", []byte("finished"))
	}
}

// TestGetEventWaitsForPublication: GetEvent waits for a value a running
// workflow publishes, here and from another engine on the same file, sees
// a replaced value, and times out on a key never published.
func TestGetEventWaitsForPublication(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "e.db")
	e := mustOpen(t, path, Options{})
	other := mustOpen(t, path, Options{})
	gate := make(chan struct{})
	var calls counter
	e.Register("pub", publisher(gate, &calls))
	done := startRun(e, "pub", "r")
	for _, reader := range []*Engine{e, other} {
		v, ok, err := reader.GetEvent(ctx, "r", "progress", 10*time.Second)
		if err != nil || !ok || string(v) != "started" {
			t.Fatalf("GetEvent = %q, %v, %v; want started", v, ok, err)
		}
	}
	if _, ok, err := e.GetEvent(ctx, "r", "never", 20*time.Millisecond); ok || err != nil {
		t.Fatalf("unpublished key: ok %v, err %v; want a timeout", ok, err)
	}
	close(gate)
	if got := <-done; got != "ok" {
		t.Fatal(got)
	}
	if v, _, _ := other.GetEvent(ctx, "r", "progress", 0); string(v) != "finished" {
		t.Fatalf("after the run: %q, want finished", v)
	}
	if _, _, err := e.GetEvent(ctx, "nobody", "progress", 0); !errors.Is(err, ErrNoRun) {
		t.Fatalf("unknown run: %v, want ErrNoRun", err)
	}
	if n := e.signals.len() + other.signals.len(); n != 0 {
		t.Errorf("%d runs still have waiters after every wait ended", n)
	}
}

// TestSetEventSurvivesCrash: a crash right after a SetEvent commits, or
// right before, leaves one publication: the value is there after the
// restart, and the replay neither publishes again nor re-runs work.
func TestSetEventSurvivesCrash(t *testing.T) {
	for _, point := range []FaultPoint{FaultBeforeCommit, FaultAfterCommit} {
		t.Run(string(point), func(t *testing.T) {
			ctx := context.Background()
			path := filepath.Join(t.TempDir(), "e.db")
			gate := make(chan struct{})
			close(gate)
			var calls counter
			opts := Options{Fault: crashAt(point, "set:progress")}
			e := mustOpen(t, path, opts)
			e.Register("pub", publisher(gate, &calls))
			if _, err := e.Run(ctx, "pub", "r", nil); !errors.Is(err, ErrCrashed) {
				t.Fatalf("err = %v, want ErrCrashed", err)
			}
			e.Close()
			again := mustOpen(t, path, Options{})
			again.Register("pub", publisher(gate, &calls))
			if _, err := again.Recover(ctx); err != nil {
				t.Fatal(err)
			}
			v, ok, err := again.GetEvent(ctx, "r", "progress", 0)
			if err != nil || !ok || string(v) != "finished" {
				t.Fatalf("GetEvent = %q, %v, %v; want finished", v, ok, err)
			}
			h, err := again.History(ctx, "r")
			if err != nil {
				t.Fatal(err)
			}
			sets := 0
			for _, ev := range h.Events {
				if ev.Name == "set:progress" {
					sets++
				}
			}
			if sets != 2 || calls.get("work") != 1 {
				t.Errorf("%d set events (want 2), work ran %d times (want 1)", sets, calls.get("work"))
			}
		})
	}
}
