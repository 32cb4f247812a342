package engine

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
)

// Child runs workflow name with input as a child of this run, waits for
// it and returns its output, as a step named "child:" + name. The child's
// run ID is that step's idempotency key, so a replay, or a parent resumed
// after a crash, finds the same child and gets its recorded outcome
// instead of starting it again; a child left unfinished by a crash is
// resumed. The child inherits the parent's deadline, and Cancel of the
// parent cancels it: the step is then cancelled like any other. A
// child's failure (or cancellation of the child alone) is the step's
// failure; an end without an outcome (a storage failure, a crash) leaves
// the parent unfinished for recovery.
func Child(c *Context, name string, input []byte) ([]byte, error) {
	step := "child:" + name
	n := c.step
	c.step++
	_, done, err := c.begin(n, step, false)
	if err != nil {
		return nil, err
	}
	if done != nil {
		out, err := decode[[]byte](done)
		if err != nil {
			return nil, c.halt(&NonDeterminismError{RunID: c.run.id, Seq: n, Expected: step, Got: step, Reason: err.Error()})
		}
		return out, done.stepError()
	}
	id := fmt.Sprintf("%s/%d/%s", c.run.id, n, step)
	if c.bg != nil {
		return c.awaitChild(n, step, name, id, input)
	}
	out, werr := c.engine.RunWith(c, name, id, input, RunOptions{Deadline: c.run.deadline, parent: c.run.id})
	if err := c.fault(FaultAfterEffect, step); err != nil {
		return nil, c.halt(err)
	}
	if werr == nil {
		return c.childDone(n, step, out)
	}
	return nil, c.childFailed(n, step, id, werr)
}

// childDone records the output of a child that ended done.
func (c *Context) childDone(n int, step string, out []byte) ([]byte, error) {
	result, err := json.Marshal(out)
	if err != nil {
		return nil, err
	}
	return out, c.record(event{stepSeq: n, step: step, kind: kindDone, attempt: 1, result: result})
}

// awaitChild is Child in a run executing in the background (resumed by
// recovery, started by a queue or SendStart): rather than waiting in
// place, it creates the child if it does not exist, starts it in the same
// group, and parks, holding no goroutine, until the child's end wakes it
// (or its deadline does). The parent then replays to this step and
// records the child's outcome.
func (c *Context) awaitChild(n int, step, name, id string, input []byte) ([]byte, error) {
	child, err := c.engine.createChild(c, name, id, input, RunOptions{Deadline: c.run.deadline, parent: c.run.id})
	if err != nil {
		return nil, c.halt(unavailable(err))
	}
	if child.status == statusDone || child.status == statusFailed || child.status == statusCancelled {
		if err := c.fault(FaultAfterEffect, step); err != nil {
			return nil, c.halt(err)
		}
		out, werr := child.result()
		if werr == nil {
			return c.childDone(n, step, out)
		}
		return nil, c.childFailed(n, step, id, werr)
	}
	c.engine.launch(c.bg, id, math.MaxInt64)
	wake := forever
	if dl := c.run.deadline; !dl.IsZero() {
		wake = dl
	}
	return nil, c.halt(&parked{wake: wake, child: id})
}

// createChild creates run id, held by nobody, unless it exists, and
// returns it as stored.
func (e *Engine) createChild(ctx context.Context, name, id string, input []byte, opts RunOptions) (*run, error) {
	var version string
	if reg, err := e.workflow(name); err == nil {
		version = reg.version
	}
	var r *run
	err := e.durably(ctx, func() error {
		return e.w.do(ctx, func(tx *sql.Tx) error {
			now := e.opts.Now()
			_, err := e.w.exec(tx, insertRun, id, name, version, input, statusRunning, now.UnixNano(), nil, 0,
				nullTime(opts.deadline(now)), opts.parent)
			if err == nil {
				r, err = loadRun(tx, id)
			}
			return err
		})
	})
	if err == nil && r.workflow != name {
		return nil, fmt.Errorf("engine: run %s belongs to workflow %q, not %q", id, r.workflow, name)
	}
	return r, err
}

// childFailed records the end of a child that returned werr: cancelled
// with the parent when the parent is being cancelled, failed when the
// child ended failed or cancelled on its own, and nothing when the child
// has no outcome yet (the parent halts).
func (c *Context) childFailed(n int, step, id string, werr error) error {
	status, _, err := c.engine.Status(c, id)
	if err != nil {
		return c.halt(err)
	}
	if status != statusFailed && status != statusCancelled {
		return c.halt(werr)
	}
	if reason := c.cancelReason(); reason != "" && status == statusCancelled {
		return c.cancelAt(n, step, reason)
	}
	ev := event{stepSeq: n, step: step, kind: kindDone, attempt: 1, failed: true, errMsg: werr.Error()}
	if err := c.record(ev); err != nil {
		return err
	}
	return ev.stepError()
}
