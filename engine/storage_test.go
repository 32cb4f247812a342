package engine

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"testing"
	"time"
)

// locker holds the database's write lock from another connection, as
// another process would.
type locker struct {
	db *sql.DB
	tx *sql.Tx
}

func newLocker(t *testing.T, path string) *locker {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?_txlock=immediate&_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return &locker{db: db}
}

func (l *locker) lock(t *testing.T) {
	tx, err := l.db.Begin()
	if err != nil {
		t.Error(err)
		return
	}
	if _, err := tx.Exec(`CREATE TABLE IF NOT EXISTS lock_probe (x)`); err != nil {
		t.Error(err)
	}
	l.tx = tx
}

func (l *locker) unlock() {
	if l.tx != nil {
		l.tx.Rollback()
		l.tx = nil
	}
}

// storageOptions make the busy timeout and the storage retries short, so
// that a lock held for a second outlasts them.
func storageOptions() Options {
	return Options{BusyTimeout: 20 * time.Millisecond,
		StorageRetry: RetryPolicy{MaxAttempts: 3, Initial: 10 * time.Millisecond, NoJitter: true}}
}

// checkout charges a card (the ledger applies each key once), then ships.
// afterCharge runs when the charge step returns, with its error, and, if
// that was nil, when ship returns (whose begin commits the charge's
// record), with ship's.
func checkout(l *ledger, afterCharge func(error)) Workflow {
	return func(c *Context, _ []byte) ([]byte, error) {
		_, err := Step(c, "charge", func(ctx context.Context, key string) (int, error) {
			l.apply(key, 1250)
			return 1250, nil
		})
		if afterCharge != nil {
			afterCharge(err)
		}
		if err != nil {
			return nil, err // the chapter's checkout compensates here
		}
		_, err = Step(c, "ship", func(context.Context, string) (bool, error) { return true, nil })
		if afterCharge != nil {
			afterCharge(err)
		}
		return []byte("shipped"), err
	}
}

// TestLockAfterTheChargeLeavesTheRunResumable: another process takes the
// write lock right after the card is charged and keeps it past the busy
// timeout and every storage retry. The run is not failed: it stays
// running, and once the lock is gone Recover completes it with the card
// charged once.
func TestLockAfterTheChargeLeavesTheRunResumable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "e.db")
	e := mustOpen(t, path, storageOptions())
	lk := newLocker(t, path)
	l := newLedger()
	locked := false
	e.Register("checkout", checkout(l, func(err error) {
		if err != nil {
			lk.unlock() // the lock is gone before the workflow returns
		}
	}))
	e.opts.Fault = func(p FaultPoint, _, step string) error {
		if p == FaultAfterEffect && step == "charge" && !locked {
			locked = true
			lk.lock(t)
		}
		return nil
	}
	_, err := e.Run(context.Background(), "checkout", "order-1", nil)
	if !errors.Is(err, ErrUnavailable) {
		t.Fatalf("Run under a lock = %v, want ErrUnavailable", err)
	}
	if st, _, _ := e.Status(context.Background(), "order-1"); st != "running" {
		t.Fatalf("status %q after a storage failure; want running (resumable)", st)
	}
	if n, err := e.Recover(context.Background()); n != 1 || err != nil {
		t.Fatalf("Recover = %d, %v", n, err)
	}
	out, err := e.Run(context.Background(), "checkout", "order-1", nil)
	if err != nil || string(out) != "shipped" {
		t.Fatalf("after recovery: %q, %v", out, err)
	}
	if got := l.applied["order-1/0/charge"]; got != 1250 || len(l.applied) != 1 {
		t.Errorf("ledger %v: want the card charged once", l.applied)
	}
}

// TestBriefLockIsRetried: a lock shorter than the storage retries costs a
// delay, not an error.
func TestBriefLockIsRetried(t *testing.T) {
	path := filepath.Join(t.TempDir(), "e.db")
	opts := storageOptions()
	opts.StorageRetry = RetryPolicy{MaxAttempts: 20, Initial: 20 * time.Millisecond, Max: 100 * time.Millisecond, NoJitter: true}
	e := mustOpen(t, path, opts)
	lk := newLocker(t, path)
	l := newLedger()
	e.Register("checkout", checkout(l, nil))
	e.opts.Fault = func(p FaultPoint, _, step string) error {
		if p == FaultAfterEffect && step == "charge" {
			lk.lock(t)
			time.AfterFunc(150*time.Millisecond, lk.unlock)
		}
		return nil
	}
	out, err := e.Run(context.Background(), "checkout", "order-1", nil)
	if err != nil || string(out) != "shipped" {
		t.Fatalf("Run with a brief lock = %q, %v", out, err)
	}
}

func TestTransient(t *testing.T) {
	path := filepath.Join(t.TempDir(), "e.db")
	e := mustOpen(t, path, storageOptions())
	lk := newLocker(t, path)
	lk.lock(t)
	defer lk.unlock()
	_, err := e.db.Exec(`INSERT INTO engine_runs (id, workflow, status, created) VALUES ('x', 'w', 'running', 0)`)
	if !transient(err) {
		t.Errorf("a write under another's lock (%v) is not transient", err)
	}
	lk.unlock()
	_, err = e.db.Exec(`INSERT INTO engine_runs (id, workflow, status, created) VALUES (NULL, NULL, NULL, NULL)`)
	if err == nil || transient(err) {
		t.Errorf("a constraint error (%v) is transient", err)
	}
}
