package engine

import (
	"context"
	"database/sql"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

func openTestWriter(t *testing.T, linger time.Duration) (*sql.DB, *writer) {
	t.Helper()
	db, err := openDB(filepath.Join(t.TempDir(), "w.db"), Full, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CREATE TABLE t (k TEXT PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	w, err := newWriter(db, linger)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.close(); db.Close() })
	return db, w
}

func insert(k string) func(*sql.Tx) error {
	return func(tx *sql.Tx) error { _, err := tx.Exec(`INSERT INTO t (k) VALUES (?)`, k); return err }
}

// A failing request in a batch gets its own error; the others commit.
func TestWriterIsolatesAFailingRequest(t *testing.T) {
	db, w := openTestWriter(t, time.Second)
	if err := w.do(context.Background(), insert("a")); err != nil {
		t.Fatal(err)
	}
	w.active.Add(8) // the eight requests below share one batch
	errs := make([]error, 8)
	var wg sync.WaitGroup
	for i, k := range []string{"b", "c", "a", "d", "e", "f", "g", "h"} {
		wg.Go(func() { errs[i] = w.do(context.Background(), insert(k)) })
	}
	wg.Wait()
	for i, err := range errs {
		if (i == 2) != (err != nil) {
			t.Errorf("request %d: %v", i, err)
		}
	}
	var n int
	db.QueryRow(`SELECT count(*) FROM t`).Scan(&n)
	if n != 8 {
		t.Errorf("%d rows, want 8", n)
	}
}

// Under FULL, the writer waits briefly for every run in flight, so their
// requests share one transaction (one fsync).
func TestWriterGathersRunsInFlight(t *testing.T) {
	_, w := openTestWriter(t, time.Second)
	const runs = 4
	w.active.Add(runs)
	var mu sync.Mutex
	txs := map[*sql.Tx]int{}
	var wg sync.WaitGroup
	for i := range runs {
		wg.Go(func() {
			time.Sleep(time.Duration(i) * 5 * time.Millisecond) // arrive one by one
			err := w.do(context.Background(), func(tx *sql.Tx) error {
				mu.Lock()
				txs[tx]++
				mu.Unlock()
				return nil
			})
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if len(txs) != 1 {
		t.Errorf("%d transactions for %d runs in flight, want 1", len(txs), runs)
	}
}

// A lone run never waits for the linger.
func TestWriterLoneRunDoesNotLinger(t *testing.T) {
	_, w := openTestWriter(t, time.Hour)
	w.active.Add(1)
	done := make(chan error)
	go func() { done <- w.do(context.Background(), insert("x")) }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("a lone run waited for other runs")
	}
}
