package engine

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"runtime/debug"
	"sync"
	"time"
)

// RetryPolicy retries a failing step with exponential backoff. Every wait
// is a durable timer: its wake-up time is recorded before waiting, so a
// run that crashes during a backoff resumes with the remaining delay.
type RetryPolicy struct {
	MaxAttempts int           // attempts in total; 0 or 1: no retry
	Initial     time.Duration // first delay; default 100 ms
	Coefficient float64       // growth per attempt; default 2.0
	Max         time.Duration // cap on one delay; default 1 minute
	NoJitter    bool          // jitter (a delay in [d/2, d]) is on by default
	// Permanent reports errors not worth retrying. Errors wrapped with
	// Permanent are always permanent.
	Permanent func(error) bool
}

// delay is the wait before attempt n+1 after attempt n failed with err.
func (p RetryPolicy) delay(n int, err error, random func(int64) int64) time.Duration {
	d := p.Initial
	if d <= 0 {
		d = 100 * time.Millisecond
	}
	coeff := p.Coefficient
	if coeff < 1 {
		coeff = 2
	}
	limit := p.Max
	if limit <= 0 {
		limit = time.Minute
	}
	for i := 1; i < n && d < limit; i++ {
		d = time.Duration(float64(d) * coeff)
	}
	d = min(d, limit)
	if !p.NoJitter {
		d = d/2 + time.Duration(random(int64(d/2)+1))
	}
	var ra *retryAfter
	if errors.As(err, &ra) && ra.d > d {
		d = ra.d
	}
	return d
}

func (p RetryPolicy) permanent(err error) bool {
	var pe permanentError
	return errors.As(err, &pe) || (p.Permanent != nil && p.Permanent(err))
}

// StepOptions configure one step.
type StepOptions struct {
	Retry   RetryPolicy
	Timeout time.Duration // per attempt; 0: none

	compensation bool // runs even when the run is being cancelled (Saga's undos)
	branch       bool // a Parallel branch: records at once, not later
}

type permanentError struct{ error }

func (e permanentError) Unwrap() error { return e.error }

// Permanent marks a step error as not worth retrying.
func Permanent(err error) error { return permanentError{err} }

type retryAfter struct {
	error
	d time.Duration
}

func (e *retryAfter) Unwrap() error { return e.error }

// RetryAfter asks for the next attempt no sooner than d.
func RetryAfter(err error, d time.Duration) error { return &retryAfter{err, d} }

// StepError is a step's recorded failure, returned again on replay. A
// step that did not run because its run is being cancelled has Err
// ErrCancelled (or ErrDeadline) and no attempts.
type StepError struct {
	Step     string
	Attempts int
	Msg      string
	Err      error // the cause, when the engine knows it; nil for the step's own errors
}

func (e *StepError) Error() string { return e.Step + ": " + e.Msg }

func (e *StepError) Unwrap() error { return e.Err }

// Step runs fn once per run and checkpoints its result; on replay it
// returns the recorded result without calling fn. key is the step's stable
// idempotency key. T must round-trip through encoding/json.
func Step[T any](c *Context, name string, fn func(ctx context.Context, key string) (T, error)) (T, error) {
	return StepWith(c, name, StepOptions{}, fn)
}

// StepWith is Step with a retry policy and a per-attempt timeout.
func StepWith[T any](c *Context, name string, opts StepOptions, fn func(ctx context.Context, key string) (T, error)) (T, error) {
	n := c.step
	c.step++
	return stepAt(c, n, name, opts, fn)
}

// stepAt runs step number n.
func stepAt[T any](c *Context, n int, name string, opts StepOptions, fn func(ctx context.Context, key string) (T, error)) (_ T, err error) {
	var zero T
	past, done, err := c.begin(n, name, opts.compensation)
	if err != nil {
		return zero, err
	}
	if done != nil {
		v, err := decode[T](done)
		if err != nil {
			return v, c.halt(&NonDeterminismError{RunID: c.run.id, Seq: n, Expected: name, Got: name, Reason: err.Error()})
		}
		return v, done.stepError()
	}
	interruptible := !opts.compensation
	attempt := 1 + count(past, kindRetry)
	ctx, observed := c.observeStep(n, name)
	defer func() { observed(attempt, err) }()
	if r := last(past, kindRetry); r != nil {
		if err := c.sleepUntil(r.wake, interruptible); err != nil {
			return zero, c.interrupted(n, name, err)
		}
	}
	key := fmt.Sprintf("%s/%d/%s", c.run.id, n, name)
	if mock, ok := c.engine.opts.Mocks[name]; ok {
		fn = mocked[T](mock)
	}
	for ; ; attempt++ {
		v, err := attemptT(ctx, opts.Timeout, func(ctx context.Context) (T, error) { return fn(ctx, key) })
		if ferr := c.fault(FaultAfterEffect, name); ferr != nil {
			return zero, c.halt(ferr)
		}
		switch {
		case err == nil:
			result, merr := json.Marshal(v)
			if merr != nil {
				return zero, fmt.Errorf("engine: step %s: result is not JSON: %w", name, merr)
			}
			return v, c.recordDone(event{stepSeq: n, step: name, kind: kindDone, attempt: attempt, result: result}, opts)
		case c.Err() != nil:
			return zero, err // cancelled, not failed: record nothing
		case attempt >= opts.Retry.MaxAttempts || opts.Retry.permanent(err):
			ev := event{stepSeq: n, step: name, kind: kindDone, attempt: attempt, failed: true, errMsg: err.Error()}
			if rerr := c.recordDone(ev, opts); rerr != nil {
				return zero, rerr
			}
			return zero, &StepError{Step: name, Attempts: attempt, Msg: err.Error()}
		}
		delay := opts.Retry.delay(attempt, err, c.engine.opts.Rand)
		retry := event{stepSeq: n, step: name, kind: kindRetry, attempt: attempt, failed: true, errMsg: err.Error(),
			wake: c.engine.opts.Now().Add(delay)}
		if rerr := c.recordRetry(retry, delay, opts); rerr != nil {
			return zero, rerr
		}
		wake := retry.wake
		if err := c.sleepUntil(wake, interruptible); err != nil {
			return zero, c.interrupted(n, name, err)
		}
	}
}

// recordRetry records a failed attempt and its wake-up time: with the
// step's outcome when the backoff is short (see pending.go), at once when
// it is a durable timer, or in a Parallel branch.
func (c *Context) recordRetry(ev event, delay time.Duration, opts StepOptions) error {
	if opts.branch || delay > shortBackoff || c.park && delay > c.engine.opts.ParkAfter {
		return c.record(ev)
	}
	return c.recordLater(ev)
}

// recordDone records a step's done event: later (see pending.go), but at
// once for a Parallel branch.
func (c *Context) recordDone(ev event, opts StepOptions) error {
	if opts.branch {
		return c.record(ev)
	}
	return c.recordLater(ev)
}

// interrupted turns a wait of step n that cancellation ended into the
// step's cancellation; other errors pass.
func (c *Context) interrupted(n int, name string, err error) error {
	if errors.Is(err, errInterrupted) {
		return c.cancelAt(n, name, c.cancelReason())
	}
	return err
}

// Sleep pauses the workflow for d, durably: the wake-up time is recorded
// first, so a run resumed after a crash sleeps only what remains.
func Sleep(c *Context, name string, d time.Duration) error {
	n := c.step
	c.step++
	past, done, err := c.begin(n, name, false)
	if err != nil || done != nil {
		return err
	}
	var wake time.Time
	if t := last(past, kindTimer); t != nil {
		wake = t.wake
	} else {
		wake = c.engine.opts.Now().Add(d)
		if err := c.record(event{stepSeq: n, step: name, kind: kindTimer, wake: wake}); err != nil {
			return err
		}
	}
	if err := c.sleepUntil(wake, true); err != nil {
		return c.interrupted(n, name, err)
	}
	return c.record(event{stepSeq: n, step: name, kind: kindDone, result: []byte("null")})
}

// begin checks step n (name) before it runs. It returns the step's
// recorded events and its done event when the history settles it (to be
// returned as recorded), or the error the step ends with at once: the
// run stopped, the history has another step here, the step was (or now
// is) cancelled, or a replay reached the end of the history. A
// compensation runs even when the run is being cancelled.
func (c *Context) begin(n int, name string, compensation bool) (past []event, done *event, err error) {
	if err := c.flush(); err != nil { // the previous step's record, before this step's effect
		return nil, nil, err
	}
	if past, err = c.past(n, name); err != nil {
		return nil, nil, err
	}
	if done := last(past, kindDone); done != nil {
		return past, done, nil
	}
	if ev := last(past, kindCancel); ev != nil {
		return nil, nil, c.cancelledStep(name, ev.errMsg)
	}
	if c.replayOnly {
		return nil, nil, errHistoryEnd
	}
	if reason := c.cancelReason(); !compensation && reason != "" {
		return nil, nil, c.cancelAt(n, name, reason)
	}
	return past, nil, nil
}

// past returns the recorded events of step n, checking that the history
// has the same step there.
func (c *Context) past(n int, name string) ([]event, error) {
	past := c.history[n]
	if len(past) > 0 && past[0].step != name {
		return nil, c.halt(&NonDeterminismError{RunID: c.run.id, Seq: n, Expected: past[0].step, Got: name})
	}
	return past, nil
}

// Parallel runs n branches of one step concurrently (fan-out) and returns
// their results in branch order (fan-in). Branch i is step name[i], with
// its own record, retries and idempotency key; the step numbers are
// reserved up front, so replay finds each branch's record whatever order
// the branches completed in. The error joins the branches' errors.
func Parallel[T any](c *Context, name string, n int, opts StepOptions, fn func(ctx context.Context, i int, key string) (T, error)) ([]T, error) {
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("%s[%d]", name, i)
	}
	return parallel(c, names, func(int) StepOptions { return opts }, fn)
}

// parallel runs one step per name concurrently, numbered in name order.
func parallel[T any](c *Context, names []string, opts func(i int) StepOptions, fn func(ctx context.Context, i int, key string) (T, error)) ([]T, error) {
	base := c.step
	c.step += len(names)
	results := make([]T, len(names))
	errs := make([]error, len(names))
	var wg sync.WaitGroup
	for i, name := range names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			o := opts(i)
			o.branch = true
			results[i], errs[i] = stepAt(c, base+i, name, o,
				func(ctx context.Context, key string) (T, error) { return fn(ctx, i, key) })
		}()
	}
	wg.Wait()
	return results, errors.Join(errs...)
}

// attemptT runs one attempt under the per-attempt timeout. A panic in fn
// is the attempt's error, a *PanicError.
func attemptT[T any](ctx context.Context, timeout time.Duration, fn func(context.Context) (T, error)) (v T, err error) {
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	defer catch(&err)
	return fn(ctx)
}

// PanicError is a panic in a step or a workflow, with the stack of the
// goroutine that panicked. A panic in a step is that attempt's error
// (retried and recorded like any other); a panic in the workflow's own
// code leaves the run unfinished, for fixed code to resume.
type PanicError struct {
	Value any
	Stack string
}

func (e *PanicError) Error() string { return fmt.Sprintf("panic: %v\n\n%s", e.Value, e.Stack) }

// catch turns a panic into *err; call it deferred.
func catch(err *error) {
	if v := recover(); v != nil {
		*err = &PanicError{Value: v, Stack: string(debug.Stack())}
	}
}

// record appends an event to the log and waits for its commit. Parallel
// branches record one at a time, so event numbers have no gaps. A record
// that cannot be written halts the run: no later step runs.
func (c *Context) record(ev event) error {
	_, err := c.recordWith(ev, nil)
	return err
}

// recordWith is record with writes of its own in the event's transaction
// (see writer.append): it reports false, having written nothing, when
// with found nothing to record.
func (c *Context) recordWith(ev event, with func(*sql.Tx, *event) (bool, error)) (bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stop != nil {
		return false, c.stop
	}
	if err := c.flushLocked(c); err != nil {
		return false, err
	}
	ev.seq, ev.at = c.events, c.engine.opts.Now()
	if err := c.fault(FaultBeforeCommit, ev.step); err != nil {
		c.stop = err
		return false, err
	}
	var recorded bool
	err := c.engine.durably(c, func() (err error) {
		recorded, err = c.engine.w.append(c, c.run.id, c.engine.executor, &ev, with)
		return err
	})
	if err != nil {
		c.stop = err
		return false, err
	}
	if !recorded {
		return false, nil
	}
	c.events++
	c.engine.watch.publish(c.run.id, ev)
	if err := c.fault(FaultAfterCommit, ev.step); err != nil {
		c.stop = err
		return true, err
	}
	return true, nil
}

// fault calls the fault hook, if any, and turns its verdict into ErrCrashed.
func (c *Context) fault(point FaultPoint, step string) error {
	if h := c.engine.opts.Fault; h != nil {
		if err := h(point, c.run.id, step); err != nil {
			return fmt.Errorf("%w at %s of %s: %v", ErrCrashed, point, step, err)
		}
	}
	return nil
}

// sleepUntil waits for a durable timer, or parks the run when it was
// resumed by recovery and the timer is due after Options.ParkAfter. An
// interruptible wait also ends at the run's deadline, or when the run is
// cancelled, with errInterrupted.
func (c *Context) sleepUntil(wake time.Time, interruptible bool) error {
	until := wake
	if dl := c.run.deadline; interruptible && !dl.IsZero() && dl.Before(until) {
		until = dl
	}
	d := until.Sub(c.engine.opts.Now())
	switch {
	case d <= 0:
	case c.park && d > c.engine.opts.ParkAfter:
		return c.halt(&parked{wake: until})
	case !interruptible:
		return c.engine.opts.Sleep(c, d)
	default:
		if err := c.engine.opts.Sleep(c.cancel.waits, d); err != nil && c.Err() != nil {
			return err
		}
	}
	if interruptible && c.cancelReason() != "" {
		return errInterrupted
	}
	return nil
}

// parked stops a run that waits for a timer due at wake, without a
// goroutine: execute records wake and lets go of the run. A run parked
// in Recv (recv) is not parked if a message of topic is pending, nor one
// waiting for a child if the child has ended.
type parked struct {
	wake  time.Time
	topic string
	recv  bool
	child string // the child run it waits for
}

func (p *parked) Error() string { return "engine: run parked until " + p.wake.Format(time.RFC3339) }

// errParked is what execute returns for a parked run.
var errParked = errors.New("engine: run parked at a durable timer")

// errParkedChild is errParked for a run that waits for its child.
var errParkedChild = fmt.Errorf("%w: waiting for a child", errParked)

// errWoken is what execute returns for a run that was to park, but what
// it waits for came while it was parking: it is to run again at once.
var errWoken = errors.New("engine: run woken while parking")

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// decode returns a step's recorded result as a T. The result must decode
// strictly: a different type, or an object with a field T no longer has,
// means the code changed under the run.
func decode[T any](ev *event) (T, error) {
	var v T
	if ev.failed {
		return v, nil
	}
	d := json.NewDecoder(bytes.NewReader(ev.result))
	d.DisallowUnknownFields()
	if err := d.Decode(&v); err != nil {
		return v, fmt.Errorf("the recorded result %s does not decode into %T: %w", ev.result, v, err)
	}
	return v, nil
}

// stepError is the recorded failure of a done event, or nil.
func (ev *event) stepError() error {
	if !ev.failed {
		return nil
	}
	return &StepError{Step: ev.step, Attempts: ev.attempt, Msg: ev.errMsg}
}

func byStep(evs []event) map[int][]event {
	m := make(map[int][]event)
	for _, ev := range evs {
		m[ev.stepSeq] = append(m[ev.stepSeq], ev)
	}
	return m
}

func last(evs []event, kind string) *event {
	for i := len(evs) - 1; i >= 0; i-- {
		if evs[i].kind == kind {
			return &evs[i]
		}
	}
	return nil
}

func count(evs []event, kind string) int {
	n := 0
	for _, ev := range evs {
		if ev.kind == kind {
			n++
		}
	}
	return n
}

// Patched reports whether the workflow runs the code of patch name, so
// that a workflow can change while runs of the old code are in flight:
//
//	if engine.Patched(c, "fraud-check") {
//		// new step, only in runs that reach this point with the new code
//	}
//
// A run that reaches this point with the new code records a marker and
// gets true, on replay too. A run whose history already has another step
// here (it ran this part with the old code) gets false, and no step
// number is used, so its replay stays deterministic.
func Patched(c *Context, name string) bool {
	marker := "patch:" + name
	past := c.history[c.step]
	if len(past) > 0 && past[0].step != marker {
		return false
	}
	n := c.step
	c.step++
	if len(past) > 0 || c.replayOnly {
		return len(past) > 0
	}
	return c.record(event{stepSeq: n, step: marker, kind: kindDone, result: []byte("true")}) == nil
}

// mocked adapts a mock to a step function of type T.
func mocked[T any](mock func(context.Context, string) (any, error)) func(context.Context, string) (T, error) {
	return func(ctx context.Context, key string) (T, error) {
		var v T
		out, err := mock(ctx, key)
		if err != nil {
			return v, err
		}
		b, err := json.Marshal(out)
		if err == nil {
			err = json.Unmarshal(b, &v)
		}
		return v, err
	}
}
