package outbox

import (
	"context"
	"database/sql"
	"time"
)

// Defaults for the zero fields of a Relay.
const (
	DefaultBatch    = 100
	DefaultLease    = 30 * time.Second
	DefaultInterval = time.Second
	DefaultOwner    = "relay"
)

// Relay is a polling publisher: it moves committed messages from the
// outbox to a broker. Several relays, in one process or many, may run
// against one outbox if each has its own Owner. A Relay is safe for
// concurrent use, but one pass at a time per Relay is what it is for.
type Relay struct {
	// DB is the producer's database, the one holding the outbox table.
	DB *sql.DB
	// Publish sends one message to the broker and returns nil once the
	// broker has it. An error leaves the message unsent, to be retried on
	// a later pass; the aggregate's later messages wait behind it.
	Publish func(ctx context.Context, m Message) error
	// Owner names this relay in the lease columns; two relays must not
	// share one. Empty means DefaultOwner.
	Owner string
	// Batch is the most messages a pass claims; 0 means DefaultBatch.
	Batch int
	// Lease is how long a claim lasts. A relay that dies holding a claim
	// delays its messages by up to Lease; a pass that outlasts Lease lets
	// another relay publish the same messages. 0 means DefaultLease.
	Lease time.Duration
	// Interval is how long Run waits after a pass that published nothing;
	// 0 means DefaultInterval.
	Interval time.Duration
	// AfterPublish, if set, runs after each successful publish and before
	// the message is marked sent. A non-nil error ends the pass there,
	// with the message published but not marked, which is what a crash at
	// that point leaves behind. Tests and the demo use it.
	AfterPublish func(m Message) error

	Now   func() time.Time                                 // nil: time.Now
	Sleep func(ctx context.Context, d time.Duration) error // nil: a real timer; returns ctx.Err() if ctx ends first
}

// Pass is what one call of Relay.Poll did.
type Pass struct {
	Claimed   int // messages leased by this pass
	Published int // published and marked sent
	Failed    int // publish attempts that returned an error
}

// Poll runs one pass: it claims up to Batch unsent messages, publishes them
// in ID order and marks each sent. A publish error is counted in Failed and
// releases the claims on that aggregate, so its later messages wait for the
// next pass; Poll returns an error only for a database failure or from
// AfterPublish.
func (r *Relay) Poll(ctx context.Context) (Pass, error) {
	now := r.now()
	batch, err := r.claim(ctx, now)
	if err != nil {
		return Pass{}, err
	}
	p := Pass{Claimed: len(batch)}
	blocked := map[string]bool{}
	for _, m := range batch {
		if blocked[m.Aggregate] {
			continue
		}
		if err := r.Publish(ctx, m); err != nil {
			p.Failed++
			blocked[m.Aggregate] = true
			if err := r.release(ctx, m, err); err != nil {
				return p, err
			}
			continue
		}
		if r.AfterPublish != nil {
			if err := r.AfterPublish(m); err != nil {
				return p, err
			}
		}
		if err := r.markSent(ctx, m); err != nil {
			return p, err
		}
		p.Published++
	}
	return p, nil
}

// claim leases the oldest unsent messages of the aggregates no other relay
// holds a live lease on, and returns them in ID order. Because it takes
// them oldest first, what it takes of each aggregate is a prefix of that
// aggregate's unsent messages.
func (r *Relay) claim(ctx context.Context, now time.Time) ([]Message, error) {
	owner, until := r.owner(), now.Add(r.lease()).UnixNano()
	_, err := r.DB.ExecContext(ctx, `
UPDATE outbox SET lease_owner = ?1, lease_until = ?2
WHERE id IN (
	SELECT o.id FROM outbox o
	WHERE o.sent_at IS NULL AND NOT EXISTS (
		SELECT 1 FROM outbox p
		WHERE p.aggregate = o.aggregate AND p.sent_at IS NULL
		  AND p.lease_owner <> ?1 AND p.lease_until > ?3)
	ORDER BY o.id LIMIT ?4)`,
		owner, until, now.UnixNano(), r.batch())
	if err != nil {
		return nil, err
	}
	return r.claimed(ctx, owner, until)
}

// claimed reads this pass's claims. It reads them all before publishing
// anything, so no connection is held while the broker is called.
func (r *Relay) claimed(ctx context.Context, owner string, until int64) ([]Message, error) {
	rows, err := r.DB.QueryContext(ctx, `
SELECT id, aggregate, topic, payload, created_at, attempts FROM outbox
WHERE sent_at IS NULL AND lease_owner = ? AND lease_until = ? ORDER BY id`, owner, until)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var batch []Message
	for rows.Next() {
		var m Message
		var created int64
		if err := rows.Scan(&m.ID, &m.Aggregate, &m.Topic, &m.Payload, &created, &m.Attempts); err != nil {
			return nil, err
		}
		m.Created = time.Unix(0, created)
		batch = append(batch, m)
	}
	return batch, rows.Err()
}

// markSent records m as published. The owner check makes a relay whose
// lease was taken over leave the row to the new holder.
func (r *Relay) markSent(ctx context.Context, m Message) error {
	_, err := r.DB.ExecContext(ctx, `
UPDATE outbox SET sent_at = ?, lease_owner = NULL, lease_until = NULL
WHERE id = ? AND lease_owner = ?`, r.now().UnixNano(), m.ID, r.owner())
	return err
}

// release records a failed attempt on m and gives up this relay's claims
// on m's aggregate, so that the next pass (of any relay) starts again at m.
func (r *Relay) release(ctx context.Context, m Message, cause error) error {
	if _, err := r.DB.ExecContext(ctx, `UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE id = ?`,
		cause.Error(), m.ID); err != nil {
		return err
	}
	_, err := r.DB.ExecContext(ctx, `
UPDATE outbox SET lease_owner = NULL, lease_until = NULL
WHERE aggregate = ? AND sent_at IS NULL AND lease_owner = ?`, m.Aggregate, r.owner())
	return err
}

// Run polls until ctx ends, pausing Interval after a pass that published
// nothing and going straight on after one that did, so a backlog drains at
// full speed. It returns ctx's error, or the first error of a pass.
func (r *Relay) Run(ctx context.Context) error {
	for {
		p, err := r.Poll(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return err
		}
		if p.Published > 0 {
			continue
		}
		if err := r.sleep(ctx, r.interval()); err != nil {
			return err
		}
	}
}

// Backlog is the state of the unsent part of an outbox, the first thing to
// watch: a growing Pending or OldestAge means the relay is down, slow, or
// stuck behind a message that keeps failing.
type Backlog struct {
	Pending   int           // messages not yet marked sent
	OldestAge time.Duration // age of the oldest of them; 0 when none
	Failing   int           // of them, those with at least one failed attempt
}

// Backlog reports the outbox's unsent messages as of r's clock.
func (r *Relay) Backlog(ctx context.Context) (Backlog, error) {
	var b Backlog
	var oldest sql.NullInt64
	err := r.DB.QueryRowContext(ctx, `
SELECT count(*), min(created_at), count(CASE WHEN attempts > 0 THEN 1 END)
FROM outbox WHERE sent_at IS NULL`).Scan(&b.Pending, &oldest, &b.Failing)
	if err != nil {
		return Backlog{}, err
	}
	if oldest.Valid {
		b.OldestAge = r.now().Sub(time.Unix(0, oldest.Int64))
	}
	return b, nil
}

func (r *Relay) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

func (r *Relay) sleep(ctx context.Context, d time.Duration) error {
	if r.Sleep != nil {
		return r.Sleep(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (r *Relay) owner() string {
	if r.Owner == "" {
		return DefaultOwner
	}
	return r.Owner
}

func (r *Relay) batch() int {
	if r.Batch <= 0 {
		return DefaultBatch
	}
	return r.Batch
}

func (r *Relay) lease() time.Duration {
	if r.Lease <= 0 {
		return DefaultLease
	}
	return r.Lease
}

func (r *Relay) interval() time.Duration {
	if r.Interval <= 0 {
		return DefaultInterval
	}
	return r.Interval
}
