package backpressure

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"

	"github.com/lamport-kb/lamport/internal/proptest"
)

// TestWindowBound: over random sequences of acquisitions and grants, the
// sender never holds more credit than it was given: taken ≤ initial +
// granted, the window stays in [0, max], and a grant is refused exactly
// when it would push the window past max.
func TestWindowBound(t *testing.T) {
	for seed := range proptest.Seeds(300) {
		r := rand.New(rand.NewPCG(seed, 4))
		maxW := int64(1 + r.IntN(100))
		initial := r.Int64N(maxW + 1)
		w := NewWindow(initial, maxW)
		var taken, granted int64
		for range 200 {
			if r.IntN(2) == 0 {
				want := int64(1 + r.IntN(20))
				got := w.TryAcquire(want)
				if got < 0 || got > want {
					t.Fatalf("seed %d: TryAcquire(%d) = %d", seed, want, got)
				}
				taken += got
			} else {
				n := int64(1 + r.IntN(40))
				before := w.Available()
				err := w.Grant(n)
				if overflow := before+n > maxW; overflow != errors.Is(err, ErrWindowOverflow) {
					t.Fatalf("seed %d: Grant(%d) at %d of %d = %v", seed, n, before, maxW, err)
				}
				if err == nil {
					granted += n
				}
			}
			avail := w.Available()
			if taken > initial+granted || avail != initial+granted-taken || avail < 0 || avail > maxW {
				t.Fatalf("seed %d: taken %d granted %d initial %d avail %d max %d", seed, taken, granted, initial, avail, maxW)
			}
		}
	}
}

// TestWindowInFlight: a sender and a receiver connected by a window; the
// receiver grants credit back only after consuming. However the goroutines
// interleave, the units in flight never exceed the initial window.
func TestWindowInFlight(t *testing.T) {
	const window, total = 16, 5000
	w := NewWindow(window, window)
	ctx := context.Background()
	wire := make(chan int64, total) // the network: unbounded for this test
	var inFlight atomic.Int64
	var wg sync.WaitGroup
	wg.Go(func() { // sender
		for sent := int64(0); sent < total; {
			n, err := w.Acquire(ctx, min(7, total-sent))
			if err != nil {
				t.Error(err)
				return
			}
			if f := inFlight.Add(n); f > window {
				t.Errorf("%d units in flight, window %d", f, window)
			}
			wire <- n
			sent += n
		}
		close(wire)
	})
	wg.Go(func() { // receiver
		for n := range wire {
			inFlight.Add(-n)
			if err := w.Grant(n); err != nil {
				t.Error(err)
			}
		}
	})
	wg.Wait()
	if w.Available() != window {
		t.Errorf("window ends at %d, want %d", w.Available(), window)
	}
}

func TestWindowErrors(t *testing.T) {
	w := NewWindow(HTTP2InitialWindow, HTTP2MaxWindow)
	tests := []struct {
		name string
		err  error
		want error
	}{
		{"grant 0", w.Grant(0), ErrInvalidGrant},
		{"grant negative", w.Grant(-1), ErrInvalidGrant},
		{"grant to the maximum", w.Grant(HTTP2MaxWindow - HTTP2InitialWindow), nil},
		{"grant past the maximum", w.Grant(1), ErrWindowOverflow},
	}
	for _, tt := range tests {
		if !errors.Is(tt.err, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, tt.err, tt.want)
		}
	}
	if w.Available() != HTTP2MaxWindow {
		t.Errorf("Available = %d after a refused grant", w.Available())
	}
	if _, err := w.Acquire(context.Background(), 0); !errors.Is(err, ErrInvalidGrant) {
		t.Errorf("Acquire(0) = %v", err)
	}
	if got := w.TryAcquire(-5); got != 0 {
		t.Errorf("TryAcquire(-5) = %d", got)
	}
}

func TestNewWindowPanics(t *testing.T) {
	for _, c := range [][2]int64{{-1, 10}, {11, 10}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("NewWindow(%d, %d) did not panic", c[0], c[1])
				}
			}()
			NewWindow(c[0], c[1])
		}()
	}
}

// TestAcquireWaitsForGrant: with the window empty the sender waits, and a
// grant (WINDOW_UPDATE) releases exactly the credit granted.
func TestAcquireWaitsForGrant(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := NewWindow(0, 100)
		var got int64
		go func() { got, _ = w.Acquire(context.Background(), 50) }()
		synctest.Wait()
		if got != 0 {
			t.Fatal("Acquire returned from an empty window")
		}
		w.Grant(30)
		synctest.Wait()
		if got != 30 || w.Available() != 0 {
			t.Fatalf("Acquire took %d, left %d; want 30 and 0", got, w.Available())
		}
	})
}

func TestWindowCancelAndClose(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := NewWindow(0, 10)
		ctx, cancel := context.WithCancel(context.Background())
		var cancelled, closed error
		go func() { _, cancelled = w.Acquire(ctx, 1) }()
		go func() { _, closed = w.Acquire(context.Background(), 1) }()
		synctest.Wait()
		cancel()
		synctest.Wait()
		w.Close()
		w.Close() // idempotent
		synctest.Wait()
		if !errors.Is(cancelled, context.Canceled) || !errors.Is(closed, ErrWindowClosed) {
			t.Fatalf("cancelled %v, closed %v", cancelled, closed)
		}
		if err := w.Grant(1); !errors.Is(err, ErrWindowClosed) {
			t.Errorf("Grant after Close = %v", err)
		}
		if got := w.TryAcquire(1); got != 0 {
			t.Errorf("TryAcquire after Close = %d", got)
		}
	})
}

func BenchmarkWindowAcquireGrant(b *testing.B) {
	w := NewWindow(HTTP2InitialWindow, HTTP2MaxWindow)
	ctx := context.Background()
	for b.Loop() {
		n, _ := w.Acquire(ctx, 1024)
		w.Grant(n)
	}
}
