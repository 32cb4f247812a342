// Package lamportclock implements Lamport's logical clock: a counter per
// process, incremented at every event and moved past every timestamp a
// message carries, so that if event a happened before event b, then
// C(a) < C(b). Ties broken by the process ID make (time, process) a total
// order of all events that respects causality.
//
// Clock is the counter, safe for concurrent use. Durable makes it survive
// crashes: it reserves timestamps in blocks and saves the block's end
// before handing out the first of them, so a restarted process never
// hands out a timestamp twice. Process runs the clock on a simulated
// cluster (package sim), and Log records its events and checks the clock
// condition against the happened-before relation of the run.
package lamportclock

import (
	"cmp"
	"fmt"
	"sync/atomic"
)

// Time is a Lamport timestamp.
type Time uint64

// Clock is a Lamport clock. The zero value is a clock at 0, ready to use;
// its methods are safe for concurrent use.
type Clock struct {
	t atomic.Uint64
}

// Now returns the clock's current time without making an event.
func (c *Clock) Now() Time { return Time(c.t.Load()) }

// Tick makes a local event (a state change, or sending a message) and
// returns its timestamp: the clock plus one.
func (c *Clock) Tick() Time { return Time(c.t.Add(1)) }

// Receive makes the event of receiving a message stamped t and returns its
// timestamp: one more than the larger of the clock and t.
func (c *Clock) Receive(t Time) Time {
	for {
		cur := c.t.Load()
		next := max(cur, uint64(t)) + 1
		if c.t.CompareAndSwap(cur, next) {
			return Time(next)
		}
	}
}

// Witness moves the clock past t without making an event, so every later
// event is stamped after t (hashicorp/serf's Witness): for a process that
// learns a timestamp but does not order anything by its receipt.
func (c *Clock) Witness(t Time) {
	for {
		cur := c.t.Load()
		if uint64(t) < cur || c.t.CompareAndSwap(cur, uint64(t)+1) {
			return
		}
	}
}

// Set moves the clock to t if t is ahead of it (a restore from storage).
func (c *Clock) Set(t Time) {
	for {
		cur := c.t.Load()
		if uint64(t) <= cur || c.t.CompareAndSwap(cur, uint64(t)) {
			return
		}
	}
}

// Stamp is a timestamp with the process that made it: the unit of the
// total order.
type Stamp struct {
	Time    Time
	Process int
}

// Compare orders stamps by time, then by process: -1, 0 or +1. Two events
// of one process never have the same time, so two distinct events never
// compare equal.
func (s Stamp) Compare(o Stamp) int {
	if c := cmp.Compare(s.Time, o.Time); c != 0 {
		return c
	}
	return cmp.Compare(s.Process, o.Process)
}

func (s Stamp) String() string { return fmt.Sprintf("%d.%d", s.Time, s.Process) }
