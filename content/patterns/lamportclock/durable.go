package lamportclock

import (
	"errors"
	"sync"
)

// Store keeps one timestamp durably: Save returns only once the value
// would survive a crash (after an fsync), and Load returns the last value
// saved, or false if there is none.
type Store interface {
	Load() (Time, bool, error)
	Save(t Time) error
}

// Durable is a Lamport clock that survives crashes. It hands out
// timestamps up to a ceiling it has saved in its Store; when an event
// would pass the ceiling, it first saves a new one that reserves the next
// window timestamps. After a crash, Restore starts the clock at the saved
// ceiling, at or past every timestamp handed out before, so a process
// never reuses a time. Local events cost one synced write per window
// events, and a restart skips fewer than window timestamps.
type Durable struct {
	mu      sync.Mutex
	clock   Clock
	ceiling Time
	window  Time
	store   Store
	syncs   int
}

// DefaultWindow is the reservation of a Durable clock made with window 0.
const DefaultWindow = 100

// Restore opens a durable clock on store, starting past every timestamp
// handed out before the last crash. window is how many timestamps one
// saved ceiling reserves (0: DefaultWindow; 1 saves at every event).
func Restore(store Store, window Time) (*Durable, error) {
	if window == 0 {
		window = DefaultWindow
	}
	ceiling, _, err := store.Load()
	if err != nil {
		return nil, err
	}
	d := &Durable{ceiling: ceiling, window: window, store: store}
	d.clock.Set(ceiling)
	return d, nil
}

// ErrStore marks the error of a Store that could not save a ceiling; the
// event did not happen, and the clock did not move.
var ErrStore = errors.New("lamportclock: the ceiling could not be saved")

// Tick makes a local event and returns its timestamp. If the ceiling
// could not be saved, the error wraps ErrStore and the clock has not moved.
func (d *Durable) Tick() (Time, error) { return d.event(0, false) }

// Receive makes the event of receiving a message stamped t, like Tick.
func (d *Durable) Receive(t Time) (Time, error) { return d.event(t, true) }

// Now returns the clock's current time.
func (d *Durable) Now() Time { return d.clock.Now() }

// Syncs counts the ceilings saved since Restore.
func (d *Durable) Syncs() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.syncs
}

// event saves a new ceiling if the event's timestamp would pass the
// current one, then makes the event: a receipt of t, or a local event.
func (d *Durable) event(t Time, receive bool) (Time, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	next := d.clock.Now() + 1
	if receive {
		next = max(d.clock.Now(), t) + 1
	}
	if next > d.ceiling {
		ceiling := next + d.window - 1
		if err := d.store.Save(ceiling); err != nil {
			return 0, errors.Join(ErrStore, err)
		}
		d.ceiling = ceiling
		d.syncs++
	}
	if receive {
		return d.clock.Receive(t), nil
	}
	return d.clock.Tick(), nil
}
