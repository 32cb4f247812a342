package engine

import (
	"encoding/json"
	"fmt"
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
	out, werr := c.engine.RunWith(c, name, id, input, RunOptions{Deadline: c.run.deadline, parent: c.run.id})
	if err := c.fault(FaultAfterEffect, step); err != nil {
		return nil, c.halt(err)
	}
	if werr == nil {
		result, err := json.Marshal(out)
		if err != nil {
			return nil, err
		}
		return out, c.record(event{stepSeq: n, step: step, kind: kindDone, attempt: 1, result: result})
	}
	return nil, c.childFailed(n, step, id, werr)
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
