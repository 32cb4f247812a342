package engine

import (
	"context"
	"errors"
)

// Observer hears of the executions of runs and steps as they happen, for
// traces and metrics: package engine/telemetry implements it with
// OpenTelemetry spans and Prometheus metrics. Set it in Options; nil (the
// default) observes nothing, at no cost. Its methods are called on the
// runs' goroutines, concurrently, and must return quickly.
type Observer interface {
	// Run is called when an execution of a run begins: its start, or its
	// resumption from the log (recovery, a takeover, a parked run woken,
	// Run of an unfinished ID). It returns the context the execution's
	// steps run under, and a function called once with how the execution
	// ended: "done", "failed" or "cancelled" when the run ended, "parked"
	// when it parked, and "interrupted" when it stopped without an outcome
	// (a crash, storage, a lost lease, a cancelled context), to resume.
	Run(ctx context.Context, x Execution) (context.Context, func(status string))
	// Step is called when a step of a run begins executing (not when a
	// replay returns its record). The step's function gets the returned
	// context; end is called once with how many attempts it made and its
	// error (nil: its result was recorded).
	Step(ctx context.Context, s StepInfo) (context.Context, func(attempts int, err error))
	// Incident counts an event that is not a run's own doing.
	Incident(kind Incident)
}

// Execution describes an execution of a run to an Observer.
type Execution struct {
	ID, Workflow string
	Resumed      bool // it replays a recorded log: a recovery
}

// StepInfo describes a step to an Observer.
type StepInfo struct {
	RunID, Workflow, Step string
	Seq                   int // the step's number in the run
}

// Incident is a kind of event an Observer counts.
type Incident string

// The incidents.
const (
	// IncidentTakeover: this executor took a run over from an owner that
	// did not let go of it (a crash, a lost lease).
	IncidentTakeover Incident = "takeover"
	// IncidentStorage: a write transaction failed for a storage condition
	// that may pass (see ErrUnavailable); its writes are retried.
	IncidentStorage Incident = "storage"
)

// observeRun starts observing an execution of r, if an Observer is set;
// end takes the execution's error.
func (e *Engine) observeRun(ctx context.Context, r *run, resumed bool) (context.Context, func(error)) {
	o := e.opts.Observer
	if o == nil {
		return ctx, func(error) {}
	}
	ctx, end := o.Run(ctx, Execution{ID: r.id, Workflow: r.workflow, Resumed: resumed})
	return ctx, func(err error) { end(executionStatus(err)) }
}

// executionStatus names how an execution that returned err ended, for an
// Observer.
func executionStatus(err error) string {
	switch {
	case err == nil:
		return statusDone
	case errors.Is(err, errParked), errors.Is(err, errWoken):
		return "parked"
	case errors.Is(err, errLeaseLost):
		return "interrupted"
	case errors.Is(err, ErrCancelled):
		return statusCancelled
	case ended(err):
		return statusFailed
	}
	return "interrupted"
}

// observeStep starts observing step n of c's run, if an Observer is set;
// end takes the attempts made and the step's error.
func (c *Context) observeStep(n int, name string) (context.Context, func(int, error)) {
	o := c.engine.opts.Observer
	if o == nil {
		return c, func(int, error) {}
	}
	return o.Step(c, StepInfo{RunID: c.run.id, Workflow: c.run.workflow, Step: name, Seq: n})
}

// incident reports an incident to the Observer, if any.
func (e *Engine) incident(kind Incident) {
	if o := e.opts.Observer; o != nil {
		o.Incident(kind)
	}
}
