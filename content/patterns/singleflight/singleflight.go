// Package singleflight collapses concurrent calls that share a key into one
// execution whose result every caller receives.
//
// A Group is a namespace of keys. The first caller of Do for a key starts
// the work, in a goroutine of its own; callers that arrive for the same key
// while it runs join that flight instead of starting another, and all of
// them get the same value, the same error or the same panic. When the
// flight ends its key is free again: singleflight suppresses duplicates that
// overlap in time, it does not cache.
//
//	var g singleflight.Group[string, *Product]
//
//	p, shared, err := g.Do(ctx, "product:42", func(ctx context.Context) (*Product, error) {
//		return db.LoadProduct(ctx, 42) // one query, however many callers
//	})
//
// The package differs from golang.org/x/sync/singleflight in three ways:
//
//   - Each caller waits only as long as its own ctx allows. A caller whose
//     ctx ends gets ctx.Err() at once; the flight goes on for the others.
//   - The flight runs under its own context, which carries the first
//     caller's values but not its deadline or cancellation, so one client
//     that gives up cannot fail everybody else's request. That context is
//     cancelled when every caller has given up, so work nobody waits for
//     stops.
//   - Forget never lets two executions for one key overlap: callers that
//     arrive after Forget wait for the running execution to end, then start
//     a fresh one.
//
// Keys and values are typed. The zero Group is ready to use; a Group must
// not be copied after first use. All methods are safe for concurrent use.
//
// Singleflight works inside one process. N processes run up to N flights
// for the same key; see the chapter for what to do across instances.
package singleflight

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"sync"
)

// ErrGoexit is the error callers receive when fn called runtime.Goexit
// (t.FailNow in a test does) instead of returning.
var ErrGoexit = errors.New("singleflight: fn called runtime.Goexit")

// PanicError is the value Do panics with in every caller when fn panicked.
// It keeps the original value and the stack of the goroutine that ran fn.
type PanicError struct {
	Value any    // the value fn panicked with
	Stack []byte // the stack of the panicking goroutine
}

// Error reports the panic value and the stack.
func (p *PanicError) Error() string {
	return fmt.Sprintf("singleflight: fn panicked: %v\n\n%s", p.Value, p.Stack)
}

// Unwrap returns the panic value if it is an error, so errors.Is and
// errors.As see through a panic(err).
func (p *PanicError) Unwrap() error {
	err, _ := p.Value.(error)
	return err
}

// Stats counts what a Group did since it was created. The share of calls
// that did not reach the backend is 1 - Executions/Calls.
type Stats struct {
	Calls      int64 // calls to Do
	Executions int64 // times fn was started
	GaveUp     int64 // calls that returned ctx.Err() before a result arrived
	Abandoned  int64 // flights whose context was cancelled because every caller gave up
	InFlight   int   // keys with an execution running now
}

// Group coalesces concurrent calls for the same key. The zero value is
// ready to use.
type Group[K comparable, V any] struct {
	mu    sync.Mutex
	calls map[K]*call[V] // at most one per key: the running execution
	stats Stats          // InFlight is computed by Stats
}

// call is one flight: one execution of fn and the callers waiting for it.
// Every field but done is guarded by Group.mu until done is closed; after
// that, val, err and shared are read-only.
type call[V any] struct {
	done     chan struct{} // closed once fn has returned
	cancel   context.CancelFunc
	waiters  int  // callers waiting for this result
	joinable bool // false once Forget or abandonment closed the flight to newcomers
	finished bool // fn has returned; the result goes to the current waiters
	shared   bool // the result went to more than one caller
	val      V
	err      error
}

// Do executes fn for key, making sure that only one execution per key is in
// flight at a time, and returns its result. A caller that arrives while an
// execution for key is running waits for it and receives the same result;
// shared reports whether the result went to more than one caller, in which
// case a returned pointer, slice or map is shared too and must not be
// modified.
//
// fn runs in a new goroutine with a context of its own: it carries the
// values of the ctx of the caller that started the flight, has no deadline,
// and is cancelled when every waiting caller has given up. Put a deadline
// for the work inside fn.
//
// Do returns ctx.Err() as soon as ctx ends, whether or not the flight has
// finished. If fn panics, Do panics with a *PanicError in every caller that
// receives the result; if fn calls runtime.Goexit, they get ErrGoexit.
func (g *Group[K, V]) Do(ctx context.Context, key K, fn func(ctx context.Context) (V, error)) (v V, shared bool, err error) {
	for retry := false; ; retry = true {
		c, closed, err := g.join(ctx, key, fn, retry)
		switch {
		case err != nil:
			return v, false, err
		case closed:
			c.waitDone(ctx) // then try again
		default:
			return g.wait(ctx, c)
		}
	}
}

// join adds the caller to the flight for key, starting one if there is
// none; retry is false on a caller's first attempt, which is counted. It
// reports closed when a flight runs but takes no newcomers: the caller must
// wait for it to end and try again. It returns ctx.Err() if ctx has ended.
func (g *Group[K, V]) join(ctx context.Context, key K, fn func(context.Context) (V, error), retry bool) (c *call[V], closed bool, err error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !retry {
		g.stats.Calls++
	}
	if err := ctx.Err(); err != nil {
		g.stats.GaveUp++
		return nil, false, err
	}
	if c, ok := g.calls[key]; ok {
		if !c.joinable {
			return c, true, nil
		}
		c.waiters++
		return c, false, nil
	}
	if g.calls == nil {
		g.calls = make(map[K]*call[V])
	}
	flight, cancel := context.WithCancel(context.WithoutCancel(ctx))
	c = &call[V]{done: make(chan struct{}), cancel: cancel, waiters: 1, joinable: true}
	g.calls[key] = c
	g.stats.Executions++
	go g.run(flight, key, c, fn)
	return c, false, nil
}

// waitDone waits until c has finished or ctx has ended.
func (c *call[V]) waitDone(ctx context.Context) {
	select {
	case <-c.done:
	case <-ctx.Done(): // Do sees ctx.Err() on its next turn
	}
}

// wait waits for c's result or for ctx to end, whichever comes first.
func (g *Group[K, V]) wait(ctx context.Context, c *call[V]) (V, bool, error) {
	select {
	case <-c.done:
		return c.result()
	case <-ctx.Done():
		if g.leave(c) {
			return c.result() // the result arrived first: it counts this caller
		}
		var zero V
		return zero, false, ctx.Err()
	}
}

// leave takes a caller whose ctx ended off c's waiters and cancels the
// flight if it was the last. It reports false in that case, or true if c
// had already finished, so the caller is one of those it was delivered to.
func (g *Group[K, V]) leave(c *call[V]) (finished bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if c.finished {
		return true
	}
	g.stats.GaveUp++
	c.waiters--
	if c.waiters == 0 {
		c.joinable = false // newcomers must not join a cancelled flight
		c.cancel()
		g.stats.Abandoned++
	}
	return false
}

// result returns c's outcome, re-raising a panic of fn.
func (c *call[V]) result() (V, bool, error) {
	if p, ok := c.err.(*PanicError); ok {
		panic(p)
	}
	return c.val, c.shared, c.err
}

// run executes fn for the flight c and publishes the outcome.
func (g *Group[K, V]) run(ctx context.Context, key K, c *call[V], fn func(context.Context) (V, error)) {
	c.err = ErrGoexit // kept only if fn never returns: runtime.Goexit skips the assignment below
	defer g.finish(key, c)
	c.val, c.err = execute(ctx, fn)
}

// execute calls fn, turning a panic into a *PanicError.
func execute[V any](ctx context.Context, fn func(context.Context) (V, error)) (v V, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &PanicError{Value: r, Stack: debug.Stack()}
		}
	}()
	return fn(ctx)
}

// finish ends the flight c: the current waiters get the result, and key is
// free for a new execution.
func (g *Group[K, V]) finish(key K, c *call[V]) {
	g.mu.Lock()
	c.finished = true
	c.shared = c.waiters > 1
	if g.calls[key] == c {
		delete(g.calls, key)
	}
	g.mu.Unlock()
	c.cancel() // release the flight context's resources
	close(c.done)
}

// Forget closes the flight for key, if there is one, to newcomers. Callers
// already waiting still get its result; callers that arrive later wait for
// it to end and then start a fresh execution, so they see no result that
// was computed before Forget. Call it after a write that makes an in-flight
// read stale.
func (g *Group[K, V]) Forget(key K) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if c, ok := g.calls[key]; ok {
		c.joinable = false
	}
}

// Stats returns a snapshot of the Group's counters.
func (g *Group[K, V]) Stats() Stats {
	g.mu.Lock()
	defer g.mu.Unlock()
	s := g.stats
	s.InFlight = len(g.calls)
	return s
}
