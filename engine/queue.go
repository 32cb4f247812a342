package engine

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Queues: Enqueue stores a run to start later in a named queue, and each
// engine that registered the queue starts queued runs, oldest first,
// within the queue's limits. The limits hold across every executor on the
// database: an executor dequeues in one write transaction that counts the
// queue's runs in flight (started and not ended, whoever holds them, a
// crashed one included until it is recovered and ends) and its starts in
// the last period, and SQLite runs one write transaction at a time. A
// dequeued run is then an ordinary run: owned, leased, recovered after a
// crash, parked at long timers. Rate limits are in wall-clock time, like
// leases, since they are shared between processes.

// Queue is a named queue of runs and its limits.
type Queue struct {
	Name string
	// Concurrency is how many of the queue's runs may be in flight at
	// once, across all executors; 0: no limit.
	Concurrency int
	// Limit runs at most may start per Period; Limit 0: no rate limit.
	Limit  int
	Period time.Duration
}

// queuePoll is how often an executor looks for queued runs it may start
// (an Enqueue in this process wakes it at once).
const queuePoll = 50 * time.Millisecond

// dequeueBatch bounds the runs one dequeue starts.
const dequeueBatch = 64

const (
	enqueueRun = `INSERT OR IGNORE INTO engine_runs (id, workflow, version, input, status, created, queue) VALUES (?, ?, ?, ?, 'enqueued', ?, ?)`
	hasQueued  = `SELECT 1 FROM engine_runs WHERE queue = ? AND status = 'enqueued' LIMIT 1`
	inFlight   = `SELECT count(*) FROM engine_runs WHERE queue = ? AND status IN ('running', 'attention')`
	startedAt  = `SELECT count(*) FROM engine_runs WHERE queue = ? AND started >= ?`
	dequeue    = `UPDATE engine_runs SET status = 'running', owner = ?1, lease_until = ?2, started = ?3
		WHERE id IN (SELECT id FROM engine_runs WHERE queue = ?4 AND status = 'enqueued' ORDER BY created, id LIMIT ?5)
		RETURNING id, workflow, version, input, coalesce(cancel, '')`
)

// RegisterQueue makes this engine start the runs of queue q (whose
// workflows it must have registered), until Close. Every engine serving a
// queue should register it with the same limits.
func (e *Engine) RegisterQueue(q Queue) error {
	if q.Name == "" || q.Concurrency < 0 || q.Limit < 0 || (q.Limit > 0 && q.Period <= 0) {
		return fmt.Errorf("engine: queue %q: want a name, no negative limits, and a period with a rate limit", q.Name)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.queues == nil {
		e.queues = make(map[string]chan struct{})
	}
	if _, ok := e.queues[q.Name]; ok {
		return fmt.Errorf("engine: queue %q is registered already", q.Name)
	}
	wake := make(chan struct{}, 1)
	e.queues[q.Name] = wake
	e.loop.done.Add(1)
	go e.queueLoop(q, wake)
	return nil
}

// Enqueue stores run id of workflow name with input in queue, to be
// started by an engine that registered the queue; Await waits for its
// result. Enqueueing an ID that exists does nothing. The queue need not
// be registered in this engine: any process may enqueue.
func (e *Engine) Enqueue(ctx context.Context, queue, name, id string, input []byte) error {
	if queue == "" {
		return errors.New("engine: Enqueue needs a queue name")
	}
	reg, err := e.workflow(name)
	if err != nil {
		return err
	}
	err = e.durably(ctx, func() error {
		return e.w.do(ctx, func(tx *sql.Tx) error {
			_, err := tx.Exec(enqueueRun, id, name, reg.version, input, e.opts.Now().UnixNano(), queue)
			return err
		})
	})
	if err != nil {
		return unavailable(err)
	}
	e.mu.RLock()
	wake := e.queues[queue]
	e.mu.RUnlock()
	if wake != nil {
		select {
		case wake <- struct{}{}:
		default:
		}
	}
	return nil
}

// queueLoop starts runs of q whenever the limits allow, until Close.
func (e *Engine) queueLoop(q Queue, wake <-chan struct{}) {
	defer e.loop.done.Done()
	t := time.NewTicker(queuePoll)
	defer t.Stop()
	for {
		if e.loop.ctx.Err() != nil {
			return
		}
		e.startQueued(q)
		select {
		case <-t.C:
		case <-wake:
		case <-e.loop.ctx.Done():
			return
		}
	}
}

// startQueued dequeues the runs q may start now and executes each in the
// background.
func (e *Engine) startQueued(q Queue) {
	var one int
	if e.db.QueryRow(hasQueued, q.Name).Scan(&one) != nil {
		return // nothing queued, or a read error the next poll retries
	}
	runs, err := e.dequeue(q)
	if err != nil {
		return
	}
	for _, r := range runs {
		reg, err := e.workflow(r.workflow)
		if err != nil {
			continue // left running for an executor that has it, after its lease
		}
		if _, mine := e.flights.begin(r.id); !mine {
			// This engine's recovery took it between the dequeue and here
			// (it is this executor's own): that execution is the one.
			continue
		}
		e.spawn(e.background(), reg.wf, r)
	}
}

// dequeue takes, in one transaction, as many of q's oldest queued runs as
// its limits allow now, for this executor.
func (e *Engine) dequeue(q Queue) ([]*run, error) {
	var runs []*run
	err := e.w.do(e.loop.ctx, func(tx *sql.Tx) error {
		runs = runs[:0]
		n, err := room(tx, q)
		if err != nil || n == 0 {
			return err
		}
		now := time.Now()
		rows, err := tx.Query(dequeue, e.executor, now.Add(e.opts.Lease).UnixNano(), now.UnixNano(), q.Name, n)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			r := &run{status: statusRunning, fresh: true}
			if err := rows.Scan(&r.id, &r.workflow, &r.version, &r.input, &r.cancel); err != nil {
				return err
			}
			runs = append(runs, r)
		}
		return rows.Err()
	})
	return runs, err
}

// room is how many runs q may start now.
func room(tx *sql.Tx, q Queue) (int, error) {
	n := dequeueBatch
	if q.Concurrency > 0 {
		var busy int
		if err := tx.QueryRow(inFlight, q.Name).Scan(&busy); err != nil {
			return 0, err
		}
		n = min(n, q.Concurrency-busy)
	}
	if q.Limit > 0 {
		var recent int
		if err := tx.QueryRow(startedAt, q.Name, time.Now().Add(-q.Period).UnixNano()).Scan(&recent); err != nil {
			return 0, err
		}
		n = min(n, q.Limit-recent)
	}
	return max(n, 0), nil
}

// Await waits for run id to end (however it was started: Run, Enqueue, a
// child, another process) and returns its outcome, as Run would. It polls
// the database, from 2 ms up to 200 ms between reads.
func (e *Engine) Await(ctx context.Context, id string) ([]byte, error) {
	if err := e.w.sync(ctx); err != nil {
		return nil, err
	}
	for delay := 2 * time.Millisecond; ; delay = min(2*delay, 200*time.Millisecond) {
		r, err := loadRun(e.db, id)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("%w: %s", ErrNoRun, id)
		}
		if err != nil {
			return nil, err
		}
		if r.status != statusRunning && r.status != statusEnqueued {
			return r.result()
		}
		if err := sleep(ctx, delay); err != nil {
			return nil, err
		}
	}
}
