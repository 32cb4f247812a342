package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/dbos-inc/dbos-transact-golang/dbos"
	_ "github.com/dbos-inc/dbos-transact-golang/dbos/driver/sqlite"
)

// dbosWorkflow builds the DBOS equivalent of a workload.
func dbosWorkflow(w workload) dbos.Workflow[int, int] {
	noop := func(i int) dbos.Step[int] { return func(context.Context) (int, error) { return i, nil } }
	switch {
	case strings.HasPrefix(w.name, "W3"):
		return func(ctx dbos.Context, in int) (int, error) {
			var chans []<-chan dbos.StepOutcome[int]
			for i := range 10 {
				ch, err := dbos.Go(ctx, noop(i), dbos.WithStepName(fmt.Sprint("branch", i)))
				if err != nil {
					return 0, err
				}
				chans = append(chans, ch)
			}
			for _, ch := range chans {
				if o := <-ch; o.Err != nil {
					return 0, o.Err
				}
			}
			return in, nil
		}
	case strings.HasPrefix(w.name, "W4"):
		return func(ctx dbos.Context, in int) (int, error) {
			failures := 0
			_, err := dbos.RunAsStep(ctx, func(context.Context) (int, error) {
				if failures < 2 {
					failures++
					return 0, errors.New("transient")
				}
				return 1, nil
			}, dbos.WithStepName("flaky"), dbos.WithStepMaxRetries(3), dbos.WithStepBaseInterval(time.Microsecond), dbos.WithStepMaxInterval(time.Microsecond))
			return in, err
		}
	case strings.HasPrefix(w.name, "W6"):
		return func(ctx dbos.Context, in int) (int, error) {
			for i := range 5 {
				if _, err := dbos.RunAsStep(ctx, noop(i), dbos.WithStepName(fmt.Sprint("book", i))); err != nil {
					return 0, err
				}
			}
			for i := 4; i >= 0; i-- {
				if _, err := dbos.RunAsStep(ctx, noop(i), dbos.WithStepName(fmt.Sprint("undo:book", i)), dbos.WithStepMaxRetries(5)); err != nil {
					return 0, err
				}
			}
			return in, nil
		}
	}
	return func(ctx dbos.Context, in int) (int, error) {
		for i := range w.steps {
			if _, err := dbos.RunAsStep(ctx, noop(i), dbos.WithStepName(stepNames[i])); err != nil {
				return 0, err
			}
		}
		return in, nil
	}
}

// dbosRunner runs a workload on DBOS at NORMAL (its own SQLite setup)
// or FULL (a handle we open with DBOS's settings but synchronous(FULL)).
func dbosRunner(full bool) runner {
	return func(dir string, w workload) (result, error) {
		return dbosRun(dir, w, full)
	}
}

func dbosRun(dir string, w workload, full bool) (result, error) {
	path := filepath.Join(dir, "dbos.db")
	cfg, closeDB, err := dbosConfig(path, "", full)
	if err != nil {
		return result{}, err
	}
	defer closeDB()
	ctx, err := dbos.NewContext(context.Background(), cfg)
	if err != nil {
		return result{}, err
	}
	wf := dbosWorkflow(w)
	dbos.RegisterWorkflow(ctx, wf)
	if err := dbos.Launch(ctx); err != nil {
		return result{}, err
	}
	defer dbos.Shutdown(ctx, 5*time.Second)
	r, err := drive(w, func(i int) error {
		h, err := dbos.RunWorkflow(ctx, wf, i, dbos.WithWorkflowID(fmt.Sprint("run-", i)))
		if err != nil {
			return err
		}
		_, err = h.GetResult()
		return err
	})
	if err == nil {
		r.eventsPerStep = rowsPerStep(path, "operation_outputs", r.steps)
	}
	return r, err
}

// dbosRecovery is W5 for DBOS: 1,000 ten-step workflows started and left
// blocked in their seventh step (six completed, as in our W5), the
// context shut down with them still PENDING, as a crash would leave them;
// then a fresh context on the same database is launched (Launch recovers
// this executor's pending workflows) and timed until every workflow has
// finished. It returns the time and the completed steps that ran twice.
func dbosRecovery(dir string, runs int, full bool) (time.Duration, int, error) {
	path := filepath.Join(dir, "dbos-w5.db")
	var mu sync.Mutex
	completed := map[string]int{} // "workflow/step" → completions
	reached := make(chan struct{}, runs)
	finished := make(chan struct{}, runs)
	blocking := true
	wf := func(ctx dbos.Context, in int) (int, error) {
		for i := range 10 {
			step := func(context.Context) (int, error) {
				mu.Lock()
				block := blocking && i == 6
				mu.Unlock()
				if block {
					reached <- struct{}{}
					select {} // the crash: this step never returns
				}
				mu.Lock()
				completed[fmt.Sprint(in, "/", i)]++
				mu.Unlock()
				return i, nil
			}
			if _, err := dbos.RunAsStep(ctx, step, dbos.WithStepName(stepNames[i])); err != nil {
				return 0, err
			}
		}
		finished <- struct{}{}
		return in, nil
	}
	first, closeFirst, err := dbosLaunch(path, wf, full)
	if err != nil {
		return 0, 0, err
	}
	for i := range runs {
		if _, err := dbos.RunWorkflow(first, wf, i, dbos.WithWorkflowID(fmt.Sprint("run-", i))); err != nil {
			return 0, 0, err
		}
	}
	for range runs {
		<-reached
	}
	dbos.Shutdown(first, 100*time.Millisecond)
	closeFirst()
	mu.Lock()
	blocking = false
	mu.Unlock()

	quiesce()
	start := time.Now() // as ours: from opening the database to every run done
	second, closeSecond, err := dbosLaunch(path, wf, full)
	if err != nil {
		return 0, 0, err
	}
	defer closeSecond()
	defer dbos.Shutdown(second, 5*time.Second)
	for range runs {
		<-finished
	}
	took := time.Since(start)
	dup := 0
	for _, n := range completed {
		if n > 1 {
			dup++
		}
	}
	return took, dup, nil
}

// dbosLaunch opens a DBOS context on the SQLite file with one workflow
// registered, under a fixed application version so that a second launch
// recovers the first one's workflows. Call the returned function after
// Shutdown.
func dbosLaunch(path string, wf dbos.Workflow[int, int], full bool) (dbos.Context, func(), error) {
	cfg, closeDB, err := dbosConfig(path, "w5", full)
	if err != nil {
		return nil, nil, err
	}
	ctx, err := dbos.NewContext(context.Background(), cfg)
	if err != nil {
		closeDB()
		return nil, nil, err
	}
	dbos.RegisterWorkflow(ctx, wf)
	return ctx, closeDB, dbos.Launch(ctx)
}

// dbosConfig is DBOS's configuration on the SQLite file at path. At
// NORMAL it is DBOS's own: a sqlite: URL, for which DBOS opens a pool of
// 8 connections with WAL, synchronous(NORMAL), busy_timeout(5000),
// foreign keys and immediate transactions (dbos/internal/sysdb/
// sqlite_pool.go in v1.8.0). At FULL it is a handle opened here with the
// same settings but synchronous(FULL), passed as SQLiteSystemDB, which
// DBOS uses as it is: DBOS would otherwise set NORMAL again on one
// connection of a pool opened from a URL.
func dbosConfig(path, version string, full bool) (dbos.Config, func(), error) {
	cfg := dbos.Config{AppName: "bench", ApplicationVersion: version, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if !full {
		cfg.DatabaseURL = "sqlite:" + path
		return cfg, func() {}, nil
	}
	db, err := sql.Open("sqlite", "file:"+path+"?_txlock=immediate&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=busy_timeout(5000)&_pragma=foreign_keys(ON)")
	if err != nil {
		return cfg, nil, err
	}
	db.SetMaxOpenConns(8)
	db.SetMaxIdleConns(4)
	db.SetConnMaxLifetime(time.Hour)
	cfg.SQLiteSystemDB = db
	return cfg, func() { db.Close() }, nil
}
