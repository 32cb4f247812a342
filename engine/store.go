package engine

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
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
)

// openDB opens the database with WAL, the durability's synchronous mode and
// a busy timeout on every connection, then applies the migrations.
func openDB(dsn string, d Durability) (*sql.DB, error) {
	sync := "FULL"
	if d == Normal {
		sync = "NORMAL"
	}
	db, err := sqlitedb.Open(dsn, "synchronous("+sync+")")
	if err != nil {
		return nil, err
	}
	sub, _ := fs.Sub(migrations, "migrations") // a constant path
	if err := sqlitedb.Migrate(db, sub); err != nil {
		db.Close()
		return nil, fmt.Errorf("engine: %w", err)
	}
	return db, nil
}

// run is a workflow run as stored.
type run struct {
	id, workflow, status, version string
	input, output                 []byte
	errMsg                        string
	fresh                         bool // created by this Run: no history to load
}

func (r *run) result() ([]byte, error) {
	if r.status == statusFailed {
		return r.output, &RunError{RunID: r.id, Msg: r.errMsg}
	}
	return r.output, nil
}

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
)

// The writes every run makes (see writer.prepare).
const (
	insertEvent = `INSERT INTO events (run_id, seq, step_seq, step, kind, result, error, at, wake) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`
	insertRun   = `INSERT OR IGNORE INTO runs (id, workflow, version, input, status, created) VALUES (?, ?, ?, ?, ?, ?)`
	finishRun   = `UPDATE runs SET status = ?, output = ?, error = ?, finished = ? WHERE id = ?`
)

// event is one record of the log.
type event struct {
	seq, stepSeq int
	step, kind   string
	result       []byte
	errMsg       string
	at, wake     time.Time
}

// startRun creates the run, or loads it when the ID exists.
func (e *Engine) startRun(ctx context.Context, workflow, version, id string, input []byte) (*run, bool, error) {
	var r *run
	var created bool
	err := e.w.do(ctx, func(tx *sql.Tx) error {
		res, err := e.w.exec(tx, insertRun,
			id, workflow, version, input, statusRunning, e.opts.Now().UnixNano())
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		if created = n == 1; created {
			r = &run{id: id, workflow: workflow, version: version, input: input, status: statusRunning, fresh: true}
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

func loadRun(tx *sql.Tx, id string) (*run, error) {
	r := &run{id: id}
	var output []byte
	var errMsg sql.NullString
	err := tx.QueryRow(`SELECT workflow, version, input, status, output, error FROM runs WHERE id = ?`, id).
		Scan(&r.workflow, &r.version, &r.input, &r.status, &output, &errMsg)
	r.output, r.errMsg = output, errMsg.String
	return r, err
}

// history returns a run's events in order.
func (e *Engine) history(ctx context.Context, id string) ([]event, error) {
	rows, err := e.db.QueryContext(ctx, `SELECT seq, step_seq, step, kind, result, error, at, wake FROM events WHERE run_id = ? ORDER BY seq`, id)
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
		if err := rows.Scan(&ev.seq, &ev.stepSeq, &ev.step, &ev.kind, &ev.result, &errMsg, &at, &wake); err != nil {
			return nil, err
		}
		if ev.seq != len(evs) {
			return nil, fmt.Errorf("engine: run %s: history has a gap before event %d", id, ev.seq)
		}
		ev.errMsg, ev.at = errMsg.String, time.Unix(0, at)
		if wake.Valid {
			ev.wake = time.Unix(0, wake.Int64)
		}
		evs = append(evs, ev)
	}
	return evs, rows.Err()
}

// unfinished lists the runs still marked running.
func (e *Engine) unfinished(ctx context.Context) ([]*run, error) {
	if err := e.w.sync(ctx); err != nil {
		return nil, err
	}
	rows, err := e.db.QueryContext(ctx, `SELECT id, workflow, version, input FROM runs WHERE status = ? ORDER BY created`, statusRunning)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var runs []*run
	for rows.Next() {
		r := &run{status: statusRunning}
		if err := rows.Scan(&r.id, &r.workflow, &r.version, &r.input); err != nil {
			return nil, err
		}
		runs = append(runs, r)
	}
	return runs, rows.Err()
}

// finish records the end of a run, without waiting for the commit: every
// step the run's result depends on is already durable, so if the process
// dies before this record is, Recover replays the run (no step runs again,
// since all are recorded) and records the same end. Reads that must see it
// (Status, History, Recover) wait for the writer first.
func (e *Engine) finish(ctx context.Context, id string, out []byte, werr error) error {
	status, msg := statusDone, sql.NullString{}
	if werr != nil {
		status, msg = statusFailed, sql.NullString{String: werr.Error(), Valid: true}
	}
	_, err := e.w.submit(ctx, func(tx *sql.Tx) error {
		_, err := e.w.exec(tx, finishRun,
			status, out, msg, e.opts.Now().UnixNano(), id)
		return err
	})
	return err
}

// Status returns a run's state: "running", "done" or "failed", and
// whether it exists.
func (e *Engine) Status(ctx context.Context, id string) (string, bool, error) {
	if err := e.w.sync(ctx); err != nil {
		return "", false, err
	}
	var status string
	err := e.db.QueryRowContext(ctx, `SELECT status FROM runs WHERE id = ?`, id).Scan(&status)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	return status, err == nil, err
}
