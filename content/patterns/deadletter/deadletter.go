// Package deadletter is an in-memory work queue with a dead-letter queue:
// a message that keeps failing is moved aside, with its history, after a
// fixed number of delivery attempts, so that the messages behind it keep
// flowing and none is lost.
//
// The model is the one Amazon SQS, Azure Service Bus and RabbitMQ quorum
// queues share. Receive hands out a message under a lease (a visibility
// timeout) and counts one delivery attempt. The consumer then settles it:
//
//	q := deadletter.New(deadletter.Options{Name: "orders", MaxAttempts: 5})
//	q.Send(deadletter.Message{ID: "o-1", Body: `{"sku":"A7"}`})
//	d, ok := q.Receive()
//	if ok {
//		if err := process(d.Body); err != nil {
//			q.Nack(d, err) // back of the queue, or the DLQ on attempt 5
//		} else {
//			q.Ack(d) // done
//		}
//	}
//
// Handle does the same for one message with a handler function.
//
// A failed message goes to the back of the queue, not the front, so one
// poison message cannot stall the others (the price is that messages no
// longer leave in the order they came). On its MaxAttempts-th failed
// attempt it becomes a Letter in the dead-letter queue: the message, the
// source queue's name, the attempts it used, the error of each attempt and
// the times of its first delivery and of its death. An error wrapped with
// Permanent skips the remaining attempts. A lease that runs out before the
// consumer settles the message counts as a failed attempt (the consumer
// may have crashed), and a late Ack or Nack then returns ErrLeaseExpired.
//
// Redrive moves dead letters back to the queue once the cause is fixed,
// with a fresh attempt count and their history kept. OnDeadLetter is the
// hook for alerting.
//
// A Queue is safe for concurrent use by any number of consumers.
package deadletter

import (
	"errors"
	"sync"
	"time"
)

// Defaults for the zero Options.
const (
	DefaultMaxAttempts = 5
	DefaultVisibility  = 30 * time.Second
)

// ErrLeaseExpired is returned by Ack and Nack for a delivery whose lease ran
// out first: the attempt was already counted as failed, and the message may
// have been delivered again or dead-lettered.
var ErrLeaseExpired = errors.New("deadletter: lease expired before the message was settled")

// Options configures a Queue. Zero fields get the documented defaults.
type Options struct {
	// Name is the queue's name, recorded in every Letter as its source.
	Name string
	// MaxAttempts is the number of deliveries a message gets; the one that
	// fails last moves it to the dead-letter queue. 0 means
	// DefaultMaxAttempts.
	MaxAttempts int
	// Visibility is the lease a Receive grants; an unsettled message counts
	// as failed once it ends. 0 means DefaultVisibility.
	Visibility time.Duration
	// OnDeadLetter, if set, is called with each new Letter, outside the
	// queue's lock, from the goroutine whose call dead-lettered it.
	OnDeadLetter func(Letter)
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Message is a unit of work. ID should be unique among the messages in the
// queue; the queue does not deduplicate.
type Message struct {
	ID   string
	Body string
}

// Delivery is one attempt at a message, returned by Receive and settled by
// Ack or Nack.
type Delivery struct {
	Message
	Attempt int       // 1 for the first delivery of the message
	Expires time.Time // the lease's end
	token   uint64
}

// Reason says why a message was dead-lettered.
type Reason int

// The reasons.
const (
	Exhausted Reason = iota + 1 // MaxAttempts deliveries failed
	Rejected                    // the handler returned a Permanent error
)

// String returns the reason's name.
func (r Reason) String() string {
	switch r {
	case Exhausted:
		return "exhausted"
	case Rejected:
		return "rejected"
	}
	return "unknown"
}

// Letter is a dead-lettered message with what an operator needs to decide
// its fate.
type Letter struct {
	Message
	Source    string    // the Name of the queue it came from
	Reason    Reason    // why it was dead-lettered
	Attempts  int       // deliveries since it was sent or last redriven
	Errors    []string  // the error of every failed attempt, oldest first, across redrives
	Redrives  int       // times it was moved back by Redrive before
	FirstSeen time.Time // its first delivery since it was sent or redriven
	DeadAt    time.Time // when it was dead-lettered
}

// Stats counts a Queue's messages. At any moment every message sent is in
// exactly one of Ready, InFlight, Dead, or was counted in Acked.
type Stats struct {
	Sent     int // messages sent, redriven ones not counted again
	Acked    int // messages settled by Ack
	Ready    int // waiting to be received
	InFlight int // received and not yet settled
	Dead     int // in the dead-letter queue now
	Redriven int // moves from the dead-letter queue back to the queue
}

// entry is a message with its delivery history.
type entry struct {
	msg      Message
	attempts int
	errs     []string
	redrives int
	first    time.Time
	token    uint64    // of the current lease; 0 when not in flight
	expires  time.Time // of the current lease
}

// Queue is a work queue with a dead-letter queue. Create one with New.
type Queue struct {
	opts Options

	mu       sync.Mutex
	ready    []*entry          // FIFO, front first
	inflight map[uint64]*entry // by lease token
	dead     []Letter          // oldest first
	tokens   uint64
	stats    Stats
}

// New returns an empty Queue.
func New(o Options) *Queue {
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = DefaultMaxAttempts
	}
	if o.Visibility <= 0 {
		o.Visibility = DefaultVisibility
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Queue{opts: o, inflight: make(map[uint64]*entry)}
}

// Send adds a message to the back of the queue.
func (q *Queue) Send(m Message) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.ready = append(q.ready, &entry{msg: m})
	q.stats.Sent++
}
