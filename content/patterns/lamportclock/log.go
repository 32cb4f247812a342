package lamportclock

import (
	"fmt"
	"slices"
	"time"

	"github.com/lamport-kb/lamport/sim"
)

// Kind is what an event did.
type Kind uint8

// The kinds of events.
const (
	Local Kind = iota // a step of the process itself
	Send              // sending a message
	Recv              // receiving one
)

func (k Kind) String() string { return [...]string{"local", "send", "recv"}[k] }

// Event is one stamped event of a simulated run.
type Event struct {
	Process int           // which process, 0 .. n-1
	Kind    Kind          //
	Time    Time          // its Lamport timestamp
	Cause   int           // for a receipt, the index of the send in the Log; else -1
	At      time.Duration // the process's local clock, for the reader
}

// Stamp is the event's place in the total order.
func (e Event) Stamp() Stamp { return Stamp{e.Time, e.Process} }

// Log is the events of a run in the order they happened, with the
// happened-before relation of the run computed beside them: vector
// timestamps built from the structure of the run alone (the order of each
// process's events, and each send before its receipt), never from the
// Lamport clocks they check.
type Log struct {
	Events  []Event
	n       int
	base    sim.NodeID
	vc      [][]int32 // vc[i][p]: events of process p that happened before or are event i
	last    []int     // the latest event of each process, or -1
	checked int       // events CheckNew has checked
	seen    []int     // the latest event of each process CheckNew has checked, or -1
}

// NewLog returns an empty log of n processes.
func NewLog(n int) *Log {
	l := &Log{n: n, last: make([]int, n), seen: make([]int, n)}
	for i := range l.last {
		l.last[i], l.seen[i] = -1, -1
	}
	return l
}

// process maps a sim node to its process number.
func (l *Log) process(id sim.NodeID) int { return int(id - l.base) }

// add appends an event and its vector timestamp; it returns its index.
func (l *Log) add(e Event) int {
	vc := make([]int32, l.n)
	if prev := l.last[e.Process]; prev >= 0 {
		copy(vc, l.vc[prev])
	}
	if e.Cause >= 0 {
		for p, c := range l.vc[e.Cause] {
			vc[p] = max(vc[p], c)
		}
	}
	vc[e.Process]++
	l.Events = append(l.Events, e)
	l.vc = append(l.vc, vc)
	l.last[e.Process] = len(l.Events) - 1
	return len(l.Events) - 1
}

// HappenedBefore reports whether event a happened before event b: a chain
// of process order and messages leads from a to b.
func (l *Log) HappenedBefore(a, b int) bool {
	pa := l.Events[a].Process
	return a != b && l.vc[a][pa] <= l.vc[b][pa]
}

// Concurrent reports whether neither of two distinct events happened
// before the other.
func (l *Log) Concurrent(a, b int) bool {
	return a != b && !l.HappenedBefore(a, b) && !l.HappenedBefore(b, a)
}

// CheckNew checks the events added since its last call against their
// immediate predecessors: the process's previous event and, for a
// receipt, the send. By transitivity this is the whole clock condition,
// one event at a time; it is the invariant Simulate runs after every
// simulated event.
func (l *Log) CheckNew() error {
	for ; l.checked < len(l.Events); l.checked++ {
		i, e := l.checked, l.Events[l.checked]
		if j := l.seen[e.Process]; j >= 0 && l.Events[j].Time >= e.Time {
			return l.violation(j, i)
		}
		if e.Cause >= 0 && l.Events[e.Cause].Time >= e.Time {
			return l.violation(e.Cause, i)
		}
		l.seen[e.Process] = i
	}
	return nil
}

// ClockCondition checks every pair of events: if a happened before b,
// then C(a) < C(b). It returns the first pair that breaks it.
func (l *Log) ClockCondition() error {
	for b := range l.Events {
		for a := range b {
			if l.HappenedBefore(a, b) && l.Events[a].Time >= l.Events[b].Time {
				return l.violation(a, b)
			}
		}
	}
	return nil
}

func (l *Log) violation(a, b int) error {
	ea, eb := l.Events[a], l.Events[b]
	return fmt.Errorf("event %d (%s of process %d, C=%d) happened before event %d (%s of process %d, C=%d), but C did not grow",
		a, ea.Kind, ea.Process, ea.Time, b, eb.Kind, eb.Process, eb.Time)
}

// Order returns the indexes of the events in the total order of their
// stamps.
func (l *Log) Order() []int {
	order := make([]int, len(l.Events))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return l.Events[a].Stamp().Compare(l.Events[b].Stamp()) })
	return order
}

// Pairs counts the ordered pairs of distinct events: how many are related
// by happened-before, and how many are concurrent (and ordered by their
// stamps all the same, with no causal meaning).
func (l *Log) Pairs() (causal, concurrent int) {
	for b := range l.Events {
		for a := range b {
			if l.Concurrent(a, b) {
				concurrent++
			} else {
				causal++
			}
		}
	}
	return causal, concurrent
}
