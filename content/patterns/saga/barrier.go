package saga

import (
	"errors"
	"fmt"
	"sync"
)

// ErrCompensated is a participant's answer to an action whose key it has
// already compensated: the action arrived late (the request was delayed
// past its own compensation) and must not take effect now.
var ErrCompensated = errors.New("key already compensated")

// Barrier is the bookkeeping that makes a saga participant safe under
// retries and reordering. Per key it records whether the action was
// applied and whether it was compensated:
//
//   - an action applies once; a repeated key is answered without effect;
//   - a compensation reverts an applied action once;
//   - a compensation of an action that never took effect is a no-op
//     ("null compensation"), recorded so that the action, should it
//     arrive later, is refused with ErrCompensated.
//
// It is the in-memory analogue of a table of keys written in the same local
// transaction as the business change. The zero Barrier is ready; it is
// safe for concurrent use, and apply and revert run under its lock, so the
// participant's state needs no other.
type Barrier struct {
	Name  string            // the participant, for Trace
	Trace func(line string) // when set, called with every request

	mu    sync.Mutex
	keys  map[string]*record
	stats BarrierStats
}

type record struct{ applied, undone bool }

// BarrierStats counts what a Barrier did.
type BarrierStats struct {
	Applied  int // actions applied
	Repeated int // actions and compensations answered without effect
	Undone   int // compensations that reverted an action
	Null     int // compensations with no action to revert
	Refused  int // actions refused because their key was compensated
}

// Act applies apply for key unless the key was applied or compensated
// before. apply's error is returned and nothing is recorded, so a retry
// with the same key tries again.
func (b *Barrier) Act(op, key string, apply func() (string, error)) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	r := b.record(key)
	switch {
	case r.undone:
		b.stats.Refused++
		b.trace(op, key, "refused: already compensated")
		return fmt.Errorf("%s %s: %w", op, key, ErrCompensated)
	case r.applied:
		b.stats.Repeated++
		b.trace(op, key, "key seen before: not applied again")
		return nil
	}
	what, err := apply()
	if err != nil {
		b.trace(op, key, err.Error())
		return err
	}
	r.applied = true
	b.stats.Applied++
	b.trace(op, key, what)
	return nil
}

// Compensate reverts key's action, once. Without an applied action it only
// records the key as compensated (a null compensation).
func (b *Barrier) Compensate(op, key string, revert func() string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	r := b.record(key)
	switch {
	case r.undone:
		b.stats.Repeated++
		b.trace(op, key, "key seen before: not undone again")
	case !r.applied:
		b.stats.Null++
		b.trace(op, key, "nothing to undo (null compensation)")
	default:
		b.stats.Undone++
		b.trace(op, key, revert())
	}
	r.undone = true
}

// Stats returns the counts so far.
func (b *Barrier) Stats() BarrierStats {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.stats
}

func (b *Barrier) record(key string) *record {
	if b.keys == nil {
		b.keys = make(map[string]*record)
	}
	r, ok := b.keys[key]
	if !ok {
		r = &record{}
		b.keys[key] = r
	}
	return r
}

func (b *Barrier) trace(op, key, what string) {
	if b.Trace != nil {
		b.Trace(fmt.Sprintf("%-9s %-14s %-26s → %s", b.Name, op, key, what))
	}
}
