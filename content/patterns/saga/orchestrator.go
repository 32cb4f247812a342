package saga

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/lamport-kb/lamport/engine"
)

// Workflow is the saga as a durable engine workflow: each action is the
// engine step named after it, each compensation the step "undo:" + name.
// It is deterministic (which step runs next depends only on the recorded
// outcomes), so the engine can replay it after a crash.
func (s *Saga[T]) Workflow(c *engine.Context, input []byte) ([]byte, error) {
	var in T
	if err := json.Unmarshal(input, &in); err != nil {
		return nil, fmt.Errorf("saga %s: bad input: %w", s.Name, err)
	}
	for i, st := range s.Steps {
		err := s.act(c, st, in)
		switch {
		case err == nil:
			continue
		case !recorded(err):
			return nil, err // a crash or a shutdown: the run resumes later
		case st.Kind == Retriable:
			return stuck(Outcome{Failed: st.Name, Cause: err.Error()})
		}
		return s.compensate(c, i, in, err)
	}
	return json.Marshal(Outcome{Status: Completed})
}

// act runs a step's action as a durable step under the policy of its kind.
func (s *Saga[T]) act(c *engine.Context, st Step[T], in T) error {
	policy := s.Retry
	if st.Kind == Retriable {
		policy = s.Forward
	}
	key := Key(c.RunID(), st.Name)
	_, err := engine.StepWith(c, st.Name, engine.StepOptions{Retry: policy},
		func(ctx context.Context, _ string) (bool, error) {
			return true, st.Action(ctx, key, in)
		})
	return err
}

// compensate undoes steps failed, failed-1, ..., 0, last first. The failed
// step is included: its action may have committed before its error. A
// compensation that fails for good stops the saga, Stuck, so that no step
// is ever undone before the steps after it.
func (s *Saga[T]) compensate(c *engine.Context, failed int, in T, cause error) ([]byte, error) {
	o := Outcome{Status: Compensated, Failed: s.Steps[failed].Name, Cause: cause.Error()}
	for i := failed; i >= 0; i-- {
		st := s.Steps[i]
		if st.Compensation == nil {
			continue
		}
		err := s.undo(c, st, in)
		switch {
		case err == nil:
			o.Compensated = append(o.Compensated, st.Name)
		case !recorded(err):
			return nil, err
		default:
			o.Cause = fmt.Sprintf("%s; compensating %s: %v", o.Cause, st.Name, err)
			return stuck(o)
		}
	}
	return json.Marshal(o)
}

// undo runs a step's compensation as the durable step "undo:" + name.
func (s *Saga[T]) undo(c *engine.Context, st Step[T], in T) error {
	policy := s.Undo
	if policy.MaxAttempts < 2 {
		policy.MaxAttempts = 10
	}
	key := Key(c.RunID(), st.Name)
	_, err := engine.StepWith(c, "undo:"+st.Name, engine.StepOptions{Retry: policy},
		func(ctx context.Context, _ string) (bool, error) {
			return true, st.Compensation(ctx, key, in)
		})
	return err
}

// recorded reports whether err is a step failure the engine recorded, as
// opposed to a crash, a cancelled context or a non-determinism error, after
// which the run is not over: it resumes, and must not be compensated.
func recorded(err error) bool {
	var failed *engine.StepError
	return errors.As(err, &failed)
}

// stuck records o as the outcome of a stuck saga.
func stuck(o Outcome) ([]byte, error) {
	o.Status = Stuck
	out, err := json.Marshal(o)
	if err != nil {
		return nil, err
	}
	return out, fmt.Errorf("%w: %s", ErrStuck, o.Cause)
}
