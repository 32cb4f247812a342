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
// with an ID that is still running (after a crash) it resumes that run.
// Options.Conflict set to ConflictFail returns ErrRunExists instead.
//
// # Storage and durability
//
// The database uses WAL mode and a busy timeout. All writes go through one
// writer goroutine that groups the records waiting at the same moment into
// one transaction (group commit), so concurrent runs share fsyncs.
// Durability FULL (the default) syncs the WAL on every commit: a step
// reported as recorded survives a power loss. A step's record is durable
// before the next step starts; a run's final status is written after Run
// returns its result, without waiting for its commit: it follows from the
// recorded steps, so a run whose end was lost is replayed by Recover
// without running any step again. Status, History and Recover wait for
// pending writes, so they see every run that has returned. NORMAL syncs only at
// checkpoints: a recorded step survives a crash of the process, but the
// last commits may be lost in a power failure or OS crash; DBOS Transact
// uses NORMAL by default. ":memory:" gives a private in-memory database,
// for tests and the playground.
package engine

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
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
	db    *sql.DB
	w     *writer
	opts  Options
	mu    sync.RWMutex
	flows map[string]registered
	watch watchers
}

// Open opens (creating if needed) the database at dsn, a file path or
// ":memory:", and migrates its schema.
func Open(dsn string, opts Options) (*Engine, error) {
	db, err := openDB(dsn, opts.Durability)
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
	e := &Engine{db: db, opts: opts, flows: make(map[string]registered)}
	var linger time.Duration
	if opts.Durability == Full && dsn != sqlitedb.Memory {
		linger = fullLinger
	}
	if e.w, err = newWriter(db, linger); err != nil {
		db.Close()
		return nil, err
	}
	return e, nil
}

// Close stops the writer and closes the database.
func (e *Engine) Close() error {
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
func (e *Engine) Run(ctx context.Context, name, id string, input []byte) ([]byte, error) {
	e.w.active.Add(1)
	defer e.w.active.Add(-1)
	reg, err := e.workflow(name)
	if err != nil {
		return nil, err
	}
	r, created, err := e.startRun(ctx, name, reg.version, id, input)
	if err != nil {
		return nil, err
	}
	if !created && e.opts.Conflict == ConflictFail {
		return nil, ErrRunExists
	}
	if r.status != statusRunning {
		return r.result()
	}
	return e.execute(ctx, reg.wf, r)
}

// Recover resumes every run left unfinished, for example by a crash, and
// waits for them. It returns the number of runs resumed and the first
// error of a resumed run, if any.
func (e *Engine) Recover(ctx context.Context) (int, error) {
	runs, err := e.unfinished(ctx)
	if err != nil {
		return 0, err
	}
	var wg sync.WaitGroup
	errs := make([]error, len(runs))
	for i, r := range runs {
		reg, err := e.workflow(r.workflow)
		if err != nil {
			errs[i] = err
			continue
		}
		wg.Add(1)
		e.w.active.Add(1)
		go func() {
			defer wg.Done()
			defer e.w.active.Add(-1)
			_, errs[i] = e.execute(ctx, reg.wf, r)
		}()
	}
	wg.Wait()
	return len(runs), errors.Join(errs...)
}

// execute runs (or replays) a workflow to completion and records its end.
func (e *Engine) execute(ctx context.Context, wf Workflow, r *run) ([]byte, error) {
	var history []event
	if !r.fresh {
		var err error
		if history, err = e.history(ctx, r.id); err != nil {
			return nil, err
		}
	}
	c := &Context{Context: ctx, engine: e, run: r, history: byStep(history), events: len(history)}
	out, werr := wf(c, r.input)
	var nd *NonDeterminismError
	if errors.As(werr, &nd) || errors.Is(werr, ErrCrashed) || ctx.Err() != nil {
		return nil, werr // leave the run unfinished: it resumes later
	}
	if err := e.finish(ctx, r.id, out, werr); err != nil {
		return nil, err
	}
	return out, werr
}

// Context is passed to a workflow; Step uses it to checkpoint.
type Context struct {
	context.Context
	engine  *Engine
	run     *run
	history map[int][]event // recorded events by step number
	step    int             // the next step's number

	mu     sync.Mutex // guards events for parallel branches
	events int        // events in the log so far: the next event's seq

	replayOnly bool // Replay: a step without a record ends the replay
}

// RunID returns the ID of the run.
func (c *Context) RunID() string { return c.run.id }

// Version returns the code version the run started with.
func (c *Context) Version() string { return c.run.version }

// NonDeterminismError reports that a resumed workflow asked for a step the
// recorded history does not have at that position.
type NonDeterminismError struct {
	RunID    string
	Seq      int
	Expected string // the recorded step name
	Got      string // the step the code asked for
}

func (e *NonDeterminismError) Error() string {
	return fmt.Sprintf("engine: run %s is not deterministic at step %d: history has %q, code asked for %q", e.RunID, e.Seq, e.Expected, e.Got)
}
