// Demo: the order saga (create the order, reserve stock, book a courier,
// charge the card — the pivot — and approve) on the durable workflow
// engine. The process "dies" twice (the engine's Fault hook stands in for
// kill -9): once in the forward path, once in the middle of compensating.
// Each time a restart recovers the run from its log and finishes it, and
// every participant ends as if nothing had crashed.
//
// Time is simulated and the database is in memory, so this prints the same
// thing on every run. Try another crash point (engine.FaultBeforeCommit)
// or step ("undo:reserve-stock", "charge-card"), or Busy: 5.
package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/lamport-kb/lamport/content/patterns/saga"
	"github.com/lamport-kb/lamport/engine"
)

func main() {
	ctx := context.Background()
	clock := &fakeClock{t: time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)}
	crash := &crasher{}
	e, err := engine.Open(":memory:", engine.Options{Now: clock.now, Sleep: clock.sleep, Fault: crash.fault})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer e.Close()

	svc := saga.OrderServices{
		Orders:    &saga.Orders{Barrier: saga.Barrier{Name: "orders"}, Busy: 1},
		Inventory: &saga.Inventory{Barrier: saga.Barrier{Name: "inventory"}, Stock: map[string]int{"mug": 10}},
		Courier:   &saga.Courier{Barrier: saga.Barrier{Name: "courier"}},
		Payments:  &saga.Payments{Barrier: saga.Barrier{Name: "payments"}, Declined: map[string]bool{"0000": true}},
	}
	barriers := []*saga.Barrier{&svc.Orders.Barrier, &svc.Inventory.Barrier, &svc.Courier.Barrier, &svc.Payments.Barrier}
	requests := 0 // every request any participant receives
	for _, b := range barriers {
		b.Trace = func(line string) { requests++; fmt.Println("    " + line) }
	}
	s := saga.OrderSaga(svc)
	s.Forward = engine.RetryPolicy{MaxAttempts: 20, Initial: time.Second, NoJitter: true}
	if err := s.Register(e); err != nil {
		fmt.Println(err)
		return
	}

	good := saga.Order{ID: "1001", SKU: "mug", Qty: 2, Card: "4242", Amount: 2500}
	fmt.Println("== order 1001: the process dies after the courier was booked, before the engine recorded it")
	crashAndRecover(ctx, e, s, crash, svc, good, engine.FaultAfterEffect, "book-courier")

	declined := saga.Order{ID: "1002", SKU: "mug", Qty: 3, Card: "0000", Amount: 3750}
	fmt.Println("== order 1002: the card is declined at the pivot; the process dies while compensating")
	crashAndRecover(ctx, e, s, crash, svc, declined, engine.FaultAfterCommit, "undo:book-courier")

	fmt.Println("== order 1003: 20 mugs, out of stock; the failed step is compensated too, as a no-op")
	big := saga.Order{ID: "1003", SKU: "mug", Qty: 20, Card: "4242", Amount: 25000}
	out, err := s.Run(ctx, e, "order-1003", big)
	fmt.Printf("  %s after %s failed (undone: %s), %v\n\n", out.Status, out.Failed, strings.Join(out.Compensated, ", "), err)

	fmt.Println("== order 1001 placed again: the run ID is the saga's idempotency key")
	before := requests
	out, err = s.Run(ctx, e, "order-1001", good)
	fmt.Printf("  the recorded outcome %q, %v; requests to participants: %d\n\n", out.Status, err, requests-before)

	h, err := e.History(ctx, "order-1002")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("== the log of order-1002: actions, then compensations, last first")
	for _, ev := range h.Events {
		detail := string(ev.Result)
		if ev.Error != "" {
			detail = "error: " + ev.Error
		}
		fmt.Printf("  seq %d  %-19s %s\n", ev.Seq, ev.Name, detail)
	}

	var total saga.BarrierStats
	for _, b := range barriers {
		st := b.Stats()
		total.Applied += st.Applied
		total.Repeated += st.Repeated
		total.Undone += st.Undone
		total.Null += st.Null
	}
	fmt.Println("\n== in the end")
	fmt.Printf("  mugs left %d of 10 (order 1001 holds %d); card 4242 paid %d cents; couriers booked %d\n",
		svc.Inventory.Level("mug"), good.Qty, svc.Payments.Paid("4242"), svc.Courier.Booked())
	fmt.Printf("  %d effects applied, %d undone, %d repeated request(s) answered without effect, %d null compensation(s)\n",
		total.Applied, total.Undone, total.Repeated, total.Null)
}

// crashAndRecover runs the saga for o with a crash at point of step, shows
// the semantic lock while the run is stopped, then restarts: Recover
// resumes the run from its log.
func crashAndRecover(ctx context.Context, e *engine.Engine, s *saga.Saga[saga.Order], crash *crasher,
	svc saga.OrderServices, o saga.Order, point engine.FaultPoint, step string) {
	id := "order-" + o.ID
	crash.arm(point, step)
	_, err := s.Run(ctx, e, id, o)
	fmt.Println("  ✗", err)
	status, _, _ := e.Status(ctx, id)
	fmt.Printf("  run %s is %q; its log holds: %s\n", id, status, recorded(ctx, e, id))
	fmt.Printf("  meanwhile the customer cancels: %v\n", svc.Orders.Cancel(o.ID))

	fmt.Println("  restart: Recover replays the log, then runs what is missing")
	crash.disarm()
	n, err := e.Recover(ctx)
	out, _ := s.Run(ctx, e, id, o)
	fmt.Printf("  recovered %d run(s), %v: %s", n, err, out.Status)
	if len(out.Compensated) > 0 {
		fmt.Printf(" (undone: %s)", strings.Join(out.Compensated, ", "))
	}
	fmt.Printf("; order %s is %s\n\n", o.ID, svc.Orders.State(o.ID))
}

// recorded lists the steps with a recorded outcome in the run's log.
func recorded(ctx context.Context, e *engine.Engine, id string) string {
	h, err := e.History(ctx, id)
	if err != nil {
		return err.Error()
	}
	var steps []string
	for _, ev := range h.Events {
		if ev.Kind == "done" {
			steps = append(steps, ev.Name)
		}
	}
	return strings.Join(steps, ", ")
}

// crasher stands in for kill -9: armed at a fault point of a step, it
// fails that boundary and, the process being dead, every later one.
type crasher struct {
	point engine.FaultPoint
	step  string
	dead  bool
}

func (k *crasher) arm(p engine.FaultPoint, step string) { k.point, k.step, k.dead = p, step, false }

func (k *crasher) disarm() { k.point, k.step, k.dead = "", "", false }

func (k *crasher) fault(p engine.FaultPoint, _, step string) error {
	if p == k.point && step == k.step {
		k.dead = true
	}
	if k.dead {
		return errors.New("kill -9")
	}
	return nil
}

// fakeClock is the demo's time: Sleep moves it forward at once.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

func (c *fakeClock) sleep(ctx context.Context, d time.Duration) error {
	c.t = c.t.Add(d)
	return ctx.Err()
}
