package engine

import (
	"context"
	"errors"
	"math"
	"sync"
)

// background is a group of executions that nobody waits for in place:
// the runs Recover resumes (its caller waits for the group), and those
// the recovery loop, a queue or SendStart starts (Close waits for them).
// A run executing in one parks at long waits instead of holding its
// goroutine, and the executions it leads to, the child it waits for and
// its parent once it ends, join the same group.
type background struct {
	ctx  context.Context
	wg   *sync.WaitGroup
	fail func(error) // hears the executions' errors; nil: nobody does
}

// background is the engine's own group, which Close stops and waits for.
func (e *Engine) background() *background {
	return &background{ctx: e.loop.ctx, wg: &e.loop.runs}
}

// launch claims run id, unless it is executing here already, is held
// elsewhere or is parked until after wakeBy, and executes it in bg. It
// reports whether it did.
func (e *Engine) launch(bg *background, id string, wakeBy int64) bool {
	r, ok := e.take(bg.ctx, id, wakeBy, bg.report)
	if !ok {
		return false
	}
	reg, err := e.workflow(r.workflow)
	if err != nil { // left for an executor that has the workflow
		e.release(id, nil)
		e.flights.end(id)
		bg.report(err)
		return false
	}
	e.spawn(bg, reg.wf, r)
	return true
}

// spawn executes run r, whose flight this engine holds, in bg.
func (e *Engine) spawn(bg *background, wf Workflow, r *run) {
	bg.wg.Add(1)
	e.w.active.Add(1)
	go func() {
		defer bg.wg.Done()
		defer e.w.active.Add(-1)
		_, err := e.execute(bg.ctx, wf, r, bg)
		e.flights.end(r.id)
		e.after(bg, r, err)
	}()
}

// after follows the execution of run r in bg that ended with err: a run
// woken while it parked runs again at once, and a child that ended wakes
// its parent, parked until then (or, in another process, left for that
// process's recovery).
func (e *Engine) after(bg *background, r *run, err error) {
	switch {
	case errors.Is(err, errWoken):
		e.launch(bg, r.id, math.MaxInt64)
		return
	case errors.Is(err, errParkedChild):
		// The child's end may have come between the park and the end of
		// this flight, and found the flight busy: then it is up to us.
		e.launch(bg, r.id, math.MinInt64)
		return
	case errors.Is(err, errLeaseLost), errors.Is(err, errParked):
		return
	case err != nil && !errors.Is(err, ErrCancelled): // a cancelled run is no error
		bg.report(err)
		if !ended(err) {
			return
		}
	}
	if r.parent != "" {
		e.launch(bg, r.parent, math.MinInt64) // only if the end woke it
	}
}

// ended reports whether an execution's error is the run's outcome (the
// workflow's error, recorded), not a reason it stopped short of one.
func ended(err error) bool {
	var nd *NonDeterminismError
	var pe *PanicError
	return !errors.As(err, &nd) && !errors.As(err, &pe) && !errors.Is(err, ErrCrashed) &&
		!errors.Is(err, ErrUnavailable) && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded)
}

func (bg *background) report(err error) {
	if bg.fail != nil && err != nil {
		bg.fail(err)
	}
}
