package engine

import (
	"context"
	"errors"
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

// recordLater numbers ev and keeps it as the pending record; it commits
// with the next record, at the next step's begin, or with the run's end.
func (c *Context) recordLater(ev event) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stop != nil {
		return c.stop
	}
	if err := c.flushLocked(c); err != nil {
		return err
	}
	ev.seq, ev.at = c.events, c.engine.opts.Now()
	c.events++
	c.pending = &ev
	return nil
}

// flush commits the pending record, if any.
func (c *Context) flush() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stop != nil {
		return c.stop
	}
	return c.flushLocked(c)
}

// flushLocked commits the pending record under c.mu, with ctx for the
// write; a record that cannot be written halts the run.
func (c *Context) flushLocked(ctx context.Context) error {
	ev := c.pending
	if ev == nil {
		return nil
	}
	c.pending = nil
	if err := c.fault(FaultBeforeCommit, ev.step); err != nil {
		c.stop = err
		return err
	}
	err := c.engine.durably(ctx, func() error {
		_, err := c.engine.w.append(ctx, c.run.id, c.engine.executor, ev, nil)
		return err
	})
	if err != nil {
		c.stop = err
		return err
	}
	c.engine.watch.publish(c.run.id, *ev)
	if err := c.fault(FaultAfterCommit, ev.step); err != nil {
		c.stop = err
		return err
	}
	return nil
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
// the pending record, if any, and then waits for the commit: the caller
// must not see an output whose last step could still be lost.
func (c *Context) end(ctx context.Context, out []byte, werr error) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stop != nil {
		return c.stop
	}
	last := c.pending
	c.pending = nil
	if last != nil {
		if err := c.fault(FaultBeforeCommit, last.step); err != nil {
			c.stop = err
			return err
		}
	}
	if err := c.engine.finish(ctx, c.run, out, werr, c.outcome(), last); err != nil {
		if !errors.Is(err, errLeaseLost) {
			c.stop = err
		}
		return err
	}
	if last != nil {
		c.engine.watch.publish(c.run.id, *last)
		if err := c.fault(FaultAfterCommit, last.step); err != nil {
			c.stop = err
			return err
		}
	}
	return nil
}
