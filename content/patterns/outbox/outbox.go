// Package outbox implements the transactional outbox: a service writes its
// business change and the message announcing it in one local database
// transaction, and a relay publishes the message afterwards.
//
// The write side is one function. Inside the caller's transaction,
// Enqueue inserts a row into the outbox table; the row commits or rolls
// back with the business rows, so there is never a message for a change
// that did not happen, nor a committed change without its message:
//
//	tx, _ := db.BeginTx(ctx, nil)
//	tx.ExecContext(ctx, `INSERT INTO orders ...`)
//	outbox.Enqueue(ctx, tx, outbox.Message{Aggregate: "order-42", Topic: "orders", Payload: body})
//	tx.Commit()
//
// The read side is a Relay, a polling publisher. Each pass claims a batch
// of unsent rows with a lease, publishes them in id order and marks each
// one sent. A relay that dies between publishing a message and marking it
// leaves the row unsent; once the lease expires another relay publishes it
// again. Delivery is therefore at least once, never exactly once, and the
// consumer must be idempotent: Receive runs a handler and records the
// message id in one transaction of the consumer's own database, so a
// redelivered message has no second effect.
//
// Order is kept per aggregate (the Message.Aggregate key): a relay never
// publishes a message while an earlier message of the same aggregate is
// unsent, and relays never hold leases on the same aggregate at once, so
// several relays may run against one outbox. Across aggregates there is no
// order. A lease that expires while its relay is still publishing (a long
// pause) lets a second relay in: the lease must be longer than the longest
// pass.
//
// The tables live in SQLite (modernc.org/sqlite, pure Go); Open creates
// them. The SQL is plain enough to port: on PostgreSQL the claim would use
// SELECT ... FOR UPDATE SKIP LOCKED or the same lease columns.
package outbox

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// Memory is the path of a private in-memory database for Open.
const Memory = ":memory:"

// Message is one outgoing event, as stored in the outbox and as handed to
// the publisher.
type Message struct {
	// ID is the outbox row's id, assigned by Enqueue. IDs are unique within
	// one outbox and increase in commit order, since SQLite runs one
	// writer at a time. Consumers deduplicate on it.
	ID int64
	// Aggregate is the ordering key: the entity the event is about, such
	// as "order-42". Messages of one aggregate are published in ID order.
	Aggregate string
	// Topic is where the publisher sends the message.
	Topic string
	// Payload is the message body, passed through unchanged.
	Payload []byte
	// Created is when the message was enqueued; zero means time.Now().
	Created time.Time
	// Attempts counts the publish attempts that failed before this one;
	// the relay fills it in.
	Attempts int
}

// schema creates the outbox, on the producer's side, and the inbox, on the
// consumer's. The partial indexes hold only unsent rows, so the relay's
// scan costs the backlog, not the table: without them every pass reads
// every row ever sent.
const schema = `
CREATE TABLE IF NOT EXISTS outbox (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	aggregate   TEXT    NOT NULL,
	topic       TEXT    NOT NULL,
	payload     BLOB,
	created_at  INTEGER NOT NULL,
	attempts    INTEGER NOT NULL DEFAULT 0,
	last_error  TEXT,
	lease_owner TEXT,
	lease_until INTEGER,
	sent_at     INTEGER
);
CREATE INDEX IF NOT EXISTS outbox_pending ON outbox (id) WHERE sent_at IS NULL;
CREATE INDEX IF NOT EXISTS outbox_unsent ON outbox (aggregate, id) WHERE sent_at IS NULL;
CREATE TABLE IF NOT EXISTS inbox (
	consumer    TEXT    NOT NULL,
	message_id  INTEGER NOT NULL,
	PRIMARY KEY (consumer, message_id)
);
`

// Open opens the SQLite database at path (Memory for a private in-memory
// one) with a 5 s busy timeout, WAL for a file, and creates the outbox and
// inbox tables if they are missing. A Memory database is kept to one
// connection, since each connection to ":memory:" is a database of its own.
func Open(path string) (*sql.DB, error) {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(5000)")
	if path != Memory {
		q.Add("_pragma", "journal_mode(WAL)")
	}
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, err
	}
	if path == Memory {
		db.SetMaxOpenConns(1)
	}
	if err := Migrate(context.Background(), db); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// Migrate creates the outbox and inbox tables and their index in db if
// they do not exist. Open calls it; call it yourself for a database you
// opened another way.
func Migrate(ctx context.Context, db *sql.DB) error {
	_, err := db.ExecContext(ctx, schema)
	return err
}

// ErrNoAggregate is returned by Enqueue for a message without an Aggregate
// or a Topic.
var ErrNoAggregate = errors.New("outbox: message needs an Aggregate and a Topic")

// Enqueue inserts m into the outbox inside tx, the transaction that makes
// the business change, and returns the message's ID. It takes a *sql.Tx,
// not a connection, on purpose: the row must commit or roll back with the
// change it announces. Nothing is published until tx commits and a relay
// picks the row up.
func Enqueue(ctx context.Context, tx *sql.Tx, m Message) (int64, error) {
	if m.Aggregate == "" || m.Topic == "" {
		return 0, ErrNoAggregate
	}
	created := m.Created
	if created.IsZero() {
		created = time.Now()
	}
	res, err := tx.ExecContext(ctx,
		`INSERT INTO outbox (aggregate, topic, payload, created_at) VALUES (?, ?, ?, ?)`,
		m.Aggregate, m.Topic, m.Payload, created.UnixNano())
	if err != nil {
		return 0, fmt.Errorf("outbox: enqueue: %w", err)
	}
	return res.LastInsertId()
}

// Purge deletes the messages marked sent before the given time and returns
// how many it deleted. Sent rows are kept until then so that an operator
// can replay them; purge them on a schedule, or the table grows forever.
func Purge(ctx context.Context, db *sql.DB, before time.Time) (int64, error) {
	res, err := db.ExecContext(ctx, `DELETE FROM outbox WHERE sent_at IS NOT NULL AND sent_at < ?`, before.UnixNano())
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
