package engine

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestSagaCompensatesInReverse: five steps, the fourth fails; the undos of
// the first three run last-first, as durable steps in the log.
func TestSagaCompensatesInReverse(t *testing.T) {
	e := mustOpen(t, ":memory:", Options{})
	var mu sync.Mutex
	var log []string
	note := func(s string) { mu.Lock(); log = append(log, s); mu.Unlock() }
	e.Register("trip", func(c *Context, _ []byte) ([]byte, error) {
		saga := NewSaga(c, RetryPolicy{})
		for i := 1; i <= 5; i++ {
			name := "book-" + strconv.Itoa(i)
			_, err := SagaStep(saga, name, StepOptions{},
				func(ctx context.Context, key string) (string, error) {
					if i == 4 {
						return "", errors.New("no seats")
					}
					note("do " + name)
					return key, nil
				},
				func(ctx context.Context, key string, booking string) error {
					note("undo " + name)
					return nil
				})
			if err != nil {
				return nil, saga.Compensate(err)
			}
		}
		return []byte("booked"), nil
	})
	_, err := e.Run(context.Background(), "trip", "t1", nil)
	var se *StepError
	if !errors.As(err, &se) || se.Msg != "no seats" {
		t.Fatalf("err = %v, want the failing step's error", err)
	}
	want := []string{"do book-1", "do book-2", "do book-3", "undo book-3", "undo book-2", "undo book-1"}
	if diff := cmp.Diff(want, log); diff != "" {
		t.Errorf("order (-want +got):\n%s", diff)
	}
	h, _ := e.history(context.Background(), "t1")
	var steps []string
	for _, ev := range h {
		steps = append(steps, ev.step)
	}
	wantSteps := []string{"book-1", "book-2", "book-3", "book-4", "undo:book-3", "undo:book-2", "undo:book-1"}
	if diff := cmp.Diff(wantSteps, steps); diff != "" {
		t.Errorf("log (-want +got):\n%s", diff)
	}
	// Running the ID again replays: nothing is booked or undone twice.
	log = nil
	e.Run(context.Background(), "trip", "t1", nil)
	if len(log) != 0 {
		t.Errorf("a finished saga ran again: %v", log)
	}
}

func TestSagaUndoRetries(t *testing.T) {
	clock := newFakeClock()
	e := mustOpen(t, ":memory:", clock.options())
	tries := 0
	e.Register("wf", func(c *Context, _ []byte) ([]byte, error) {
		saga := NewSaga(c, RetryPolicy{NoJitter: true})
		SagaStep(saga, "reserve", StepOptions{}, func(context.Context, string) (int, error) { return 1, nil },
			func(context.Context, string, int) error {
				tries++
				if tries < 3 {
					return errors.New("undo failed")
				}
				return nil
			})
		return nil, saga.Compensate(errors.New("later step failed"))
	})
	_, err := e.Run(context.Background(), "wf", "r", nil)
	if err == nil || tries != 3 || len(clock.sleeps) != 2 {
		t.Errorf("err = %v, undo tries = %d, backoffs = %v", err, tries, clock.sleeps)
	}
}

// TestSagaStopsCompensatingOnCrash: when the process dies during an undo
// (here: before its result is committed), no later undo runs in that
// process; recovery resumes the compensation at that undo.
func TestSagaStopsCompensatingOnCrash(t *testing.T) {
	crash := true
	e := mustOpen(t, ":memory:", Options{Fault: func(p FaultPoint, _, step string) error {
		if crash && p == FaultBeforeCommit && step == "undo:book-2" {
			crash = false
			return errors.New("power cut")
		}
		return nil
	}})
	var mu sync.Mutex
	var log []string
	note := func(s string) { mu.Lock(); log = append(log, s); mu.Unlock() }
	e.Register("trip", func(c *Context, _ []byte) ([]byte, error) {
		saga := NewSaga(c, RetryPolicy{})
		for i := 1; i <= 3; i++ {
			name := "book-" + strconv.Itoa(i)
			_, err := SagaStep(saga, name, StepOptions{},
				func(ctx context.Context, key string) (string, error) {
					if i == 3 {
						return "", errors.New("no seats")
					}
					return key, nil
				},
				func(ctx context.Context, key string, booking string) error {
					note("undo " + name)
					return nil
				})
			if err != nil {
				return nil, saga.Compensate(err)
			}
		}
		return []byte("booked"), nil
	})
	if _, err := e.Run(context.Background(), "trip", "t1", nil); !errors.Is(err, ErrCrashed) {
		t.Fatalf("err = %v, want ErrCrashed", err)
	}
	if diff := cmp.Diff([]string{"undo book-2"}, log); diff != "" {
		t.Errorf("after the crash (-want +got):\n%s", diff)
	}
	var se *StepError
	if _, err := e.Recover(context.Background()); !errors.As(err, &se) || se.Msg != "no seats" {
		t.Fatalf("recovery: err = %v, want the saga's own failure", err)
	}
	// book-2's undo ran but was never recorded, so it runs again (its key
	// makes that safe); then book-1's.
	if diff := cmp.Diff([]string{"undo book-2", "undo book-2", "undo book-1"}, log); diff != "" {
		t.Errorf("after recovery (-want +got):\n%s", diff)
	}
}
