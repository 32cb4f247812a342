// Package durable shows durable execution on Lamport's workflow engine
// (engine): an order checkout (reserve stock, charge the card,
// ship the parcel) written as an ordinary Go function whose steps the
// engine checkpoints, so that a run interrupted by a crash resumes where it
// stopped instead of starting over or stopping half-done.
//
// The engine records each step's result once and replays it on resume, but
// a step's side effect is at-least-once: a crash after the effect and
// before its record runs the step again. So every call to an external
// service carries the step's idempotency key, and the services (in-memory
// fakes in this package) execute each key at most once and answer every
// repeat with the saved first answer, an error as much as a result, as
// payment APIs do. When shipping fails for good, the checkout compensates
// as a saga: it refunds the charge, then releases the stock.
package durable

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/lamport-kb/lamport/engine"
)

// WorkflowName is the name the checkout is registered under.
const WorkflowName = "checkout"

// Order is the checkout's input.
type Order struct {
	ID      string `json:"id"`
	SKU     string `json:"sku"`
	Qty     int    `json:"qty"`
	Amount  int64  `json:"amount"` // in cents
	Card    string `json:"card"`
	Address string `json:"address"`
}

// Receipt is the checkout's output: what each step returned.
type Receipt struct {
	Reservation string `json:"reservation"`
	Charge      string `json:"charge"`
	Tracking    string `json:"tracking"`
}

// Inventory, Payments and Shipping are the external systems the checkout
// calls. Every call that changes something takes an idempotency key: the
// service executes a key at most once and answers a repeated key with its
// saved first answer, result or error.
type (
	Inventory interface {
		Reserve(ctx context.Context, key, sku string, qty int) (reservation string, err error)
		Release(ctx context.Context, key, reservation string) error
	}
	Payments interface {
		Charge(ctx context.Context, key, card string, amount int64) (charge string, err error)
		Refund(ctx context.Context, key, charge string) error
	}
	Shipping interface {
		Ship(ctx context.Context, key string, o Order) (tracking string, err error)
	}
)

// Errors the services return that no retry can fix.
var (
	ErrOutOfStock    = errors.New("out of stock")
	ErrUndeliverable = errors.New("address not served by the carrier")
)

// Checkout is the order workflow and the services it calls.
type Checkout struct {
	Inventory Inventory
	Payments  Payments
	Shipping  Shipping
	// Retry is the policy of every step and every compensation: transient
	// errors are retried with exponential backoff, and each wait is a
	// durable timer. The zero value does not retry steps (compensations
	// get the engine's default of 5 attempts).
	Retry engine.RetryPolicy
}

// Register registers the checkout on e under WorkflowName.
func (co *Checkout) Register(e *engine.Engine) { e.Register(WorkflowName, co.Workflow) }

// Workflow is the checkout as a durable function. It is deterministic:
// everything that talks to the world happens inside a step, so replaying
// it against its history asks for the same steps in the same order.
func (co *Checkout) Workflow(c *engine.Context, input []byte) ([]byte, error) {
	var o Order
	if err := json.Unmarshal(input, &o); err != nil {
		return nil, fmt.Errorf("checkout: bad order: %w", err)
	}
	opts := engine.StepOptions{Retry: co.Retry}
	saga := engine.NewSaga(c, co.Retry)

	reservation, err := engine.SagaStep(saga, "reserve", opts,
		func(ctx context.Context, key string) (string, error) {
			return classify(co.Inventory.Reserve(ctx, key, o.SKU, o.Qty))
		},
		func(ctx context.Context, key, reservation string) error {
			return co.Inventory.Release(ctx, key, reservation)
		})
	if err != nil {
		return nil, abort(saga, err)
	}
	charge, err := engine.SagaStep(saga, "charge", opts,
		func(ctx context.Context, key string) (string, error) {
			return co.Payments.Charge(ctx, key, o.Card, o.Amount)
		},
		func(ctx context.Context, key, charge string) error {
			return co.Payments.Refund(ctx, key, charge)
		})
	if err != nil {
		return nil, abort(saga, err)
	}
	tracking, err := engine.StepWith(c, "ship", opts, func(ctx context.Context, key string) (string, error) {
		return classify(co.Shipping.Ship(ctx, key, o))
	})
	if err != nil {
		return nil, abort(saga, err)
	}
	return json.Marshal(Receipt{Reservation: reservation, Charge: charge, Tracking: tracking})
}

// classify marks the errors no retry can fix as permanent, so the step
// fails at once instead of backing off.
func classify(v string, err error) (string, error) {
	if errors.Is(err, ErrOutOfStock) || errors.Is(err, ErrUndeliverable) {
		return v, engine.Permanent(err)
	}
	return v, err
}

// abort compensates after a step failed for good (a recorded
// *engine.StepError), and only then. A crash, a cancelled context or a
// non-determinism error leaves the run unfinished, to be resumed by
// Recover: undoing anything then would cancel an order that is still
// going to complete.
func abort(saga *engine.Saga, err error) error {
	var failed *engine.StepError
	if !errors.As(err, &failed) {
		return err
	}
	return saga.Compensate(err)
}

// RunID is the run ID of an order: the order's ID makes the workflow
// idempotent, so placing the same order twice runs it once.
func RunID(orderID string) string { return "order-" + orderID }

// Place runs the checkout for o under RunID(o.ID) and waits for its
// receipt. For an order that already finished, it returns the recorded
// outcome without calling any service; for one left unfinished by a crash,
// it resumes it.
func Place(ctx context.Context, e *engine.Engine, o Order) (Receipt, error) {
	input, err := json.Marshal(o)
	if err != nil {
		return Receipt{}, err
	}
	out, err := e.Run(ctx, WorkflowName, RunID(o.ID), input)
	if err != nil {
		return Receipt{}, err
	}
	var r Receipt
	err = json.Unmarshal(out, &r)
	return r, err
}
