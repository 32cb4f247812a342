package durable_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/lamport-kb/lamport/content/patterns/durable"
	"github.com/lamport-kb/lamport/engine"
)

func Example() {
	pay := &durable.InMemoryPayments{}
	co := &durable.Checkout{
		Inventory: &durable.InMemoryInventory{Stock: map[string]int{"book": 5}},
		Payments:  pay,
		Shipping:  &durable.InMemoryShipping{},
	}
	clock := durable.NewFakeClock(time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC), time.Millisecond)
	e, _ := engine.Open(":memory:", clock.Options())
	defer e.Close()
	co.Register(e)

	o := durable.Order{ID: "7", SKU: "book", Qty: 1, Amount: 1999, Card: "4242", Address: "1 Main St"}
	r, err := durable.Place(context.Background(), e, o)
	fmt.Printf("%+v %v\n", r, err)

	// Same order ID, same run: the recorded receipt, and no new charge.
	r, err = durable.Place(context.Background(), e, o)
	fmt.Printf("%+v %v\n", r, err)
	fmt.Println("charge requests:", pay.Requests("order-7/1/charge"))
	// Output:
	// {Reservation:res-1 Charge:ch-1 Tracking:trk-1} <nil>
	// {Reservation:res-1 Charge:ch-1 Tracking:trk-1} <nil>
	// charge requests: 1
}

// The process dies after the card was charged but before the engine
// recorded it. Recover runs the charge step again with the same
// idempotency key, and the payment service does not charge twice.
func Example_crash() {
	pay := &durable.InMemoryPayments{}
	co := &durable.Checkout{
		Inventory: &durable.InMemoryInventory{Stock: map[string]int{"book": 5}},
		Payments:  pay,
		Shipping:  &durable.InMemoryShipping{},
	}
	crashing := true
	opts := durable.NewFakeClock(time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC), time.Millisecond).Options()
	opts.Fault = func(p engine.FaultPoint, runID, step string) error {
		if crashing && p == engine.FaultAfterEffect && step == "charge" {
			return errors.New("power cut")
		}
		return nil
	}
	e, _ := engine.Open(":memory:", opts)
	defer e.Close()
	co.Register(e)

	o := durable.Order{ID: "8", SKU: "book", Qty: 1, Amount: 1999, Card: "4242", Address: "1 Main St"}
	_, err := durable.Place(context.Background(), e, o)
	fmt.Println(errors.Is(err, engine.ErrCrashed))

	crashing = false // the process restarts
	n, err := e.Recover(context.Background())
	fmt.Println("recovered:", n, err)
	fmt.Println("charge requests:", pay.Requests("order-8/1/charge"))
	fmt.Println("charges applied:", pay.Effects())
	// Output:
	// true
	// recovered: 1 <nil>
	// charge requests: 2
	// charges applied: [charge ch-1]
}
