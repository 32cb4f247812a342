package engine

import (
	"context"
	"database/sql"
	"errors"
	"sync"
)

// writer is the single goroutine that writes to the database. Requests
// that arrive while a transaction commits wait together and share the next
// one (group commit): one fsync for many steps.
type writer struct {
	db   *sql.DB
	reqs chan *writeReq
	done chan struct{}

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

func newWriter(db *sql.DB) *writer {
	w := &writer{db: db, reqs: make(chan *writeReq, maxBatch), done: make(chan struct{})}
	go w.loop()
	return w
}

// do runs fn in a write transaction and waits until it is committed.
func (w *writer) do(ctx context.Context, fn func(*sql.Tx) error) error {
	req := &writeReq{fn: fn, errc: make(chan error, 1)}
	w.mu.RLock()
	if w.closed {
		w.mu.RUnlock()
		return errClosed
	}
	select {
	case w.reqs <- req:
		w.mu.RUnlock()
	case <-ctx.Done():
		w.mu.RUnlock()
		return ctx.Err()
	}
	// Once queued, wait for the commit even if ctx ends: the caller must
	// know whether its record is durable.
	return <-req.errc
}

// append records an event.
func (w *writer) append(ctx context.Context, runID string, ev event) error {
	var wake sql.NullInt64
	if !ev.wake.IsZero() {
		wake = sql.NullInt64{Int64: ev.wake.UnixNano(), Valid: true}
	}
	return w.do(ctx, func(tx *sql.Tx) error {
		_, err := tx.Exec(`INSERT INTO events (run_id, seq, step_seq, step, kind, result, error, at, wake) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			runID, ev.seq, ev.stepSeq, ev.step, ev.kind, ev.result, nullString(ev.errMsg), ev.at.UnixNano(), wake)
		return err
	})
}

func nullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

func (w *writer) loop() {
	for req := range w.reqs {
		batch := []*writeReq{req}
	drain:
		for len(batch) < maxBatch {
			select {
			case r, ok := <-w.reqs:
				if !ok {
					break drain
				}
				batch = append(batch, r)
			default:
				break drain
			}
		}
		w.commit(batch)
	}
	close(w.done)
}

// commit runs a batch in one transaction. A request whose function fails
// gets its own error; the others commit.
func (w *writer) commit(batch []*writeReq) {
	tx, err := w.db.Begin()
	if err != nil {
		reply(batch, err)
		return
	}
	errs := make([]error, len(batch))
	for i, r := range batch {
		if _, err := tx.Exec(`SAVEPOINT req`); err != nil {
			errs[i] = err
			continue
		}
		if errs[i] = r.fn(tx); errs[i] != nil {
			tx.Exec(`ROLLBACK TO req`)
		}
		tx.Exec(`RELEASE req`)
	}
	if err := tx.Commit(); err != nil {
		reply(batch, err)
		return
	}
	for i, r := range batch {
		r.errc <- errs[i]
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
}
