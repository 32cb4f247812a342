// Package idempotency makes a receiver safe against retried and redelivered
// requests. Every request carries a unique key; the receiver remembers the
// keys it has processed for a retention window, and a duplicate within the
// window gets the recorded result instead of a second execution.
//
// The package has two tools, for the two places the record can live.
//
//   - Receiver guards an operation whose effect lives somewhere the receiver
//     cannot commit together with its record: a payment provider, another
//     service, a database it does not own. It claims the key before running
//     the operation, records the result after, and answers duplicates from the
//     record: the idempotency-key design of payment APIs. A duplicate that
//     arrives while the first attempt still runs gets ErrInProgress (or waits
//     for the first attempt's outcome, with Options.Wait); a key reused for a
//     different request (another fingerprint) gets ErrMismatch.
//   - Window is a plain set of processed ids with the same retention rule and
//     no lock of its own. It is meant to live inside the receiver's own state,
//     so that the effect and the record are saved in one atomic step: one
//     database transaction, one snapshot, one log entry.
//
// The gap between the effect and the record is the whole subject. Receiver
// records the result after the operation returns. If the process dies in
// between, the claim's lease runs out and a retry runs the operation again:
// the effect is at least once, not exactly once. Recording first and acting
// second has the opposite failure (a crash loses the effect for good). Only
// when the effect and the record commit together, as with a Window saved in
// the same transaction as the state it guards, is a redelivered message
// applied exactly once.
//
// Time. Options.Now is the clock (nil: time.Now). Records expire lazily when
// the Receiver is next used; it starts no goroutine and no timer.
//
// Receiver is safe for concurrent use. Window is not: it is guarded by
// whatever guards the state it lives in.
package idempotency

import (
	"context"
	"errors"
	"sync"
	"time"
)

// Default settings, used when the corresponding Options field is zero.
const (
	DefaultRetention = 24 * time.Hour
	DefaultLease     = time.Minute
)

// Errors returned by Receiver.Do. They map to the HTTP status codes of the
// IETF Idempotency-Key draft: ErrNoKey to 400, ErrMismatch to 422 and
// ErrInProgress to 409.
var (
	ErrNoKey        = errors.New("idempotency: request has no key")
	ErrMismatch     = errors.New("idempotency: key reused with a different request")
	ErrInProgress   = errors.New("idempotency: a request with this key is in progress")
	ErrLeaseExpired = errors.New("idempotency: lease expired before the attempt finished; its result was not recorded")
)

// Options configure a Receiver. The zero value is usable.
type Options struct {
	// Retention is how long a completed key is remembered and replayed.
	// A duplicate that arrives later runs again. 0: DefaultRetention.
	Retention time.Duration

	// Lease is how long a claim stands while its attempt runs. If the
	// attempt has not finished by then (the process died, or the operation
	// hangs), the next request with the key runs the operation again.
	// Set it above the slowest operation's timeout. 0: DefaultLease.
	Lease time.Duration

	// Wait makes a duplicate of an in-flight request wait for the first
	// attempt's outcome (until its context ends) instead of failing at once
	// with ErrInProgress.
	Wait bool

	// Replay reports whether a failed attempt's error is recorded and
	// replayed to duplicates, as a definitive answer (a declined card).
	// Errors it rejects release the key so that a retry runs again (a
	// timeout). nil: no error is recorded.
	Replay func(err error) bool

	// Now is the clock. nil: time.Now.
	Now func() time.Time
}

// Outcome says what Do did with a request.
type Outcome int

// The outcomes of Do.
const (
	Rejected Outcome = iota // not run: no key, mismatch, in progress, or context ended
	Executed                // the operation ran for this request
	Replayed                // a recorded result was returned; the operation did not run
)

func (o Outcome) String() string {
	switch o {
	case Executed:
		return "executed"
	case Replayed:
		return "replayed"
	}
	return "rejected"
}

// Stats counts what a Receiver did, for metrics.
type Stats struct {
	Executed     int // attempts that ran the operation
	Replayed     int // duplicates answered from a record
	InProgress   int // duplicates refused (or made to wait) while the first attempt ran
	Mismatched   int // requests that reused a key with another fingerprint
	Released     int // failed attempts whose key was freed for a retry
	LeaseExpired int // attempts that finished after losing their claim
	Keys         int // records held now, in flight or completed
}

// Receiver runs each keyed request at most once per retention window and
// replays the recorded result to duplicates. It is safe for concurrent use.
type Receiver[R any] struct {
	opts     Options
	mu       sync.Mutex
	records  map[string]*record[R]
	leases   fifo // claims in the order their leases end
	expiries fifo // completed records in the order they expire
	attempts uint64
	stats    Stats
}

// record is the state of one key: in flight (done false, until = end of the
// lease) or completed (done true, until = end of retention).
type record[R any] struct {
	fingerprint string
	attempt     uint64 // the claim's fencing token
	done        bool
	until       time.Time
	value       R
	err         error
	finished    chan struct{} // closed when the attempt completes, is released or is dropped
}

// New returns a Receiver with the given options.
func New[R any](opts Options) *Receiver[R] {
	if opts.Retention <= 0 {
		opts.Retention = DefaultRetention
	}
	if opts.Lease <= 0 {
		opts.Lease = DefaultLease
	}
	if opts.Replay == nil {
		opts.Replay = func(error) bool { return false }
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Receiver[R]{opts: opts, records: make(map[string]*record[R])}
}

// Do runs op for the request identified by key, unless the key has a record.
//
// A first request runs op and returns its result with Executed. A duplicate
// within the retention window returns the recorded result with Replayed,
// without running op. A key reused with another fingerprint (a hash of the
// request's content; "" if the caller does not check) returns ErrMismatch. A
// duplicate of a request still running returns ErrInProgress, or, with
// Options.Wait, waits for that attempt: it replays its result, or runs op
// itself if the attempt failed and released the key.
//
// A panic in op releases the key and propagates.
func (r *Receiver[R]) Do(ctx context.Context, key, fingerprint string, op func(context.Context) (R, error)) (R, Outcome, error) {
	var zero R
	if key == "" {
		return zero, Rejected, ErrNoKey
	}
	for {
		d := r.claim(key, fingerprint)
		switch {
		case d.err != nil:
			return zero, Rejected, d.err
		case d.replay != nil:
			return d.replay.value, Replayed, d.replay.err
		case d.wait != nil:
			select {
			case <-d.wait:
				continue // the first attempt finished or gave up: look again
			case <-ctx.Done():
				return zero, Rejected, ctx.Err()
			}
		}
		value, err := r.execute(ctx, key, d.attempt, op)
		return value, Executed, err
	}
}

// decision is what claim tells Do to do.
type decision[R any] struct {
	attempt uint64        // non-zero: the caller holds the claim and runs op
	replay  *record[R]    // a completed record to return
	wait    chan struct{} // wait for the in-flight attempt
	err     error
}

// claim decides, under the lock, whether the caller runs op, replays a
// record, waits or is refused, and takes the claim if it runs op.
func (r *Receiver[R]) claim(key, fingerprint string) decision[R] {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.opts.Now()
	r.purge(now)
	rec, ok := r.records[key]
	switch {
	case !ok:
		r.attempts++
		rec = &record[R]{fingerprint: fingerprint, attempt: r.attempts, until: now.Add(r.opts.Lease), finished: make(chan struct{})}
		r.records[key] = rec
		r.leases.push(entry{key: key, attempt: rec.attempt, at: rec.until})
		r.stats.Executed++
		return decision[R]{attempt: rec.attempt}
	case rec.fingerprint != fingerprint:
		r.stats.Mismatched++
		return decision[R]{err: ErrMismatch}
	case rec.done:
		r.stats.Replayed++
		copied := *rec
		return decision[R]{replay: &copied}
	case r.opts.Wait:
		r.stats.InProgress++
		return decision[R]{wait: rec.finished}
	default:
		r.stats.InProgress++
		return decision[R]{err: ErrInProgress}
	}
}

// execute runs op under the claim and records its outcome. If op panics, the
// deferred release frees the key before the panic goes on.
func (r *Receiver[R]) execute(ctx context.Context, key string, attempt uint64, op func(context.Context) (R, error)) (value R, err error) {
	finished := false
	defer func() {
		if !finished {
			r.complete(key, attempt, value, errPanicked)
		}
	}()
	value, err = op(ctx)
	finished = true
	return value, r.complete(key, attempt, value, err)
}

// errPanicked stands for the outcome of an op that panicked: never replayed.
var errPanicked = errors.New("idempotency: operation panicked")

// complete records an attempt's outcome, or releases the key if the error is
// not to be replayed. An attempt whose claim is gone (its lease expired and
// another attempt took the key, or the record was purged) records nothing.
func (r *Receiver[R]) complete(key string, attempt uint64, value R, err error) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	rec, ok := r.records[key]
	if !ok || rec.attempt != attempt || rec.done {
		r.stats.LeaseExpired++
		if err != nil {
			return errors.Join(err, ErrLeaseExpired)
		}
		return ErrLeaseExpired
	}
	if err != nil && (err == errPanicked || !r.opts.Replay(err)) {
		r.stats.Released++
		r.drop(key, rec)
		return err
	}
	rec.done, rec.value, rec.err = true, value, err
	rec.until = r.opts.Now().Add(r.opts.Retention)
	r.expiries.push(entry{key: key, attempt: attempt, at: rec.until})
	close(rec.finished)
	return err
}

// purge drops the records whose lease or retention has ended by now. Both
// queues are in time order (every lease, and every retention, has the same
// length), so purge only looks at their heads: amortised O(1) per request.
func (r *Receiver[R]) purge(now time.Time) {
	for _, q := range []*fifo{&r.leases, &r.expiries} {
		q.popDue(now, func(e entry) {
			if rec, ok := r.records[e.key]; ok && rec.attempt == e.attempt && !rec.until.After(now) {
				r.drop(e.key, rec)
			}
		})
	}
}

// drop deletes a record and wakes whoever waits on it.
func (r *Receiver[R]) drop(key string, rec *record[R]) {
	delete(r.records, key)
	if !rec.done {
		close(rec.finished)
	}
}

// Forget deletes the record of key, so that the next request with it runs
// again. It is for operators (a record replaying a wrong answer), not for the
// request path. It reports whether a record existed.
func (r *Receiver[R]) Forget(key string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	rec, ok := r.records[key]
	if ok {
		r.drop(key, rec)
	}
	return ok
}

// Stats returns the counters so far and the number of records held after
// dropping those that have expired.
func (r *Receiver[R]) Stats() Stats {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.purge(r.opts.Now())
	s := r.stats
	s.Keys = len(r.records)
	return s
}
