// Package saga is an orchestrated saga on Lamport's durable workflow engine
// (engine): a business transaction that spans several services, written as
// a sequence of local transactions, each committed by its own service, with
// a compensating transaction that semantically undoes it.
//
// # Steps and their kinds
//
// A Saga is a list of Steps. Following Richardson's three phases, every
// step has a Kind:
//
//   - Compensatable steps come first. Each may fail, and each has a
//     Compensation that undoes its Action (nil for a step with nothing to
//     undo, such as a read-only check).
//   - At most one Pivot is the go/no-go point: once it commits, the saga
//     runs to the end. It has no compensation.
//   - Retriable steps follow the pivot. They must not fail for a business
//     reason; transient errors are retried (forward recovery), and they are
//     never compensated.
//
// # What Run guarantees
//
// If every step commits, the outcome is Completed. If a compensatable step
// or the pivot fails for good (a recorded step failure, after its retries),
// the saga compensates: it runs the Compensation of the failed step (its
// action may have taken effect before the error, a timeout for instance)
// and of every earlier step, last first, and the outcome is Compensated. A
// compensation that still fails after its retries, or a retriable step that
// does, stops the saga as Stuck, for a person to repair: the saga never
// compensates after its pivot, and never runs a compensation out of order.
//
// Every action and every compensation is a durable step of the engine, so
// a crash anywhere (in the forward path or in the middle of compensating)
// resumes where it stopped when the engine recovers the run. Effects are
// at-least-once: each Action and Compensation receives the step's key
// (Key), stable across retries and restarts, and the participant must
// apply each key once, treat a compensation without a prior action as a
// no-op, and refuse an action that arrives after its compensation. The
// Barrier type in this package does that bookkeeping for the in-memory
// participants of the order example (OrderSaga).
//
// A saga has no isolation: other transactions see its intermediate
// states. The order example shows two countermeasures: a semantic lock (an
// order is PENDING until the saga ends, and a cancellation is refused
// meanwhile) and commutative updates (stock is reserved and released by
// adding and subtracting, never by writing back an old value).
package saga

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/lamport-kb/lamport/engine"
)

// Kind is a step's role in the saga.
type Kind int

// The kinds, in the order their steps must appear.
const (
	Compensatable Kind = iota // may fail; undone by its Compensation
	Pivot                     // the go/no-go point; no compensation
	Retriable                 // after the pivot; retried until it succeeds
)

func (k Kind) String() string {
	switch k {
	case Compensatable:
		return "compensatable"
	case Pivot:
		return "pivot"
	case Retriable:
		return "retriable"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Step is one local transaction of a saga, run by one participant.
type Step[T any] struct {
	Name string
	Kind Kind
	// Action runs the local transaction for input in with key, the step's
	// idempotency key. An error wrapped with engine.Permanent is not
	// retried.
	Action func(ctx context.Context, key string, in T) error
	// Compensation semantically undoes Action, given the same key. It must
	// be idempotent and succeed when Action never took effect. Only
	// Compensatable steps have one, and it may be nil (nothing to undo).
	Compensation func(ctx context.Context, key string, in T) error
}

// Saga is an orchestrated saga over input type T, which must round-trip
// through encoding/json. Register it on an engine, then Run it.
type Saga[T any] struct {
	Name  string // the workflow name on the engine
	Steps []Step[T]
	// Retry is the policy of compensatable and pivot actions: transient
	// errors are retried, and a step fails for good only after it.
	Retry engine.RetryPolicy
	// Forward is the policy of retriable actions. Give it many attempts: a
	// retriable step that exhausts it leaves the saga Stuck.
	Forward engine.RetryPolicy
	// Undo is the policy of compensations. Fewer than 2 attempts: 10.
	Undo engine.RetryPolicy
}

// Validate reports a malformed saga: no name or steps, an empty or repeated
// step name, a step without an action, kinds out of order (compensatable,
// then at most one pivot, then retriable), or a compensation on a pivot or
// retriable step.
func (s *Saga[T]) Validate() error {
	if s.Name == "" || len(s.Steps) == 0 {
		return errors.New("saga: a saga needs a name and at least one step")
	}
	seen := make(map[string]bool)
	pivots, last := 0, Compensatable
	for i, st := range s.Steps {
		switch {
		case st.Name == "" || seen[st.Name]:
			return fmt.Errorf("saga: step %d: empty or repeated name %q", i, st.Name)
		case st.Action == nil:
			return fmt.Errorf("saga: step %s has no action", st.Name)
		case st.Kind < last || st.Kind > Retriable:
			return fmt.Errorf("saga: step %s: a %v step cannot follow a %v step", st.Name, st.Kind, last)
		case st.Kind != Compensatable && st.Compensation != nil:
			return fmt.Errorf("saga: step %s: a %v step has no compensation", st.Name, st.Kind)
		}
		if st.Kind == Pivot {
			pivots++
		}
		seen[st.Name], last = true, st.Kind
	}
	if pivots > 1 {
		return errors.New("saga: more than one pivot")
	}
	return nil
}

// Status is how a saga ended.
type Status string

// The statuses.
const (
	Completed   Status = "completed"   // every step committed
	Compensated Status = "compensated" // a step failed; every compensation ran
	Stuck       Status = "stuck"       // a retriable step or a compensation failed for good
)

// Outcome is a saga's result, recorded as the run's output.
type Outcome struct {
	Status      Status   `json:"status"`
	Failed      string   `json:"failed,omitempty"`      // the step that failed
	Cause       string   `json:"cause,omitempty"`       // its error
	Compensated []string `json:"compensated,omitempty"` // steps undone, in the order undone
}

// ErrStuck is returned, wrapped, with an Outcome whose Status is Stuck.
var ErrStuck = errors.New("saga: stuck, needs manual repair")

// Key returns the idempotency key of step in run runID: the same for the
// action and its compensation, on every attempt and after every restart.
func Key(runID, step string) string { return runID + "/" + step }

// Register validates s and registers it on e under s.Name.
func (s *Saga[T]) Register(e *engine.Engine) error {
	if err := s.Validate(); err != nil {
		return err
	}
	e.Register(s.Name, s.Workflow)
	return nil
}

// Run runs the saga for in as run id and waits for its outcome. A saga run
// is idempotent: with an id that has finished, Run returns the recorded
// outcome without calling any participant; with one left unfinished by a
// crash, it resumes it. The error is nil for Completed and Compensated,
// wraps ErrStuck for Stuck, and is the engine's otherwise.
func (s *Saga[T]) Run(ctx context.Context, e *engine.Engine, id string, in T) (Outcome, error) {
	input, err := json.Marshal(in)
	if err != nil {
		return Outcome{}, err
	}
	out, err := e.Run(ctx, s.Name, id, input)
	var o Outcome
	if len(out) > 0 {
		if uerr := json.Unmarshal(out, &o); uerr != nil {
			return o, uerr
		}
	}
	if o.Status == Stuck {
		return o, fmt.Errorf("%w: %s", ErrStuck, o.Cause)
	}
	return o, err
}
