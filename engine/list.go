package engine

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// RunInfo describes a run as stored.
type RunInfo struct {
	ID, Workflow, Version string
	Status                string    // enqueued, running, done, failed, cancelled, attention
	Queue                 string    // the queue it was enqueued in
	Started               time.Time // when it left its queue
	Error                 string    // failed: the workflow's error; cancelled: why; attention: why
	Parent                string    // the run that started it as a child
	Created               time.Time
	Finished              time.Time // zero while it has not ended
	Deadline              time.Time // zero: none
	Cancel                string    // "cancelled" or "deadline" once it is being cancelled
	Owner                 string    // the executor holding it; empty: none
	Wake                  time.Time // a parked run's wake-up time
	Recoveries            int       // takeovers from an owner that did not finish it
}

// RunFilter selects runs; its zero value selects every run.
type RunFilter struct {
	Status   string    // one of the states (see Status); empty: any
	Workflow string    // empty: any
	Parent   string    // only the children of this run
	From, To time.Time // created in [From, To), by the workflow clock; zero: unbounded
	Limit    int       // at most this many, oldest first; 0: all
}

// Statuses are the states a run can be in.
var Statuses = []string{statusEnqueued, statusRunning, statusDone, statusFailed, statusCancelled, statusAttention}

const runColumns = `id, workflow, version, status, coalesce(error, ''), coalesce(parent, ''), created, finished,
	deadline, coalesce(cancel, ''), coalesce(owner, ''), wake, recoveries, coalesce(queue, ''), started`

// Runs lists the runs that match f, oldest first, after this engine's
// pending writes.
func (e *Engine) Runs(ctx context.Context, f RunFilter) ([]RunInfo, error) {
	q, args, err := f.query()
	if err != nil {
		return nil, err
	}
	if err := e.w.sync(ctx); err != nil {
		return nil, err
	}
	rows, err := e.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var runs []RunInfo
	for rows.Next() {
		ri, err := scanRunInfo(rows)
		if err != nil {
			return nil, err
		}
		runs = append(runs, ri)
	}
	return runs, rows.Err()
}

// RunInfo describes run id; ErrNoRun if there is none.
func (e *Engine) RunInfo(ctx context.Context, id string) (RunInfo, error) {
	if err := e.w.sync(ctx); err != nil {
		return RunInfo{}, err
	}
	ri, err := scanRunInfo(e.db.QueryRowContext(ctx, `SELECT `+runColumns+` FROM engine_runs WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return ri, fmt.Errorf("%w: %s", ErrNoRun, id)
	}
	return ri, err
}

// query is the filter's SQL, or an error for a status that does not exist.
func (f RunFilter) query() (string, []any, error) {
	var where []string
	var args []any
	add := func(cond string, arg any) {
		where = append(where, cond)
		args = append(args, arg)
	}
	if f.Status != "" {
		if !slices.Contains(Statuses, f.Status) {
			return "", nil, fmt.Errorf("engine: no run status %q (want one of %s)", f.Status, strings.Join(Statuses, ", "))
		}
		add("status = ?", f.Status)
	}
	if f.Workflow != "" {
		add("workflow = ?", f.Workflow)
	}
	if f.Parent != "" {
		add("parent = ?", f.Parent)
	}
	if !f.From.IsZero() {
		add("created >= ?", f.From.UnixNano())
	}
	if !f.To.IsZero() {
		add("created < ?", f.To.UnixNano())
	}
	q := `SELECT ` + runColumns + ` FROM engine_runs`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	q += ` ORDER BY created, id`
	if f.Limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", f.Limit)
	}
	return q, args, nil
}

func scanRunInfo(row interface{ Scan(...any) error }) (RunInfo, error) {
	var ri RunInfo
	var created int64
	var finished, deadline, wake, started sql.NullInt64
	err := row.Scan(&ri.ID, &ri.Workflow, &ri.Version, &ri.Status, &ri.Error, &ri.Parent, &created, &finished,
		&deadline, &ri.Cancel, &ri.Owner, &wake, &ri.Recoveries, &ri.Queue, &started)
	ri.Created, ri.Finished, ri.Deadline, ri.Wake = time.Unix(0, created), fromNull(finished), fromNull(deadline), fromNull(wake)
	ri.Started = fromNull(started)
	return ri, err
}
