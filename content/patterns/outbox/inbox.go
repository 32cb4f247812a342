package outbox

import (
	"context"
	"database/sql"
)

// DBTX is what a consumer's handler may do with the transaction Receive
// gives it: run statements, but not commit or roll back. *sql.Tx has these
// methods, and so do the query types sqlc generates (their New takes a
// DBTX), so generated queries can run inside the handler.
type DBTX interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Receive is the consumer's side, an idempotent receiver: in one
// transaction of the consumer's database db it records (consumer, m.ID) in
// the inbox table and runs apply. If that pair is already recorded, it
// runs nothing and returns false: the message is a duplicate. If apply
// fails, nothing is recorded, so a redelivery applies it again. The effect
// and the record commit together, which is the point: recording the id in
// one transaction and applying the effect in another leaves a window in
// which a crash loses the effect or doubles it.
//
// Message IDs are unique within one outbox, so a consumer fed by several
// outboxes uses a consumer name per source.
func Receive(ctx context.Context, db *sql.DB, consumer string, m Message, apply func(tx DBTX) error) (bool, error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx,
		`INSERT INTO inbox (consumer, message_id) VALUES (?, ?) ON CONFLICT DO NOTHING`, consumer, m.ID)
	if err != nil {
		return false, err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return false, err
	}
	if err := apply(tx); err != nil {
		return false, err
	}
	return true, tx.Commit()
}
