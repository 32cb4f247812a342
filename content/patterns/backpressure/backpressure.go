// Package backpressure slows a producer down to the pace of its consumer
// instead of letting the work in between grow without bound.
//
// Buffer is a bounded FIFO queue between a producer and a consumer. Its
// capacity is a hard bound: the queue never holds more items than that. What
// happens when a producer finds it full is the buffer's Policy:
//
//   - Block: Put waits until the consumer makes room (or the context ends).
//     This is backpressure proper: the producer runs at the consumer's pace
//     and nothing is lost.
//   - Reject: Put fails at once with ErrFull, a signal the caller must
//     handle (slow down, answer 429 or 503, try elsewhere).
//   - DropNewest: the new item is discarded and counted.
//   - DropOldest: the oldest buffered item is evicted and counted, and the
//     new one is kept: for data where only the latest value matters.
//
// A Go channel of capacity n is a Block buffer; `select` with a `default`
// case turns it into Reject. Buffer adds the other policies, a context on
// every wait, and counters that say what happened (Stats).
//
//	b := backpressure.New[Event](1024, backpressure.Block)
//	go func() { for { e, err := b.Get(ctx); if err != nil { return }; handle(e) } }()
//	if err := b.Put(ctx, e); err != nil { ... } // waits while the buffer is full
//
// Window is credit-based flow control, the mechanism of HTTP/2 and of TCP's
// receive window: the receiver grants credits (Grant, an HTTP/2
// WINDOW_UPDATE), the sender spends them (Acquire) and may never have more
// unacknowledged units in flight than it was granted.
//
// Pump and Stage connect buffers into a pipeline; with Block buffers a slow
// last stage slows every stage before it, back to the source.
//
// Every type here is safe for concurrent use. Nothing reads the clock: the
// waits are on the other side of the buffer, bounded by the caller's context.
package backpressure

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// Policy says what Put does when the buffer is full.
type Policy int

// The overflow policies.
const (
	Block      Policy = iota // wait for room; nothing is lost
	Reject                   // fail with ErrFull; the caller decides
	DropNewest               // discard the new item
	DropOldest               // evict the oldest item, keep the new one
)

func (p Policy) String() string {
	switch p {
	case Block:
		return "block"
	case Reject:
		return "reject"
	case DropNewest:
		return "drop-newest"
	case DropOldest:
		return "drop-oldest"
	}
	return fmt.Sprintf("Policy(%d)", int(p))
}

// Errors returned by Buffer.
var (
	ErrFull    = errors.New("backpressure: buffer full")
	ErrDropped = errors.New("backpressure: item dropped, buffer full")
	ErrClosed  = errors.New("backpressure: buffer closed")
)

// Stats counts what a Buffer did with the items offered to it. At every
// moment Offered = Accepted + Dropped + Rejected and
// Accepted = Delivered + Evicted + Len.
type Stats struct {
	Offered   uint64 // calls to Put and TryPut on an open buffer
	Accepted  uint64 // items stored
	Delivered uint64 // items handed to Get or TryGet
	Dropped   uint64 // new items discarded (DropNewest)
	Evicted   uint64 // old items discarded to make room (DropOldest)
	Rejected  uint64 // items refused: ErrFull, or a blocked Put whose context ended or whose buffer closed
	MaxLen    int    // the most items ever held at once
}

// Buffer is a bounded FIFO queue with an overflow policy.
type Buffer[T any] struct {
	policy Policy

	mu      sync.Mutex
	ring    []T // len(ring) is the capacity
	head, n int // the oldest item is ring[head]; n items are held
	closed  bool
	changed chan struct{} // closed and replaced when n or closed changes and someone waits
	waiters int           // goroutines in wait
	stats   Stats
}

// New returns an empty buffer of the given capacity and policy. It panics if
// capacity is less than 1: a bound of zero would make every policy but Block
// refuse everything, and Block deadlock.
func New[T any](capacity int, policy Policy) *Buffer[T] {
	if capacity < 1 {
		panic("backpressure: capacity must be at least 1")
	}
	return &Buffer[T]{policy: policy, ring: make([]T, capacity), changed: make(chan struct{})}
}

// Cap returns the buffer's capacity, its bound.
func (b *Buffer[T]) Cap() int { return len(b.ring) }

// Policy returns the buffer's overflow policy.
func (b *Buffer[T]) Policy() Policy { return b.policy }

// Len returns the number of items held now.
func (b *Buffer[T]) Len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.n
}

// Stats returns a snapshot of the counters.
func (b *Buffer[T]) Stats() Stats {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.stats
}

// Put offers v to the buffer. It returns nil if v was stored. When the
// buffer is full it follows the policy: Block waits for room and returns
// ctx.Err() if the context ends first (v is then not stored); Reject
// returns ErrFull; DropNewest returns ErrDropped; DropOldest evicts the
// oldest item and stores v. Put on a closed buffer returns ErrClosed.
func (b *Buffer[T]) Put(ctx context.Context, v T) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return ErrClosed
	}
	b.stats.Offered++
	for b.policy == Block && b.n == len(b.ring) {
		if err := b.wait(ctx); err != nil {
			b.stats.Rejected++
			return err
		}
		if b.closed {
			b.stats.Rejected++
			return ErrClosed
		}
	}
	return b.offer(v)
}

// TryPut is Put without waiting: on a full Block buffer it returns ErrFull.
func (b *Buffer[T]) TryPut(v T) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return ErrClosed
	}
	b.stats.Offered++
	return b.offer(v)
}

// offer stores v or applies the policy to a full buffer. b.mu is held.
func (b *Buffer[T]) offer(v T) error {
	if b.n == len(b.ring) {
		switch b.policy {
		case DropNewest:
			b.stats.Dropped++
			return ErrDropped
		case DropOldest:
			b.pop()
			b.stats.Evicted++
		default: // Block (only from TryPut) and Reject
			b.stats.Rejected++
			return ErrFull
		}
	}
	b.ring[(b.head+b.n)%len(b.ring)] = v
	b.n++
	b.stats.Accepted++
	b.stats.MaxLen = max(b.stats.MaxLen, b.n)
	b.signal()
	return nil
}

// Get removes and returns the oldest item, waiting while the buffer is
// empty. It returns ctx.Err() if the context ends first, and ErrClosed once
// the buffer is closed and drained.
func (b *Buffer[T]) Get(ctx context.Context) (T, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for b.n == 0 {
		if b.closed {
			var zero T
			return zero, ErrClosed
		}
		if err := b.wait(ctx); err != nil {
			var zero T
			return zero, err
		}
	}
	b.stats.Delivered++
	return b.pop(), nil
}

// TryGet removes and returns the oldest item if there is one.
func (b *Buffer[T]) TryGet() (T, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.n == 0 {
		var zero T
		return zero, false
	}
	b.stats.Delivered++
	return b.pop(), true
}

// Close stops the buffer accepting items. Items already held can still be
// taken with Get, which returns ErrClosed once they are gone; producers
// waiting in Put return ErrClosed. Close is idempotent.
func (b *Buffer[T]) Close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.closed {
		b.closed = true
		b.signal()
	}
}

// pop removes the oldest item. b.mu is held and b.n > 0.
func (b *Buffer[T]) pop() T {
	var zero T
	v := b.ring[b.head]
	b.ring[b.head] = zero // let the garbage collector have it
	b.head = (b.head + 1) % len(b.ring)
	b.n--
	b.signal()
	return v
}

// signal wakes every goroutine waiting for a change. b.mu is held. With no
// waiter it does nothing, so the uncontended path allocates nothing.
func (b *Buffer[T]) signal() {
	if b.waiters > 0 {
		close(b.changed)
		b.changed = make(chan struct{})
	}
}

// wait releases b.mu until the next change or the end of ctx, and takes it
// again. The caller re-checks its condition: a change is only a hint.
func (b *Buffer[T]) wait(ctx context.Context) error {
	ch := b.changed
	b.waiters++
	b.mu.Unlock()
	defer func() {
		b.mu.Lock()
		b.waiters--
	}()
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
