package main

import (
	"context"
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

func dbosRunner(dir string, w workload) (result, error) {
	path := filepath.Join(dir, "dbos.db")
	ctx, err := dbos.NewContext(context.Background(), dbos.Config{
		AppName:     "bench",
		DatabaseURL: "sqlite:" + path,
		Logger:      slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
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
func dbosRecovery(dir string, runs int) (time.Duration, int, error) {
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
	first, err := dbosLaunch(path, wf)
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
	mu.Lock()
	blocking = false
	mu.Unlock()

	start := time.Now()
	second, err := dbosLaunch(path, wf)
	if err != nil {
		return 0, 0, err
	}
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
// recovers the first one's workflows.
func dbosLaunch(path string, wf dbos.Workflow[int, int]) (dbos.Context, error) {
	ctx, err := dbos.NewContext(context.Background(), dbos.Config{
		AppName:            "bench",
		ApplicationVersion: "w5",
		DatabaseURL:        "sqlite:" + path,
		Logger:             slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		return nil, err
	}
	dbos.RegisterWorkflow(ctx, wf)
	return ctx, dbos.Launch(ctx)
}
