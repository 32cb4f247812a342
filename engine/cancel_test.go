package engine

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// order reserves and charges (saga steps), waits an hour, then ships;
// like the durable chapter's checkout, it compensates when a step fails
// for good, and so when the run is cancelled.
func order(calls *counter) Workflow {
	return func(c *Context, _ []byte) ([]byte, error) {
		saga := NewSaga(c, RetryPolicy{})
		for _, name := range []string{"reserve", "charge"} {
			if _, err := SagaStep(saga, name, StepOptions{}, func(context.Context, string) (bool, error) {
				calls.inc(name)
				return true, nil
			}, func(context.Context, string, bool) error {
				calls.inc("undo:" + name)
				return nil
			}); err != nil {
				return nil, abortSaga(saga, err)
			}
		}
		if err := Sleep(c, "cool-off", time.Hour); err != nil {
			return nil, abortSaga(saga, err)
		}
		_, err := Step(c, "ship", func(context.Context, string) (bool, error) { calls.inc("ship"); return true, nil })
		return []byte("shipped"), abortSaga(saga, err)
	}
}

func abortSaga(s *Saga, err error) error {
	var failed *StepError
	if !errors.As(err, &failed) {
		return err
	}
	return s.Compensate(err)
}

// TestCancelCompensates: Cancel ends a run's hour-long durable timer at
// once; the compensations run in reverse order, the run ends cancelled,
// the next step never runs, and the history replays deterministically.
func TestCancelCompensates(t *testing.T) {
	ctx := context.Background()
	e := mustOpen(t, filepath.Join(t.TempDir(), "e.db"), Options{})
	var calls counter
	e.Register("order", order(&calls))
	done := make(chan error, 1)
	go func() { _, err := e.Run(ctx, "order", "o", nil); done <- err }()
	waitFor(t, func() bool { h, _ := e.History(ctx, "o"); return h != nil && len(h.Events) == 3 }) // in the timer
	if err := e.Cancel(ctx, "o"); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if !errors.Is(err, ErrCancelled) {
			t.Fatalf("Run: %v, want ErrCancelled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the cancelled run did not end")
	}
	if s, _, _ := e.Status(ctx, "o"); s != statusCancelled {
		t.Errorf("status %q, want cancelled", s)
	}
	if calls.get("ship") != 0 || calls.get("undo:charge") != 1 || calls.get("undo:reserve") != 1 {
		t.Errorf("calls %v: want both undos once, no ship", calls.n)
	}
	h, err := e.History(ctx, "o")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := names(h), []string{"reserve", "charge", "cool-off", "cool-off", "undo:charge", "undo:reserve"}; !slices.Equal(got, want) {
		t.Errorf("history %v, want %v", got, want)
	}
	if err := Replay(order(&counter{}), h); err != nil {
		t.Errorf("replay of the cancelled run: %v", err)
	}
	if _, err := e.Run(ctx, "order", "o", nil); !errors.Is(err, ErrCancelled) {
		t.Errorf("Run again: %v, want the recorded cancellation", err)
	}
	if err := e.Cancel(ctx, "o"); err == nil || !strings.Contains(err.Error(), "already ended") {
		t.Errorf("cancel an ended run: %v", err)
	}
	if err := e.Cancel(ctx, "nobody"); !errors.Is(err, ErrNoRun) {
		t.Errorf("cancel a missing run: %v, want ErrNoRun", err)
	}
}

func names(h *History) []string {
	var s []string
	for _, ev := range h.Events {
		s = append(s, ev.Name)
	}
	return s
}

// TestCancelIsDurable: a run cancelled while no executor holds it (its
// process crashed) is cancelled when recovered; a crash in the middle of
// its compensation resumes the compensation, each undo running once.
func TestCancelIsDurable(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "e.db")
	clock := newFakeClock()
	var calls counter
	opts := clock.options()
	opts.Fault = crashAt(FaultAfterCommit, "charge")
	crashing := mustOpen(t, path, opts)
	crashing.Register("order", order(&calls))
	if _, err := crashing.Run(ctx, "order", "o", nil); !errors.Is(err, ErrCrashed) {
		t.Fatal(err)
	}
	crashing.Close()

	opts.Fault = crashAt(FaultAfterCommit, "undo:charge")
	cancelling := mustOpen(t, path, opts)
	cancelling.Register("order", order(&calls))
	if err := cancelling.Cancel(ctx, "o"); err != nil {
		t.Fatal(err)
	}
	if _, err := cancelling.Recover(ctx); !errors.Is(err, ErrCrashed) {
		t.Fatalf("Recover: %v, want the crash in the compensation", err)
	}
	cancelling.Close()

	e := mustOpen(t, path, clock.options())
	e.Register("order", order(&calls))
	if _, err := e.Recover(ctx); err != nil {
		t.Fatal(err)
	}
	if s, _, _ := e.Status(ctx, "o"); s != statusCancelled {
		t.Errorf("status %q, want cancelled", s)
	}
	if calls.get("ship") != 0 || calls.get("undo:charge") != 1 || calls.get("undo:reserve") != 1 || calls.get("charge") != 1 {
		t.Errorf("calls %v: want charge and both undos once, no ship", calls.n)
	}
}

// TestCancelFromAnotherExecutor: a Cancel in another process (engine)
// reaches the run's owner through the lease renewal.
func TestCancelFromAnotherExecutor(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "e.db")
	owner := mustOpen(t, path, Options{Lease: 300 * time.Millisecond})
	admin := mustOpen(t, path, Options{})
	var calls counter
	owner.Register("order", order(&calls))
	done := make(chan error, 1)
	go func() { _, err := owner.Run(ctx, "order", "o", nil); done <- err }()
	waitFor(t, func() bool { return calls.get("charge") == 1 })
	start := time.Now()
	if err := admin.Cancel(ctx, "o"); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if !errors.Is(err, ErrCancelled) {
			t.Fatalf("Run: %v, want ErrCancelled", err)
		}
		t.Logf("cancelled from another engine in %v", time.Since(start).Round(time.Millisecond))
	case <-time.After(10 * time.Second):
		t.Fatal("the owner did not learn of the cancellation")
	}
	owner.w.sync(ctx) // the run's end is written after Run returns
	if s, _, _ := admin.Status(ctx, "o"); s != statusCancelled {
		t.Errorf("status %q, want cancelled", s)
	}
}
