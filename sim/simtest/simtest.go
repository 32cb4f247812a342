// Package simtest runs the simulator's explorations inside go test.
//
// A distributed pattern's test states a property as the invariants and
// end-of-run check of a cluster, and explores it over many seeds:
//
//	func TestSafety(t *testing.T) {
//		simtest.Explore(t, 300, build, check)
//	}
//
// Explore fails the test at the first failing seed, after package sim has
// shrunk that seed's fault schedule to the faults the failure needs, and
// prints the failure, the shrunk schedule, the end of its trace and a
// one-line reproduction. Three environment variables steer it, so any
// package path can follow `go test` and no program that imports package
// sim gains flags:
//
//	LAMPORT_SEEDS=10  explore 10 times the seeds every test states (a deep run)
//	LAMPORT_SEED=1234 run only seed 1234 (the one a failure printed)
//	LAMPORT_TRACE=1   print whole traces; with LAMPORT_SEED, the trace of that seed
//
// The go command records the variables a test reads, so a cached result
// is not reused when they change. Explore logs the schedules and events
// explored per second, and reports them as metrics under go test -bench.
// It lives apart from package sim so that demos, which import sim, do not
// link package testing.
package simtest

import (
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/lamport-kb/lamport/internal/proptest"
	"github.com/lamport-kb/lamport/sim"
)

// The environment variables Explore reads, besides proptest's LAMPORT_SEEDS.
const (
	SeedVariable  = "LAMPORT_SEED"
	TraceVariable = "LAMPORT_TRACE"
)

// Explore runs build under seeds seeds (times LAMPORT_SEEDS, or only
// LAMPORT_SEED) and fails t at the first failing seed; check, if not nil,
// judges each run that ended without failing. It returns the report.
func Explore(tb testing.TB, seeds int, build func(seed uint64) *sim.Sim, check func(s *sim.Sim) error) sim.Report {
	tb.Helper()
	e := sim.Exploration{Seeds: proptest.Schedules(seeds), Build: build, Check: check}
	one, err := seed()
	if err != nil {
		tb.Fatal(err)
	}
	if one != 0 {
		e.First, e.Seeds = one, 1
	}
	trace := os.Getenv(TraceVariable) != ""
	r := e.Run()
	tb.Logf("sim: %d schedules, %d events in %v: %.0f schedules/s, %.0f events/s",
		r.Schedules, r.Events, r.Elapsed.Round(time.Millisecond), r.SchedulesPerSecond(), r.EventsPerSecond())
	if b, ok := tb.(*testing.B); ok {
		b.ReportMetric(r.SchedulesPerSecond(), "schedules/s")
		b.ReportMetric(r.EventsPerSecond(), "events/s")
	}
	if r.Failure != nil {
		tb.Fatal(r.Explain(tb.Name(), trace))
	}
	if trace && one != 0 {
		s := build(one)
		s.Run() // it passed above: the same seed runs the same way
		tb.Logf("trace of seed %d:\n%s", one, s.Trace())
	}
	return r
}

// seed is LAMPORT_SEED: 0 when unset.
func seed() (uint64, error) {
	v := os.Getenv(SeedVariable)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil || n == 0 {
		return 0, fmt.Errorf("%s=%q: want a seed, a positive integer", SeedVariable, v)
	}
	return n, nil
}
