// Package workerpool bounds how many jobs run at once: a fixed set of
// worker goroutines reads jobs from one channel, so never more than
// Options.Workers jobs are in flight, however fast they are submitted.
//
// Two forms cover the usual needs:
//
//   - Map applies a function to every element of a slice with at most n
//     goroutines, returns the results in input order, and stops at the first
//     error. It returns only after every goroutine it started has exited.
//
//   - Pool is long-lived: Submit hands it jobs (blocking while its queue is
//     full, which is backpressure), workers run them in arrival order, and
//     Options.Done reports the outcome of every accepted job exactly once:
//     nil, the job's error, a *PanicError, or ErrSkipped when the pool was
//     stopped before the job started. Wait closes the pool, lets the workers
//     drain the queue and returns after all of them have exited; Stop
//     cancels the jobs' context and skips the queue; Shutdown drains until a
//     deadline and then stops.
//
//     p := workerpool.New(workerpool.Options{Workers: 8, Queue: 64})
//     for _, u := range urls {
//     if _, err := p.Submit(ctx, func(ctx context.Context) error { return fetch(ctx, u) }); err != nil {
//     break // the pool was stopped, or ctx ended while the queue was full
//     }
//     }
//     err := p.Wait() // the first job error, after every worker has exited
//
// A panic in a job is recovered in the worker, reported as a *PanicError
// with the stack, and the worker goes on with the next job, so the pool
// keeps its width. All methods of Pool are safe for concurrent use.
//
// The package neither reads the clock nor sleeps; the time a job takes is
// the job's business, and its ctx is how the pool asks it to stop.
package workerpool

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"runtime/debug"
	"sync"
)

// ErrClosed is returned by Submit after Close, Wait or Shutdown.
var ErrClosed = errors.New("workerpool: pool closed")

// ErrSkipped is reported to Options.Done for an accepted job that never
// started because the pool was stopped; errors.Is(err, ErrSkipped) holds,
// and the error also wraps the cause given to Stop.
var ErrSkipped = errors.New("workerpool: job skipped")

// ErrStopped is the cause Stop uses when it is given none.
var ErrStopped = errors.New("workerpool: pool stopped")

// Job is one unit of work. It should return soon after ctx is done.
type Job func(ctx context.Context) error

// DefaultWorkers is the number of workers for Options.Workers <= 0: one per
// processor Go may use at once, the right width for CPU-bound jobs.
func DefaultWorkers() int { return runtime.GOMAXPROCS(0) }

// Options configures a Pool. The zero value is a pool of DefaultWorkers
// workers with no queue: Submit waits until a worker takes the job.
type Options struct {
	// Workers is the number of worker goroutines, the bound on jobs in
	// flight. 0 or less means DefaultWorkers().
	Workers int
	// Queue is how many accepted jobs may wait for a worker; Submit blocks
	// while it is full. 0 means none.
	Queue int
	// FailFast stops the pool at the first job that fails (an error or a
	// panic): the jobs' context is cancelled with that error as its cause,
	// and queued jobs are skipped.
	FailFast bool
	// Done, if set, is called once for every accepted job, from a worker
	// goroutine, with the id Submit returned and the outcome: nil, the
	// job's error, a *PanicError, or an error wrapping ErrSkipped. It must
	// be safe for concurrent use.
	Done func(id uint64, err error)
}

// Stats is a snapshot of a pool, for metrics.
type Stats struct {
	Workers   int    // worker goroutines that have not exited
	Running   int    // jobs being run now
	Queued    int    // jobs accepted, or being handed over by Submit, that wait for a worker
	Submitted uint64 // jobs accepted by Submit
	Succeeded uint64 // jobs that returned nil
	Failed    uint64 // jobs that returned an error or panicked
	Panicked  uint64 // of Failed, the jobs that panicked
	Skipped   uint64 // accepted jobs never started because the pool stopped
}

// PanicError is the outcome of a job that panicked.
type PanicError struct {
	Value any    // the value passed to panic
	Stack []byte // the worker's stack when it recovered
}

func (e *PanicError) Error() string { return fmt.Sprintf("workerpool: job panicked: %v", e.Value) }

// Unwrap returns the panic value if it is an error, so errors.Is sees it.
func (e *PanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}

type task struct {
	id  uint64
	job Job
}

// Pool runs submitted jobs on a fixed number of worker goroutines.
type Pool struct {
	opts   Options
	tasks  chan task
	ctx    context.Context // the jobs' context, cancelled by Stop
	cancel context.CancelCauseFunc
	exited chan struct{} // closed when the last worker has exited

	intake sync.RWMutex // Submit holds it shared while sending; Close exclusively
	closed bool

	mu     sync.Mutex
	stats  Stats
	nextID uint64
	first  error // the first job failure, returned by Wait
}

// New starts a pool's workers. Call Wait, Shutdown or Stop and Wait when
// done with it, or its goroutines stay blocked.
func New(opts Options) *Pool {
	if opts.Workers <= 0 {
		opts.Workers = DefaultWorkers()
	}
	opts.Queue = max(opts.Queue, 0)
	ctx, cancel := context.WithCancelCause(context.Background())
	p := &Pool{opts: opts, tasks: make(chan task, opts.Queue), ctx: ctx, cancel: cancel, exited: make(chan struct{})}
	p.stats.Workers = opts.Workers
	var wg sync.WaitGroup
	for range opts.Workers {
		wg.Go(p.work)
	}
	go func() {
		wg.Wait()
		close(p.exited)
	}()
	return p
}

// Submit hands job to the pool and returns its id. It blocks while the
// queue is full and no worker is free. It returns ErrClosed after Close,
// the stop cause once the pool is stopped, or ctx.Err() if ctx ends first;
// in all three cases the job was not accepted and Done is not called for
// it. An accepted job runs under the pool's context, not under ctx.
func (p *Pool) Submit(ctx context.Context, job Job) (uint64, error) {
	p.intake.RLock()
	defer p.intake.RUnlock()
	if p.closed {
		return 0, ErrClosed
	}
	if err := p.stopped(); err != nil {
		return 0, err
	}
	p.mu.Lock()
	p.nextID++
	id := p.nextID
	p.stats.Submitted++ // counted before the hand-over, so a worker never sees it negative
	p.stats.Queued++
	p.mu.Unlock()
	select {
	case p.tasks <- task{id, job}:
		return id, nil
	case <-ctx.Done():
		p.unsubmit()
		return 0, ctx.Err()
	case <-p.ctx.Done():
		p.unsubmit()
		return 0, context.Cause(p.ctx)
	}
}

// unsubmit takes back the count of a job Submit did not hand over.
func (p *Pool) unsubmit() {
	p.mu.Lock()
	p.stats.Submitted--
	p.stats.Queued--
	p.mu.Unlock()
}

// stopped returns the stop cause, or nil while the pool runs.
func (p *Pool) stopped() error {
	if p.ctx.Err() == nil {
		return nil
	}
	return context.Cause(p.ctx)
}

// Close stops accepting jobs; the workers run what is queued and exit. It
// waits for Submit calls in progress to return. Calling it again does
// nothing.
func (p *Pool) Close() {
	p.intake.Lock()
	defer p.intake.Unlock()
	if !p.closed {
		p.closed = true
		close(p.tasks)
	}
}

// Stop cancels the context of running jobs with cause (ErrStopped if nil)
// and makes the workers skip every queued job. It does not wait; call Wait.
func (p *Pool) Stop(cause error) {
	if cause == nil {
		cause = ErrStopped
	}
	p.cancel(cause)
}

// Wait closes the pool, waits until every queued job has run (or been
// skipped) and every worker has exited, and returns the first job failure,
// or nil. When Wait returns, Stats().Workers and Stats().Running are 0.
func (p *Pool) Wait() error {
	p.Close()
	<-p.exited
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.first
}

// Shutdown is Wait with a deadline: if ctx ends before the queue drains,
// it stops the pool with ctx's error as the cause and still waits for the
// workers to exit. It returns the first job failure, else ctx.Err() if the
// deadline forced a stop, else nil.
func (p *Pool) Shutdown(ctx context.Context) error {
	p.Close()
	select {
	case <-p.exited:
	case <-ctx.Done():
		p.Stop(ctx.Err())
	}
	err := p.Wait()
	if err == nil && ctx.Err() != nil && p.stopped() != nil {
		return ctx.Err()
	}
	return err
}

// Stats returns a snapshot of the pool's counters.
func (p *Pool) Stats() Stats {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stats
}

// work is one worker: it takes tasks until the channel is closed and
// drained, skipping them once the pool is stopped.
func (p *Pool) work() {
	defer p.exit()
	for t := range p.tasks {
		if cause := p.stopped(); cause != nil {
			p.finish(t.id, fmt.Errorf("%w: %w", ErrSkipped, cause), false)
			continue
		}
		p.begin()
		p.finish(t.id, p.run(t.job), true)
	}
}

func (p *Pool) begin() {
	p.mu.Lock()
	p.stats.Queued--
	p.stats.Running++
	p.mu.Unlock()
}

// run calls job, turning a panic into a *PanicError.
func (p *Pool) run(job Job) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &PanicError{Value: v, Stack: stack()}
		}
	}()
	return job(p.ctx)
}

// finish records a job's outcome, stops the pool if FailFast says so, and
// reports the outcome to Done.
func (p *Pool) finish(id uint64, err error, ran bool) {
	p.mu.Lock()
	p.count(err, ran)
	fail := ran && err != nil
	if fail && p.first == nil {
		p.first = err
	}
	p.mu.Unlock()
	if fail && p.opts.FailFast {
		p.Stop(err)
	}
	if p.opts.Done != nil {
		p.opts.Done(id, err)
	}
}

// count updates the counters for one outcome; p.mu is held.
func (p *Pool) count(err error, ran bool) {
	var pe *PanicError
	switch {
	case !ran:
		p.stats.Queued--
		p.stats.Skipped++
		return
	case err == nil:
		p.stats.Succeeded++
	case errors.As(err, &pe):
		p.stats.Failed++
		p.stats.Panicked++
	default:
		p.stats.Failed++
	}
	p.stats.Running--
}

func (p *Pool) exit() {
	p.mu.Lock()
	p.stats.Workers--
	p.mu.Unlock()
}

// stack is the current goroutine's stack, for a *PanicError.
func stack() []byte { return debug.Stack() }
