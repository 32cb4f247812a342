package deadletter

import "slices"

// Permanent wraps err to say that retrying cannot help (a message that does
// not parse, a reference to a deleted record): Nack then dead-letters the
// message at once with Reason Rejected. Permanent(nil) is nil.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &permanentError{err}
}

type permanentError struct{ err error }

func (p *permanentError) Error() string { return "permanent: " + p.err.Error() }
func (p *permanentError) Unwrap() error { return p.err }

// DeadLetters returns a copy of the dead-letter queue, oldest first.
func (q *Queue) DeadLetters() []Letter {
	q.mu.Lock()
	defer q.mu.Unlock()
	out := make([]Letter, len(q.dead))
	for i, l := range q.dead {
		l.Errors = slices.Clone(l.Errors)
		out[i] = l
	}
	return out
}

// Redrive moves up to n of the oldest dead letters for which keep returns
// true (nil keeps all) back to the back of the queue, each with a fresh
// attempt count, its error history kept and its Redrives count raised. It
// returns how many it moved. Redrive only after fixing the cause, or the
// letters will simply die again.
func (q *Queue) Redrive(n int, keep func(Letter) bool) int {
	q.mu.Lock()
	defer q.mu.Unlock()
	moved := 0
	rest := q.dead[:0:0]
	for _, l := range q.dead {
		if moved == n || (keep != nil && !keep(l)) {
			rest = append(rest, l)
			continue
		}
		q.ready = append(q.ready, &entry{msg: l.Message, errs: l.Errors, redrives: l.Redrives + 1})
		moved++
	}
	q.dead = rest
	q.stats.Dead -= moved
	q.stats.Redriven += moved
	return moved
}

// Stats returns the queue's counts.
func (q *Queue) Stats() Stats {
	q.mu.Lock()
	defer q.mu.Unlock()
	s := q.stats
	s.Ready = len(q.ready)
	s.InFlight = len(q.inflight)
	return s
}
