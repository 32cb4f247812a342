package engine

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
)

// Message is a message for SendStart.
type Message struct {
	Topic   string
	Payload []byte
	// Key, when not empty, is an idempotency key as SendOnce's: of the
	// messages sent to one run with one key, only the first is stored.
	Key string
}

// startUnowned creates a running run that nobody holds, so that the first
// executor to claim it (this one, Run anywhere, or recovery) executes it.
const startUnowned = `INSERT OR IGNORE INTO engine_runs (id, workflow, version, input, status, created) VALUES (?, ?, ?, ?, 'running', ?)`

// SendStart sends m to run id as Send does, and first creates the run, of
// workflow name with input, if the database has none by that ID, in the
// same transaction (Temporal's signal-with-start): the message cannot
// arrive before the run exists, and the run never starts without it. It
// returns once both are durable, not when the run ends (Await waits for
// that). A run that exists already only gets the message; it must be of
// workflow name and must not have ended.
//
// A run that SendStart creates is held by nobody: this engine starts it
// at once, in the background, if it registered workflow name (Close
// stops it, to be resumed), and otherwise Run, Recover or the recovery
// loop of an executor that did takes it. It records the version this
// engine registered name with, or none.
func (e *Engine) SendStart(ctx context.Context, name, id string, input []byte, m Message) error {
	reg, regErr := e.workflow(name)
	var created bool
	err := e.durably(ctx, func() error {
		return e.w.do(ctx, func(tx *sql.Tx) error {
			var err error
			if created, err = createOrCheck(tx, name, reg.version, id, input, e.opts.Now().UnixNano()); err != nil {
				return err
			}
			stored, err := store(tx, id, m.Topic, m.Key, m.Payload, e.opts.Now())
			if err != nil || stored {
				return err
			}
			return e.explainUnsent(tx, id, m.Key)
		})
	})
	if err != nil {
		return unavailable(err)
	}
	e.signals.notify(id)
	if created && regErr == nil {
		e.launch(e.background(), id, math.MaxInt64)
	}
	return nil
}

// createOrCheck creates run id unowned, or checks that the existing run
// id is of workflow name; it reports whether it created the run.
func createOrCheck(tx *sql.Tx, name, version, id string, input []byte, now int64) (bool, error) {
	res, err := tx.Exec(startUnowned, id, name, version, input, now)
	if err != nil {
		return false, err
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return true, nil
	}
	var workflow string
	if err := tx.QueryRow(`SELECT workflow FROM engine_runs WHERE id = ?`, id).Scan(&workflow); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			err = fmt.Errorf("%w: %s", ErrNoRun, id)
		}
		return false, err
	}
	if workflow != name {
		return false, fmt.Errorf("engine: run %s belongs to workflow %q, not %q", id, workflow, name)
	}
	return false, nil
}
