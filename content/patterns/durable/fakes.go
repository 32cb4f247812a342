package durable

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/lamport-kb/lamport/engine"
)

// Errors of the fake services' idempotency layer and of the fakes.
var (
	// ErrKeyReused answers a request whose key was first used with other
	// parameters: it is refused, not answered with the other request's
	// result.
	ErrKeyReused = errors.New("idempotency key reused with other parameters")
	// ErrCarrierBusy is the fake carrier's transient error, returned
	// before the request executes (like a rate-limited 429): nothing is
	// saved, so a retry with the same key executes.
	ErrCarrierBusy = errors.New("carrier busy")
	// ErrProcessing is the fake payment service's server error, returned
	// after the charge began executing (like a 500): it is saved as the
	// key's answer, and every retry with the key gets it back.
	ErrProcessing = errors.New("payment processing error")
)

// Ledger is the idempotency layer of the in-memory services, and behaves
// as a payment API's does (Stripe's, for one). The first request with a
// key that gets as far as executing has its answer saved, a result or an
// error alike, and every later request with that key gets the saved answer
// back without executing again. A request whose key was first used with
// other parameters is refused with ErrKeyReused. A request refused before
// it executed (see rejected) saves nothing, so a retry with its key
// executes. With Retention set, a key is forgotten once its answer is that
// old, and a request with it executes anew; a real service forgets keys at
// some point after its retention period, this fake at once.
type Ledger struct {
	Trace     func(line string) // when set, called with every request
	Retention time.Duration     // how long answers are kept; 0: for ever
	Now       func() time.Time  // nil: time.Now; read only with a Retention

	mu       sync.Mutex
	saved    map[string]answer
	requests map[string]int
	replays  map[string]int
	applied  map[string]int
	effects  []string
}

// answer is what the ledger saved for a key.
type answer struct {
	params string // the first request's operation and parameters
	result string
	err    error
	at     time.Time // when it was saved (only with a Retention)
}

// rejected wraps an error returned before the request executed, such as a
// rate limiter's: the ledger saves nothing for it.
type rejected struct{ error }

func (r rejected) Unwrap() error { return r.error }

// once executes apply for key unless the key has a saved answer, and saves
// what apply returns unless it was rejected. params names the operation and
// its parameters, so a key reused for another request is refused. A
// request whose ctx has ended is not served at all (a service does nothing
// for a caller that has gone).
func (l *Ledger) once(ctx context.Context, op, key, params string, apply func() (string, error)) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.saved == nil {
		l.saved, l.requests = map[string]answer{}, map[string]int{}
		l.replays, l.applied = map[string]int{}, map[string]int{}
	}
	l.requests[key]++
	params = op + " " + params
	a, seen := l.saved[key]
	var now time.Time
	if l.Retention > 0 {
		now = l.now()
		if seen && now.Sub(a.at) >= l.Retention {
			delete(l.saved, key) // expired: the key is new again
			seen = false
		}
	}
	switch {
	case seen && a.params != params:
		l.trace("%-7s %-26s → %v", op, key, ErrKeyReused)
		return "", fmt.Errorf("%s %s: %w", op, key, ErrKeyReused)
	case seen:
		l.replays[key]++
		l.trace("%-7s %-26s → %s (saved response replayed, not executed again)", op, key, show(a.result, a.err))
		return a.result, a.err
	}
	result, err := apply()
	var r rejected
	if errors.As(err, &r) {
		l.trace("%-7s %-26s → %v (refused before executing: nothing saved)", op, key, r.error)
		return "", r.error
	}
	l.saved[key] = answer{params: params, result: result, err: err, at: now}
	if err == nil {
		l.applied[key]++
		l.effects = append(l.effects, op+" "+result)
	}
	l.trace("%-7s %-26s → %s", op, key, show(result, err))
	return result, err
}

func show(result string, err error) string {
	if err != nil {
		return err.Error()
	}
	return result
}

func (l *Ledger) now() time.Time {
	if l.Now != nil {
		return l.Now()
	}
	return time.Now()
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

// Replays returns how many requests with key were answered with the saved
// answer instead of executing.
func (l *Ledger) Replays(key string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.replays[key]
}

// Applied returns how many times a request with key executed and
// succeeded: its effects. It is at most 1 while the key is retained.
func (l *Ledger) Applied(key string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.applied[key]
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
	return inv.once(ctx, "reserve", key, fmt.Sprintf("%s %d", sku, qty), func() (string, error) {
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
	_, err := inv.once(ctx, "release", key, reservation, func() (string, error) {
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
	Failing int // the next Failing charges fail with ErrProcessing once they began
	charges map[string]*payment
}

type payment struct {
	card     string
	amount   int64
	refunded bool
}

// Charge takes amount cents from card.
func (p *InMemoryPayments) Charge(ctx context.Context, key, card string, amount int64) (string, error) {
	return p.once(ctx, "charge", key, fmt.Sprintf("%s %d", card, amount), func() (string, error) {
		if p.Failing > 0 {
			p.Failing--
			return "", ErrProcessing
		}
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
	_, err := p.once(ctx, "refund", key, charge, func() (string, error) {
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
	Busy     int             // the next Busy requests are refused with ErrCarrierBusy
	Unserved map[string]bool // addresses that fail with ErrUndeliverable
}

// Ship hands the order's parcel to the carrier.
func (s *InMemoryShipping) Ship(ctx context.Context, key string, o Order) (string, error) {
	return s.once(ctx, "ship", key, o.ID+" "+o.Address, func() (string, error) {
		switch {
		case s.Busy > 0:
			s.Busy--
			return "", rejected{ErrCarrierBusy}
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
