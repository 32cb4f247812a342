package engine

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"
)

// Ownership: every run has at most one owner, an executor (one Engine,
// named by Options.ExecutorID), recorded in the run's row with a lease
// that lapses unless the owner renews it. An executor claims a run with a
// conditional update that succeeds only if nobody holds it, its lease has
// lapsed, or the executor itself holds it without running it (it crashed
// and restarted under the same ID). Every event it appends and the end it
// records are written only while the row still names it as the owner, so
// an executor that lost its run (a pause longer than its lease) cannot
// write over the new owner's work. Within one engine, flights make sure a
// run executes at most once at a time.

// errLeaseLost is the write of an executor that no longer owns its run.
var errLeaseLost = errors.New("engine: this executor no longer owns the run")

// defaultLease is the lease when Options.Lease is zero.
const defaultLease = 10 * time.Second

// newExecutorID names an executor uniquely: host, process and a random
// suffix, so that two engines never share an ID by accident.
func newExecutorID() string {
	host, _ := os.Hostname()
	var b [4]byte
	rand.Read(b[:])
	return fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b[:]))
}

// flights are the runs this engine is executing (or claiming), each with
// a channel closed when its execution ends. A launch that finds a run in
// flight kicks it, so that a claim under way that fails tries again: the
// run may have been woken (its child ended) just after that claim read it.
type flights struct {
	mu     sync.Mutex
	m      map[string]chan struct{}
	kicked map[string]bool
}

// begin registers id as executing here and returns true, or returns the
// channel of the execution already under way.
func (f *flights) begin(id string) (<-chan struct{}, bool) {
	return f.beginOr(id, false)
}

// beginOrKick is begin, kicking the execution under way if there is one.
func (f *flights) beginOrKick(id string) bool {
	_, mine := f.beginOr(id, true)
	return mine
}

func (f *flights) beginOr(id string, kick bool) (<-chan struct{}, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if ch, ok := f.m[id]; ok {
		if kick {
			f.kicked[id] = true
		}
		return ch, false
	}
	if f.m == nil {
		f.m, f.kicked = make(map[string]chan struct{}), make(map[string]bool)
	}
	f.m[id] = make(chan struct{})
	return nil, true
}

// end ends the flight of id, and reports whether it was kicked meanwhile.
func (f *flights) end(id string) (kicked bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	close(f.m[id])
	delete(f.m, id)
	kicked = f.kicked[id]
	delete(f.kicked, id)
	return kicked
}

func (f *flights) ids() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	ids := make([]string, 0, len(f.m))
	for id := range f.m {
		ids = append(ids, id)
	}
	return ids
}

// The ownership writes. A claim counts a recovery when it takes the run
// from an owner that did not let go (a crash, a lost lease).
const (
	claimRun = `UPDATE engine_runs SET owner = ?1, lease_until = ?2, wake = NULL,
		recoveries = recoveries + (owner IS NOT NULL)
		WHERE id = ?3 AND status = 'running'
		AND (owner IS NULL OR owner = ?1 OR lease_until < ?4) AND (wake IS NULL OR wake <= ?5)`
	overRecovered = `UPDATE engine_runs SET status = 'attention', owner = NULL, error = ?
		WHERE id = ? AND recoveries > ?`
	resumeRun = `UPDATE engine_runs SET status = 'running', recoveries = 0, owner = NULL, error = NULL WHERE id = ? AND status = 'attention'`
	// releaseRun lets go of a run, parking it until ?1 if that is not
	// NULL; but a run waiting in Recv for topic ?4 is not parked if a
	// message of that topic is pending, nor one waiting for child ?5 if
	// the child has ended: what it waits for came while it was parking.
	releaseRun = `UPDATE engine_runs SET owner = NULL,
		wake = CASE WHEN ?4 IS NOT NULL AND EXISTS (SELECT 1 FROM engine_messages WHERE run_id = ?2 AND topic = ?4 AND received IS NULL)
			OR ?5 IS NOT NULL AND EXISTS (SELECT 1 FROM engine_runs WHERE id = ?5 AND status IN ('done', 'failed', 'cancelled'))
			THEN NULL ELSE ?1 END
		WHERE id = ?2 AND owner = ?3 AND status = 'running'
		RETURNING wake IS NULL`
	releaseAll  = `UPDATE engine_runs SET owner = NULL WHERE owner = ? AND status = 'running'`
	claimableQ  = `SELECT id, workflow, version, input, wake FROM engine_runs WHERE status = 'running' AND (owner = ?1 OR (owner IS NOT NULL AND lease_until < ?2) OR owner IS NULL) ORDER BY created`
	ownershipQ  = `SELECT status, coalesce(owner, ''), lease_until FROM engine_runs WHERE id = ?`
	renewChunk  = 500
	renewPrefix = `UPDATE engine_runs SET lease_until = ? WHERE owner = ? AND status = 'running' AND id IN (`
)

// claim takes run id for this executor, in tx, unless it is parked with
// a wake-up time after wakeBy (Run passes math.MaxInt64: its caller is
// waiting anyway). It reports whether the run is now this executor's; a
// run taken over more often than Options.MaxRecoveries is marked for
// attention instead.
//
// Leases are in wall-clock time, not Options.Now: they measure whether an
// executor is alive, across processes, while timers are workflow time.
//
// It reports too whether the claim took the run from an owner that did not
// let go of it (only when an Observer counts such takeovers).
func (e *Engine) claim(tx *sql.Tx, id string, wakeBy int64) (claimed, takeover bool, err error) {
	held := e.opts.Observer != nil && tx.QueryRow(`SELECT 1 FROM engine_runs WHERE id = ? AND owner IS NOT NULL`, id).Scan(new(int)) == nil
	now := time.Now()
	res, err := tx.Exec(claimRun, e.executor, now.Add(e.opts.Lease).UnixNano(), id, now.UnixNano(), wakeBy)
	if err != nil {
		return false, false, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return false, false, nil
	}
	msg := fmt.Sprintf("taken over %d times from an owner that did not finish it (a crash, a panic, a lost lease)", e.opts.MaxRecoveries+1)
	res, err = tx.Exec(overRecovered, msg, id, e.opts.MaxRecoveries)
	if err != nil {
		return false, false, err
	}
	n, _ := res.RowsAffected()
	return n == 0, held, nil
}

// release lets go of a run this executor holds, so that another (or a
// later Recover) takes it at once. It waits for the commit.
func (e *Engine) release(id string, p *parked) error {
	_, err := e.park(id, p)
	return err
}

// park lets go of a run this executor holds, parking it until p's wake-up
// time when p is not nil. It reports that the run was not parked after
// all (woken) because what it waits for came meanwhile: a message, or its
// child's end. It waits for the commit.
func (e *Engine) park(id string, p *parked) (woken bool, err error) {
	var wake sql.NullInt64
	var topic, child sql.NullString
	if p != nil {
		wake = nullTime(p.wake)
		topic = sql.NullString{String: p.topic, Valid: p.recv}
		child = sql.NullString{String: p.child, Valid: p.child != ""}
	}
	err = e.w.do(context.Background(), func(tx *sql.Tx) error {
		err := tx.QueryRow(releaseRun, wake, id, e.executor, topic, child).Scan(&woken)
		if errors.Is(err, sql.ErrNoRows) { // no longer this executor's
			woken, err = false, nil
		}
		return err
	})
	return woken && p != nil, err
}

// renewLoop extends the leases of the runs in flight every third of the
// lease, until the engine closes or stopRenewing is called.
func (e *Engine) renewLoop() {
	defer close(e.renewDone)
	t := time.NewTicker(e.opts.Lease / 3)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			e.renew()
		case <-e.renewStop:
			return
		}
	}
}

// stopRenewing stops the lease renewal (Close does; tests use it to stand
// for a process paused past its lease).
func (e *Engine) stopRenewing() {
	e.renewOnce.Do(func() { close(e.renewStop) })
	<-e.renewDone
}

// renew extends the leases of every run in flight, and passes on the
// cancellations other processes asked for. A failed renewal is not fatal:
// the lease lasts three renewal periods.
func (e *Engine) renew() {
	ids := e.flights.ids()
	until := time.Now().Add(e.opts.Lease).UnixNano()
	for len(ids) > 0 {
		chunk := ids[:min(len(ids), renewChunk)]
		ids = ids[len(chunk):]
		args := []any{until, e.executor}
		for _, id := range chunk {
			args = append(args, id)
		}
		q := renewPrefix + strings.Repeat("?, ", len(chunk)-1) + "?)"
		e.w.do(context.Background(), func(tx *sql.Tx) error {
			_, err := tx.Exec(q, args...)
			return err
		})
		e.cancelled(chunk)
	}
}

// awaitOwner waits until run id is no longer held by another executor's
// lease: it ended, was released, or its lease lapsed. It polls, from 2 ms
// up to 200 ms between reads.
func (e *Engine) awaitOwner(ctx context.Context, id string) error {
	for delay := 2 * time.Millisecond; ; delay = min(2*delay, 200*time.Millisecond) {
		var status, owner string
		var lease int64
		if err := e.db.QueryRowContext(ctx, ownershipQ, id).Scan(&status, &owner, &lease); err != nil {
			return err
		}
		if status != statusRunning || owner == "" || owner == e.executor || lease < time.Now().UnixNano() {
			return nil
		}
		if err := sleep(ctx, delay); err != nil {
			return err
		}
	}
}
