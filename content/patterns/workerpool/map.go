package workerpool

import (
	"context"
	"sync"
)

// Map calls fn on every element of in with at most workers goroutines at
// once (DefaultWorkers() if workers <= 0) and returns the results in the
// order of in. The first failure, an error or a panic as a *PanicError,
// cancels the context passed to fn, elements not yet started are not
// started, and Map returns that failure with the results computed so far
// (the others are zero). Map returns only after every goroutine it started
// has exited.
func Map[T, R any](ctx context.Context, workers int, in []T, fn func(context.Context, T) (R, error)) ([]R, error) {
	if workers <= 0 {
		workers = DefaultWorkers()
	}
	out := make([]R, len(in))
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)

	var (
		once  sync.Once
		first error
		wg    sync.WaitGroup
	)
	fail := func(err error) {
		once.Do(func() { first = err; cancel(err) })
	}
	next := make(chan int) // unbuffered: an index is handed over only to a free worker
	for range min(workers, len(in)) {
		wg.Go(func() {
			for i := range next {
				if ctx.Err() != nil {
					continue // drain: the producer stops soon
				}
				r, err := call(ctx, fn, in[i])
				if err != nil {
					fail(err)
					continue
				}
				out[i] = r
			}
		})
	}
	feed(ctx, next, len(in))
	wg.Wait()
	if first == nil && ctx.Err() != nil {
		first = context.Cause(ctx) // the caller's ctx ended
	}
	return out, first
}

// feed sends the indices 0..n-1 until ctx ends, then closes next.
func feed(ctx context.Context, next chan<- int, n int) {
	defer close(next)
	for i := range n {
		select {
		case next <- i:
		case <-ctx.Done():
			return
		}
	}
}

// call runs fn, turning a panic into a *PanicError.
func call[T, R any](ctx context.Context, fn func(context.Context, T) (R, error), v T) (r R, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = &PanicError{Value: p, Stack: stack()}
		}
	}()
	return fn(ctx, v)
}
