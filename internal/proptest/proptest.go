// Package proptest sizes the seeded explorations of property tests.
//
// A pattern's property tests check a guarantee over many seeded runs: seed
// n drives a PRNG that draws the workload, the timing and the faults, so a
// failure names the seed that reproduces it. How many seeds is a trade of
// confidence for time, and the two places tests run want different trades:
// `make test` runs every package on every change, under the race detector,
// at the size each test states; a deep run before a release, or after a
// change to a pattern's core, multiplies every exploration by the factor in
// the environment variable LAMPORT_SEEDS:
//
//	LAMPORT_SEEDS=50 go test ./content/patterns/...
//
// A test states its default size in one place:
//
//	for seed := range proptest.Seeds(100) {
//		...
//	}
//
// Under the race detector (`go test -race`, as `make test` runs the unit
// packages) an exploration runs a quarter of its seeds. Instrumentation
// makes each seeded run 10–20 times slower (the circuit breaker's
// properties: 0.14 s of CPU without it, 2.6 s with it), and a data race
// shows in the first few interleavings that reach the racy code, not in the
// hundredth; the checks themselves get their full size in a run without
// -race. The go command records the variables a test reads, so a cached
// pass at one size is not reused for another.
package proptest

import (
	"fmt"
	"os"
	"strconv"
)

// Variable is the environment variable that multiplies every exploration.
const Variable = "LAMPORT_SEEDS"

// Seeds returns how many seeds an exploration of default size n runs: n
// times the factor in LAMPORT_SEEDS (1 when it is unset), divided by 4
// under the race detector, and never fewer than one. A factor that is not a
// positive integer panics, so a mistyped deep run does not pass quietly at
// the default size.
func Seeds(n int) uint64 {
	f, err := factor(os.Getenv(Variable))
	if err != nil {
		panic(err)
	}
	return uint64(max(1, n*f/raceDivisor))
}

// Schedules returns how many seeds a single-threaded exploration of
// default size n runs: n times the factor in LAMPORT_SEEDS, with no cut
// under the race detector. The simulator's explorations (package sim) run
// one event loop on one goroutine, so the detector has nothing to find in
// them and their seed counts stay what the test states.
func Schedules(n int) int {
	f, err := factor(os.Getenv(Variable))
	if err != nil {
		panic(err)
	}
	return n * f
}

// factor parses the multiplier; empty means 1.
func factor(s string) (int, error) {
	if s == "" {
		return 1, nil
	}
	f, err := strconv.Atoi(s)
	if err != nil || f < 1 {
		return 0, fmt.Errorf("%s=%q: want a positive integer multiplier", Variable, s)
	}
	return f, nil
}
