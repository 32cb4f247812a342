package cqrs

import "sync"

// Model is the write side: the state S that commands are decided against, and the log
// the resulting events go to. It is safe for concurrent use; commands are decided one
// at a time, so every decision sees every earlier command's effect.
type Model[S, C, E any] struct {
	log    *Log[E]
	decide func(S, C) ([]E, error)
	evolve func(S, E) S

	mu      sync.Mutex
	state   S
	version uint64 // log position of the last event this model appended
}

// NewModel returns a write model with the given initial state. decide checks a command
// against the state and returns the events it produces, or an error to refuse it (an
// invariant would break); it must not change the state. evolve applies one event to
// the state and returns the new state.
func NewModel[S, C, E any](log *Log[E], initial S, decide func(S, C) ([]E, error), evolve func(S, E) S) *Model[S, C, E] {
	return &Model[S, C, E]{log: log, decide: decide, evolve: evolve, state: initial}
}

// Handle decides cmd and, if it is accepted, appends its events and applies them to the
// state in one critical section. It returns the version token, the log position of the
// command's last event (of the model's last event if the command produced none), or
// decide's error, in which case nothing was appended.
func (m *Model[S, C, E]) Handle(cmd C) (uint64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	events, err := m.decide(m.state, cmd)
	if err != nil {
		return 0, err
	}
	if len(events) == 0 {
		return m.version, nil
	}
	m.version = m.log.Append(events...)
	for _, e := range events {
		m.state = m.evolve(m.state, e)
	}
	return m.version, nil
}

// Read calls fn with the current state and version, under the model's lock: a
// strongly consistent read, for the few queries that cannot accept a lagging view.
// fn must not keep the state after it returns.
func (m *Model[S, C, E]) Read(fn func(state S, version uint64)) {
	m.mu.Lock()
	defer m.mu.Unlock()
	fn(m.state, m.version)
}
