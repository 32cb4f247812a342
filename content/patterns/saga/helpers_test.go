package saga_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/lamport-kb/lamport/content/patterns/saga"
	"github.com/lamport-kb/lamport/engine"
)

// clock is a fake clock: Sleep advances it and returns at once.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)} }

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
	return ctx.Err()
}

func (c *clock) options() engine.Options {
	return engine.Options{Now: c.now, Sleep: c.sleep, Rand: func(int64) int64 { return 0 }}
}

// mustOpen opens an engine on dsn that is closed when the test ends.
func mustOpen(tb testing.TB, dsn string, opts engine.Options) *engine.Engine {
	tb.Helper()
	e, err := engine.Open(dsn, opts)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { e.Close() })
	return e
}

// retry is the policy the tests give every kind of step.
var retry = engine.RetryPolicy{MaxAttempts: 4, Initial: time.Second, NoJitter: true}

// services returns fresh order participants with 10 mugs in stock.
func services() saga.OrderServices {
	return saga.OrderServices{
		Orders:    &saga.Orders{Barrier: saga.Barrier{Name: "orders"}},
		Inventory: &saga.Inventory{Barrier: saga.Barrier{Name: "inventory"}, Stock: map[string]int{"mug": 10}},
		Courier:   &saga.Courier{Barrier: saga.Barrier{Name: "courier"}},
		Payments:  &saga.Payments{Barrier: saga.Barrier{Name: "payments"}, Declined: map[string]bool{"0000": true}},
	}
}

// orderSaga is the order saga over svc with the tests' retry policies.
func orderSaga(svc saga.OrderServices) *saga.Saga[saga.Order] {
	s := saga.OrderSaga(svc)
	s.Retry, s.Forward, s.Undo = retry, retry, retry
	return s
}

func order(id, card string, qty int) saga.Order {
	return saga.Order{ID: id, SKU: "mug", Qty: qty, Card: card, Amount: 1250}
}
