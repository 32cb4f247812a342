// Package engine is Lamport's durable workflow engine: a workflow is a Go
// function whose steps are checkpointed in an append-only event log in
// SQLite, so that a run interrupted by a crash resumes where it stopped.
//
// # Workflows and steps
//
// Register a workflow under a name, then run it under an ID:
//
//	e, _ := engine.Open("app.db", engine.Options{})
//	e.Register("order", func(c *engine.Context, input []byte) ([]byte, error) {
//		charge, err := engine.Step(c, "charge", func(ctx context.Context, key string) (string, error) {
//			return payments.Charge(ctx, key, amount) // key: the step's idempotency key
//		})
//		if err != nil {
//			return nil, err
//		}
//		_, err = engine.Step(c, "ship", func(ctx context.Context, key string) (bool, error) { ... })
//		return []byte(charge), err
//	})
//	out, err := e.Run(ctx, "order", "order-42", input)
//
// Each Step runs its function once and records the result (JSON) or the
// error before returning it. When a run resumes (Recover after a crash, or
// Run again with the same ID), the workflow function is called again from
// the top, and every Step that already has a record returns that record
// instead of running: recorded results are exactly-once. The first step whose
// name differs from the recorded history stops the run with a
// *NonDeterminismError: workflow code must make the same sequence of steps
// for the same history.
//
// Side effects inside a step are at-least-once: a crash after the effect
// but before its record runs the step again on resume. Pass the step's
// idempotency key (stable across attempts: run ID, step number and name) to
// the external system so that it applies the effect once.
//
// # IDs
//
// The run ID is the workflow's idempotency key. Run with an ID that
// already completed returns the recorded output without running anything;
// with an ID that is still running it resumes that run, or, when another
// executor is executing it, waits for its end and returns its result.
// Options.Conflict set to ConflictFail returns ErrRunExists instead.
//
// # Ownership and recovery
//
// Each Engine is an executor, named by Options.ExecutorID, and each run
// has at most one owner at a time: the executor that created or claimed
// it, recorded in the run's row with a lease (Options.Lease, 10 s by
// default) that the owner renews while it executes the run. Another
// executor takes a run over only after its lease has lapsed, and every
// event and the run's end are written only while the row still names the
// writer as owner: an executor that lost its run (paused past its lease)
// fails its next write and stops, and never writes over the new owner's
// work. Concurrent Run calls with one ID, in one process or several,
// share one execution. Several processes can therefore share a database.
//
// Recover resumes the runs this executor may take: its own from before a
// restart (a restarted process with the same ExecutorID takes them back at
// once; with a new ID it waits for their leases to lapse), runs whose lease
// lapsed, and runs released by an executor that closed. It waits for them,
// except that a resumed run reaching a durable timer due later than
// Options.ParkAfter parks: the wake-up time goes into its row, the lease is
// released, and no goroutine waits for it. Recover can be called again at
// any time. Options.RecoverEvery starts a background loop that does the
// same periodically without waiting, so lapsed leases are taken over and
// parked runs woken when due; servers set it.
//
// # Talking to running workflows
//
// Engine.Send delivers a message to a run under a topic and the workflow
// takes it with Recv, which waits up to a durable timeout; Send in a
// workflow sends one as a step. A message is received in the transaction
// that records it, so it is received once, and the history holds its
// payload: a message sent before a crash is received after it, and replay
// receives the same messages. SetEvent publishes a value from a workflow
// (its progress, an answer it has before it ends) and Engine.GetEvent
// waits for it.
//
// Engine.Cancel stops a run cooperatively and durably: the request is
// stored (in the run and its child workflows), reaches the owner at once
// in this process or at its next lease renewal in another, and from then
// on each step the workflow asks for ends unrun, recorded, with a
// *StepError whose cause is ErrCancelled; durable waits end early, and a
// step already running finishes. Compensations still run, so a workflow
// that compensates when a step fails for good compensates when it is
// cancelled. The run then ends "cancelled". RunWith's RunOptions give a
// run a deadline, stored with it and checked by the workflow clock, past
// which it is cancelled the same way (ErrDeadline).
//
// Child starts a workflow from a workflow and waits for its result; the
// child's ID is the step's key, so replay and recovery find the same
// child. Runs and RunInfo list runs by status, workflow, parent and time;
// `lamport engine` shows and manages the runs of a database file. Report
// is a bounded account of them, which a program built by the playground
// hands to the playground when it closes its engine (report.go).
//
// Enqueue stores a run in a named queue instead of starting it; every
// engine that registered the queue (RegisterQueue) starts its runs oldest
// first, within the queue's concurrency and rate limits, which hold
// across executors. Await waits for the result of any run.
//
// # Failures that are not the workflow's
//
// A run ends failed only when its workflow returns an error. A record the
// engine cannot write halts the run instead: every later step returns the
// same error, and the run stays running for recovery whatever the workflow
// does with it. A storage error that may pass (another process holding the
// write lock past Options.BusyTimeout, a full disk, a file-size limit, an
// I/O error) is retried with backoff (Options.StorageRetry) first, and
// reported as ErrUnavailable. A panic in a step is that attempt's error
// (a *PanicError with the stack), retried and recorded like any other; a
// panic in the workflow's own code leaves the run for recovery. A run
// taken over more than Options.MaxRecoveries times from an owner that did
// not finish it (crash loops, panics, lost leases) is marked for attention
// (ErrAttention) until Resume.
//
// Besides a renamed step, replay flags as a *NonDeterminismError a recorded
// result that no longer decodes strictly into the step's type, and code
// that returns before asking for every recorded step; the run stays
// unfinished for the right code to resume.
//
// # Storage and durability
//
// The engine's tables are named engine_*, so it can share a database with
// an application's tables; Open first checks, read-only, that the file is
// a database it can use, and leaves a file it refuses as it was. The
// database uses WAL mode and a busy timeout. All writes go through one
// writer goroutine that groups the records waiting at the same moment into
// one transaction (group commit), so concurrent runs share fsyncs.
// Durability FULL (the default) syncs the WAL on every commit: a step
// reported as recorded survives a power loss. A step's record is durable
// before the next step starts: it commits when the next step begins (or
// the next record is written), so the last step's record commits with the
// run's end, one commit for both, which Run waits for. A crash before
// that commit runs the last step again on recovery, as a crash between any
// step's effect and its record does. A run whose last step was recorded
// earlier (a step before a timer, say) writes its end after Run returns
// its result, without waiting for its commit: it follows from the
// recorded steps, so a run whose end was lost is replayed by Recover
// without running any step again. Status, History and Recover wait for
// this engine's pending writes, so they see every run that has returned.
//
// Options.Observer hears of every execution of a run and of a step, for
// traces and metrics; package engine/telemetry records them as
// OpenTelemetry spans and Prometheus metrics.
//
// NORMAL syncs only at checkpoints: a recorded step survives a crash of
// the process, but the last commits may be lost in a power failure or OS
// crash; DBOS Transact uses NORMAL by default. ":memory:" gives a private
// in-memory database, for tests and the playground.
package engine

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/lamport-kb/lamport/internal/sqlitedb"
)

// Durability is how hard a commit is synced.
type Durability int

// The durability modes; see the package documentation.
const (
	Full Durability = iota
	Normal
)

// Conflict is what Run does with an ID that already exists.
type Conflict int

// The conflict policies.
const (
	UseExisting  Conflict = iota // return the recorded output, or resume
	ConflictFail                 // return ErrRunExists
)

// ErrRunExists is returned by Run under ConflictFail for a known ID.
var ErrRunExists = errors.New("engine: a run with this ID already exists")

// Options configure an Engine.
type Options struct {
	Durability Durability
	Conflict   Conflict
	// Now and Sleep are the clock of retries and timers; tests and the
	// playground pass a fake one. Sleep must return ctx.Err() if ctx ends.
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
	// Rand returns a random number in [0, n), for retry jitter; tests pass a
	// seeded one. Default: math/rand/v2's Int64N.
	Rand func(n int64) int64
	// Fault, when set, is called at every event boundary of every step:
	// FaultAfterEffect (the step's function returned, nothing recorded),
	// FaultBeforeCommit and FaultAfterCommit. A non-nil return aborts the
	// run on the spot as if the process had died there: nothing more is
	// written and Run returns ErrCrashed. Tests use it to inject crashes
	// deterministically; production code leaves it nil.
	Fault func(point FaultPoint, runID, step string) error
	// Mocks replace steps by name, for tests of workflow logic: a mocked
	// step calls its mock instead of its function, and the mock's result
	// (converted through JSON to the step's type) is recorded as usual.
	Mocks map[string]func(ctx context.Context, key string) (any, error)

	// ExecutorID names this engine as the owner of the runs it executes.
	// Give each process a stable ID of its own (a host or pod name) so that
	// after a crash the restarted process takes its runs back at once;
	// two live engines must never share one. Default: host, process ID and
	// a random suffix, so a restart waits for the old leases to lapse.
	ExecutorID string
	// Lease is how long a claim on a run holds without renewal, in
	// wall-clock time (not Now: it measures whether an executor is alive);
	// the engine renews the leases of its runs every third of it. Another
	// executor takes over a run only after its lease lapsed. Default: 10 s.
	Lease time.Duration
	// MaxRecoveries is how many times a run may be taken over from an
	// owner that did not finish it (a crash, a workflow panic, a lost
	// lease) before it is marked for attention instead. Default: 10.
	MaxRecoveries int
	// BusyTimeout is how long a write waits for another process's lock
	// before it fails with SQLITE_BUSY. Default: 5 s.
	BusyTimeout time.Duration
	// StorageRetry retries a write that failed for a storage condition
	// (see ErrUnavailable) with backoff. Default: 6 attempts from 50 ms.
	StorageRetry RetryPolicy
	// RecoverEvery, when positive, starts a recovery loop in Open that
	// every RecoverEvery does what Recover does, without waiting: it
	// resumes runs whose lease lapsed and wakes parked runs whose timer is
	// due. Close stops it. Servers set it; tests and demos that inject
	// crashes call Recover themselves.
	RecoverEvery time.Duration
	// ParkAfter: a run resumed by Recover or the loop that reaches a
	// durable timer (Sleep, a retry backoff) due later than ParkAfter
	// parks instead of waiting: it records the wake-up time in its row,
	// lets go of its lease and holds no goroutine until the loop or a
	// later Recover wakes it. Run waits in place. Default: 1 minute.
	ParkAfter time.Duration
	// AwaitEnd makes Run (and a resumed run) wait for the commit of the
	// run's end record before returning, as DBOS's GetResult does, so that
	// another process reads the final status as soon as Run returns. By
	// default Run returns without waiting: the end follows from the
	// recorded steps (see Storage and durability).
	AwaitEnd bool
	// Observer, when set, hears of every execution of a run and of a step
	// and of takeovers and storage errors, for traces and metrics (see
	// package engine/telemetry). nil: nothing is observed, at no cost.
	Observer Observer
}

// FaultPoint names an event boundary where a crash can be injected.
type FaultPoint string

// The fault points.
const (
	FaultAfterEffect  FaultPoint = "after-effect"
	FaultBeforeCommit FaultPoint = "before-commit"
	FaultAfterCommit  FaultPoint = "after-commit"
)

// ErrCrashed is returned by a run aborted by Options.Fault.
var ErrCrashed = errors.New("engine: crash injected")

// Workflow is a durable function. It must be deterministic given its input
// and the results of its steps: all nondeterminism (I/O, time, randomness)
// belongs inside steps.
type Workflow func(c *Context, input []byte) ([]byte, error)

// Engine runs workflows over one database.
type Engine struct {
	db       *sql.DB
	w        *writer
	opts     Options
	executor string
	mu       sync.RWMutex
	flows    map[string]registered
	watch    watchers
	flights  flights
	live     live
	signals  signals

	renewStop, renewDone chan struct{}
	renewOnce            sync.Once

	queues map[string]chan struct{} // registered queues, each with its loop's wake-up; guarded by mu

	loop struct {
		ctx  context.Context // ends at Close
		stop context.CancelFunc
		done sync.WaitGroup // the loop itself
		runs sync.WaitGroup // the runs it resumed
	}
}

// Open opens (creating if needed) the database at dsn, a file path or
// ":memory:", and migrates its schema.
func Open(dsn string, opts Options) (*Engine, error) {
	db, err := openDB(dsn, opts.Durability, opts.BusyTimeout)
	if err != nil {
		return nil, err
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Sleep == nil {
		opts.Sleep = sleep
	}
	if opts.Rand == nil {
		opts.Rand = rand.Int64N
	}
	if opts.ExecutorID == "" {
		opts.ExecutorID = newExecutorID()
	}
	if opts.Lease <= 0 {
		opts.Lease = defaultLease
	}
	if opts.MaxRecoveries <= 0 {
		opts.MaxRecoveries = 10
	}
	if opts.ParkAfter <= 0 {
		opts.ParkAfter = time.Minute
	}
	if opts.StorageRetry.MaxAttempts <= 1 {
		opts.StorageRetry = defaultStorageRetry
	}
	e := &Engine{db: db, opts: opts, executor: opts.ExecutorID, flows: make(map[string]registered),
		renewStop: make(chan struct{}), renewDone: make(chan struct{})}
	var linger time.Duration
	if opts.Durability == Full && dsn != sqlitedb.Memory {
		linger = fullLinger
	}
	if e.w, err = newWriter(db, linger); err != nil {
		db.Close()
		return nil, err
	}
	if opts.Observer != nil {
		e.w.failed = func() { opts.Observer.Incident(IncidentStorage) }
	}
	go e.renewLoop()
	ctx, stop := context.WithCancel(context.Background())
	e.loop.ctx, e.loop.stop = ctx, stop
	if opts.RecoverEvery > 0 {
		e.loop.done.Add(1)
		go e.recoverLoop(ctx)
	}
	return e, nil
}

// Close stops the recovery loop (cancelling the runs it resumed), lets go
// of the runs this engine holds but no longer executes (so that another
// executor takes them at once), stops the writer and closes the database.
// Call it after the runs started with Run have returned.
func (e *Engine) Close() error {
	e.loop.stop()
	e.loop.done.Wait()
	e.loop.runs.Wait() // cancelled: each lets go of its run (and starts no other)
	e.stopRenewing()
	e.w.do(context.Background(), func(tx *sql.Tx) error {
		_, err := tx.Exec(releaseAll, e.executor)
		return err
	})
	e.export()
	e.w.close()
	return e.db.Close()
}

type registered struct {
	wf      Workflow
	version string
}

// Register makes a workflow available under name. Register every workflow
// before Run or Recover.
func (e *Engine) Register(name string, wf Workflow) { e.RegisterVersion(name, "", wf) }

// RegisterVersion is Register with a code version, recorded in every run
// the workflow starts (Context.Version). Runs started by older code keep
// their version when they resume under the new one.
func (e *Engine) RegisterVersion(name, version string, wf Workflow) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.flows[name] = registered{wf, version}
}

func (e *Engine) workflow(name string) (registered, error) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	r, ok := e.flows[name]
	if !ok {
		return r, fmt.Errorf("engine: no workflow registered as %q", name)
	}
	return r, nil
}

// Run starts the workflow name as run id with input and waits for its
// result; see the package documentation for what happens with a known id.
// Concurrent calls with one id share one execution: the run's owner
// executes it, and every other caller waits for its end.
func (e *Engine) Run(ctx context.Context, name, id string, input []byte) ([]byte, error) {
	return e.RunWith(ctx, name, id, input, RunOptions{})
}

// RunWith is Run with options for a run it creates.
func (e *Engine) RunWith(ctx context.Context, name, id string, input []byte, opts RunOptions) ([]byte, error) {
	e.w.active.Add(1)
	defer e.w.active.Add(-1)
	reg, err := e.workflow(name)
	if err != nil {
		return nil, err
	}
	for first := true; ; first = false {
		if busy, mine := e.flights.begin(id); !mine {
			if err := wait(ctx, busy); err != nil {
				return nil, err
			}
			continue
		}
		out, next, err := e.runOnce(ctx, reg, name, id, input, opts, first)
		switch next {
		case awaitOwner:
			if err := e.awaitOwner(ctx, id); err != nil {
				return nil, err
			}
		case tryAgain:
		case awaitQueue:
			return e.Await(ctx, id)
		default:
			return out, err
		}
	}
}

// next is what Run does after runOnce.
type next int

const (
	returnResult next = iota
	awaitOwner        // another executor holds the run: wait for it, then look again
	tryAgain          // the run changed hands while executing: look again
	awaitQueue        // the run waits in a queue: await its end, not holding its flight
)

// runOnce is one attempt of Run, holding the run's flight: it starts or
// claims the run and executes it, or returns its recorded result.
func (e *Engine) runOnce(ctx context.Context, reg registered, name, id string, input []byte, opts RunOptions, first bool) ([]byte, next, error) {
	defer e.flights.end(id)
	r, created, err := e.startRun(ctx, name, reg.version, id, input, opts)
	if err != nil {
		return nil, returnResult, unavailable(err)
	}
	if !created && first && e.opts.Conflict == ConflictFail {
		return nil, returnResult, ErrRunExists
	}
	if !created && r.status == statusRunning {
		var claimed bool
		if r, claimed, err = e.claimRun(ctx, id, math.MaxInt64); err != nil {
			return nil, returnResult, unavailable(err)
		}
		if !claimed && r.status == statusRunning {
			return nil, awaitOwner, nil
		}
	}
	if r.status == statusEnqueued {
		return nil, awaitQueue, nil
	}
	if r.status != statusRunning {
		out, err := r.result()
		return out, returnResult, err
	}
	out, err := e.execute(ctx, reg.wf, r, nil)
	if errors.Is(err, errLeaseLost) {
		return nil, tryAgain, nil // another executor took the run over: its end stands
	}
	return out, returnResult, err
}

func wait(ctx context.Context, ch <-chan struct{}) error {
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Recover resumes the runs left unfinished that this executor may take:
// its own from before a restart (same ExecutorID), runs whose owner's
// lease lapsed, runs released by an executor that stopped, and parked
// runs whose timer is due. It waits until each has ended or parked at a
// durable timer due later than Options.ParkAfter, and returns the number
// of runs it resumed and the errors of the resumed runs, if any (a
// cancelled run is not an error). Runs
// in flight elsewhere are left to their owners, so Recover may be called
// again at any time, from any process.
func (e *Engine) Recover(ctx context.Context) (int, error) {
	var wg sync.WaitGroup
	n, errs := e.resume(ctx, &wg)
	wg.Wait()
	return n, errors.Join(*errs...)
}

// resume claims every run Recover takes and executes each in a goroutine
// counted in wg; the errors of the executions are in *errs once wg is
// done.
func (e *Engine) resume(ctx context.Context, wg *sync.WaitGroup) (int, *[]error) {
	var mu sync.Mutex
	var errs []error
	bg := &background{ctx: ctx, wg: wg, fail: func(err error) {
		mu.Lock()
		defer mu.Unlock()
		errs = append(errs, err)
	}}
	runs, wakeBy, err := e.claimable(ctx)
	if err != nil {
		return 0, &[]error{err}
	}
	n := 0
	for _, r := range runs {
		if _, err := e.workflow(r.workflow); err != nil {
			bg.fail(err)
			continue
		}
		if e.launch(bg, r.id, wakeBy) {
			n++
		}
	}
	return n, &errs
}

// take claims run id unless it is executing here already, and holds its
// flight if it did. A claim that fails while a launch kicked the flight
// is tried again.
func (e *Engine) take(ctx context.Context, id string, wakeBy int64, fail func(error)) (*run, bool) {
	for e.flights.beginOrKick(id) {
		r, claimed, err := e.claimRun(ctx, id, wakeBy)
		if err == nil && claimed && r.status == statusRunning {
			return r, true
		}
		kicked := e.flights.end(id)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			fail(unavailable(err))
		}
		if err != nil || !kicked {
			break
		}
	}
	return nil, false
}

// recoverLoop calls resume every Options.RecoverEvery until Close, without
// waiting for the runs it resumes (Close does).
func (e *Engine) recoverLoop(ctx context.Context) {
	defer e.loop.done.Done()
	t := time.NewTicker(e.opts.RecoverEvery)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			e.resume(ctx, &e.loop.runs)
		case <-ctx.Done():
			return
		}
	}
}

// execute runs (or replays) a workflow to completion and records its end.
// A run that ends without an outcome (a crash, a cancelled context, a
// non-determinism error, a lost lease) is left running for recovery; one
// cancelled by its caller is released so that it resumes at once. bg is
// the group a run resumed or started in the background executes in (it
// then parks at long waits); nil for Run, which waits in place.
func (e *Engine) execute(ctx context.Context, wf Workflow, r *run, bg *background) ([]byte, error) {
	var history []event
	if !r.fresh {
		var err error
		if history, err = e.history(ctx, r.id); err != nil {
			return nil, err
		}
	}
	ctx, observed := e.observeRun(ctx, r, len(history) > 0)
	out, err := e.replay(ctx, wf, r, bg, history)
	observed(err)
	return out, err
}

// replay is execute once the run's history is loaded.
func (e *Engine) replay(ctx context.Context, wf Workflow, r *run, bg *background, history []event) ([]byte, error) {
	c := &Context{Context: ctx, engine: e, run: r, history: byStep(history), events: len(history), park: bg != nil, bg: bg}
	c.cancel.waits, c.cancel.stopWaits = context.WithCancel(ctx)
	defer c.cancel.stopWaits()
	if r.cancel != "" {
		c.requestCancel(r.cancel)
	}
	e.live.add(c)
	defer e.live.remove(c)
	out, werr := call(wf, c, r.input)
	var pe *PanicError
	if ctx.Err() != nil || errors.As(werr, &pe) {
		c.flushLeaving(ctx)
	}
	var p *parked
	if errors.As(c.stopped(), &p) {
		woken, err := e.park(r.id, p)
		switch {
		case woken:
			return nil, errWoken
		case err == nil && p.child != "":
			return nil, errParkedChild
		}
		return nil, cmp.Or(err, errParked)
	}
	if ctx.Err() != nil {
		e.release(r.id, nil)
		return nil, werr
	}
	if err := c.endedEarly(); err != nil {
		c.halt(err) // whatever it returned, the code no longer makes the recorded steps
	}
	var nd *NonDeterminismError
	if err := c.stopped(); err != nil || errors.As(werr, &nd) || errors.As(werr, &pe) {
		// A record that could not be written (storage, a crash, a lost
		// lease), a divergence from the history or a panic in the
		// workflow's code: whatever the workflow made of it, the run has no
		// outcome. Leave it for recovery, which counts the attempt.
		return nil, cmp.Or(err, werr)
	}
	if err := c.end(ctx, out, werr); err != nil {
		return nil, err
	}
	if reason := c.outcome(); reason != "" {
		return out, fmt.Errorf("engine: run %s: %w", r.id, cancelError(reason))
	}
	return out, werr
}

// call runs the workflow function, its panic a *PanicError.
func call(wf Workflow, c *Context, input []byte) (out []byte, err error) {
	defer catch(&err)
	return wf(c, input)
}

// Resume makes a run marked for attention runnable again, with its count
// of recoveries reset, once its cause (a panic, a crash loop) is fixed;
// Run or Recover then continues it from its log.
func (e *Engine) Resume(ctx context.Context, id string) error {
	var n int64
	err := e.w.do(ctx, func(tx *sql.Tx) error {
		res, err := tx.Exec(resumeRun, id)
		if err == nil {
			n, err = res.RowsAffected()
		}
		return err
	})
	if err == nil && n == 0 {
		err = fmt.Errorf("engine: run %s does not need attention", id)
	}
	return err
}
