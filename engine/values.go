package engine

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Published values: a workflow publishes a value under a key with
// SetEvent (its progress, a result others wait for before it ends), and
// anyone reads it with GetEvent, waiting until it is published. The value
// is written in the transaction of the step that records it, so it is
// published once, and a replay does not publish it again.

const (
	setValue = `INSERT INTO engine_values (run_id, key, value, seq) VALUES (?, ?, ?, ?)
		ON CONFLICT (run_id, key) DO UPDATE SET value = excluded.value, seq = excluded.seq`
	getValue = `SELECT value FROM engine_values WHERE run_id = ? AND key = ?`
)

// SetEvent, in a workflow, publishes value under key for GetEvent, as a
// step named "set:" + key. Setting a key again replaces its value.
func SetEvent(c *Context, key string, value []byte) error {
	name := "set:" + key
	n := c.step
	c.step++
	_, done, err := c.begin(n, name, false)
	if err != nil || done != nil {
		return err
	}
	_, err = c.recordWith(event{stepSeq: n, step: name, kind: kindDone, attempt: 1, result: []byte("true")},
		func(tx *sql.Tx, ev *event) (bool, error) {
			_, err := tx.Exec(setValue, c.run.id, key, value, ev.seq)
			return err == nil, err
		})
	if err == nil {
		c.engine.signals.notify(c.run.id)
	}
	return err
}

// GetEvent returns the value run runID published under key, waiting for
// up to timeout (wall-clock time; 0: not at all) for it to be published,
// or ctx to end. ok is false when it was not published in time. A value
// published by another process is found by polling, from 5 ms up to a
// second between reads. The run may start while GetEvent waits; if it
// still does not exist at the timeout, GetEvent returns ErrNoRun.
func (e *Engine) GetEvent(ctx context.Context, runID, key string, timeout time.Duration) (value []byte, ok bool, err error) {
	deadline := time.Now().Add(timeout)
	if err := e.w.sync(ctx); err != nil { // read this engine's writes
		return nil, false, err
	}
	for delay := 5 * time.Millisecond; ; delay = min(2*delay, time.Second) {
		value, ok, done, err := e.tryValue(ctx, runID, key, deadline, delay)
		if done {
			return value, ok, err
		}
	}
}

// tryValue is one round of GetEvent: it reads the value, gives up at
// deadline, or waits (for up to delay) for a publication. done reports
// that GetEvent returns (value, ok, err).
func (e *Engine) tryValue(ctx context.Context, runID, key string, deadline time.Time, delay time.Duration) (value []byte, ok, done bool, err error) {
	signal, stop := e.signals.wait(runID)
	defer stop()
	if value, ok, err := e.value(ctx, runID, key); err != nil || ok {
		return value, ok, true, err
	}
	left := time.Until(deadline)
	if left <= 0 {
		return nil, false, true, e.known(ctx, runID)
	}
	t := time.NewTimer(min(delay, left))
	defer t.Stop()
	select {
	case <-signal:
	case <-t.C:
	case <-ctx.Done():
		return nil, false, true, ctx.Err()
	}
	return nil, false, false, nil
}

// value reads a published value.
func (e *Engine) value(ctx context.Context, runID, key string) ([]byte, bool, error) {
	var v []byte
	err := e.db.QueryRowContext(ctx, getValue, runID, key).Scan(&v)
	if err == nil {
		return v, true, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return nil, false, err
	}
	return nil, false, nil
}

// known returns ErrNoRun if the database has no run runID.
func (e *Engine) known(ctx context.Context, runID string) error {
	var one int
	err := e.db.QueryRowContext(ctx, `SELECT 1 FROM engine_runs WHERE id = ?`, runID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%w: %s", ErrNoRun, runID)
	}
	return err
}
