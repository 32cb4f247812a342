package search

import (
	"context"
	"errors"
	"runtime"
	"time"
)

// ErrBusy is returned when every search slot stayed taken for the whole
// wait: the caller should answer "busy, retry shortly" (503).
var ErrBusy = errors.New("search: too many searches at once")

// gate bounds how many searches run at once. A search that finds every
// slot taken waits a little (a burst queues instead of failing) and then
// gives up with ErrBusy, so a flood of searches gets quick refusals
// instead of every CPU: with half the CPUs as slots, pages keep the rest.
type gate struct {
	slots chan struct{}
	wait  time.Duration
}

func newGate(slots int, wait time.Duration) *gate {
	return &gate{slots: make(chan struct{}, max(1, slots)), wait: wait}
}

// defaultGate: half the CPUs, and a wait of about forty typical searches.
func defaultGate() *gate { return newGate(runtime.GOMAXPROCS(0)/2, 200*time.Millisecond) }

// enter takes a slot and returns the function that gives it back. It
// fails with ErrBusy after g.wait, or with ctx's error when the caller
// gives up first.
func (g *gate) enter(ctx context.Context) (leave func(), err error) {
	select {
	case g.slots <- struct{}{}:
		return g.leave, nil
	default:
	}
	t := time.NewTimer(g.wait)
	defer t.Stop()
	select {
	case g.slots <- struct{}{}:
		return g.leave, nil
	case <-t.C:
		return nil, ErrBusy
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (g *gate) leave() { <-g.slots }
