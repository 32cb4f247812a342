package deadletter

import (
	"errors"
	"slices"
	"time"
)

// Receive takes the message at the front of the queue, counts a delivery
// attempt and leases it for Options.Visibility. It reports false when no
// message is ready. Leases that have run out are reclaimed first.
func (q *Queue) Receive() (Delivery, bool) {
	q.mu.Lock()
	now := q.opts.Now()
	dead := q.reclaim(now)
	d, ok := q.take(now)
	q.mu.Unlock()
	q.notify(dead)
	return d, ok
}

// take leases the front message. q.mu must be held.
func (q *Queue) take(now time.Time) (Delivery, bool) {
	if len(q.ready) == 0 {
		return Delivery{}, false
	}
	e := q.ready[0]
	q.ready[0] = nil
	q.ready = q.ready[1:]
	e.attempts++
	if e.attempts == 1 {
		e.first = now
	}
	q.tokens++
	e.token = q.tokens
	e.expires = now.Add(q.opts.Visibility)
	q.inflight[e.token] = e
	return Delivery{Message: e.msg, Attempt: e.attempts, Expires: e.expires, token: e.token}, true
}

// Ack settles a delivery as done: the message leaves the queue for good.
// It returns ErrLeaseExpired if the lease ran out first.
func (q *Queue) Ack(d Delivery) error {
	q.mu.Lock()
	dead := q.reclaim(q.opts.Now())
	_, ok := q.inflight[d.token]
	if ok {
		delete(q.inflight, d.token)
		q.stats.Acked++
	}
	q.mu.Unlock()
	q.notify(dead)
	if !ok {
		return ErrLeaseExpired
	}
	return nil
}

// Nack settles a delivery as failed with cause err. The message goes to
// the back of the queue, or to the dead-letter queue if this was its last
// attempt or err is Permanent. It returns ErrLeaseExpired if the lease ran
// out first.
func (q *Queue) Nack(d Delivery, cause error) error {
	q.mu.Lock()
	now := q.opts.Now()
	dead := q.reclaim(now)
	e, ok := q.inflight[d.token]
	if ok {
		delete(q.inflight, d.token)
		if l, isDead := q.fail(e, cause, now); isDead {
			dead = append(dead, l)
		}
	}
	q.mu.Unlock()
	q.notify(dead)
	if !ok {
		return ErrLeaseExpired
	}
	return nil
}

// Handle receives one message, runs fn on it and settles it: Ack if fn
// returns nil, Nack with fn's error otherwise. It reports whether a message
// was ready.
func (q *Queue) Handle(fn func(Delivery) error) bool {
	d, ok := q.Receive()
	if !ok {
		return false
	}
	if err := fn(d); err != nil {
		q.Nack(d, err) // an expired lease was already counted as a failure
	} else {
		q.Ack(d)
	}
	return true
}

// fail records a failed attempt of an entry no longer in flight and
// requeues or dead-letters it. q.mu must be held.
func (q *Queue) fail(e *entry, cause error, now time.Time) (Letter, bool) {
	e.token = 0
	e.errs = append(e.errs, errText(cause))
	reason := Reason(0)
	switch {
	case errors.As(cause, new(*permanentError)):
		reason = Rejected
	case e.attempts >= q.opts.MaxAttempts:
		reason = Exhausted
	default:
		q.ready = append(q.ready, e) // the back: the others keep flowing
		return Letter{}, false
	}
	l := Letter{
		Message:   e.msg,
		Source:    q.opts.Name,
		Reason:    reason,
		Attempts:  e.attempts,
		Errors:    slices.Clone(e.errs),
		Redrives:  e.redrives,
		FirstSeen: e.first,
		DeadAt:    now,
	}
	q.dead = append(q.dead, l)
	q.stats.Dead++
	return l, true
}

// reclaim fails every delivery whose lease has ended, oldest lease first,
// and returns the letters that made. q.mu must be held.
func (q *Queue) reclaim(now time.Time) []Letter {
	var expired []uint64
	for tok, e := range q.inflight {
		if !now.Before(e.expires) {
			expired = append(expired, tok)
		}
	}
	slices.Sort(expired)
	var dead []Letter
	for _, tok := range expired {
		e := q.inflight[tok]
		delete(q.inflight, tok)
		if l, isDead := q.fail(e, ErrLeaseExpired, now); isDead {
			dead = append(dead, l)
		}
	}
	return dead
}

// notify calls OnDeadLetter for each new letter. q.mu must not be held.
func (q *Queue) notify(letters []Letter) {
	if q.opts.OnDeadLetter == nil {
		return
	}
	for _, l := range letters {
		q.opts.OnDeadLetter(l)
	}
}

func errText(err error) string {
	if err == nil {
		return "nack without an error"
	}
	return err.Error()
}
