package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/lamport-kb/lamport/engine"
)

// lamportWorkflow builds our workflow for a workload.
func lamportWorkflow(w workload) engine.Workflow {
	switch {
	case strings.HasPrefix(w.name, "W3"):
		return func(c *engine.Context, in []byte) ([]byte, error) {
			_, err := engine.Parallel(c, "branch", 10, engine.StepOptions{}, func(context.Context, int, string) (int, error) { return 1, nil })
			return in, err
		}
	case strings.HasPrefix(w.name, "W4"):
		return func(c *engine.Context, in []byte) ([]byte, error) {
			failures := 0
			_, err := engine.StepWith(c, "flaky", engine.StepOptions{Retry: engine.RetryPolicy{MaxAttempts: 3, Initial: time.Microsecond, NoJitter: true}},
				func(context.Context, string) (int, error) {
					if failures < 2 {
						failures++
						return 0, errors.New("transient")
					}
					return 1, nil
				})
			return in, err
		}
	case strings.HasPrefix(w.name, "W6"):
		return func(c *engine.Context, in []byte) ([]byte, error) {
			saga := engine.NewSaga(c, engine.RetryPolicy{})
			for i := range 5 {
				if _, err := engine.SagaStep(saga, fmt.Sprint("book", i), engine.StepOptions{},
					func(context.Context, string) (int, error) { return i, nil },
					func(context.Context, string, int) error { return nil }); err != nil {
					return nil, err
				}
			}
			saga.Compensate(errors.New("cancel"))
			return in, nil
		}
	}
	return func(c *engine.Context, in []byte) ([]byte, error) {
		for i := range w.steps {
			if _, err := engine.Step(c, stepNames[i], func(context.Context, string) (int, error) { return i, nil }); err != nil {
				return nil, err
			}
		}
		return in, nil
	}
}

var stepNames = []string{"s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9"}

func lamportRunner(full bool) runner {
	return func(dir string, w workload) (result, error) {
		d := engine.Normal
		if full {
			d = engine.Full
		}
		path := filepath.Join(dir, "lamport.db")
		e, err := engine.Open(path, engine.Options{Durability: d, AwaitEnd: true}) // wait for the end's commit, as DBOS does
		if err != nil {
			return result{}, err
		}
		defer e.Close()
		e.Register("wf", lamportWorkflow(w))
		ctx := context.Background()
		r, err := drive(w, func(i int) error {
			_, err := e.Run(ctx, "wf", fmt.Sprint("run-", i), nil)
			return err
		})
		if err == nil {
			r.eventsPerStep = rowsPerStep(path, "engine_events", r.steps)
		}
		return r, err
	}
}

// rowsPerStep counts the rows of table per workflow step.
func rowsPerStep(path, table string, steps int) float64 {
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		return 0
	}
	defer db.Close()
	var n int
	if err := db.QueryRow("SELECT count(*) FROM " + table).Scan(&n); err != nil {
		return 0
	}
	return float64(n) / float64(steps)
}

// recovery is W5 at one durability: 1,000 ten-step runs interrupted at
// their sixth step (by the engine's fault injection, as a crash would
// leave them), then a fresh engine opened and one Recover, timed from
// before Open to the last run's end (Recover waits for them all), as
// DBOS's is timed from before its context opens. It also checks that no
// completed step ran again.
func recovery(tmp, level string, full bool) {
	const runs = 1000
	d := engine.Normal
	if full {
		d = engine.Full
	}
	var times []time.Duration
	dup := 0
	for round := range 3 {
		took, n, err := lamportRecovery(filepath.Join(tmp, fmt.Sprint("w5-", level, "-", round, ".db")), runs, d)
		if err != nil {
			fail(err)
		}
		times, dup = append(times, took), dup+n
	}
	sortDurations(times)
	fmt.Printf("W5 %s: recovery of %d interrupted 10-step runs (6 steps done each), median (min–max), completed steps run twice:\n", level, runs)
	var dbosTimes []time.Duration
	dbosDup := 0
	for round := range 3 {
		dir := filepath.Join(tmp, fmt.Sprint("w5-dbos-", level, "-", round))
		os.MkdirAll(dir, 0o755)
		took, d, err := dbosRecovery(dir, runs, full)
		if err != nil {
			fmt.Printf("  DBOS %s error: %v\n", level, err)
			return
		}
		dbosTimes, dbosDup = append(dbosTimes, took), dbosDup+d
	}
	sortDurations(dbosTimes)
	fmt.Printf("  DBOS %-7s %v (%v–%v), %d\n", level, dbosTimes[1].Round(time.Millisecond), dbosTimes[0].Round(time.Millisecond), dbosTimes[2].Round(time.Millisecond), dbosDup)
	fmt.Printf("  lamport %-7s %v (%v–%v), %d   %.1f× faster\n", level, times[1].Round(time.Millisecond), times[0].Round(time.Millisecond), times[2].Round(time.Millisecond), dup,
		float64(dbosTimes[1])/float64(times[1]))
}

// lamportRecovery interrupts runs and recovers them; it returns the time
// from opening the fresh engine to the end of Recover, and how many
// completed steps ran twice.
func lamportRecovery(path string, runs int, d engine.Durability) (time.Duration, int, error) {
	var mu sync.Mutex
	executed := map[string]int{}
	wf := func(c *engine.Context, in []byte) ([]byte, error) {
		for i := range 10 {
			if _, err := engine.Step(c, stepNames[i], func(_ context.Context, key string) (int, error) {
				mu.Lock()
				executed[key]++
				mu.Unlock()
				return i, nil
			}); err != nil {
				return nil, err
			}
		}
		return in, nil
	}
	crashing, err := engine.Open(path, engine.Options{Durability: d, Fault: func(p engine.FaultPoint, _ string, step string) error {
		if p == engine.FaultAfterCommit && step == "s5" {
			return errors.New("crash")
		}
		return nil
	}})
	if err != nil {
		return 0, 0, err
	}
	crashing.Register("ten", wf)
	for i := range runs {
		crashing.Run(context.Background(), "ten", fmt.Sprint("run-", i), nil)
	}
	crashing.Close()
	quiesce()
	start := time.Now()
	e, err := engine.Open(path, engine.Options{Durability: d, AwaitEnd: true})
	if err != nil {
		return 0, 0, err
	}
	e.Register("ten", wf)
	n, err := e.Recover(context.Background())
	took := time.Since(start)
	e.Close()
	if err != nil || n != runs {
		return 0, 0, fmt.Errorf("W5 recovered %d runs: %v", n, err)
	}
	dup := 0
	for _, c := range executed {
		if c > 1 {
			dup++
		}
	}
	return took, dup, nil
}

func sortDurations(d []time.Duration) {
	for i := range d {
		for j := i + 1; j < len(d); j++ {
			if d[j] < d[i] {
				d[i], d[j] = d[j], d[i]
			}
		}
	}
}
