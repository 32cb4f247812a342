package engine

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// TestStepPanicIsAStepError: a step that panics fails like a step that
// returns an error (retried, then recorded), with the panic's value and
// stack in the message; the process goes on.
func TestStepPanicIsAStepError(t *testing.T) {
	e := mustOpen(t, ":memory:", newFakeClock().options())
	calls := 0
	e.Register("wf", func(c *Context, _ []byte) ([]byte, error) {
		_, err := StepWith(c, "parse", StepOptions{Retry: RetryPolicy{MaxAttempts: 2}}, func(context.Context, string) (int, error) {
			calls++
			panic("card reader jammed")
		})
		return nil, err
	})
	_, err := e.Run(context.Background(), "wf", "r", nil)
	var se *StepError
	if !errors.As(err, &se) || se.Attempts != 2 || calls != 2 {
		t.Fatalf("err = %v after %d calls; want a StepError after 2 attempts", err, calls)
	}
	for _, want := range []string{"panic: card reader jammed", "TestStepPanicIsAStepError"} {
		if !strings.Contains(se.Msg, want) {
			t.Errorf("the step error does not mention %q:\n%s", want, se.Msg)
		}
	}
	if st, _, _ := e.Status(context.Background(), "r"); st != "failed" {
		t.Errorf("status %q, want failed (the workflow returned the step's error)", st)
	}
}

// TestPanickingRunNeedsAttention: a workflow whose own code panics is not
// failed (the code may be fixed) but left running; after MaxRecoveries
// takeovers it is marked for attention, and Resume makes it runnable
// again under fixed code.
func TestPanickingRunNeedsAttention(t *testing.T) {
	e := mustOpen(t, ":memory:", Options{MaxRecoveries: 2})
	var calls counter
	e.Register("wf", func(c *Context, _ []byte) ([]byte, error) {
		if _, err := Step(c, "a", func(context.Context, string) (int, error) { calls.inc("a"); return 1, nil }); err != nil {
			return nil, err
		}
		panic("bug in the workflow")
	})
	for i := range 3 {
		_, err := e.Run(context.Background(), "wf", "r", nil)
		var pe *PanicError
		if !errors.As(err, &pe) || pe.Value != "bug in the workflow" {
			t.Fatalf("Run %d: err = %v, want the PanicError", i, err)
		}
	}
	if n, err := e.Recover(context.Background()); n != 0 || err != nil {
		t.Errorf("Recover = %d, %v: a run over its recoveries must not run again", n, err)
	}
	if _, err := e.Run(context.Background(), "wf", "r", nil); !errors.Is(err, ErrAttention) {
		t.Fatalf("Run after 3 panics: err = %v, want ErrAttention", err)
	}
	if st, _, _ := e.Status(context.Background(), "r"); st != "attention" {
		t.Errorf("status %q, want attention", st)
	}
	e.Register("wf", threeSteps(&calls, nil)) // the fix: same first step
	if err := e.Resume(context.Background(), "r"); err != nil {
		t.Fatal(err)
	}
	out, err := e.Run(context.Background(), "wf", "r", nil)
	if err != nil || string(out) != "1 r/1/b" || calls.get("a") != 1 {
		t.Errorf("after Resume: %q, %v, a ran %d times", out, err, calls.get("a"))
	}
	if err := e.Resume(context.Background(), "r"); err == nil {
		t.Error("Resume of a done run succeeded")
	}
}
