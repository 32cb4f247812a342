package backpressure

import (
	"context"
	"errors"
)

// Pump moves up to max items from in to out, transformed by f, without
// waiting, and returns how many it moved. It stops early when in is empty or
// when out is a full Block or Reject buffer: then the item stays in in, so a
// full downstream buffer fills the upstream one, and the producer feeding in
// feels the push-back. Into a DropNewest or DropOldest buffer Pump always
// moves, and out drops by its policy. Pump is one step of a stage, for
// loops that drive a pipeline themselves (a simulation, an event loop).
func Pump[A, B any](in *Buffer[A], out *Buffer[B], max int, f func(A) B) int {
	moved := 0
	for moved < max {
		if full(out) {
			return moved
		}
		v, ok := in.TryGet()
		if !ok {
			return moved
		}
		// Only this goroutine should fill out between the check and the put;
		// if another producer did, the item goes through out's policy.
		if err := out.TryPut(f(v)); errors.Is(err, ErrClosed) {
			return moved
		}
		moved++
	}
	return moved
}

// full reports whether Put into b would refuse or wait right now.
func full[T any](b *Buffer[T]) bool {
	if b.policy != Block && b.policy != Reject {
		return false
	}
	return b.Len() == b.Cap()
}

// Stage runs one pipeline stage in the calling goroutine: it takes items from
// in, transforms them with f and puts them into out, until in is closed and
// drained (then it closes out and returns nil) or ctx ends (it returns
// ctx.Err()). Into a Block buffer each Put waits for room, so a slow
// consumer of out slows Stage, which stops taking from in, which fills in
// and slows whoever feeds it: backpressure propagates stage by stage. Items
// that out's policy drops or rejects are counted in out.Stats, not returned
// as errors.
func Stage[A, B any](ctx context.Context, in *Buffer[A], out *Buffer[B], f func(A) B) error {
	for {
		v, err := in.Get(ctx)
		if errors.Is(err, ErrClosed) {
			out.Close()
			return nil
		}
		if err != nil {
			return err
		}
		err = out.Put(ctx, f(v))
		switch {
		case err == nil, errors.Is(err, ErrDropped), errors.Is(err, ErrFull):
		default:
			return err
		}
	}
}
