package engine

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Cancellation is cooperative and durable. Cancel records the request in
// the run's row (and its children's), and the executor holding the run
// learns of it at once in this process, or within a third of a lease in
// another (the renewal reads it). From then on, every step the workflow
// asks for that has no record ends at once with a recorded cancel event
// and a *StepError whose cause is ErrCancelled, and durable waits (Sleep,
// Recv, a retry's backoff) end early; a step already running finishes.
// Compensations (Saga) still run, so a workflow that undoes its work on a
// failed step undoes it on cancellation too. When the workflow returns,
// the run ends "cancelled". A deadline (RunOptions) works the same way,
// with ErrDeadline, by the workflow clock.

// ErrCancelled is the cause of the error a step returns once its run is
// being cancelled, and of the error of a cancelled run.
var ErrCancelled = errors.New("engine: run cancelled")

// ErrDeadline is ErrCancelled for a run that passed its deadline.
var ErrDeadline = fmt.Errorf("%w: deadline exceeded", ErrCancelled)

// ErrNoRun is returned for a run ID the database does not have.
var ErrNoRun = errors.New("engine: no such run")

// The reasons stored in the cancel column and in cancel events.
const (
	reasonCancelled = "cancelled"
	reasonDeadline  = "deadline"
)

// cancelError is the error of a cancellation reason.
func cancelError(reason string) error {
	if reason == reasonDeadline {
		return ErrDeadline
	}
	return ErrCancelled
}

// RunOptions are the options of one run.
type RunOptions struct {
	// Timeout, when positive, gives the run a deadline this long after it
	// starts, by the workflow clock (Options.Now); Deadline gives it as a
	// time. The earlier wins. The deadline is stored with the run, so it
	// holds across restarts, and a run past it is cancelled (ErrDeadline).
	// They apply only when the run is created.
	Timeout  time.Duration
	Deadline time.Time

	parent string // the run starting this one as its child
}

// deadline is the run's deadline for a run starting at now; zero: none.
func (o RunOptions) deadline(now time.Time) time.Time {
	d := o.Deadline
	if o.Timeout > 0 && (d.IsZero() || now.Add(o.Timeout).Before(d)) {
		d = now.Add(o.Timeout)
	}
	return d
}

// cancelTree marks a run and its descendants (child workflows) that have
// not ended as being cancelled, and wakes those parked at a timer so that
// recovery takes them at once.
const cancelTree = `WITH RECURSIVE tree(id) AS (
		SELECT ?1 UNION SELECT r.id FROM engine_runs r JOIN tree ON r.parent = tree.id)
	UPDATE engine_runs SET cancel = ?2, wake = NULL
	WHERE id IN (SELECT id FROM tree) AND status IN ('running', 'attention') AND cancel IS NULL
	RETURNING id`

// Cancel asks run id, and the child workflows it started, to stop: see
// the package documentation. It returns once the request is durable, not
// when the run has ended (Await waits for that). A run marked for
// attention keeps its mark, and cancels once resumed; one still in its
// queue ends cancelled at once, never started. Cancelling a run
// that has ended is an error; cancelling it twice is not.
func (e *Engine) Cancel(ctx context.Context, id string) error {
	var ids []string
	err := e.w.do(ctx, func(tx *sql.Tx) error {
		ids = ids[:0]
		var status string
		if err := tx.QueryRow(`SELECT status FROM engine_runs WHERE id = ?`, id).Scan(&status); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("%w: %s", ErrNoRun, id)
			}
			return err
		}
		if status == statusEnqueued { // never started: nothing to stop or undo
			_, err := tx.Exec(`UPDATE engine_runs SET status = 'cancelled', cancel = ?, error = ?, finished = ? WHERE id = ?`,
				reasonCancelled, ErrCancelled.Error(), e.opts.Now().UnixNano(), id)
			return err
		}
		if status != statusRunning && status != statusAttention {
			return fmt.Errorf("engine: run %s has already ended (%s)", id, status)
		}
		rows, err := tx.Query(cancelTree, id, reasonCancelled)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				return err
			}
			ids = append(ids, id)
		}
		return rows.Err()
	})
	if err != nil {
		return unavailable(err)
	}
	for _, id := range ids {
		e.live.cancel(id, reasonCancelled)
	}
	return nil
}

// live are the contexts of the runs executing in this engine, so that a
// cancellation reaches them at once.
type live struct {
	mu sync.Mutex
	m  map[string]*Context
}

func (l *live) add(c *Context) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.m == nil {
		l.m = make(map[string]*Context)
	}
	l.m[c.run.id] = c
}

func (l *live) remove(c *Context) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.m[c.run.id] == c {
		delete(l.m, c.run.id)
	}
}

func (l *live) cancel(id, reason string) {
	l.mu.Lock()
	c := l.m[id]
	l.mu.Unlock()
	if c != nil {
		c.requestCancel(reason)
	}
}

// cancelled reads which of the runs in ids are being cancelled, for the
// renewal, which passes them on to the runs executing here.
func (e *Engine) cancelled(ids []string) {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	q := `SELECT id, cancel FROM engine_runs WHERE cancel IS NOT NULL AND status = 'running' AND id IN (` +
		strings.Repeat("?, ", len(ids)-1) + "?)"
	rows, err := e.db.Query(q, args...)
	if err != nil {
		return // the next renewal reads again
	}
	defer rows.Close()
	for rows.Next() {
		var id, reason string
		if rows.Scan(&id, &reason) == nil {
			e.live.cancel(id, reason)
		}
	}
}

// cancelState is a Context's view of its run's cancellation.
type cancelState struct {
	requested atomic.Pointer[string] // Cancel's reason, once known here
	noticed   atomic.Pointer[string] // the reason a step was cancelled for: the run ends cancelled
	// waits ends when cancellation is requested, so that durable waits
	// end early; compensations wait on the run's own context.
	waits     context.Context
	stopWaits context.CancelFunc
}

// requestCancel tells a run it is being cancelled.
func (c *Context) requestCancel(reason string) {
	c.cancel.requested.CompareAndSwap(nil, &reason)
	if c.cancel.stopWaits != nil {
		c.cancel.stopWaits()
	}
}

// cancelReason is why the run is being cancelled, or "": Cancel's
// request, or its deadline passed. It reads the workflow clock only for
// a run with a deadline.
func (c *Context) cancelReason() string {
	if p := c.cancel.noticed.Load(); p != nil {
		return *p
	}
	if p := c.cancel.requested.Load(); p != nil {
		return *p
	}
	if !c.run.deadline.IsZero() && !c.engine.opts.Now().Before(c.run.deadline) {
		return reasonDeadline
	}
	return ""
}

// cancelAt records that step n (name) ends unrun because the run is
// being cancelled for reason, and returns the step's error.
func (c *Context) cancelAt(n int, name, reason string) error {
	if err := c.record(event{stepSeq: n, step: name, kind: kindCancel, failed: true, errMsg: reason}); err != nil {
		return err
	}
	return c.cancelledStep(name, reason)
}

// cancelledStep is the error of a step cancelled for reason; the run
// will end cancelled.
func (c *Context) cancelledStep(name, reason string) error {
	c.cancel.noticed.CompareAndSwap(nil, &reason)
	cause := cancelError(reason)
	return &StepError{Step: name, Msg: cause.Error(), Err: cause}
}

// outcome is the reason the run ends cancelled, or "".
func (c *Context) outcome() string {
	if p := c.cancel.noticed.Load(); p != nil {
		return *p
	}
	return ""
}

// errInterrupted ends a durable wait early: the run is being cancelled.
var errInterrupted = errors.New("engine: wait interrupted by cancellation")
