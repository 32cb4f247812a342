package cqrs

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// Projection is a read model: a view V folded from the events of a log, and the
// position of the last event it applied. It is safe for concurrent use.
type Projection[V, E any] struct {
	log   *Log[E]
	init  func() V
	apply func(V, Event[E]) V

	mu       sync.RWMutex
	view     V
	pos      uint64
	moved    chan struct{} // closed and replaced whenever pos advances
	stats    Stats
	rebuilds int
}

// Stats counts what a projection has done since it was created.
type Stats struct {
	Applied    int // events folded into the view (a rebuild's count as well)
	Duplicates int // events skipped because they were already applied
	Gaps       int // events refused with ErrGap
	Rebuilds   int // completed rebuilds
}

// NewProjection returns a projection of log at position 0 with the view init().
// apply folds one event into the view and returns it; it may change the view in place
// (a map) and must be deterministic, so that folding the same events gives the same
// view, which is what makes a rebuild possible.
func NewProjection[V, E any](log *Log[E], init func() V, apply func(V, Event[E]) V) *Projection[V, E] {
	return &Projection[V, E]{log: log, init: init, apply: apply, view: init(), moved: make(chan struct{})}
}

// Apply folds e into the view if it is the next event, e.Pos == Position()+1, and
// reports whether it did. An event at or below the position is a redelivery: it is
// skipped, with no error, so an at-least-once feed is safe. An event past the next
// position returns ErrGap and changes nothing.
func (p *Projection[V, E]) Apply(e Event[E]) (bool, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	ok, err := p.applyLocked(e)
	if ok {
		p.wakeLocked()
	}
	return ok, err
}

// wakeLocked wakes the queries waiting for the position to advance.
func (p *Projection[V, E]) wakeLocked() {
	close(p.moved)
	p.moved = make(chan struct{})
}

func (p *Projection[V, E]) applyLocked(e Event[E]) (bool, error) {
	switch {
	case e.Pos <= p.pos:
		p.stats.Duplicates++
		return false, nil
	case e.Pos > p.pos+1:
		p.stats.Gaps++
		return false, fmt.Errorf("%w: at %d, got %d", ErrGap, p.pos, e.Pos)
	}
	p.view = p.apply(p.view, e)
	p.pos = e.Pos
	p.stats.Applied++
	return true, nil
}

// CatchUp applies up to limit events (limit <= 0: all) that the log holds past the
// projection's position, and returns how many it applied.
func (p *Projection[V, E]) CatchUp(limit int) int {
	batch := p.log.Since(p.Position(), limit)
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, e := range batch {
		// A concurrent Apply or Rebuild may have moved the position meanwhile:
		// applyLocked skips what is already applied.
		if ok, _ := p.applyLocked(e); ok {
			n++
		}
	}
	if n > 0 {
		p.wakeLocked() // once per batch, not once per event
	}
	return n
}

// Run keeps the projection caught up with the log, in batches of at most batch
// events, until ctx ends; it returns ctx.Err().
func (p *Projection[V, E]) Run(ctx context.Context, batch int) error {
	for {
		p.CatchUp(batch)
		if err := p.log.Wait(ctx, p.Position()); err != nil {
			return err
		}
	}
}

// Position returns the position of the last event the view reflects.
func (p *Projection[V, E]) Position() uint64 {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return p.pos
}

// Stats returns the projection's counters.
func (p *Projection[V, E]) Stats() Stats {
	p.mu.RLock()
	defer p.mu.RUnlock()
	s := p.stats
	s.Rebuilds = p.rebuilds
	return s
}

// Lag returns how many events the log holds past the projection's position and how
// long ago the oldest of them was appended (0, 0 when it is caught up): the two
// numbers to alert on.
func (p *Projection[V, E]) Lag() (events uint64, age time.Duration) {
	pos := p.Position()
	head := p.log.Head()
	if head <= pos {
		return 0, 0
	}
	return head - pos, p.log.age(pos + 1)
}

// Query calls fn with the view and its position once the projection has applied at
// least position min, under a read lock. min is a version token from Model.Handle
// (read-your-writes) or 0 (any view, possibly stale). If ctx ends first, Query returns
// an error wrapping ErrBehind and ctx.Err() and does not call fn.
func (p *Projection[V, E]) Query(ctx context.Context, min uint64, fn func(view V, pos uint64)) error {
	for {
		p.mu.RLock()
		if p.pos >= min {
			defer p.mu.RUnlock()
			fn(p.view, p.pos)
			return nil
		}
		pos, moved := p.pos, p.moved
		p.mu.RUnlock()
		select {
		case <-moved:
		case <-ctx.Done():
			return fmt.Errorf("%w: at %d, want %d: %w", ErrBehind, pos, min, ctx.Err())
		}
	}
}

// Rebuild folds the whole log again into a fresh view, init(), and swaps it in when it
// has caught up, so queries keep reading the old view until then. A non-nil apply
// replaces the apply function (the view's code changed); nil keeps it. If ctx ends
// first, Rebuild returns ctx.Err() and the projection is unchanged.
func (p *Projection[V, E]) Rebuild(ctx context.Context, apply func(V, Event[E]) V) error {
	if apply == nil {
		p.mu.RLock()
		apply = p.apply
		p.mu.RUnlock()
	}
	view, pos, n := p.init(), uint64(0), 0
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		batch := p.log.Since(pos, rebuildBatch)
		if len(batch) == 0 {
			break
		}
		view, pos, n = foldAll(view, pos, batch, apply, n)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	// Events appended since the last batch: fold them under the lock so the swap
	// never moves the position backwards.
	view, pos, n = foldAll(view, pos, p.log.Since(pos, 0), apply, n)
	p.view, p.pos, p.apply = view, pos, apply
	p.stats.Applied += n
	p.rebuilds++
	p.wakeLocked()
	return nil
}

// rebuildBatch is how many events Rebuild reads from the log at a time.
const rebuildBatch = 256

// foldAll folds batch, which starts right after pos, into view and adds the events
// it folded to n.
func foldAll[V, E any](view V, pos uint64, batch []Event[E], apply func(V, Event[E]) V, n int) (V, uint64, int) {
	for _, e := range batch {
		view = apply(view, e)
		pos = e.Pos
		n++
	}
	return view, pos, n
}
