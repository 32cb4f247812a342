// Package eventsourcing stores the history of a domain as an append-only sequence of
// events and derives every piece of state from it by replaying.
//
// The parts, each small enough to read in one sitting:
//
//   - [Store] is the event store: per-stream append with an expected version
//     (optimistic concurrency) and reads by stream or across all streams in commit
//     order. [MemoryStore] implements it in memory and is safe for concurrent use.
//   - [Replay] folds a slice of events into a state with an evolve function. The
//     state is never stored as the truth; it is recomputed.
//   - [Repository] loads an aggregate (latest [Snapshot] plus the tail of its stream),
//     runs a decision on it and appends the resulting events with the version it
//     read, retrying on a [ConflictError] a bounded number of times.
//   - [Upcasters] rewrite old event schemas into the current one while they are read,
//     so the stored history is never edited.
//   - [Projector] keeps a read model up to date from the global log, with a
//     checkpoint, and rebuilds it from position zero on demand.
//
// Versions count events: a stream holding n events is at version n, and its events
// are numbered 1..n. [NoStream] (0) as an expected version means "the stream must not
// exist yet"; [Any] disables the check.
package eventsourcing

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Expected-version sentinels for [Store.Append].
const (
	// Any appends whatever the stream's current version; no concurrency check.
	Any int64 = -1
	// NoStream requires the stream to be empty (not yet created).
	NoStream int64 = 0
)

// ErrConflict is matched by every [ConflictError] (errors.Is).
var ErrConflict = errors.New("eventsourcing: wrong expected version")

// ConflictError reports an append whose expected version was not the stream's
// current version: another writer appended first.
type ConflictError struct {
	Stream   string
	Expected int64
	Actual   int64
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("eventsourcing: stream %q is at version %d, expected %d", e.Stream, e.Actual, e.Expected)
}

// Is makes errors.Is(err, ErrConflict) true.
func (e *ConflictError) Is(target error) bool { return target == ErrConflict }

// EventData is an event to append: its type, the schema version of its payload and
// the payload itself (usually JSON).
type EventData struct {
	Type   string
	Schema int
	Data   []byte
}

// Event is a stored event. Number is its position in its stream (1-based) and
// Position its position in the store's global log (1-based, commit order).
type Event struct {
	Stream   string
	Number   int64
	Position int64
	Type     string
	Schema   int
	Data     []byte
	Recorded time.Time
}

// Store is an append-only event store. Implementations must be safe for
// concurrent use and must make each Append atomic: all of its events or none.
type Store interface {
	// Append adds events to the end of stream if the stream is at version
	// expected (or expected is Any) and returns the new version. Otherwise it
	// appends nothing and returns a *ConflictError.
	Append(ctx context.Context, stream string, expected int64, events ...EventData) (int64, error)
	// Load returns the events of stream numbered after the given version, in order.
	Load(ctx context.Context, stream string, after int64) ([]Event, error)
	// ReadAll returns at most limit events (limit <= 0: all) of every stream
	// whose global Position is after the given position, in commit order.
	ReadAll(ctx context.Context, after int64, limit int) ([]Event, error)
}

// Replay folds events into state, in order, starting from initial. It stops at the
// first error evolve returns, naming the event.
func Replay[S any](initial S, events []Event, evolve func(S, Event) (S, error)) (S, error) {
	s := initial
	for _, e := range events {
		next, err := evolve(s, e)
		if err != nil {
			return s, fmt.Errorf("replay %s#%d (%s): %w", e.Stream, e.Number, e.Type, err)
		}
		s = next
	}
	return s, nil
}
