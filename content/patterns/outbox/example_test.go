package outbox_test

import (
	"context"
	"fmt"
	"time"

	"github.com/lamport-kb/lamport/content/patterns/outbox"
)

func Example() {
	ctx := context.Background()
	db, _ := outbox.Open(outbox.Memory)
	defer db.Close()
	db.ExecContext(ctx, `CREATE TABLE accounts (id TEXT PRIMARY KEY, balance INTEGER)`)

	// The business change and its event commit together.
	tx, _ := db.BeginTx(ctx, nil)
	tx.ExecContext(ctx, `INSERT INTO accounts VALUES ('alice', 100)`)
	id, _ := outbox.Enqueue(ctx, tx, outbox.Message{Aggregate: "alice", Topic: "accounts", Payload: []byte("opened")})
	tx.Commit()

	r := &outbox.Relay{DB: db, Publish: func(_ context.Context, m outbox.Message) error {
		fmt.Printf("published %d: %s %s\n", m.ID, m.Aggregate, m.Payload)
		return nil
	}}
	p, _ := r.Poll(ctx)
	fmt.Println("message", id, "claimed", p.Claimed, "published", p.Published)
	// Output:
	// published 1: alice opened
	// message 1 claimed 1 published 1
}

func ExampleReceive() {
	ctx := context.Background()
	db, _ := outbox.Open(outbox.Memory) // the consumer's own database
	defer db.Close()
	db.ExecContext(ctx, `CREATE TABLE emails (to_addr TEXT)`)

	m := outbox.Message{ID: 7, Aggregate: "alice", Topic: "accounts", Payload: []byte("opened")}
	for range 3 { // at-least-once delivery: the same message three times
		applied, _ := outbox.Receive(ctx, db, "welcome-mail", m, func(tx outbox.DBTX) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO emails VALUES ('alice@example.com')`)
			return err
		})
		fmt.Println("applied:", applied)
	}
	var n int
	db.QueryRowContext(ctx, `SELECT count(*) FROM emails`).Scan(&n)
	fmt.Println("emails queued:", n)
	// Output:
	// applied: true
	// applied: false
	// applied: false
	// emails queued: 1
}

func ExampleRelay_Backlog() {
	ctx := context.Background()
	now := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	db, _ := outbox.Open(outbox.Memory)
	defer db.Close()
	tx, _ := db.BeginTx(ctx, nil)
	outbox.Enqueue(ctx, tx, outbox.Message{Aggregate: "a", Topic: "t", Created: now})
	tx.Commit()

	r := &outbox.Relay{DB: db, Now: func() time.Time { return now.Add(45 * time.Second) }}
	b, _ := r.Backlog(ctx)
	fmt.Printf("%d pending, oldest %s\n", b.Pending, b.OldestAge)
	// Output:
	// 1 pending, oldest 45s
}
