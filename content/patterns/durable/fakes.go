package durable

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/lamport-kb/lamport/engine"
)

// ErrCarrierBusy is the fake carrier's transient error: worth a retry.
var ErrCarrierBusy = errors.New("carrier busy")

// Ledger is what makes the in-memory services idempotent receivers: it
// applies each idempotency key once, answers a repeated key with the
// first answer, and logs the effects it applied. A failed request is not
// remembered, so a retry with the same key applies it then.
type Ledger struct {
	Trace func(line string) // when set, called with every request

	mu       sync.Mutex
	answers  map[string]string
	requests map[string]int
	effects  []string
}

// once applies op for key unless key was applied before, or ctx has
// ended (a service does nothing for a caller that has gone).
func (l *Ledger) once(ctx context.Context, op, key string, apply func() (string, error)) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.answers == nil {
		l.answers, l.requests = map[string]string{}, map[string]int{}
	}
	l.requests[key]++
	answer, seen := l.answers[key]
	var err error
	if !seen {
		answer, err = apply()
	}
	switch {
	case err != nil:
		l.trace("%-7s %-26s → %v", op, key, err)
		return "", err
	case seen:
		l.trace("%-7s %-26s → %s (key seen before: not applied again)", op, key, answer)
	default:
		l.trace("%-7s %-26s → %s", op, key, answer)
		l.answers[key] = answer
		l.effects = append(l.effects, op+" "+answer)
	}
	return answer, nil
}

func (l *Ledger) trace(format string, args ...any) {
	if l.Trace != nil {
		l.Trace(fmt.Sprintf(format, args...))
	}
}

// Requests returns how many requests carried key.
func (l *Ledger) Requests(key string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.requests[key]
}

// Effects returns the effects applied, in order, such as "charge ch-1".
func (l *Ledger) Effects() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.effects...)
}

// InMemoryInventory is a fake stock service for tests and the demo.
type InMemoryInventory struct {
	Ledger
	Stock map[string]int // units on hand per SKU
	held  map[string]hold
	n     int // reservations made
}

type hold struct {
	sku string
	qty int
}

// Reserve takes qty units of sku off the shelf.
func (inv *InMemoryInventory) Reserve(ctx context.Context, key, sku string, qty int) (string, error) {
	return inv.once(ctx, "reserve", key, func() (string, error) {
		if inv.Stock[sku] < qty {
			return "", fmt.Errorf("%s: %w", sku, ErrOutOfStock)
		}
		if inv.held == nil {
			inv.held = map[string]hold{}
		}
		inv.n++
		id := fmt.Sprintf("res-%d", inv.n)
		inv.Stock[sku] -= qty
		inv.held[id] = hold{sku, qty}
		return id, nil
	})
}

// Release puts a reservation's units back.
func (inv *InMemoryInventory) Release(ctx context.Context, key, reservation string) error {
	_, err := inv.once(ctx, "release", key, func() (string, error) {
		h, ok := inv.held[reservation]
		if !ok {
			return "", fmt.Errorf("release %s: no such reservation", reservation)
		}
		delete(inv.held, reservation)
		inv.Stock[h.sku] += h.qty
		return reservation, nil
	})
	return err
}

// InMemoryPayments is a fake payment service for tests and the demo.
type InMemoryPayments struct {
	Ledger
	charges map[string]*payment
}

type payment struct {
	card     string
	amount   int64
	refunded bool
}

// Charge takes amount cents from card.
func (p *InMemoryPayments) Charge(ctx context.Context, key, card string, amount int64) (string, error) {
	return p.once(ctx, "charge", key, func() (string, error) {
		if p.charges == nil {
			p.charges = map[string]*payment{}
		}
		id := fmt.Sprintf("ch-%d", len(p.charges)+1)
		p.charges[id] = &payment{card: card, amount: amount}
		return id, nil
	})
}

// Refund gives a charge back; refunding it again changes nothing.
func (p *InMemoryPayments) Refund(ctx context.Context, key, charge string) error {
	_, err := p.once(ctx, "refund", key, func() (string, error) {
		c, ok := p.charges[charge]
		if !ok {
			return "", fmt.Errorf("refund %s: no such charge", charge)
		}
		c.refunded = true
		return charge, nil
	})
	return err
}

// Balance returns what card has paid, in cents, net of refunds.
func (p *InMemoryPayments) Balance(card string) int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	var sum int64
	for _, c := range p.charges {
		if c.card == card && !c.refunded {
			sum += c.amount
		}
	}
	return sum
}

// InMemoryShipping is a fake carrier for tests and the demo.
type InMemoryShipping struct {
	Ledger
	Busy     int             // the next Busy requests fail with ErrCarrierBusy
	Unserved map[string]bool // addresses that fail with ErrUndeliverable
}

// Ship hands the order's parcel to the carrier.
func (s *InMemoryShipping) Ship(ctx context.Context, key string, o Order) (string, error) {
	return s.once(ctx, "ship", key, func() (string, error) {
		switch {
		case s.Busy > 0:
			s.Busy--
			return "", ErrCarrierBusy
		case s.Unserved[o.Address]:
			return "", fmt.Errorf("%s: %w", o.Address, ErrUndeliverable)
		}
		return fmt.Sprintf("trk-%d", len(s.effects)+1), nil
	})
}

// FakeClock is a simulated clock for tests and the demo: Sleep returns at
// once and moves the time forward, and every reading moves it forward by a
// tick, a stand-in for the time work takes. Nothing waits for real, and a
// run's timestamps are the same on every run.
type FakeClock struct {
	mu    sync.Mutex
	now   time.Time
	tick  time.Duration
	slept []time.Duration
}

// NewFakeClock returns a clock that reads start first.
func NewFakeClock(start time.Time, tick time.Duration) *FakeClock {
	return &FakeClock{now: start, tick: tick}
}

// Now returns the simulated time, then advances it by the tick.
func (f *FakeClock) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	t := f.now
	f.now = f.now.Add(f.tick)
	return t
}

// Sleep advances the simulated time by d, unless ctx has ended.
func (f *FakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = f.now.Add(d)
	f.slept = append(f.slept, d)
	return nil
}

// Slept returns the durations of every Sleep so far.
func (f *FakeClock) Slept() []time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]time.Duration(nil), f.slept...)
}

// Options returns engine options that use this clock.
func (f *FakeClock) Options() engine.Options {
	return engine.Options{Now: f.Now, Sleep: f.Sleep}
}
