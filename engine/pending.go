package engine

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// A step's record need not be durable when the step returns, only before
// anything that depends on it happens: the next step (whose effect must
// not run before the previous step's record survives a crash) or the
// run's end (which the caller sees). So a step's done event waits in
// Context.pending until the next step begins or the next event is
// recorded, which commit it first, or until the run ends, whose
// transaction then holds it: the last step's record and the run's end
// take one commit instead of two. A crash before that commit loses the
// record, as a crash between the effect and its commit always could: the
// step runs again, with the same idempotency key, and nothing after it
// had run. Parallel branches record at once (their order is not the
// event order).
//
// A failed attempt whose backoff is short (shortBackoff) waits there
// too, and commits with the step's outcome: its record only makes the
// wait durable, and a wait that short is not worth a commit. A crash
// before that commit loses the failed attempt and its wake-up time: the
// attempt runs again at once, with the same key, as an attempt whose
// effect was not yet recorded always could. A longer backoff is recorded
// at once, a durable timer (and may park the run).

// shortBackoff is the longest retry backoff that is not made durable on
// its own (see above).
const shortBackoff = 100 * time.Millisecond

// recordLater numbers ev and keeps it pending; it commits with the next
// record, at the next step's begin, or with the run's end.
func (c *Context) recordLater(ev event) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stop != nil {
		return c.stop
	}
	ev.seq, ev.at = c.events, c.engine.opts.Now()
	c.events++
	c.pending = append(c.pending, ev)
	return nil
}

// flush commits the pending records, if any.
func (c *Context) flush() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stop != nil {
		return c.stop
	}
	return c.flushLocked(c)
}

// flushLocked commits the pending records in one transaction under c.mu,
// with ctx for the write; records that cannot be written halt the run.
func (c *Context) flushLocked(ctx context.Context) error {
	evs := c.pending
	if len(evs) == 0 {
		return nil
	}
	c.pending = nil
	if err := c.faults(FaultBeforeCommit, evs); err != nil {
		return err
	}
	err := c.engine.durably(ctx, func() error {
		return c.engine.w.do(ctx, func(tx *sql.Tx) error { return c.engine.w.appendAll(tx, c.run.id, c.engine.executor, evs) })
	})
	if err != nil {
		c.stop = err
		return err
	}
	return c.committed(evs)
}

// faults runs the fault hook at point for each of evs, in order; a fault
// halts the run.
func (c *Context) faults(point FaultPoint, evs []event) error {
	for _, ev := range evs {
		if err := c.fault(point, ev.step); err != nil {
			c.stop = err
			return err
		}
	}
	return nil
}

// committed publishes evs, just committed, to the run's watchers, and runs
// the after-commit fault hook for each.
func (c *Context) committed(evs []event) error {
	for _, ev := range evs {
		c.engine.watch.publish(c.run.id, ev)
	}
	return c.faults(FaultAfterCommit, evs)
}

// flushLeaving commits the pending record of a run that stops without
// an outcome but not because it died (its context ended, the workflow
// panicked), so that the step it has done is not done again.
func (c *Context) flushLeaving(ctx context.Context) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stop == nil {
		c.flushLocked(context.WithoutCancel(ctx))
	}
}

// end records the run's end (see Engine.finish) in one transaction with
// the pending records, if any, and then waits for the commit: the caller
// must not see an output whose last step could still be lost.
func (c *Context) end(ctx context.Context, out []byte, werr error) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stop != nil {
		return c.stop
	}
	last := c.pending
	c.pending = nil
	if err := c.faults(FaultBeforeCommit, last); err != nil {
		return err
	}
	if err := c.engine.finish(ctx, c.run, out, werr, c.outcome(), last); err != nil {
		if !errors.Is(err, errLeaseLost) {
			c.stop = err
		}
		return err
	}
	return c.committed(last)
}
