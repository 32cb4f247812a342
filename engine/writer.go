package engine

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"sync/atomic"
	"time"
)

// writer is the single goroutine that writes to the database. Requests
// that arrive while a transaction commits wait together and share the next
// one (group commit): one fsync for many steps.
//
// Under FULL durability every commit waits for an fsync, so the writer
// also lingers: when other runs are in flight, it waits up to linger for
// their next requests before committing, so that one fsync covers all of
// them instead of the first one alone (PostgreSQL's commit_delay, gated
// like its commit_siblings). A lone run never waits.
type writer struct {
	db     *sql.DB
	reqs   chan *writeReq
	done   chan struct{}
	linger time.Duration
	active atomic.Int64 // runs in flight, each writing at most one request at a time

	commits, requests atomic.Int64 // for the group-commit ratio in benchmarks
	failed            func()       // called for each transaction a storage condition failed; may be nil

	stmts map[string]*sql.Stmt // prepared once; used only by the writer goroutine

	mu     sync.RWMutex // held for reading while sending, for writing by close
	closed bool
}

type writeReq struct {
	fn   func(*sql.Tx) error
	errc chan error
}

// maxBatch bounds how many requests share one transaction.
const maxBatch = 512

var errClosed = errors.New("engine: closed")

// fullLinger is how long a FULL-durability batch waits for the requests
// of other runs in flight: about one fsync on an SSD.
const fullLinger = 250 * time.Microsecond

func newWriter(db *sql.DB, linger time.Duration) (*writer, error) {
	w := &writer{db: db, reqs: make(chan *writeReq, maxBatch), done: make(chan struct{}), linger: linger,
		stmts: make(map[string]*sql.Stmt)}
	if err := w.prepare(); err != nil {
		return nil, err
	}
	go w.loop()
	return w, nil
}

// do runs fn in a write transaction and waits until it is committed.
func (w *writer) do(ctx context.Context, fn func(*sql.Tx) error) error {
	req, err := w.submit(ctx, fn)
	if err != nil {
		return err
	}
	// Once queued, wait for the commit even if ctx ends: the caller must
	// know whether its record is durable.
	return <-req.errc
}

// submit queues fn for the next transaction without waiting for it. The
// writer commits requests in the order they were queued.
func (w *writer) submit(ctx context.Context, fn func(*sql.Tx) error) (*writeReq, error) {
	req := &writeReq{fn: fn, errc: make(chan error, 1)}
	w.mu.RLock()
	defer w.mu.RUnlock()
	if w.closed {
		return nil, errClosed
	}
	select {
	case w.reqs <- req:
		return req, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// sync waits until every request queued before it is committed, so that
// a read after it sees them (read your writes).
func (w *writer) sync(ctx context.Context) error {
	return w.do(ctx, func(*sql.Tx) error { return nil })
}

// append records an event of a run owned by executor; errLeaseLost if the
// run is no longer its own. with, when not nil, runs first in the same
// transaction: it may fill in the event (a received message) or report
// that there is nothing to record (false), and its writes commit only
// with the event. It may run more than once (a batch retried request by
// request), each time in a fresh transaction.
func (w *writer) append(ctx context.Context, runID, executor string, ev *event, with func(*sql.Tx, *event) (bool, error)) (bool, error) {
	var recorded bool
	err := w.do(ctx, func(tx *sql.Tx) error {
		recorded = false
		if with != nil {
			ok, err := with(tx, ev)
			if err != nil || !ok {
				return err
			}
		}
		if err := w.appendIn(tx, runID, executor, ev); err != nil {
			return err
		}
		recorded = true
		return nil
	})
	return recorded, err
}

// appendAll writes evs in tx, in order, if the run is still executor's.
func (w *writer) appendAll(tx *sql.Tx, runID, executor string, evs []event) error {
	for i := range evs {
		if err := w.appendIn(tx, runID, executor, &evs[i]); err != nil {
			return err
		}
	}
	return nil
}

// appendIn writes ev in tx, if the run is still executor's.
func (w *writer) appendIn(tx *sql.Tx, runID, executor string, ev *event) error {
	res, err := w.exec(tx, insertEvent,
		runID, ev.seq, ev.stepSeq, ev.step, ev.kind, ev.attempt, ev.result,
		sql.NullString{String: ev.errMsg, Valid: ev.failed}, ev.at.UnixNano(), nullTime(ev.wake), executor)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errLeaseLost
	}
	return nil
}

func (w *writer) loop() {
	for req := range w.reqs {
		b := w.begin()
		b.add(req)
		w.drain(b)
		if w.linger > 0 {
			w.gather(b)
		}
		w.commit(b)
	}
	close(w.done)
}

// batch is a transaction being filled: each request's function runs as
// the request joins, so the SQL work overlaps the wait for more requests.
type batch struct {
	tx   *sql.Tx
	reqs []*writeReq
	err  error // Begin's error or the first function's; later requests only join
}

func (w *writer) begin() *batch {
	tx, err := w.db.Begin()
	return &batch{tx: tx, err: err}
}

func (b *batch) add(r *writeReq) {
	b.reqs = append(b.reqs, r)
	if b.err == nil {
		b.err = r.fn(b.tx)
	}
}

func (b *batch) full() bool { return len(b.reqs) >= maxBatch }

// end commits the batch, or rolls it back if a function failed, and
// returns the outcome.
func (b *batch) end() error {
	if b.err != nil {
		if b.tx != nil {
			b.tx.Rollback()
		}
		return b.err
	}
	return b.tx.Commit()
}

// statements are the writes every run makes, prepared once when the
// writer starts (before any transaction holds the connection, which for
// ":memory:" is the only one) so that SQLite does not parse them for
// every event.
var statements = []string{insertEvent, insertRun, finishRun}

func (w *writer) prepare() error {
	for _, q := range statements {
		stmt, err := w.db.Prepare(q)
		if err != nil {
			return err
		}
		w.stmts[q] = stmt
	}
	return nil
}

// exec runs query in tx, as its prepared statement when it has one. Only
// request functions, which run on the writer goroutine, call it.
func (w *writer) exec(tx *sql.Tx, query string, args ...any) (sql.Result, error) {
	if stmt, ok := w.stmts[query]; ok {
		return tx.Stmt(stmt).Exec(args...)
	}
	return tx.Exec(query, args...)
}

// drain adds the requests already queued.
func (w *writer) drain(b *batch) {
	for !b.full() {
		select {
		case r, ok := <-w.reqs:
			if !ok {
				return
			}
			b.add(r)
		default:
			return
		}
	}
}

// gather waits up to w.linger for a request from every run in flight.
func (w *writer) gather(b *batch) {
	want := min(int(w.active.Load()), maxBatch)
	if len(b.reqs) >= want {
		return
	}
	timer := time.NewTimer(w.linger)
	defer timer.Stop()
	for len(b.reqs) < want {
		select {
		case r, ok := <-w.reqs:
			if !ok {
				return
			}
			b.add(r)
		case <-timer.C:
			return
		}
	}
}

// commit commits the batch. If a request's function or the commit failed,
// the batch is rolled back and each request is retried in a transaction
// of its own, so that it alone gets the error and the others commit. A
// storage error (a lock, a full disk) is every request's: they all get it
// at once, rather than each waiting out the busy timeout again.
func (w *writer) commit(b *batch) {
	w.commits.Add(1)
	w.requests.Add(int64(len(b.reqs)))
	err := b.end()
	if transient(err) && w.failed != nil {
		w.failed()
	}
	if err == nil || len(b.reqs) == 1 || transient(err) {
		reply(b.reqs, err)
		return
	}
	for _, r := range b.reqs {
		one := w.begin()
		one.add(r)
		err := one.end()
		if transient(err) && w.failed != nil {
			w.failed()
		}
		r.errc <- err
	}
}

func reply(batch []*writeReq, err error) {
	for _, r := range batch {
		r.errc <- err
	}
}

// close stops the writer after the queued requests; later writes fail
// with errClosed.
func (w *writer) close() {
	w.mu.Lock()
	if !w.closed {
		w.closed = true
		close(w.reqs)
	}
	w.mu.Unlock()
	<-w.done
	for _, stmt := range w.stmts {
		stmt.Close()
	}
}
