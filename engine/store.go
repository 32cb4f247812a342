package engine

import (
	"cmp"
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/lamport-kb/lamport/internal/sqlitedb"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Run states.
const (
	statusRunning = "running"
	statusDone    = "done"
	statusFailed  = "failed"
	// statusAttention is a run that kept failing to finish (crashes,
	// panics, lost leases); no executor takes it until Resume.
	statusAttention = "attention"
	// statusCancelled is a run ended by Cancel or its deadline, after its
	// workflow returned (having compensated what it had done).
	statusCancelled = "cancelled"
	// statusEnqueued is a run waiting in its queue to be started.
	statusEnqueued = "enqueued"
)

// migrationsTable records the engine's migrations, apart from any the
// application sharing the database keeps.
const migrationsTable = "engine_migrations"

// openDB opens the database with WAL, the durability's synchronous mode and
// a busy timeout on every connection, then applies the migrations. It
// first checks, read-only, that the file is a database the engine can
// use, so that a database it refuses is left exactly as it was.
func openDB(dsn string, d Durability, busy time.Duration) (*sql.DB, error) {
	sub, _ := fs.Sub(migrations, "migrations") // a constant path
	if err := inspect(dsn, sub); err != nil {
		return nil, err
	}
	sync := "FULL"
	if d == Normal {
		sync = "NORMAL"
	}
	db, err := sqlitedb.OpenWith(dsn, sqlitedb.Config{Pragmas: []string{"synchronous(" + sync + ")"}, Immediate: true, BusyTimeout: busy})
	if err != nil {
		return nil, err
	}
	if err := sqlitedb.MigrateInto(db, sub, migrationsTable); err != nil {
		db.Close()
		return nil, fmt.Errorf("engine: %w", err)
	}
	return db, nil
}

// inspect refuses, before anything is written, a file that is not a
// SQLite database, engine tables without the engine's record of them, and
// a record naming a migration this code does not have (a newer engine).
// A missing or empty file is a new database.
func inspect(dsn string, sub fs.FS) error {
	if dsn == sqlitedb.Memory {
		return nil
	}
	if st, err := os.Stat(dsn); err != nil || st.Size() == 0 {
		return nil
	}
	db, err := sqlitedb.OpenWith(dsn, sqlitedb.Config{ReadOnly: true})
	if err != nil {
		return err
	}
	defer db.Close()
	tables, err := engineTables(db)
	if err != nil {
		return fmt.Errorf("engine: %s is not a SQLite database the engine can open: %w", dsn, err)
	}
	if len(tables) == 0 {
		return nil
	}
	if !slices.Contains(tables, migrationsTable) {
		return fmt.Errorf("engine: %s has tables %s but no %s: they were not made by the engine", dsn, strings.Join(tables, ", "), migrationsTable)
	}
	return knownMigrations(db, dsn, sub)
}

// engineTables lists the tables whose names start with engine_.
func engineTables(db *sql.DB) ([]string, error) {
	rows, err := db.Query(`SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'engine\_%' ESCAPE '\' ORDER BY name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, err
		}
		names = append(names, name)
	}
	return names, rows.Err()
}

// knownMigrations checks that every migration the database records is one
// of this code's.
func knownMigrations(db *sql.DB, dsn string, sub fs.FS) error {
	rows, err := db.Query(`SELECT name FROM ` + migrationsTable + ` ORDER BY name`)
	if err != nil {
		return fmt.Errorf("engine: %s: reading %s: %w", dsn, migrationsTable, err)
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return err
		}
		if _, err := fs.Stat(sub, strings.TrimPrefix(name, "migrations/")); err != nil {
			return fmt.Errorf("engine: %s was migrated by a newer engine (%s is not known to this one)", dsn, name)
		}
	}
	return rows.Err()
}

// run is a workflow run as stored.
type run struct {
	id, workflow, status, version string
	input, output                 []byte
	errMsg                        string
	fresh                         bool // created by this Run: no history to load

	cancel   string    // why it is being cancelled (cancelReasons); empty: it is not
	deadline time.Time // when it is cancelled by the workflow clock; zero: never
	parent   string    // the run that started it as a child
}

func (r *run) result() ([]byte, error) {
	switch r.status {
	case statusFailed:
		return r.output, &RunError{RunID: r.id, Msg: r.errMsg}
	case statusAttention:
		return nil, fmt.Errorf("%w: run %s: %s", ErrAttention, r.id, r.errMsg)
	case statusCancelled:
		return r.output, fmt.Errorf("engine: run %s: %w", r.id, cancelError(r.cancel))
	}
	return r.output, nil
}

// ErrAttention is returned for a run marked for attention: it was taken
// over more than Options.MaxRecoveries times without finishing. Resume
// makes it runnable again once its cause is fixed.
var ErrAttention = errors.New("engine: the run needs attention")

// RunError is the recorded failure of a finished run.
type RunError struct {
	RunID, Msg string
}

func (e *RunError) Error() string { return "engine: run " + e.RunID + " failed: " + e.Msg }

// Event kinds.
const (
	kindDone  = "done"
	kindRetry = "retry"
	kindTimer = "timer"
	// kindCancel ends a step that did not run because the run was being
	// cancelled; its error is the reason (see cancelReasons).
	kindCancel = "cancel"
)

// The writes every run makes (see writer.prepare). An event is appended
// and a run finished only while the run's row names the writer's executor
// as its owner (see owner.go).
const (
	insertEvent = `INSERT INTO engine_events (run_id, seq, step_seq, step, kind, attempt, result, error, at, wake)
		SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10
		WHERE EXISTS (SELECT 1 FROM engine_runs WHERE id = ?1 AND owner = ?11 AND status = 'running')`
	insertRun = `INSERT OR IGNORE INTO engine_runs (id, workflow, version, input, status, created, owner, lease_until, deadline, parent)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	finishRun = `UPDATE engine_runs SET status = ?, output = ?, error = ?, finished = ?, owner = NULL, cancel = coalesce(?, cancel)
		WHERE id = ? AND owner = ? AND status = 'running'`
)

// event is one record of the log.
type event struct {
	seq, stepSeq int
	step, kind   string
	attempt      int // the attempt a done or retry event ends
	result       []byte
	failed       bool // the attempt ended with an error, errMsg (maybe empty)
	errMsg       string
	at, wake     time.Time
}

// startRun creates the run, owned by this executor, or loads it when the
// ID exists.
func (e *Engine) startRun(ctx context.Context, workflow, version, id string, input []byte, opts RunOptions) (*run, bool, error) {
	var r *run
	var created bool
	err := e.w.do(ctx, func(tx *sql.Tx) error {
		now := e.opts.Now()
		deadline := opts.deadline(now)
		res, err := e.w.exec(tx, insertRun,
			id, workflow, version, input, statusRunning, now.UnixNano(), e.executor, time.Now().Add(e.opts.Lease).UnixNano(),
			nullTime(deadline), sql.NullString{String: opts.parent, Valid: opts.parent != ""})
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		if created = n == 1; created {
			r = &run{id: id, workflow: workflow, version: version, input: input, status: statusRunning, fresh: true,
				deadline: deadline, parent: opts.parent}
			return nil
		}
		r, err = loadRun(tx, id)
		return err
	})
	if err == nil && r.workflow != workflow {
		return nil, false, fmt.Errorf("engine: run %s belongs to workflow %q, not %q", id, r.workflow, workflow)
	}
	return r, created, err
}

// claimRun claims an existing run for this executor and reloads it: the
// claim may have marked it for attention, or another executor may have
// finished it since it was loaded.
func (e *Engine) claimRun(ctx context.Context, id string, wakeBy int64) (*run, bool, error) {
	var r *run
	var claimed, takeover bool
	err := e.w.do(ctx, func(tx *sql.Tx) error {
		var err error
		if claimed, takeover, err = e.claim(tx, id, wakeBy); err != nil {
			return err
		}
		r, err = loadRun(tx, id)
		return err
	})
	if err == nil && takeover {
		e.incident(IncidentTakeover)
	}
	return r, claimed, err
}

// loadRun reads run id, in a transaction or from the database.
func loadRun(q interface {
	QueryRow(string, ...any) *sql.Row
}, id string) (*run, error) {
	r := &run{id: id}
	var output []byte
	var errMsg, cancel, parent sql.NullString
	var deadline sql.NullInt64
	err := q.QueryRow(`SELECT workflow, version, input, status, output, error, cancel, deadline, parent FROM engine_runs WHERE id = ?`, id).
		Scan(&r.workflow, &r.version, &r.input, &r.status, &output, &errMsg, &cancel, &deadline, &parent)
	r.output, r.errMsg, r.cancel, r.parent = output, errMsg.String, cancel.String, parent.String
	r.deadline = fromNull(deadline)
	return r, err
}

// nullTime stores t as unix nanoseconds, the zero time as NULL.
func nullTime(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.UnixNano(), Valid: true}
}

func fromNull(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return time.Unix(0, n.Int64)
}

// history returns a run's events in order.
func (e *Engine) history(ctx context.Context, id string) ([]event, error) {
	rows, err := e.db.QueryContext(ctx, `SELECT seq, step_seq, step, kind, attempt, result, error, at, wake FROM engine_events WHERE run_id = ? ORDER BY seq`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var evs []event
	for rows.Next() {
		var ev event
		var errMsg sql.NullString
		var at int64
		var wake sql.NullInt64
		if err := rows.Scan(&ev.seq, &ev.stepSeq, &ev.step, &ev.kind, &ev.attempt, &ev.result, &errMsg, &at, &wake); err != nil {
			return nil, err
		}
		if ev.seq != len(evs) {
			return nil, fmt.Errorf("engine: run %s: history has a gap before event %d", id, ev.seq)
		}
		ev.failed, ev.errMsg, ev.at = errMsg.Valid, errMsg.String, time.Unix(0, at)
		if wake.Valid {
			ev.wake = time.Unix(0, wake.Int64)
		}
		evs = append(evs, ev)
	}
	return evs, rows.Err()
}

// claimable lists the runs this executor may claim: its own (a previous
// process under the same ID), those whose lease lapsed, and released ones
// that are not parked until after wakeBy, the workflow clock's time now.
// It reads the clock only if a run is parked, so that recovering a run
// does not move a fake clock that advances on every read.
func (e *Engine) claimable(ctx context.Context) (runs []*run, wakeBy int64, err error) {
	if err := e.w.sync(ctx); err != nil {
		return nil, 0, err
	}
	rows, err := e.db.QueryContext(ctx, claimableQ, e.executor, time.Now().UnixNano())
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	wakeBy = math.MinInt64 // no parked run: claim only unparked ones
	for rows.Next() {
		r := &run{status: statusRunning}
		var wake sql.NullInt64
		if err := rows.Scan(&r.id, &r.workflow, &r.version, &r.input, &wake); err != nil {
			return nil, 0, err
		}
		if wake.Valid && wakeBy == math.MinInt64 {
			wakeBy = e.opts.Now().UnixNano()
		}
		if !wake.Valid || wake.Int64 <= wakeBy {
			runs = append(runs, r)
		}
	}
	return runs, wakeBy, rows.Err()
}

// finish records the end of a run, without waiting for the commit: every
// step the run's result depends on is already durable, so if the process
// dies before this record is, Recover replays the run (no step runs again,
// since all are recorded) and records the same end. Reads that must see it
// (Status, History, Recover) wait for the writer first; with
// Options.AwaitEnd it waits for the commit. A run that was
// being cancelled (cancel, a reason) ends cancelled, whatever it returned.
//
// The end of a child wakes its parent if the parent parked waiting for it
// (see Child), in the same transaction. last, when not nil, is the run's
// last step's record, not yet written: the transaction appends it first,
// and finish waits for the commit (see pending.go).
func (e *Engine) finish(ctx context.Context, r *run, out []byte, werr error, cancel string, last []event) error {
	id := r.id
	status, msg := statusDone, sql.NullString{}
	if werr != nil {
		status, msg = statusFailed, sql.NullString{String: werr.Error(), Valid: true}
	}
	reason := sql.NullString{String: cancel, Valid: cancel != ""}
	if reason.Valid {
		status = statusCancelled
		msg = sql.NullString{String: cmp.Or(msg.String, cancelError(cancel).Error()), Valid: true}
	}
	end := func(tx *sql.Tx) error {
		if err := e.w.appendAll(tx, id, e.executor, last); err != nil {
			return err
		}
		res, err := e.w.exec(tx, finishRun,
			status, out, msg, e.opts.Now().UnixNano(), reason, id, e.executor)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errLeaseLost // another executor took the run: its end stands
		}
		if r.parent != "" {
			_, err = tx.Exec(wakeParked, r.parent)
		}
		return err
	}
	if len(last) > 0 {
		return e.durably(ctx, func() error { return e.w.do(context.WithoutCancel(ctx), end) })
	}
	req, err := e.w.submit(ctx, end)
	if err != nil || !e.opts.AwaitEnd {
		return err
	}
	return <-req.errc
}

// Status returns a run's state: "enqueued", "running", "done", "failed",
// "cancelled" or "attention" (see ErrAttention), and whether it exists.
func (e *Engine) Status(ctx context.Context, id string) (string, bool, error) {
	if err := e.w.sync(ctx); err != nil {
		return "", false, err
	}
	var status string
	err := e.db.QueryRowContext(ctx, `SELECT status FROM engine_runs WHERE id = ?`, id).Scan(&status)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	return status, err == nil, err
}
