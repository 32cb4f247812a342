package eventsourcing

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// Snapshot is the state of a stream after its first Version events. It is a cache
// of a replay, never the source of truth: deleting every snapshot changes nothing
// but load time.
type Snapshot[S any] struct {
	Version int64
	State   S
}

// SnapshotStore keeps the latest snapshot per stream.
type SnapshotStore[S any] interface {
	// Save records snap for stream, replacing an older one.
	Save(ctx context.Context, stream string, snap Snapshot[S]) error
	// Latest returns the newest snapshot of stream; ok is false when there is none.
	Latest(ctx context.Context, stream string) (snap Snapshot[S], ok bool, err error)
}

// MemorySnapshots is a [SnapshotStore] in memory, safe for concurrent use. The zero
// value is ready. States are stored as given: S should be a value type (or be
// copied by the caller), or a later mutation would change the snapshot too.
type MemorySnapshots[S any] struct {
	mu sync.Mutex
	m  map[string]Snapshot[S]
}

// Save implements [SnapshotStore.Save]; it keeps the snapshot with the higher version.
func (m *MemorySnapshots[S]) Save(_ context.Context, stream string, snap Snapshot[S]) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.m == nil {
		m.m = make(map[string]Snapshot[S])
	}
	if old, ok := m.m[stream]; !ok || snap.Version > old.Version {
		m.m[stream] = snap
	}
	return nil
}

// Latest implements [SnapshotStore.Latest].
func (m *MemorySnapshots[S]) Latest(_ context.Context, stream string) (Snapshot[S], bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.m[stream]
	return s, ok, nil
}

// Repository loads and updates aggregates of state S kept as event streams. It is
// safe for concurrent use if its Store and Snapshots are.
type Repository[S any] struct {
	// Store holds the events. Required.
	Store Store
	// Evolve applies one (upcast) event to a state. It must be deterministic and
	// free of side effects: replay calls it again for every old event.
	Evolve func(S, Event) (S, error)
	// Initial is the state of an empty stream; nil means the zero S.
	Initial func() S
	// Upcasters rewrite old event schemas before Evolve sees them.
	Upcasters Upcasters
	// Snapshots, if not nil, caches states so that Load replays only the tail.
	Snapshots SnapshotStore[S]
	// SnapshotEvery takes a snapshot on Load once at least this many events follow
	// the latest one; 0 takes none.
	SnapshotEvery int64
	// Retries is how many times Update reloads and decides again after a
	// conflict; 0 returns the first *ConflictError.
	Retries int
}

// Load returns the current state of stream and its version: the latest snapshot,
// if any, plus the events after it.
func (r *Repository[S]) Load(ctx context.Context, stream string) (S, int64, error) {
	state, from, err := r.start(ctx, stream)
	if err != nil {
		return state, 0, err
	}
	tail, err := r.Store.Load(ctx, stream, from)
	if err != nil {
		return state, 0, err
	}
	state, err = r.replay(state, tail)
	if err != nil {
		return state, 0, err
	}
	version := from + int64(len(tail))
	if r.Snapshots != nil && r.SnapshotEvery > 0 && version-from >= r.SnapshotEvery {
		if err := r.Snapshots.Save(ctx, stream, Snapshot[S]{Version: version, State: state}); err != nil {
			return state, 0, fmt.Errorf("save snapshot: %w", err)
		}
	}
	return state, version, nil
}

// Replay rebuilds the state of stream from all of its events, ignoring snapshots.
func (r *Repository[S]) Replay(ctx context.Context, stream string) (S, int64, error) {
	events, err := r.Store.Load(ctx, stream, 0)
	if err != nil {
		return r.initial(), 0, err
	}
	s, err := r.replay(r.initial(), events)
	return s, int64(len(events)), err
}

// Update loads stream, asks decide for the events a command produces and appends
// them with the loaded version as the expected version. On a conflict it reloads
// and decides again, up to Retries times. It returns the state after the new
// events and the new version. A decide error is returned as is, with nothing
// appended; no events means nothing to append.
func (r *Repository[S]) Update(ctx context.Context, stream string, decide func(S) ([]EventData, error)) (S, int64, error) {
	for attempt := 0; ; attempt++ {
		state, version, err := r.Load(ctx, stream)
		if err != nil {
			return state, version, err
		}
		events, err := decide(state)
		if err != nil || len(events) == 0 {
			return state, version, err
		}
		next, err := r.Store.Append(ctx, stream, version, events...)
		if errors.Is(err, ErrConflict) && attempt < r.Retries {
			continue
		}
		if err != nil {
			return state, version, err
		}
		state, err = r.replay(state, pending(stream, version, events))
		return state, next, err
	}
}

func (r *Repository[S]) start(ctx context.Context, stream string) (S, int64, error) {
	if r.Snapshots == nil {
		return r.initial(), 0, nil
	}
	snap, ok, err := r.Snapshots.Latest(ctx, stream)
	if err != nil || !ok {
		return r.initial(), 0, err
	}
	return snap.State, snap.Version, nil
}

func (r *Repository[S]) replay(s S, events []Event) (S, error) {
	return Replay(s, events, func(s S, e Event) (S, error) {
		e, err := r.Upcasters.Upcast(e)
		if err != nil {
			return s, err
		}
		return r.Evolve(s, e)
	})
}

func (r *Repository[S]) initial() S {
	if r.Initial == nil {
		var zero S
		return zero
	}
	return r.Initial()
}

// pending numbers just-appended events as the store did.
func pending(stream string, version int64, data []EventData) []Event {
	out := make([]Event, len(data))
	for i, d := range data {
		out[i] = Event{Stream: stream, Number: version + int64(i) + 1, Type: d.Type, Schema: d.Schema, Data: d.Data}
	}
	return out
}
