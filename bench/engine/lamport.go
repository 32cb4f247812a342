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
		e, err := engine.Open(path, engine.Options{Durability: d})
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
			r.eventsPerStep = rowsPerStep(path, "events", r.steps)
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

// recovery is W5: 1,000 ten-step runs interrupted at their sixth step (by
// the engine's fault injection, as a crash would leave them), then one
// Recover timed in a fresh engine. It also checks that no completed step
// ran again.
func recovery(tmp string, _ int) {
	const runs = 1000
	var times []time.Duration
	dup := 0
	for round := range 3 {
		path := filepath.Join(tmp, fmt.Sprint("w5-", round, ".db"))
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
		crashing, err := engine.Open(path, engine.Options{Durability: engine.Normal, Fault: func(p engine.FaultPoint, _ string, step string) error {
			if p == engine.FaultAfterCommit && step == "s5" {
				return errors.New("crash")
			}
			return nil
		}})
		if err != nil {
			fail(err)
		}
		crashing.Register("ten", wf)
		for i := range runs {
			crashing.Run(context.Background(), "ten", fmt.Sprint("run-", i), nil)
		}
		crashing.Close()
		e, err := engine.Open(path, engine.Options{Durability: engine.Normal})
		if err != nil {
			fail(err)
		}
		e.Register("ten", wf)
		start := time.Now()
		n, err := e.Recover(context.Background())
		times = append(times, time.Since(start))
		e.Close()
		if err != nil || n != runs {
			fail(fmt.Errorf("W5 recovered %d runs: %v", n, err))
		}
		for _, c := range executed {
			if c > 1 {
				dup++
			}
		}
	}
	sortDurations(times)
	fmt.Printf("W5 recovery of %d interrupted 10-step runs (6 steps done each), median (min–max), completed steps run twice:\n", runs)
	fmt.Printf("  lamport NORMAL %v (%v–%v), %d\n", times[1].Round(time.Millisecond), times[0].Round(time.Millisecond), times[2].Round(time.Millisecond), dup)
	var dbosTimes []time.Duration
	dbosDup := 0
	for round := range 3 {
		dir := filepath.Join(tmp, fmt.Sprint("w5-dbos-", round))
		os.MkdirAll(dir, 0o755)
		took, d, err := dbosRecovery(dir, runs)
		if err != nil {
			fmt.Printf("  DBOS (NORMAL) error: %v\n", err)
			return
		}
		dbosTimes, dbosDup = append(dbosTimes, took), dbosDup+d
	}
	sortDurations(dbosTimes)
	fmt.Printf("  DBOS (NORMAL)  %v (%v–%v), %d\n", dbosTimes[1].Round(time.Millisecond), dbosTimes[0].Round(time.Millisecond), dbosTimes[2].Round(time.Millisecond), dbosDup)
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
