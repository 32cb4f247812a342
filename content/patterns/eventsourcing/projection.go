package eventsourcing

import (
	"context"
	"sync"
)

// Projector keeps a read model up to date from a store's global log. It remembers
// the position of the last event handled (its checkpoint) and, on CatchUp, hands
// every later event to Handle in commit order. It is safe for concurrent use; calls
// are serialised.
//
// The checkpoint lives in memory here. A real read model stores it in the same
// transaction as the model itself; otherwise a crash between the two replays an
// event, and Handle must be idempotent.
type Projector struct {
	// Store is read with ReadAll. Required.
	Store Store
	// Handle applies one event to the read model. Required.
	Handle func(Event) error
	// Reset empties the read model before Rebuild; nil does nothing.
	Reset func()
	// Upcasters rewrite old schemas before Handle sees them.
	Upcasters Upcasters
	// BatchSize is how many events one ReadAll returns; 0 means 256.
	BatchSize int

	mu         sync.Mutex
	checkpoint int64
}

// CatchUp handles every event after the checkpoint and returns how many it
// handled. On a Handle error it stops; the checkpoint stays at the last event
// handled, so the next CatchUp retries the failed event.
func (p *Projector) CatchUp(ctx context.Context) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.catchUp(ctx)
}

// Rebuild resets the read model and the checkpoint and replays the whole log.
func (p *Projector) Rebuild(ctx context.Context) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.Reset != nil {
		p.Reset()
	}
	p.checkpoint = 0
	return p.catchUp(ctx)
}

// Checkpoint returns the global position of the last event handled.
func (p *Projector) Checkpoint() int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.checkpoint
}

func (p *Projector) catchUp(ctx context.Context) (int, error) {
	batch := p.BatchSize
	if batch <= 0 {
		batch = 256
	}
	n := 0
	for {
		events, err := p.Store.ReadAll(ctx, p.checkpoint, batch)
		if err != nil || len(events) == 0 {
			return n, err
		}
		for _, e := range events {
			if err := p.handle(e); err != nil {
				return n, err
			}
			p.checkpoint = e.Position
			n++
		}
	}
}

func (p *Projector) handle(e Event) error {
	e, err := p.Upcasters.Upcast(e)
	if err != nil {
		return err
	}
	return p.Handle(e)
}
