package backpressure

import (
	"context"
	"errors"
	"sync"
)

// HTTP/2 flow-control constants (RFC 9113, sections 6.5.2 and 6.9.1).
const (
	HTTP2InitialWindow = 65535     // the initial window of every stream and connection
	HTTP2MaxWindow     = 1<<31 - 1 // a window must never exceed this
)

// Errors returned by Window.
var (
	ErrInvalidGrant   = errors.New("backpressure: grant must be positive")
	ErrWindowOverflow = errors.New("backpressure: grant would overflow the window")
	ErrWindowClosed   = errors.New("backpressure: window closed")
)

// Window is credit-based flow control between a sender and a receiver. The
// receiver advertises how many units (bytes, messages) it can take; the
// sender spends credits before sending and waits when it has none; the
// receiver returns credits as it consumes what arrived. The sender can
// therefore never have more units in flight than the receiver granted, and
// the receiver's buffer for them is bounded by the window.
//
// This is the model of HTTP/2 flow control (the WINDOW_UPDATE frame is
// Grant) and of the Reactive Streams request(n) signal.
type Window struct {
	max int64

	mu      sync.Mutex
	avail   int64
	closed  bool
	changed chan struct{} // closed and replaced on a grant that someone waits for
	waiters int
}

// NewWindow returns a window holding initial credits that may never grow past
// max. It panics unless 0 <= initial <= max.
func NewWindow(initial, max int64) *Window {
	if initial < 0 || initial > max {
		panic("backpressure: window needs 0 <= initial <= max")
	}
	return &Window{max: max, avail: initial, changed: make(chan struct{})}
}

// Available returns the credits the sender may spend now.
func (w *Window) Available() int64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.avail
}

// Acquire waits until at least one credit is available, then takes
// min(n, available) credits and returns how many it took: a sender writes
// that much now and acquires again for the rest, as an HTTP/2 sender splits
// a body into DATA frames that fit the window. It returns ctx.Err() if the
// context ends first and ErrWindowClosed after Close. n must be positive.
func (w *Window) Acquire(ctx context.Context, n int64) (int64, error) {
	if n <= 0 {
		return 0, ErrInvalidGrant
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	for w.avail == 0 && !w.closed {
		ch := w.changed
		w.waiters++
		w.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
		}
		w.mu.Lock()
		w.waiters--
		if err := ctx.Err(); err != nil && w.avail == 0 && !w.closed {
			return 0, err
		}
	}
	if w.closed {
		return 0, ErrWindowClosed
	}
	took := min(n, w.avail)
	w.avail -= took
	return took, nil
}

// TryAcquire takes min(n, available) credits without waiting and returns how
// many it took, possibly 0.
func (w *Window) TryAcquire(n int64) int64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed || n <= 0 {
		return 0
	}
	took := min(n, w.avail)
	w.avail -= took
	return took
}

// Grant returns n credits to the sender, waking it if it waits. A grant that
// is not positive fails with ErrInvalidGrant (HTTP/2 treats an increment of
// 0 as a PROTOCOL_ERROR); one that would push the window past its maximum
// fails with ErrWindowOverflow (a FLOW_CONTROL_ERROR) and changes nothing.
func (w *Window) Grant(n int64) error {
	if n <= 0 {
		return ErrInvalidGrant
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return ErrWindowClosed
	}
	if n > w.max-w.avail {
		return ErrWindowOverflow
	}
	w.avail += n
	if w.waiters > 0 {
		close(w.changed)
		w.changed = make(chan struct{})
	}
	return nil
}

// Close ends the window: waiting and later calls to Acquire return
// ErrWindowClosed. Close is idempotent.
func (w *Window) Close() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.closed {
		w.closed = true
		close(w.changed)
	}
}
