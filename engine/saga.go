package engine

import (
	"context"
	"errors"
)

// Saga is a workflow's list of compensations: each completed SagaStep
// registers its undo, and Compensate runs the undos in reverse order. The
// undos are durable steps themselves (named "undo:" + the step's name, with
// their own retries), so they show in the log, run once, and a run that
// crashes while compensating resumes the compensation where it stopped.
// They run even when the run is being cancelled (see Cancel): a workflow
// that compensates when a step fails compensates when it is cancelled.
type Saga struct {
	c     *Context
	undos []func() error
	retry RetryPolicy
}

// NewSaga starts a saga in a workflow. Undos are retried with retry; if
// retry allows a single attempt, a default of 5 attempts is used, because
// a compensation must not give up easily.
func NewSaga(c *Context, retry RetryPolicy) *Saga {
	if retry.MaxAttempts <= 1 {
		retry.MaxAttempts = 5
	}
	return &Saga{c: c, retry: retry}
}

// SagaStep runs do as a durable step; once it has succeeded, undo (given
// do's result) is registered for Compensate.
func SagaStep[T any](s *Saga, name string, opts StepOptions, do func(ctx context.Context, key string) (T, error),
	undo func(ctx context.Context, key string, v T) error) (T, error) {
	v, err := StepWith(s.c, name, opts, do)
	if err != nil {
		return v, err
	}
	s.undos = append(s.undos, func() error {
		_, err := StepWith(s.c, "undo:"+name, StepOptions{Retry: s.retry, compensation: true}, func(ctx context.Context, key string) (bool, error) {
			return true, undo(ctx, key, v)
		})
		return err
	})
	return v, nil
}

// Compensate runs the registered undos, last first, and returns cause
// joined with any compensation that failed after its retries. An undo
// that ends without a recorded outcome (a crash, a cancelled context, a
// failed commit: any error but a *StepError) stops the compensation there:
// running the next undo first would break the reverse order, and the run
// resumes the compensation at that undo when it is recovered.
func (s *Saga) Compensate(cause error) error {
	errs := []error{cause}
	for i := len(s.undos) - 1; i >= 0; i-- {
		err := s.undos[i]()
		errs = append(errs, err)
		var failed *StepError
		if err != nil && !errors.As(err, &failed) {
			break
		}
	}
	s.undos = nil
	return errors.Join(errs...)
}
