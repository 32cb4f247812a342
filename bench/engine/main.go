// Command engine benchmarks Lamport's workflow engine (playground/engine)
// side by side with DBOS Transact Go on SQLite, on the same machine, in the
// same run, with the same modernc.org/sqlite (one module graph), no-op
// steps on both sides. Every figure is the median of 3 runs, with min and
// max. Run it with `make bench-engine`.
//
// Workloads: W1 sequential 3- and 10-step workflows, 1 starter; W2 3-step
// workflows with 8 and 32 concurrent starters; W3 a fan-out of 10 parallel
// steps; W4 a step that fails twice then succeeds; W6 five steps with
// compensation; W5, crash recovery of 1,000 interrupted 10-step runs: ours
// interrupted by its fault injection, DBOS's left PENDING by a shutdown
// while they block in a step, then recovered by a fresh Launch, both
// timed from opening the database to the last run's end. The raw SQLite
// append ceiling (one row per committed transaction, one writer) is
// measured in the same run for NORMAL and FULL.
//
// Like for like: each workload runs at NORMAL on both sides, then at FULL
// on both sides (DBOS on a handle with synchronous(FULL)), and both sides
// wait for the same commit: DBOS's GetResult returns after the workflow's
// outcome is committed, and ours runs with Options.AwaitEnd, so Run also
// returns after the run's end record is committed. The ratio column is
// ours over DBOS's median at the same durability. Before each measurement
// the machine's dirty pages are written back (quiesce), so that no run
// shares the disk with the write-back of the one before it.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// result is one measurement of one engine on one workload.
type result struct {
	workflows, steps int
	elapsed          time.Duration
	latencies        []time.Duration
	eventsPerStep    float64
}

func (r result) wfPerSec() float64 { return float64(r.workflows) / r.elapsed.Seconds() }

func (r result) percentile(p float64) time.Duration {
	if len(r.latencies) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), r.latencies...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[min(len(s)-1, int(float64(len(s))*p))]
}

// workload is a benchmark: run n workflows of the given shape with some
// starters, on a fresh database in dir.
type workload struct {
	name     string
	steps    int // steps per workflow, for steps/s
	starters int
	n        int
}

// runner runs a workload on one engine.
type runner func(dir string, w workload) (result, error)

func main() {
	n := flag.Int("n", 2000, "workflows per measurement")
	only := flag.String("only", "", "run only the workloads whose name starts with this (W1 … W6; W5 is recovery)")
	flag.Parse()
	tmp, err := os.MkdirTemp("", "engine-bench")
	if err != nil {
		fail(err)
	}
	defer os.RemoveAll(tmp)

	fmt.Printf("engine benchmark: %d workflows per run, median of 3 (min–max), GOMAXPROCS %s\n\n", *n, os.Getenv("GOMAXPROCS"))
	ceiling(tmp)
	fmt.Println()
	fmt.Printf("%-28s %-16s %22s %22s %12s %12s %10s %7s\n", "workload", "engine", "wf/s", "steps/s", "p50", "p99", "rows/step", "ratio")
	workloads := []workload{
		{"W1 3 steps, 1 starter", 3, 1, *n},
		{"W1 10 steps, 1 starter", 10, 1, *n / 2},
		{"W2 3 steps, 8 starters", 3, 8, *n},
		{"W2 3 steps, 32 starters", 3, 32, *n},
		{"W3 fan-out of 10", 10, 1, *n / 2},
		{"W4 fail twice, succeed", 1, 1, *n / 2},
		{"W6 5 steps + compensation", 10, 1, *n / 2},
	}
	levels := []struct {
		name string
		full bool
	}{{"NORMAL", false}, {"FULL", true}}
	for _, w := range workloads {
		if !strings.HasPrefix(w.name, *only) {
			continue
		}
		for _, l := range levels {
			dbosMed := report(tmp, w, "DBOS "+l.name, dbosRunner(l.full), 0)
			report(tmp, w, "lamport "+l.name, lamportRunner(l.full), dbosMed)
		}
	}
	if strings.HasPrefix("W5", *only) {
		fmt.Println()
		for _, l := range levels {
			recovery(tmp, l.name, l.full)
		}
	}
}

// report measures a workload three times and prints the median line,
// with the ratio of its median to peer (another engine's median wf/s at
// the same durability) when peer is not zero. It returns the median, or
// zero after an error.
func report(tmp string, w workload, name string, run runner, peer float64) float64 {
	var runs []result
	for i := range 3 {
		dir := filepath.Join(tmp, fmt.Sprintf("%s-%s-%d", slug(w.name), slug(name), i))
		os.MkdirAll(dir, 0o755)
		r, err := run(dir, w)
		if err != nil {
			fmt.Printf("%-28s %-16s error: %v\n", w.name, name, err)
			return 0
		}
		runs = append(runs, r)
	}
	sort.Slice(runs, func(i, j int) bool { return runs[i].wfPerSec() < runs[j].wfPerSec() })
	lo, med, hi := runs[0], runs[1], runs[2]
	ratio := ""
	if peer > 0 {
		ratio = fmt.Sprintf("%.1f×", med.wfPerSec()/peer)
	}
	fmt.Printf("%-28s %-16s %8.0f (%5.0f–%5.0f) %8.0f (%5.0f–%5.0f) %12s %12s %10.2f %7s\n", w.name, name,
		med.wfPerSec(), lo.wfPerSec(), hi.wfPerSec(),
		med.wfPerSec()*float64(w.steps), lo.wfPerSec()*float64(w.steps), hi.wfPerSec()*float64(w.steps),
		med.percentile(0.5).Round(time.Microsecond), med.percentile(0.99).Round(time.Microsecond), med.eventsPerStep, ratio)
	return med.wfPerSec()
}

// drive runs n workflows with the given number of starters and times them.
func drive(w workload, start func(i int) error) (result, error) {
	var next atomic.Int64
	lat := make([]time.Duration, w.n)
	var firstErr error
	var once sync.Once
	var wg sync.WaitGroup
	quiesce()
	begin := time.Now()
	for range w.starters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= w.n {
					return
				}
				t := time.Now()
				if err := start(i); err != nil {
					once.Do(func() { firstErr = err })
					return
				}
				lat[i] = time.Since(t)
			}
		}()
	}
	wg.Wait()
	return result{workflows: w.n, steps: w.n * w.steps, elapsed: time.Since(begin), latencies: lat}, firstErr
}

// quiesce writes back every dirty page of the machine before a
// measurement starts, so that the previous run's files (the other
// engine's, often) are not flushed during this one: at FULL each commit
// waits for the disk, and it shares the disk with that write-back.
func quiesce() { syscall.Sync() }

func slug(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return '-'
	}, s)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "bench:", err)
	os.Exit(1)
}
