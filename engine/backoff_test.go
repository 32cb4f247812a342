package engine

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// backoffRun runs a one-step workflow whose step fails twice and then
// succeeds, with backoffs of initial (no jitter) on the fake clock, and
// returns the commits it took and the run's history as (kind, attempt)
// pairs.
func backoffRun(t *testing.T, initial time.Duration) (commits int64, kinds []string) {
	t.Helper()
	clock := newFakeClock()
	e := mustOpen(t, filepath.Join(t.TempDir(), "e.db"), clock.options())
	calls := 0
	e.Register("wf", func(c *Context, _ []byte) ([]byte, error) {
		v, err := StepWith(c, "call", StepOptions{Retry: RetryPolicy{MaxAttempts: 3, Initial: initial, NoJitter: true}},
			flaky(2, &calls, errors.New("503")))
		return []byte(v), err
	})
	before := e.w.commits.Load()
	if _, err := e.Run(context.Background(), "wf", "r", nil); err != nil {
		t.Fatal(err)
	}
	commits = e.w.commits.Load() - before
	h, err := e.History(context.Background(), "r")
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range h.Events {
		kinds = append(kinds, ev.Kind+" "+string(rune('0'+ev.Attempt)))
	}
	return commits, kinds
}

// TestShortBackoffCommitsWithOutcome: failed attempts whose backoff is
// short commit with the step's outcome (the run's start, then one commit
// for the two failed attempts, the success and the run's end), while a
// longer backoff commits each failed attempt at once, a durable timer.
// Both histories hold every attempt.
func TestShortBackoffCommitsWithOutcome(t *testing.T) {
	want := []string{"retry 1", "retry 2", "done 3"}
	for _, c := range []struct {
		initial time.Duration
		commits int64
	}{{10 * time.Millisecond, 2}, {shortBackoff + time.Millisecond, 4}, {10 * time.Second, 4}} {
		commits, kinds := backoffRun(t, c.initial)
		if commits != c.commits {
			t.Errorf("backoff %v: %d commits, want %d", c.initial, commits, c.commits)
		}
		if diff := cmp.Diff(want, kinds); diff != "" {
			t.Errorf("backoff %v: history (-want +got):\n%s", c.initial, diff)
		}
	}
}

// TestCrashBeforeShortBackoffCommits: a crash (kill -9, not a shutdown,
// which commits what is pending) before the step's outcome commits loses
// the failed attempt that waited with it: the resumed run calls the step
// again at once, as its first attempt, and waits for nothing.
func TestCrashBeforeShortBackoffCommits(t *testing.T) {
	path := filepath.Join(t.TempDir(), "e.db")
	clock := newFakeClock()
	calls := 0
	wf := func(c *Context, _ []byte) ([]byte, error) {
		v, err := StepWith(c, "call", StepOptions{Retry: RetryPolicy{MaxAttempts: 3, Initial: 10 * time.Millisecond, NoJitter: true}},
			flaky(1, &calls, errors.New("503")))
		return []byte(v), err
	}
	opts := clock.options()
	opts.Fault = func(p FaultPoint, _, step string) error {
		if p == FaultBeforeCommit && step == "call" {
			return errors.New("kill -9")
		}
		return nil
	}
	first := mustOpen(t, path, opts)
	first.Register("wf", wf)
	if _, err := first.Run(context.Background(), "wf", "r", nil); !errors.Is(err, ErrCrashed) {
		t.Fatalf("first run: %v, want ErrCrashed", err)
	}
	first.Close()
	if calls != 2 || len(clock.sleeps) != 1 {
		t.Fatalf("first run: %d calls, sleeps %v; want a failure, a 10 ms backoff and a success", calls, clock.sleeps)
	}

	clock.sleeps = nil
	second := mustOpen(t, path, clock.options())
	second.Register("wf", wf)
	if n, err := second.Recover(context.Background()); n != 1 || err != nil {
		t.Fatalf("Recover = %d, %v", n, err)
	}
	if len(clock.sleeps) != 0 {
		t.Errorf("the resumed run slept %v, want no wait", clock.sleeps)
	}
	if calls != 3 {
		t.Errorf("calls = %d, want 3", calls)
	}
	h, err := second.History(context.Background(), "r")
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Events) != 1 || h.Events[0].Kind != kindDone || h.Events[0].Attempt != 1 {
		t.Errorf("history %+v: want one done event, attempt 1", h.Events)
	}
}

// TestShutdownDuringShortBackoffKeepsAttempt: a run stopped while a short
// backoff waits (its context ended) commits the failed attempt on its way
// out, so the resumed run waits out the rest of the backoff and counts on
// from the second attempt.
func TestShutdownDuringShortBackoffKeepsAttempt(t *testing.T) {
	path := filepath.Join(t.TempDir(), "e.db")
	clock := newFakeClock()
	calls := 0
	wf := func(c *Context, _ []byte) ([]byte, error) {
		v, err := StepWith(c, "call", StepOptions{Retry: RetryPolicy{MaxAttempts: 3, Initial: 10 * time.Millisecond, NoJitter: true}},
			flaky(1, &calls, errors.New("503")))
		return []byte(v), err
	}
	first := mustOpen(t, path, clock.options())
	first.Register("wf", wf)
	ctx, cancel := context.WithCancel(context.Background())
	clock.onSleep = func() error { cancel(); return context.Canceled }
	if _, err := first.Run(ctx, "wf", "r", nil); err == nil {
		t.Fatal("the stopped run reported success")
	}
	first.Close()

	clock.onSleep = nil
	second := mustOpen(t, path, clock.options())
	second.Register("wf", wf)
	if n, err := second.Recover(context.Background()); n != 1 || err != nil {
		t.Fatalf("Recover = %d, %v", n, err)
	}
	h, err := second.History(context.Background(), "r")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, ev := range h.Events {
		got = append(got, ev.Kind+" "+string(rune('0'+ev.Attempt)))
	}
	if diff := cmp.Diff([]string{"retry 1", "done 2"}, got); diff != "" || calls != 2 {
		t.Errorf("%d calls; history (-want +got):\n%s", calls, diff)
	}
}
