// Demo: an order service writes each order and its event in one SQLite
// transaction; a relay publishes the events to a broker; a shipping
// service consumes them. The first relay "dies" right after the broker
// took a message and before it marked the row sent (the AfterPublish hook
// stands in for kill -9). A second relay publishes that message again once
// the dead relay's lease has expired, and the shipping service's inbox
// absorbs the duplicate: one shipment per order.
//
// Both databases are in memory and the clock is simulated, so this prints
// the same thing on every run. Try another crash point (crashAt), a
// shorter Lease, or a handler that skips Receive and see the double
// shipment.
package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/lamport-kb/lamport/content/patterns/outbox"
)

const crashAt = 2 // the relay dies after publishing the message with this ID

var errKilled = errors.New("relay-A killed between publish and mark-sent")

func main() {
	ctx := context.Background()
	now := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }

	orders, err := outbox.Open(outbox.Memory) // the order service's database
	check(err)
	defer orders.Close()
	shipping, err := outbox.Open(outbox.Memory) // the shipping service's own database
	check(err)
	defer shipping.Close()
	_, err = orders.ExecContext(ctx, `CREATE TABLE orders (id TEXT PRIMARY KEY, status TEXT)`)
	check(err)
	_, err = shipping.ExecContext(ctx, `CREATE TABLE shipments (order_id TEXT PRIMARY KEY)`)
	check(err)

	fmt.Println("== the order service: business row and event in one transaction")
	write := func(order, status, event string, fail bool) {
		tx, err := orders.BeginTx(ctx, nil)
		check(err)
		_, err = tx.ExecContext(ctx, `INSERT INTO orders (id, status) VALUES (?, ?)
			ON CONFLICT (id) DO UPDATE SET status = excluded.status`, order, status)
		check(err)
		id, err := outbox.Enqueue(ctx, tx, outbox.Message{Aggregate: order, Topic: "orders", Payload: []byte(event), Created: now})
		check(err)
		if fail { // the card was declined after both inserts: everything rolls back
			check(tx.Rollback())
			fmt.Printf("  %s %-13s rolled back: no order row, no event\n", order, event)
			return
		}
		check(tx.Commit())
		fmt.Printf("  %s %-13s committed as message %d\n", order, event, id)
	}
	write("order-1", "placed", "OrderPlaced", false)
	write("order-2", "placed", "OrderPlaced", false)
	write("order-1", "paid", "OrderPaid", false)
	write("order-3", "placed", "OrderPlaced", true)

	// The broker hands every message to the shipping service, whose inbox
	// records the message ID in the same transaction as the shipment.
	deliveries, duplicates := 0, 0
	publish := func(ctx context.Context, m outbox.Message) error {
		deliveries++
		applied, err := outbox.Receive(ctx, shipping, "shipping", m, func(tx outbox.DBTX) error {
			if string(m.Payload) != "OrderPlaced" {
				return nil
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO shipments (order_id) VALUES (?)`, m.Aggregate)
			return err
		})
		check(err)
		if applied {
			fmt.Printf("    broker → shipping: message %d (%s %s) applied\n", m.ID, m.Aggregate, m.Payload)
		} else {
			duplicates++
			fmt.Printf("    broker → shipping: message %d (%s %s) is a DUPLICATE: inbox says seen, nothing done\n", m.ID, m.Aggregate, m.Payload)
		}
		return nil
	}

	relayA := &outbox.Relay{DB: orders, Publish: publish, Owner: "relay-A", Batch: 2, Lease: 30 * time.Second, Now: clock,
		AfterPublish: func(m outbox.Message) error {
			if m.ID == crashAt {
				return errKilled
			}
			return nil
		}}
	relayB := &outbox.Relay{DB: orders, Publish: publish, Owner: "relay-B", Lease: 30 * time.Second, Now: clock}

	pass := func(r *outbox.Relay, name string) {
		fmt.Printf("== %s %s polls\n", now.Format("15:04:05"), name)
		p, err := r.Poll(ctx)
		if err != nil {
			fmt.Println("  ✗", err)
		}
		b, err2 := r.Backlog(ctx)
		check(err2)
		fmt.Printf("  claimed %d, published and marked %d; %d unsent, oldest %s old\n", p.Claimed, p.Published, b.Pending, b.OldestAge)
	}
	pass(relayA, "relay-A")
	now = now.Add(10 * time.Second)
	pass(relayB, "relay-B")
	fmt.Println("  order-2 waits: its message is still leased to the dead relay-A; order-1's next event is free")
	now = now.Add(21 * time.Second)
	pass(relayB, "relay-B")
	fmt.Println("  relay-A's lease has expired, so message 2 went out a second time")

	var shipments, rows, placed int
	check(shipping.QueryRowContext(ctx, `SELECT count(*) FROM shipments`).Scan(&shipments))
	check(orders.QueryRowContext(ctx, `SELECT count(*) FROM outbox`).Scan(&rows))
	check(orders.QueryRowContext(ctx, `SELECT count(*) FROM orders WHERE id IN (SELECT aggregate FROM outbox WHERE CAST(payload AS TEXT) = 'OrderPlaced')`).Scan(&placed))
	fmt.Println("== summary")
	fmt.Printf("  %d messages committed, %d deliveries, %d duplicate(s) absorbed by the inbox\n", rows, deliveries, duplicates)
	fmt.Printf("  %d shipments for %d placed orders: the effect happened once\n", shipments, placed)
}

func check(err error) {
	if err != nil {
		panic(err)
	}
}
