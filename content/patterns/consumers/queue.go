// Package consumers implements the Competing Consumers pattern: one queue,
// many consumers, and each message leased to one consumer at a time.
//
// A [Queue] holds messages. A consumer calls [Queue.Receive] to take the
// oldest message available; the message is not deleted but leased: it stays
// invisible to other consumers until the lease ends, like a visibility
// timeout in Amazon SQS or an unacknowledged delivery in RabbitMQ. The
// consumer settles the lease with [Queue.Ack] (done: the message is deleted)
// or [Queue.Nack] (failed: the message is available again at once), or
// prolongs it with [Queue.Extend] while it is still working. A consumer that
// crashes settles nothing; when its lease expires the message becomes
// available and another consumer receives it. Delivery is therefore at
// least once, and handlers must be idempotent.
//
// Every lease carries a [Receipt]. Only the receipt of the current, unexpired
// lease can settle a message: a slow consumer whose lease ran out gets
// [ErrStaleReceipt] and cannot delete a message that another consumer now
// holds.
//
// A message sent with a non-empty key belongs to a message group (the SQS
// FIFO term): the queue leases at most one message of a group at a time, in
// the order they were sent, so each key is processed in order while
// different keys are processed in parallel. Messages with an empty key have
// no order.
//
// With Options.MaxReceives set, a message whose lease has ended MaxReceives
// times without an Ack (a poison message) is moved to the dead letters
// instead of being offered again; see [Queue.DeadLetters].
//
// [Queue.Consume] runs n consumers as goroutines over a handler. A Queue is
// safe for concurrent use. Time comes from Options.Now and Options.Sleep, so
// tests and demos can drive it.
package consumers

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"sync"
	"time"
)

// DefaultVisibilityTimeout is the lease length when Options.VisibilityTimeout
// is zero; it is the default visibility timeout of Amazon SQS.
const DefaultVisibilityTimeout = 30 * time.Second

// ErrStaleReceipt is returned when a receipt no longer names the current
// lease of a message: the lease expired, the message was settled, or it was
// received again under a new lease.
var ErrStaleReceipt = errors.New("consumers: stale receipt: the lease expired or the message was settled")

// Options configures a Queue. The zero value is usable.
type Options struct {
	// VisibilityTimeout is how long a received message stays invisible to
	// other consumers. Zero means DefaultVisibilityTimeout.
	VisibilityTimeout time.Duration
	// MaxReceives is how many leases a message may have before it is
	// dead-lettered when the last one ends without an Ack. Zero means no
	// limit: the message is offered again forever.
	MaxReceives int
	// PollInterval is how long Consume waits when the queue has nothing
	// available. Zero means 100 ms.
	PollInterval time.Duration

	Now   func() time.Time                                 // nil: time.Now
	Sleep func(ctx context.Context, d time.Duration) error // nil: a real timer; returns ctx.Err() if ctx ends first
}

// Message is what a producer sends: an ID given by the queue, an optional
// ordering key and a body.
type Message struct {
	ID   uint64
	Key  string // "" means no message group: no ordering
	Body string
}

// Receipt identifies one lease of one message. Settle a message with the
// receipt of the delivery that carried it.
type Receipt struct {
	id    uint64
	lease uint64
}

// Delivery is a leased message as a consumer receives it.
type Delivery struct {
	Message
	Receipt  Receipt
	Attempt  int       // 1 on the first delivery, 2 on the first redelivery, ...
	Consumer string    // the name passed to Receive
	Deadline time.Time // the lease ends at this instant unless extended
}

// DeadLetter is a message that was delivered MaxReceives times without an Ack.
type DeadLetter struct {
	Message
	Attempts int
}

// Stats counts what a queue has done. Ready and InFlight are current sizes;
// the other fields are totals since New.
type Stats struct {
	Sent         int // messages accepted by Send
	Delivered    int // leases granted, first deliveries and redeliveries
	Redelivered  int // leases granted for a message that had one before
	Acked        int // messages deleted by Ack
	Nacked       int // leases ended by Nack
	Expired      int // leases that ran out (a crashed or slow consumer)
	DeadLettered int // messages moved to the dead letters
	Ready        int // messages available now
	InFlight     int // messages leased now
}

// entry is a message with its delivery state.
type entry struct {
	msg      Message
	attempts int
	lease    uint64 // the current lease; 0 when not leased
	deadline time.Time
}

// Queue is an in-memory queue with leases, for competing consumers. Create
// one with New.
type Queue struct {
	mu         sync.Mutex
	opts       Options
	nextID     uint64
	nextLease  uint64
	ready      []*entry          // available messages, sorted by ID
	inFlight   map[uint64]*entry // leased messages by ID
	busyKeys   map[string]bool   // keys with a message in flight
	nextExpiry time.Time         // no lease ends before this instant
	dead       []DeadLetter
	stats      Stats
}

// New returns an empty queue.
func New(opts Options) *Queue {
	if opts.VisibilityTimeout <= 0 {
		opts.VisibilityTimeout = DefaultVisibilityTimeout
	}
	if opts.PollInterval <= 0 {
		opts.PollInterval = 100 * time.Millisecond
	}
	return &Queue{
		opts:     opts,
		inFlight: make(map[uint64]*entry),
		busyKeys: make(map[string]bool),
	}
}

func (q *Queue) now() time.Time {
	if q.opts.Now != nil {
		return q.opts.Now()
	}
	return time.Now()
}

// Send appends a message with an ordering key (may be empty) and returns its ID.
func (q *Queue) Send(key, body string) uint64 {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.nextID++
	q.ready = append(q.ready, &entry{msg: Message{ID: q.nextID, Key: key, Body: body}})
	q.stats.Sent++
	return q.nextID
}

// Receive leases the oldest available message to the named consumer for
// Options.VisibilityTimeout. It skips messages whose key already has a
// message in flight. It reports false when nothing is available.
func (q *Queue) Receive(consumer string) (Delivery, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	now := q.now()
	q.expire(now)
	for i, e := range q.ready {
		if e.msg.Key != "" && q.busyKeys[e.msg.Key] {
			continue
		}
		q.ready = slices.Delete(q.ready, i, i+1)
		return q.lease(e, consumer, now), true
	}
	return Delivery{}, false
}

// lease grants a new lease on e, which the caller has taken out of ready.
func (q *Queue) lease(e *entry, consumer string, now time.Time) Delivery {
	q.nextLease++
	e.lease = q.nextLease
	e.attempts++
	e.deadline = now.Add(q.opts.VisibilityTimeout)
	q.inFlight[e.msg.ID] = e
	if e.msg.Key != "" {
		q.busyKeys[e.msg.Key] = true
	}
	if len(q.inFlight) == 1 || e.deadline.Before(q.nextExpiry) {
		q.nextExpiry = e.deadline
	}
	q.stats.Delivered++
	if e.attempts > 1 {
		q.stats.Redelivered++
	}
	return Delivery{
		Message:  e.msg,
		Receipt:  Receipt{id: e.msg.ID, lease: e.lease},
		Attempt:  e.attempts,
		Consumer: consumer,
		Deadline: e.deadline,
	}
}

// Ack deletes the message of a delivery: it was processed. It returns
// ErrStaleReceipt if the lease is no longer current, in which case the
// message may be (or may already have been) delivered to another consumer.
func (q *Queue) Ack(r Receipt) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	e, err := q.current(r)
	if err != nil {
		return err
	}
	q.release(e)
	q.stats.Acked++
	return nil
}

// Nack ends a lease without deleting the message: it is available again at
// once (or dead-lettered if it has had Options.MaxReceives leases). It
// returns ErrStaleReceipt if the lease is no longer current.
func (q *Queue) Nack(r Receipt) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	e, err := q.current(r)
	if err != nil {
		return err
	}
	q.release(e)
	q.stats.Nacked++
	q.requeue(e)
	return nil
}

// Extend moves the end of a current lease to d from now, for a consumer that
// needs more time (SQS ChangeMessageVisibility, a lock renewal). It returns
// ErrStaleReceipt if the lease is no longer current.
func (q *Queue) Extend(r Receipt, d time.Duration) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	e, err := q.current(r)
	if err != nil {
		return err
	}
	e.deadline = q.now().Add(d)
	if e.deadline.Before(q.nextExpiry) {
		q.nextExpiry = e.deadline
	}
	return nil
}

// current returns the in-flight entry that r is the live lease of.
func (q *Queue) current(r Receipt) (*entry, error) {
	q.expire(q.now())
	e := q.inFlight[r.id]
	if e == nil || e.lease != r.lease {
		return nil, ErrStaleReceipt
	}
	return e, nil
}

// release takes e out of flight.
func (q *Queue) release(e *entry) {
	delete(q.inFlight, e.msg.ID)
	if e.msg.Key != "" {
		delete(q.busyKeys, e.msg.Key)
	}
	e.lease = 0
}

// expire ends every lease whose deadline is not after now. A lease is valid
// strictly before its deadline.
func (q *Queue) expire(now time.Time) {
	if len(q.inFlight) == 0 || now.Before(q.nextExpiry) {
		return
	}
	var ended []*entry
	next := time.Time{}
	for _, e := range q.inFlight {
		if !now.Before(e.deadline) {
			ended = append(ended, e)
		} else if next.IsZero() || e.deadline.Before(next) {
			next = e.deadline
		}
	}
	q.nextExpiry = next
	// Map order is random: settle in ID order so dead letters are deterministic.
	slices.SortFunc(ended, func(a, b *entry) int { return cmp.Compare(a.msg.ID, b.msg.ID) })
	for _, e := range ended {
		q.release(e)
		q.stats.Expired++
		q.requeue(e)
	}
}

// requeue puts e back in ready at its place by ID, or dead-letters it.
func (q *Queue) requeue(e *entry) {
	if q.opts.MaxReceives > 0 && e.attempts >= q.opts.MaxReceives {
		q.dead = append(q.dead, DeadLetter{Message: e.msg, Attempts: e.attempts})
		q.stats.DeadLettered++
		return
	}
	i, _ := slices.BinarySearchFunc(q.ready, e.msg.ID, func(x *entry, id uint64) int { return cmp.Compare(x.msg.ID, id) })
	q.ready = slices.Insert(q.ready, i, e)
}

// DeadLetters returns a copy of the dead-lettered messages, in the order
// they were moved.
func (q *Queue) DeadLetters() []DeadLetter {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.expire(q.now())
	return slices.Clone(q.dead)
}

// Stats returns the counters, after ending the leases that have run out.
func (q *Queue) Stats() Stats {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.expire(q.now())
	s := q.stats
	s.Ready = len(q.ready)
	s.InFlight = len(q.inFlight)
	return s
}
