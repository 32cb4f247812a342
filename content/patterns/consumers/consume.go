package consumers

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// Handler processes one delivery. A nil error acks the message; an error
// nacks it, so it is offered again (or dead-lettered). Handlers must be
// idempotent: a message can be delivered more than once.
type Handler func(ctx context.Context, d Delivery) error

// Consume runs n competing consumers, named c1 … cn, until ctx ends, and then
// returns ctx.Err(). Each consumer receives a message, runs h and settles the
// lease; when nothing is available it waits Options.PollInterval. A handler
// that outlives its lease gets ErrStaleReceipt on settling, which Consume
// ignores: the message has been offered to someone else.
func (q *Queue) Consume(ctx context.Context, n int, h Handler) error {
	var wg sync.WaitGroup
	for i := range n {
		name := fmt.Sprintf("c%d", i+1)
		wg.Go(func() { q.consumeLoop(ctx, name, h) })
	}
	wg.Wait()
	return ctx.Err()
}

// consumeLoop is one consumer.
func (q *Queue) consumeLoop(ctx context.Context, name string, h Handler) {
	for ctx.Err() == nil {
		d, ok := q.Receive(name)
		if !ok {
			if q.sleep(ctx, q.opts.PollInterval) != nil {
				return
			}
			continue
		}
		if h(ctx, d) != nil {
			_ = q.Nack(d.Receipt)
		} else {
			_ = q.Ack(d.Receipt)
		}
	}
}

func (q *Queue) sleep(ctx context.Context, d time.Duration) error {
	if q.opts.Sleep != nil {
		return q.opts.Sleep(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
