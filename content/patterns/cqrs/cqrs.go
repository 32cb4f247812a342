// Package cqrs separates the write model of a service from its read models, the
// Command Query Responsibility Segregation pattern with materialized views.
//
// The write side is a [Model]: it decides each command against its current state,
// refuses commands that would break an invariant, and appends the events a command
// produces to a [Log] in the same critical section that changes its state (in a real
// service: one database transaction, with an outbox or an event store). [Model.Handle]
// returns a version token: the log position of the command's last event.
//
// The read side is one or more [Projection] values. A projection folds the log's events,
// in position order, into a view shaped for queries (a map keyed the way the screen
// reads it, a top-N list, a counter) and records the position it has applied. It is
// updated after the write, so it lags; [Projection.Lag] says by how many events and how
// long. Updates are idempotent: [Projection.Apply] skips an event it has already applied
// (a redelivery) and refuses one that would leave a hole ([ErrGap]), so an at-least-once
// feed gives the same view as an exactly-once one. [Projection.CatchUp] and
// [Projection.Run] pull events from the log; [Projection.Rebuild] folds the whole log
// again, with a new apply function if the view's code changed, and swaps the result in.
//
// Read-your-writes: [Projection.Query] takes a minimum position. Pass the token a
// command returned and the query waits until the projection has applied it, or fails
// with [ErrBehind] when its context ends first, so it never answers from a view older
// than the caller's own write. Pass 0 for a plain, possibly stale, read.
//
// Log, Model and Projection are safe for concurrent use. The view a Projection holds is
// changed only by its apply function, under the projection's lock; query functions see
// it under a read lock and must not keep references to it after they return.
package cqrs

import (
	"context"
	"errors"
	"sync"
	"time"
)

// Event is one change the write side recorded, at position Pos of the log. Positions
// start at 1 and have no holes.
type Event[E any] struct {
	Pos  uint64    // position in the log: 1, 2, 3, ...
	At   time.Time // when the log appended it
	Data E         // the domain event
}

// Options configures a Log.
type Options struct {
	// Now stamps appended events, for lag measured in time. nil: time.Now.
	Now func() time.Time
}

// Log is an append-only, in-memory event log: the feed between the write model and the
// projections. It stands in for an event store, a Kafka topic or a change-data-capture
// stream. The zero value is not usable; call NewLog.
type Log[E any] struct {
	now    func() time.Time
	mu     sync.Mutex
	events []Event[E]
	grew   chan struct{} // closed and replaced on every append
}

// NewLog returns an empty log.
func NewLog[E any](opts Options) *Log[E] {
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	return &Log[E]{now: now, grew: make(chan struct{})}
}

// Append adds the events at the next positions and returns the position of the last
// one, the log's new head. With no events it returns the current head.
func (l *Log[E]) Append(data ...E) uint64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(data) == 0 {
		return uint64(len(l.events))
	}
	at := l.now()
	for _, d := range data {
		l.events = append(l.events, Event[E]{Pos: uint64(len(l.events)) + 1, At: at, Data: d})
	}
	close(l.grew)
	l.grew = make(chan struct{})
	return uint64(len(l.events))
}

// Head returns the position of the last event, 0 when the log is empty.
func (l *Log[E]) Head() uint64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return uint64(len(l.events))
}

// Since returns a copy of the events after position pos, at most limit of them
// (limit <= 0: all).
func (l *Log[E]) Since(pos uint64, limit int) []Event[E] {
	l.mu.Lock()
	defer l.mu.Unlock()
	if pos >= uint64(len(l.events)) {
		return nil
	}
	rest := l.events[pos:]
	if limit > 0 && len(rest) > limit {
		rest = rest[:limit]
	}
	return append([]Event[E](nil), rest...)
}

// Wait blocks until the log's head is past pos or ctx ends; it returns ctx.Err() in
// the second case.
func (l *Log[E]) Wait(ctx context.Context, pos uint64) error {
	for {
		l.mu.Lock()
		head, grew := uint64(len(l.events)), l.grew
		l.mu.Unlock()
		if head > pos {
			return nil
		}
		select {
		case <-grew:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// age returns how long ago the event at pos was appended, 0 if there is none.
func (l *Log[E]) age(pos uint64) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	if pos == 0 || pos > uint64(len(l.events)) {
		return 0
	}
	return l.now().Sub(l.events[pos-1].At)
}

// ErrGap reports an event whose position is past the next one a projection expects:
// applying it would skip events. Fetch the missing ones from the log (CatchUp does).
var ErrGap = errors.New("cqrs: gap in the event feed")

// ErrBehind reports a query whose context ended before the projection reached the
// position the query asked for.
var ErrBehind = errors.New("cqrs: projection behind the requested position")
