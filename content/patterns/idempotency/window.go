package idempotency

import "time"

// Window is a set of processed message ids that forgets each id a fixed
// retention after it was added. It has no lock and reads no clock: the caller
// passes the time and keeps the Window inside the state it guards, saved in the
// same atomic step as the effect (one transaction, one snapshot), which is
// what makes a redelivered message take effect exactly once.
//
// Memory is bounded by the ids added during the last retention period.
type Window struct {
	retention time.Duration
	added     map[string]time.Time
	order     fifo // ids in the order they were added, so expiry looks only at the head
}

// NewWindow returns an empty Window that remembers ids for retention
// (0 or less: DefaultRetention).
func NewWindow(retention time.Duration) *Window {
	if retention <= 0 {
		retention = DefaultRetention
	}
	return &Window{retention: retention, added: make(map[string]time.Time)}
}

// Add records id as processed at now and reports whether it was new. It
// returns false, and changes nothing, for an id still inside the window: a
// duplicate, whose effect the caller must skip.
func (w *Window) Add(id string, now time.Time) bool {
	w.expire(now)
	if _, dup := w.added[id]; dup {
		return false
	}
	w.added[id] = now
	w.order.push(entry{key: id, at: now})
	return true
}

// Seen reports whether id was added within the retention before now.
func (w *Window) Seen(id string, now time.Time) bool {
	w.expire(now)
	_, ok := w.added[id]
	return ok
}

// Len returns the number of ids remembered, including any that expire before
// the next call to Add or Seen.
func (w *Window) Len() int { return len(w.added) }

// Clone returns an independent copy, for callers that commit state by
// replacing a snapshot.
func (w *Window) Clone() *Window {
	c := &Window{retention: w.retention, added: make(map[string]time.Time, len(w.added))}
	for id, t := range w.added {
		c.added[id] = t
	}
	c.order.items = append([]entry(nil), w.order.items[w.order.head:]...)
	return c
}

// expire forgets the ids added at or before now minus the retention.
func (w *Window) expire(now time.Time) {
	cutoff := now.Add(-w.retention)
	w.order.popDue(cutoff, func(e entry) {
		if t, ok := w.added[e.key]; ok && t.Equal(e.at) {
			delete(w.added, e.key)
		}
	})
}

// entry is a key due at a time, with the attempt that queued it.
type entry struct {
	key     string
	attempt uint64
	at      time.Time
}

// fifo is a queue of entries in time order.
type fifo struct {
	items []entry
	head  int
}

func (q *fifo) push(e entry) { q.items = append(q.items, e) }

// popDue removes the entries due at or before t from the head, calling f on
// each, and compacts the slice once most of it has been consumed.
func (q *fifo) popDue(t time.Time, f func(entry)) {
	for q.head < len(q.items) && !q.items[q.head].at.After(t) {
		f(q.items[q.head])
		q.items[q.head] = entry{}
		q.head++
	}
	if q.head > 32 && q.head*2 > len(q.items) {
		q.items = append(q.items[:0:0], q.items[q.head:]...)
		q.head = 0
	}
	if q.head == len(q.items) {
		q.items, q.head = q.items[:0], 0
	}
}
