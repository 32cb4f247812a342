package engine

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestReplayedErrorIsTheRecordedOne: a step that failed, and whose error
// the workflow handled, returns on replay the error it returned the first
// time: the same attempt count and message, even an empty message.
func TestReplayedErrorIsTheRecordedOne(t *testing.T) {
	for _, msg := range []string{"card declined", ""} {
		t.Run("message "+msg, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "e.db")
			clock := newFakeClock()
			var seen []StepError
			wf := func(c *Context, _ []byte) ([]byte, error) {
				_, err := StepWith(c, "charge", StepOptions{Retry: RetryPolicy{MaxAttempts: 3, NoJitter: true}},
					func(context.Context, string) (int, error) { return 0, errors.New(msg) })
				var se *StepError
				if !errors.As(err, &se) {
					return nil, err
				}
				seen = append(seen, *se)
				_, err = Step(c, "notify", func(context.Context, string) (bool, error) { return true, nil })
				return nil, err
			}
			opts := clock.options()
			opts.Fault = func(p FaultPoint, _, step string) error {
				if step == "notify" && p == FaultAfterEffect {
					return errors.New("kill -9")
				}
				return nil
			}
			first := mustOpen(t, path, opts)
			first.Register("wf", wf)
			if _, err := first.Run(context.Background(), "wf", "r", nil); !errors.Is(err, ErrCrashed) {
				t.Fatalf("first run: %v", err)
			}
			first.Close()
			second := mustOpen(t, path, clock.options())
			second.Register("wf", wf)
			if _, err := second.Recover(context.Background()); err != nil {
				t.Fatal(err)
			}
			want := StepError{Step: "charge", Attempts: 3, Msg: msg}
			if diff := cmp.Diff([]StepError{want, want}, seen); diff != "" {
				t.Errorf("the step's error, first run then replay (-want +got):\n%s", diff)
			}
			h, err := second.History(context.Background(), "r")
			if err != nil {
				t.Fatal(err)
			}
			if ev := h.Events[2]; ev.Kind != kindDone || !ev.Failed || ev.Attempt != 3 || ev.Error != msg {
				t.Errorf("history event %+v: want the failed third attempt", ev)
			}
		})
	}
}
