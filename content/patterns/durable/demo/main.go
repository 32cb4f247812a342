// Demo: an order checkout as a durable workflow. The process "dies" twice
// (the engine's Fault hook stands in for kill -9): once right after the
// charge was recorded, once after the card was charged but before the
// engine recorded it. Each time Recover finishes the order, and the card
// is charged once. Then an order the carrier cannot deliver is compensated.
//
// Time is simulated (a fake clock) and the database is in memory, so this
// prints the same thing on every run. Try another crash point
// (engine.FaultBeforeCommit) or step ("reserve", "ship"), more Busy
// failures, or MaxAttempts: 2.
package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/lamport-kb/lamport/content/patterns/durable"
	"github.com/lamport-kb/lamport/engine"
	"github.com/lamport-kb/lamport/playground/picture"
)

func main() {
	ctx := context.Background()
	start := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	clock := durable.NewFakeClock(start, 50*time.Millisecond)
	crash := &crasher{}
	opts := clock.Options()
	opts.Fault = crash.fault
	e, err := engine.Open(":memory:", opts)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer e.Close()

	inv := &durable.InMemoryInventory{Stock: map[string]int{"mug": 10}}
	pay := &durable.InMemoryPayments{}
	ship := &durable.InMemoryShipping{Busy: 2, Unserved: map[string]bool{"Atlantis": true}}
	calls := 0 // requests the services received
	for _, l := range []*durable.Ledger{&inv.Ledger, &pay.Ledger, &ship.Ledger} {
		l.Trace = func(line string) { calls++; fmt.Println("    " + line) }
	}
	co := &durable.Checkout{Inventory: inv, Payments: pay, Shipping: ship,
		Retry: engine.RetryPolicy{MaxAttempts: 4, Initial: time.Second, NoJitter: true}}
	co.Register(e)

	order := func(id, address string) durable.Order {
		return durable.Order{ID: id, SKU: "mug", Qty: 1, Amount: 1250, Card: "4242", Address: address}
	}
	crashAndRecover(ctx, e, crash, pay, order("1001", "1 Main St"), engine.FaultAfterCommit, "charge")
	crashAndRecover(ctx, e, crash, pay, order("1002", "2 Main St"), engine.FaultAfterEffect, "charge")

	fmt.Println("== order 1003: the carrier does not serve Atlantis; the saga undoes, last step first")
	_, err = durable.Place(ctx, e, order("1003", "Atlantis"))
	fmt.Println("  ✗", err)
	done := 0
	for _, id := range []string{"1001", "1002", "1003"} {
		if status, _, _ := e.Status(ctx, durable.RunID(id)); status == "done" {
			done++
		}
	}
	fmt.Printf("  card 4242 has paid %s in all (%s); mugs left: %d\n\n",
		dollars(pay.Balance("4242")), plural(done, "completed order"), inv.Stock["mug"])

	fmt.Println("== order 1001 placed again: its ID is the run's idempotency key")
	before := calls
	r, err := durable.Place(ctx, e, order("1001", "1 Main St"))
	fmt.Printf("  the recorded receipt %+v, %v, with %s\n\n", r, err, plural(calls-before, "service call"))

	h, err := e.History(ctx, durable.RunID("1001"))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("== the log of order-1001 (the crash left no trace: nothing was written after it)")
	for _, ev := range h.Events {
		detail := string(ev.Result)
		if ev.Error != "" {
			detail = ev.Error
		}
		if ev.Wake != nil {
			detail += fmt.Sprintf(", durable timer until +%.2fs", ev.Wake.Sub(start).Seconds())
		}
		fmt.Printf("  seq %d  step %d  %-7s %-5s  +%.2fs  %s\n", ev.Seq, ev.Step, ev.Name, ev.Kind, ev.At.Sub(start).Seconds(), detail)
	}
	fmt.Println(picture.Line([]byte(engine.Timeline(h)))) // the playground draws it
}

// crashAndRecover places o with a crash at point of step, then restarts:
// Recover resumes the run from its log.
func crashAndRecover(ctx context.Context, e *engine.Engine, crash *crasher, pay *durable.InMemoryPayments,
	o durable.Order, point engine.FaultPoint, step string) {
	runID := durable.RunID(o.ID)
	fmt.Printf("== order %s: the process dies at %s of %s\n", o.ID, point, step)
	crash.arm(point, step)
	_, err := durable.Place(ctx, e, o)
	fmt.Println("  ✗", err)
	status, _, _ := e.Status(ctx, runID)
	fmt.Printf("  run %s is %q; its log holds: %s\n", runID, status, recorded(ctx, e, runID))

	fmt.Println("  restart: Recover replays the log, then runs what is missing")
	crash.disarm()
	n, err := e.Recover(ctx)
	fmt.Printf("  recovered %d run(s), %v; the log holds: %s\n", n, err, recorded(ctx, e, runID))
	key := runID + "/1/charge"
	fmt.Printf("  charge key %s: %s → %s made, %s replayed\n\n", key, plural(pay.Requests(key), "request"),
		plural(pay.Applied(key), "charge"), plural(pay.Replays(key), "saved response"))
}

// recorded lists the steps that have a result in the run's log.
func recorded(ctx context.Context, e *engine.Engine, runID string) string {
	h, err := e.History(ctx, runID)
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

// plural counts n things: "1 request", "2 requests".
func plural(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return fmt.Sprintf("%d %ss", n, thing)
}

func dollars(cents int64) string { return fmt.Sprintf("$%d.%02d", cents/100, cents%100) }
