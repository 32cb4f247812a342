package engine

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// mustOpen opens an engine on a real file in a temporary directory.
func mustOpen(tb testing.TB, path string, opts Options) *Engine {
	tb.Helper()
	e, err := Open(path, opts)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { e.Close() })
	return e
}

// counter counts how often each step function really ran.
type counter struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *counter) inc(step string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = map[string]int{}
	}
	c.n[step]++
}

func (c *counter) get(step string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[step]
}

// threeSteps is a workflow a → b → c; b calls hook first when set.
func threeSteps(calls *counter, hook func(ctx context.Context) error) Workflow {
	return func(c *Context, input []byte) ([]byte, error) {
		a, err := Step(c, "a", func(ctx context.Context, key string) (int, error) {
			calls.inc("a")
			return len(input), nil
		})
		if err != nil {
			return nil, err
		}
		b, err := Step(c, "b", func(ctx context.Context, key string) (string, error) {
			calls.inc("b")
			if hook != nil {
				if err := hook(ctx); err != nil {
					return "", err
				}
			}
			return key, nil
		})
		if err != nil {
			return nil, err
		}
		_, err = Step(c, "c", func(ctx context.Context, key string) (bool, error) {
			calls.inc("c")
			return true, nil
		})
		return []byte(fmt.Sprintf("%d %s", a, b)), err
	}
}

func TestRunAndIdempotentID(t *testing.T) {
	e := mustOpen(t, filepath.Join(t.TempDir(), "e.db"), Options{})
	var calls counter
	e.Register("three", threeSteps(&calls, nil))
	out, err := e.Run(context.Background(), "three", "run-1", []byte("hello"))
	if err != nil || string(out) != "5 run-1/1/b" {
		t.Fatalf("Run = %q, %v", out, err)
	}
	again, err := e.Run(context.Background(), "three", "run-1", []byte("ignored"))
	if err != nil || string(again) != string(out) {
		t.Fatalf("second Run = %q, %v", again, err)
	}
	for _, s := range []string{"a", "b", "c"} {
		if calls.get(s) != 1 {
			t.Errorf("step %s ran %d times, want 1", s, calls.get(s))
		}
	}
	if st, ok, _ := e.Status(context.Background(), "run-1"); st != "done" || !ok {
		t.Errorf("status = %q, %v", st, ok)
	}
	if _, ok, _ := e.Status(context.Background(), "nope"); ok {
		t.Error("an unknown run exists")
	}
}

// TestResumeAfterInterruption: a run cancelled in step b resumes in a new
// engine on the same file; a is replayed, not run again.
func TestResumeAfterInterruption(t *testing.T) {
	path := filepath.Join(t.TempDir(), "e.db")
	var calls counter
	ctx, cancel := context.WithCancel(context.Background())
	first := mustOpen(t, path, Options{})
	first.Register("three", threeSteps(&calls, func(context.Context) error { cancel(); return context.Canceled }))
	if _, err := first.Run(ctx, "three", "r", []byte("abc")); !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted Run: err = %v", err)
	}
	first.Close()

	second := mustOpen(t, path, Options{})
	second.Register("three", threeSteps(&calls, nil))
	n, err := second.Recover(context.Background())
	if err != nil || n != 1 {
		t.Fatalf("Recover = %d, %v", n, err)
	}
	out, err := second.Run(context.Background(), "three", "r", nil)
	if err != nil || string(out) != "3 r/1/b" {
		t.Fatalf("result = %q, %v", out, err)
	}
	if calls.get("a") != 1 || calls.get("b") != 2 || calls.get("c") != 1 {
		t.Errorf("calls a=%d b=%d c=%d, want 1 2 1", calls.get("a"), calls.get("b"), calls.get("c"))
	}
}

func TestNonDeterminism(t *testing.T) {
	path := filepath.Join(t.TempDir(), "e.db")
	var calls counter
	ctx, cancel := context.WithCancel(context.Background())
	first := mustOpen(t, path, Options{})
	first.Register("wf", threeSteps(&calls, func(context.Context) error { cancel(); return context.Canceled }))
	first.Run(ctx, "wf", "r", nil)
	first.Close()

	second := mustOpen(t, path, Options{})
	second.Register("wf", func(c *Context, input []byte) ([]byte, error) {
		_, err := Step(c, "renamed", func(context.Context, string) (int, error) { return 0, nil })
		return nil, err
	})
	_, err := second.Recover(context.Background())
	var nd *NonDeterminismError
	if !errors.As(err, &nd) || nd.Expected != "a" || nd.Got != "renamed" || nd.Seq != 0 {
		t.Fatalf("err = %v, want a NonDeterminismError at step 0 (a vs renamed)", err)
	}
	if st, _, _ := second.Status(context.Background(), "r"); st != "running" {
		t.Errorf("status = %q: a non-deterministic run must stay resumable", st)
	}
}

func TestStepFailureIsRecorded(t *testing.T) {
	e := mustOpen(t, ":memory:", Options{})
	var calls counter
	e.Register("wf", threeSteps(&calls, func(context.Context) error { return errors.New("card declined") }))
	_, err := e.Run(context.Background(), "wf", "r", nil)
	var se *StepError
	if !errors.As(err, &se) || se.Step != "b" || se.Msg != "card declined" {
		t.Fatalf("err = %v", err)
	}
	_, err = e.Run(context.Background(), "wf", "r", nil)
	var re *RunError
	if !errors.As(err, &re) || calls.get("b") != 1 {
		t.Fatalf("second Run: err = %v, b ran %d times", err, calls.get("b"))
	}
}

func TestConflictFailAndUnknownWorkflow(t *testing.T) {
	e := mustOpen(t, ":memory:", Options{Conflict: ConflictFail})
	var calls counter
	e.Register("wf", threeSteps(&calls, nil))
	if _, err := e.Run(context.Background(), "wf", "r", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Run(context.Background(), "wf", "r", nil); !errors.Is(err, ErrRunExists) {
		t.Errorf("err = %v, want ErrRunExists", err)
	}
	if _, err := e.Run(context.Background(), "other", "x", nil); err == nil {
		t.Error("an unregistered workflow ran")
	}
	e.Register("other", threeSteps(&calls, nil))
	if _, err := e.Run(context.Background(), "other", "r", nil); err == nil {
		t.Error("a run ID was reused by another workflow")
	}
}

func TestConcurrentRuns(t *testing.T) {
	for _, d := range []Durability{Full, Normal} {
		e := mustOpen(t, filepath.Join(t.TempDir(), "e.db"), Options{Durability: d})
		var calls counter
		e.Register("wf", threeSteps(&calls, nil))
		var wg sync.WaitGroup
		var failed atomic.Int32
		for i := range 64 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := e.Run(context.Background(), "wf", "run-"+strconv.Itoa(i), nil); err != nil {
					failed.Add(1)
				}
			}()
		}
		wg.Wait()
		if failed.Load() != 0 || calls.get("c") != 64 {
			t.Errorf("durability %d: %d failed runs, c ran %d times", d, failed.Load(), calls.get("c"))
		}
	}
}

func TestClosed(t *testing.T) {
	e, err := Open(":memory:", Options{})
	if err != nil {
		t.Fatal(err)
	}
	e.Register("wf", threeSteps(&counter{}, nil))
	e.Close()
	if _, err := e.Run(context.Background(), "wf", "r", nil); err == nil {
		t.Error("Run on a closed engine succeeded")
	}
}

// TestKill9 runs 1,000 ten-step workflows in a child process, kills it with
// SIGKILL mid-way, then recovers them all in this process and checks that
// every run finished with exactly its ten steps recorded.
func TestKill9(t *testing.T) {
	if os.Getenv("ENGINE_KILL9_CHILD") != "" {
		runChild(os.Getenv("ENGINE_KILL9_CHILD"))
		return
	}
	if testing.Short() {
		t.Skip("kill -9 test skipped in -short mode")
	}
	path := filepath.Join(t.TempDir(), "e.db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestKill9$")
	cmd.Env = append(os.Environ(), "ENGINE_KILL9_CHILD="+path)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Kill once a good share of steps is recorded (but not all). The
	// deadline is generous for -race builds on a busy machine.
	deadline := time.Now().Add(90 * time.Second)
	for time.Now().Before(deadline) && countEvents(t, path) < 2000 {
		time.Sleep(20 * time.Millisecond)
	}
	cmd.Process.Kill()
	cmd.Wait()
	before := countEvents(t, path)
	if before == 0 || before >= 10000 {
		t.Fatalf("killed with %d of 10000 steps recorded; want a run in the middle", before)
	}

	// The restarted process has the killed one's executor ID: it takes
	// the runs back at once instead of waiting for their leases to lapse.
	e := mustOpen(t, path, Options{ExecutorID: "kill9-worker"})
	e.Register("ten", tenSteps)
	start := time.Now()
	n, err := e.Recover(context.Background())
	took := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	// The client resubmits every ID: finished runs answer from the log,
	// runs the child never started run now.
	for i := range 1000 {
		if _, err := e.Run(context.Background(), "ten", "run-"+strconv.Itoa(i), nil); err != nil {
			t.Fatal(err)
		}
	}
	var done, events int
	if err := e.w.sync(context.Background()); err != nil { // the last runs' ends are written after Run returns
		t.Fatal(err)
	}
	e.db.QueryRow(`SELECT count(*) FROM engine_runs WHERE status = 'done'`).Scan(&done)
	e.db.QueryRow(`SELECT count(*) FROM engine_events`).Scan(&events)
	if done != 1000 || events != 10000 {
		t.Errorf("after recovery: %d runs done, %d events; want 1000 and 10000", done, events)
	}
	t.Logf("killed after %d steps; recovered %d unfinished runs in %v", before, n, took)
}

func tenSteps(c *Context, input []byte) ([]byte, error) {
	for i := range 10 {
		if _, err := Step(c, "s"+strconv.Itoa(i), func(context.Context, string) (int, error) { return i, nil }); err != nil {
			return nil, err
		}
	}
	return input, nil
}

// runChild is the process that gets killed.
func runChild(path string) {
	e, err := Open(path, Options{ExecutorID: "kill9-worker"})
	if err != nil {
		os.Exit(2)
	}
	e.Register("ten", tenSteps)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 16)
	for i := range 1000 {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			e.Run(context.Background(), "ten", "run-"+strconv.Itoa(i), nil)
		}()
	}
	wg.Wait()
	time.Sleep(time.Minute) // the parent kills us long before
}

func countEvents(t *testing.T, path string) int {
	if _, err := os.Stat(path); err != nil {
		return 0
	}
	// Read-only: the child owns the schema and the writes.
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(1000)")
	if err != nil {
		return 0
	}
	defer db.Close()
	var n int
	db.QueryRow(`SELECT count(*) FROM engine_events`).Scan(&n)
	return n
}

func BenchmarkRun3Steps(b *testing.B) {
	for _, d := range []Durability{Normal, Full} {
		b.Run([]string{"full", "normal"}[d], func(b *testing.B) {
			e := mustOpen(b, filepath.Join(b.TempDir(), "e.db"), Options{Durability: d})
			var calls counter
			e.Register("wf", threeSteps(&calls, nil))
			i := 0
			for b.Loop() {
				i++
				if _, err := e.Run(context.Background(), "wf", strconv.Itoa(i), nil); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "wf/s")
		})
	}
}

// BenchmarkFull8Starters is W2 under FULL durability: eight goroutines
// start 3-step workflows; group commit with the linger shares fsyncs.
func BenchmarkFull8Starters(b *testing.B) {
	e := mustOpen(b, filepath.Join(b.TempDir(), "e.db"), Options{Durability: Full})
	var calls counter
	e.Register("wf", threeSteps(&calls, nil))
	var next atomic.Int64
	b.SetParallelism(4) // 8 goroutines on 2 CPUs
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := e.Run(context.Background(), "wf", strconv.FormatInt(next.Add(1), 10), nil); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "wf/s")
	b.ReportMetric(float64(e.w.requests.Load())/b.Elapsed().Seconds(), "writes/s")
	b.ReportMetric(float64(e.w.requests.Load())/float64(e.w.commits.Load()), "writes/commit")
}

// A run's end is written after Run returns. If it is lost (the process
// died before its commit), Recover replays the run from its recorded steps:
// no step runs again, and the same end is recorded.
func TestLostEndIsReplayed(t *testing.T) {
	path := filepath.Join(t.TempDir(), "e.db")
	e := mustOpen(t, path, Options{})
	var calls counter
	e.Register("wf", threeSteps(&calls, nil))
	want, err := e.Run(context.Background(), "wf", "r", []byte("in"))
	if err != nil {
		t.Fatal(err)
	}
	if err := e.w.sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.Exec(`UPDATE engine_runs SET status = 'running', output = NULL WHERE id = 'r'`); err != nil {
		t.Fatal(err) // as if the end's commit never happened
	}
	n, err := e.Recover(context.Background())
	if err != nil || n != 1 {
		t.Fatalf("Recover = %d, %v", n, err)
	}
	got, err := e.Run(context.Background(), "wf", "r", []byte("in"))
	if err != nil || string(got) != string(want) {
		t.Errorf("after recovery %q, %v; want %q", got, err, want)
	}
	for _, step := range []string{"a", "b", "c"} {
		if k := calls.get(step); k != 1 {
			t.Errorf("step %s ran %d times", step, k)
		}
	}
}

// Status after Run sees the run's end, although Run does not wait for it.
func TestStatusReadsYourWrites(t *testing.T) {
	e := mustOpen(t, filepath.Join(t.TempDir(), "e.db"), Options{Durability: Full})
	var calls counter
	e.Register("wf", threeSteps(&calls, nil))
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 25 {
				id := fmt.Sprint(g, "-", i)
				if _, err := e.Run(context.Background(), "wf", id, nil); err != nil {
					t.Error(err)
					return
				}
				if status, ok, err := e.Status(context.Background(), id); status != "done" || !ok || err != nil {
					t.Errorf("Status(%s) right after Run = %q, %v, %v", id, status, ok, err)
				}
			}
		})
	}
	wg.Wait()
}

// TestAwaitEnd: with Options.AwaitEnd, the run's end is committed when Run
// returns: another engine on the file reads it at once.
func TestAwaitEnd(t *testing.T) {
	path := filepath.Join(t.TempDir(), "e.db")
	e := mustOpen(t, path, Options{AwaitEnd: true})
	reader := mustOpen(t, path, Options{})
	var calls counter
	e.Register("wf", threeSteps(&calls, nil))
	for i := range 20 {
		id := fmt.Sprint("r", i)
		if _, err := e.Run(context.Background(), "wf", id, nil); err != nil {
			t.Fatal(err)
		}
		if s, _, err := reader.Status(context.Background(), id); s != statusDone || err != nil {
			t.Fatalf("run %s: another engine reads %q, %v right after Run; want done", id, s, err)
		}
	}
}
