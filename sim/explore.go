package sim

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// Failure is a run that broke: an invariant's error, a handler's panic, the
// event limit, or the end-of-run check of an Exploration.
type Failure struct {
	Seed   uint64
	At     time.Duration // the simulated time of the event after which it failed
	Event  int           // that event's index in the trace
	Check  string        // the invariant's name, "panic", "event limit" or "check"
	Err    error
	Faults []Fault // the schedule of the run
}

func (f *Failure) Error() string {
	return fmt.Sprintf("seed %d: %s failed at %s (event %d): %v", f.Seed, f.Check, fmtTime(f.At), f.Event, f.Err)
}

func (f *Failure) Unwrap() error { return f.Err }

// Exploration runs a test's cluster under many seeds. Build makes the
// unstarted Sim of a seed (its nodes, invariants and fault schedule, often
// drawn by a Nemesis from the same seed); Check, if set, judges a run
// that ended without failing (a linearizability check, a liveness
// condition).
type Exploration struct {
	Seeds     int    // how many seeds: First, First+1, ...
	First     uint64 // the first seed; 0: 1
	Build     func(seed uint64) *Sim
	Check     func(s *Sim) error
	MaxShrink int // reruns the shrinker may take; 0: 200
}

// Report is what an exploration found and how fast.
type Report struct {
	Schedules int           // runs made, shrinking excluded
	Events    int           // events of those runs
	Elapsed   time.Duration // real time they took
	Failure   *Failure      // the first failing seed, or nil
	Shrunk    []Fault       // its schedule, shrunk: every fault in it is needed to fail
	Trace     string        // the trace of the shrunk run
	Reruns    int           // runs the shrinker made
}

// SchedulesPerSecond is the rate of the exploration.
func (r Report) SchedulesPerSecond() float64 {
	return float64(r.Schedules) / max(r.Elapsed.Seconds(), 1e-9)
}

// EventsPerSecond is the rate of simulated events.
func (r Report) EventsPerSecond() float64 { return float64(r.Events) / max(r.Elapsed.Seconds(), 1e-9) }

// Run runs the seeds in order and stops at the first failure, which it
// shrinks: delta debugging over the schedule's faults finds a subset, as
// small as the rerun budget allows, under which the same seed still fails
// the same check.
func (e Exploration) Run() Report {
	first := max(e.First, 1)
	var r Report
	start := time.Now()
	for seed := first; seed < first+uint64(e.Seeds); seed++ {
		s, err := e.run(seed, nil)
		r.Schedules++
		r.Events += len(s.events)
		if f, ok := err.(*Failure); ok {
			r.Elapsed = time.Since(start)
			r.Failure = f
			e.shrink(&r)
			return r
		} else if err != nil {
			r.Failure = &Failure{Seed: seed, Event: -1, Check: "configuration", Err: err, Faults: s.cfg.Faults}
			break
		}
	}
	r.Elapsed = time.Since(start)
	return r
}

// run builds and runs a seed, with the faults replaced when faults is
// not nil.
func (e Exploration) run(seed uint64, faults []Fault) (*Sim, error) {
	s := e.Build(seed)
	if faults != nil {
		s.SetFaults(faults)
	}
	if err := s.Run(); err != nil {
		return s, err
	}
	if e.Check != nil {
		if err := e.Check(s); err != nil {
			return s, s.fail("check", err)
		}
	}
	return s, nil
}

// shrink reduces the failing schedule and keeps the shrunk run's trace.
func (e Exploration) shrink(r *Report) {
	budget := e.MaxShrink
	if budget <= 0 {
		budget = 200
	}
	f := r.Failure
	trace := ""
	fails := func(faults []Fault) bool {
		if r.Reruns >= budget {
			return false
		}
		r.Reruns++
		s, err := e.run(f.Seed, append([]Fault{}, faults...))
		var g *Failure
		if errors.As(err, &g) && g.Check == f.Check {
			trace = s.Trace()
			return true
		}
		return false
	}
	r.Shrunk = ddmin(f.Faults, fails)
	if trace == "" { // no smaller schedule failed: the trace of the original
		s, _ := e.run(f.Seed, append([]Fault{}, f.Faults...))
		r.Shrunk, trace = f.Faults, s.Trace()
	}
	r.Trace = trace
}

// ddmin is Zeller's delta debugging: a subset of faults on which fails
// holds, from which no chunk at the final granularity can be removed. It
// tries the empty schedule first.
func ddmin(faults []Fault, fails func([]Fault) bool) []Fault {
	if len(faults) == 0 || fails([]Fault{}) {
		return []Fault{}
	}
	c, n := faults, 2
	for len(c) >= 2 {
		if next, chunk, ok := reduce(split(c, n), fails); ok {
			c, n = next, max(n-1, 2)
			if chunk {
				n = 2
			}
			continue
		}
		if n >= len(c) {
			break
		}
		n = min(2*n, len(c))
	}
	return c
}

// reduce tries each chunk, then each complement (when they differ from
// the chunks), and returns the first on which fails holds, and whether it
// is a chunk.
func reduce(chunks [][]Fault, fails func([]Fault) bool) (next []Fault, chunk, ok bool) {
	for _, c := range chunks {
		if fails(c) {
			return c, true, true
		}
	}
	if len(chunks) == 2 {
		return nil, false, false
	}
	for i := range chunks {
		if rest := without(chunks, i); fails(rest) {
			return rest, false, true
		}
	}
	return nil, false, false
}

// split cuts faults into n chunks of nearly equal length.
func split(faults []Fault, n int) [][]Fault {
	var chunks [][]Fault
	for i := range n {
		lo, hi := i*len(faults)/n, (i+1)*len(faults)/n
		if hi > lo {
			chunks = append(chunks, faults[lo:hi])
		}
	}
	return chunks
}

// without joins every chunk but the i-th.
func without(chunks [][]Fault, i int) []Fault {
	var rest []Fault
	for j, c := range chunks {
		if j != i {
			rest = append(rest, c...)
		}
	}
	return rest
}

// Explain describes a failing report: the failure, the original and the
// shrunk schedules, the last lines of the shrunk run's trace (all of it
// when full), and the command that reruns the seed of the test named test
// (package sim/simtest reads LAMPORT_SEED).
func (r Report) Explain(test string, full bool) string {
	f := r.Failure
	var b strings.Builder
	fmt.Fprintf(&b, "sim: %v\n", f)
	fmt.Fprintf(&b, "schedule (%d faults): %s\n", len(f.Faults), schedule(f.Faults))
	fmt.Fprintf(&b, "shrunk in %d reruns to %d faults: %s\n", r.Reruns, len(r.Shrunk), schedule(r.Shrunk))
	trace := r.Trace
	if !full {
		trace = tail(trace, 30)
	}
	fmt.Fprintf(&b, "trace of the shrunk run:\n%s", trace)
	fmt.Fprintf(&b, "reproduce, in this package's directory: LAMPORT_SEED=%d go test -run '%s' .\n", f.Seed, runPattern(test))
	return b.String()
}

func schedule(faults []Fault) string {
	if len(faults) == 0 {
		return "none"
	}
	s := make([]string, len(faults))
	for i, f := range faults {
		s[i] = f.String()
	}
	return strings.Join(s, ", ")
}

// tail keeps the last n lines of text, saying how many it left out.
func tail(text string, n int) string {
	lines := strings.SplitAfter(text, "\n")
	if len(lines) <= n+1 {
		return text
	}
	cut := len(lines) - 1 - n
	return fmt.Sprintf("… %d earlier lines (LAMPORT_TRACE=1 shows them)\n", cut) + strings.Join(lines[cut:], "")
}

// runPattern is the -run pattern that selects exactly the test name.
func runPattern(name string) string {
	parts := strings.Split(name, "/")
	for i, p := range parts {
		parts[i] = "^" + regexp.QuoteMeta(p) + "$"
	}
	return strings.Join(parts, "/")
}
