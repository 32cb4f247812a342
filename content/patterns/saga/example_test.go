package saga_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/lamport-kb/lamport/content/patterns/saga"
	"github.com/lamport-kb/lamport/engine"
)

// The order saga, once with a good card and once with a declined one: the
// pivot fails, and the steps before it are undone, last first.
func ExampleOrderSaga() {
	e, err := engine.Open(":memory:", engine.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer e.Close()
	svc := saga.OrderServices{
		Orders:    &saga.Orders{},
		Inventory: &saga.Inventory{Stock: map[string]int{"mug": 5}},
		Courier:   &saga.Courier{},
		Payments:  &saga.Payments{Declined: map[string]bool{"0000": true}},
	}
	s := saga.OrderSaga(svc)
	if err := s.Register(e); err != nil {
		fmt.Println(err)
		return
	}
	for _, o := range []saga.Order{
		{ID: "1", SKU: "mug", Qty: 2, Card: "4242", Amount: 2500},
		{ID: "2", SKU: "mug", Qty: 1, Card: "0000", Amount: 1250},
	} {
		out, err := s.Run(context.Background(), e, "order-"+o.ID, o)
		fmt.Printf("order %s: %s %v, order %s\n", o.ID, out.Status, out.Compensated, svc.Orders.State(o.ID))
		if err != nil {
			fmt.Println(err)
		}
	}
	fmt.Println("mugs left:", svc.Inventory.Level("mug"))
	// Output:
	// order 1: completed [], order APPROVED
	// order 2: compensated [book-courier reserve-stock create-order], order REJECTED
	// mugs left: 3
}

// A participant's Barrier: a repeated action is not applied twice, and an
// action that arrives after its compensation is refused.
func ExampleBarrier() {
	b := saga.Barrier{Name: "payments", Trace: func(line string) { fmt.Println(line) }}
	charge := func() (string, error) { return "charged", nil }
	b.Act("charge", "order-1/charge", charge)
	b.Act("charge", "order-1/charge", charge)
	b.Compensate("refund", "order-2/charge", func() string { return "refunded" })
	fmt.Println(b.Act("charge", "order-2/charge", charge))
	// Output:
	// payments  charge         order-1/charge             → charged
	// payments  charge         order-1/charge             → key seen before: not applied again
	// payments  refund         order-2/charge             → nothing to undo (null compensation)
	// payments  charge         order-2/charge             → refused: already compensated
	// charge order-2/charge: key already compensated
}

// BenchmarkOrderSaga runs one order saga per iteration on an in-memory
// engine: five steps when it completes, four actions and three
// compensations when the card is declined.
func BenchmarkOrderSaga(b *testing.B) {
	for _, bc := range []struct{ name, card string }{{"completed", "4242"}, {"compensated", "0000"}} {
		b.Run(bc.name, func(b *testing.B) {
			e := mustOpen(b, ":memory:", engine.Options{})
			svc := services()
			svc.Inventory.Stock["mug"] = 1 << 30
			s := saga.OrderSaga(svc)
			s.Register(e)
			ctx := context.Background()
			i := 0
			for b.Loop() {
				i++
				o := order(fmt.Sprint(i), bc.card, 1)
				if _, err := s.Run(ctx, e, "order-"+o.ID, o); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkBarrier measures a participant's bookkeeping per action.
func BenchmarkBarrier(b *testing.B) {
	var br saga.Barrier
	apply := func() (string, error) { return "", nil }
	i := 0
	for b.Loop() {
		i++
		br.Act("do", fmt.Sprint(i), apply)
	}
}
