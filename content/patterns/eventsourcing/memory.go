package eventsourcing

import (
	"context"
	"slices"
	"sync"
	"time"
)

// MemoryStore is a [Store] held in memory, safe for concurrent use. The zero value
// is ready to use. It keeps one global log and, per stream, the log indexes of the
// stream's events.
type MemoryStore struct {
	// Now stamps Event.Recorded; nil means time.Now.
	Now func() time.Time

	mu      sync.RWMutex
	log     []Event
	streams map[string][]int // stream -> indexes into log
}

// Append implements [Store.Append]: it checks the expected version and appends
// under one lock, so two writers holding the same version cannot both succeed.
func (m *MemoryStore) Append(ctx context.Context, stream string, expected int64, events ...EventData) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.streams == nil {
		m.streams = make(map[string][]int)
	}
	idx := m.streams[stream]
	version := int64(len(idx))
	if expected != Any && expected != version {
		return version, &ConflictError{Stream: stream, Expected: expected, Actual: version}
	}
	for _, d := range events {
		version++
		idx = append(idx, len(m.log))
		m.log = append(m.log, Event{
			Stream: stream, Number: version, Position: int64(len(m.log)) + 1,
			Type: d.Type, Schema: d.Schema, Data: slices.Clone(d.Data), Recorded: now,
		})
	}
	m.streams[stream] = idx
	return version, nil
}

// Load implements [Store.Load]. The returned events are copies.
func (m *MemoryStore) Load(ctx context.Context, stream string, after int64) ([]Event, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	idx := m.streams[stream]
	if after < 0 {
		after = 0
	}
	if after >= int64(len(idx)) {
		return nil, nil
	}
	out := make([]Event, 0, int64(len(idx))-after)
	for _, i := range idx[after:] {
		out = append(out, m.copyOf(i))
	}
	return out, nil
}

// ReadAll implements [Store.ReadAll].
func (m *MemoryStore) ReadAll(ctx context.Context, after int64, limit int) ([]Event, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	if after < 0 {
		after = 0
	}
	end := int64(len(m.log))
	if limit > 0 && after+int64(limit) < end {
		end = after + int64(limit)
	}
	var out []Event
	for i := after; i < end; i++ {
		out = append(out, m.copyOf(int(i)))
	}
	return out, nil
}

// Version returns the current version of stream (0 when it does not exist).
func (m *MemoryStore) Version(stream string) int64 {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return int64(len(m.streams[stream]))
}

func (m *MemoryStore) copyOf(i int) Event {
	e := m.log[i]
	e.Data = slices.Clone(e.Data)
	return e
}

func (m *MemoryStore) now() time.Time {
	if m.Now != nil {
		return m.Now()
	}
	return time.Now()
}
