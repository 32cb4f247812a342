package lamportclock_test

import (
	"fmt"

	"github.com/lamport-kb/lamport/content/patterns/lamportclock"
)

// Two processes: P1 sends at time 2, P2 has made three events of its own
// and receives the message after them.
func ExampleClock() {
	var p1, p2 lamportclock.Clock
	p1.Tick()         // a local event: 1
	sent := p1.Tick() // the send: 2
	p2.Tick()
	p2.Tick()
	p2.Tick() // P2 is at 3, ahead of the message
	fmt.Println("receipt:", p2.Receive(sent))
	fmt.Println("P1's next event:", p1.Tick())
	a := lamportclock.Stamp{Time: 3, Process: 1}
	b := lamportclock.Stamp{Time: 3, Process: 2}
	fmt.Println(a, "before", b, ":", a.Compare(b) < 0)
	// Output:
	// receipt: 4
	// P1's next event: 3
	// 3.1 before 3.2 : true
}

// memory is a Store that keeps the ceiling in memory (a file with fsync in
// real use).
type memory struct {
	t  lamportclock.Time
	ok bool
}

func (m *memory) Load() (lamportclock.Time, bool, error) { return m.t, m.ok, nil }
func (m *memory) Save(t lamportclock.Time) error         { m.t, m.ok = t, true; return nil }

// A durable clock reserves ten stamps at a time; after a "crash" it
// resumes at the saved ceiling, past every stamp it handed out.
func ExampleRestore() {
	store := &memory{}
	clock, _ := lamportclock.Restore(store, 10)
	for range 3 {
		clock.Tick()
	}
	fmt.Println("before the crash:", clock.Now(), "saved ceiling:", store.t, "syncs:", clock.Syncs())
	clock, _ = lamportclock.Restore(store, 10) // the process restarts
	next, _ := clock.Tick()
	fmt.Println("after the restart:", next)
	// Output:
	// before the crash: 3 saved ceiling: 10 syncs: 1
	// after the restart: 11
}
