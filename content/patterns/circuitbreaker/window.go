package circuitbreaker

import "time"

// windowBuckets is how many buckets a time window keeps.
const windowBuckets = 10

// tally counts outcomes.
type tally struct{ successes, failures uint32 }

// add counts n outcomes of one kind; n = ^uint32(0) uncounts one.
func (t *tally) add(failure bool, n uint32) {
	if failure {
		t.failures += n
	} else {
		t.successes += n
	}
}

// window holds the outcomes the Closed counts cover: the last len(calls)
// outcomes (count-based), or those of the last len(buckets) bucket widths
// (time-based). Both are rings with a running total, so adding an outcome
// and reading the total take constant time.
type window struct {
	sum tally

	calls []bool // count-based: true for a failure
	next  int    // where the next outcome goes
	full  bool   // every slot of calls holds an outcome

	buckets []tally // time-based
	width   time.Duration
	start   time.Time // when bucket 0 began
	head    int64     // the newest bucket's number since start
}

// newWindow returns the window s asks for, starting at now, or nil.
func newWindow(s Settings, now time.Time) *window {
	switch {
	case s.WindowCalls > 0:
		return &window{calls: make([]bool, s.WindowCalls)}
	case s.WindowDuration > 0:
		return &window{
			buckets: make([]tally, windowBuckets),
			width:   max(s.WindowDuration/windowBuckets, 1),
			start:   now,
		}
	}
	return nil
}

// add records one outcome at now.
func (w *window) add(now time.Time, failure bool) {
	if w.calls == nil {
		w.expire(now)
		w.buckets[w.head%windowBuckets].add(failure, 1)
		w.sum.add(failure, 1)
		return
	}
	if w.full {
		w.sum.add(w.calls[w.next], ^uint32(0)) // minus one
	}
	w.calls[w.next] = failure
	w.sum.add(failure, 1)
	w.next = (w.next + 1) % len(w.calls)
	w.full = w.full || w.next == 0
}

// total returns the outcomes in the window at now.
func (w *window) total(now time.Time) tally {
	if w.calls == nil {
		w.expire(now)
	}
	return w.sum
}

// expire empties the buckets that have fallen out of a time window by now.
// A clock that steps back is treated as standing still.
func (w *window) expire(now time.Time) {
	n := int64(now.Sub(w.start) / w.width)
	for i := w.head + 1; i <= n && i <= w.head+windowBuckets; i++ {
		b := &w.buckets[i%windowBuckets]
		w.sum.failures -= b.failures
		w.sum.successes -= b.successes
		*b = tally{}
	}
	w.head = max(w.head, n)
}
