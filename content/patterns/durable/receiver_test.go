package durable_test

import (
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/lamport-kb/lamport/content/patterns/durable"
	"github.com/lamport-kb/lamport/engine"
)

// TestSavedErrorsAreReplayed: like a payment API's idempotency layer, a
// service saves the first answer of a key once the request has executed,
// an error as much as a result, and answers every later request with that
// key with it: the shelf is restocked, but the reservation that found it
// empty stays refused. A new key executes.
func TestSavedErrorsAreReplayed(t *testing.T) {
	inv := &durable.InMemoryInventory{Stock: map[string]int{"pen": 1}}
	if _, err := inv.Reserve(ctx, "k1", "pen", 2); !errors.Is(err, durable.ErrOutOfStock) {
		t.Fatalf("first reserve: %v, want out of stock", err)
	}
	inv.Stock["pen"] = 5
	if r, err := inv.Reserve(ctx, "k1", "pen", 2); !errors.Is(err, durable.ErrOutOfStock) {
		t.Errorf("retry with the key: %q, %v; want the saved out-of-stock error", r, err)
	}
	if n := inv.Stock["pen"]; n != 5 {
		t.Errorf("stock %d after the retry, want 5: the retry executed", n)
	}
	if r, err := inv.Reserve(ctx, "k2", "pen", 2); err != nil || r != "res-1" {
		t.Errorf("new key: %q, %v; want res-1", r, err)
	}
	pay := &durable.InMemoryPayments{}
	e1 := pay.Refund(ctx, "r1", "ch-1") // no such charge yet
	if _, err := pay.Charge(ctx, "c1", "4242", 500); err != nil {
		t.Fatal(err)
	}
	e2 := pay.Refund(ctx, "r1", "ch-1") // the saved error, not a refund
	if e1 == nil || e2 == nil || e1.Error() != e2.Error() || pay.Balance("4242") != 500 {
		t.Errorf("refund replayed %v then %v, balance %d; want the same error twice and 500", e1, e2, pay.Balance("4242"))
	}
}

// TestKeyReusedWithOtherParameters: a key sent again with other parameters
// is refused, as Stripe's idempotency layer refuses it, instead of being
// answered with the first request's result as if it were the same request.
func TestKeyReusedWithOtherParameters(t *testing.T) {
	pay := &durable.InMemoryPayments{}
	first, err := pay.Charge(ctx, "k1", "4242", 500)
	if err != nil {
		t.Fatal(err)
	}
	if again, err := pay.Charge(ctx, "k1", "4242", 500); again != first || err != nil {
		t.Errorf("same key, same parameters: %q, %v; want %q", again, err, first)
	}
	if other, err := pay.Charge(ctx, "k1", "4242", 700); !errors.Is(err, durable.ErrKeyReused) {
		t.Errorf("same key, another amount: %q, %v; want ErrKeyReused", other, err)
	}
	if got := pay.Effects(); len(got) != 1 || pay.Balance("4242") != 500 {
		t.Errorf("effects %v, balance %d; want one charge of 500", got, pay.Balance("4242"))
	}
}

// TestSavedServerErrorFailsEveryRetry: the charge fails after it began
// executing, like a 500, and the payment service saves that error as the
// key's answer. Every retry of the step carries the same key, so every
// retry gets the saved error back: the step fails after its attempts, the
// card is never charged, and the saga releases the stock.
func TestSavedServerErrorFailsEveryRetry(t *testing.T) {
	w := newWorld()
	w.pay.Failing = 1
	e := open(t, ":memory:", durable.NewFakeClock(start, 0).Options())
	w.co.Register(e)

	_, err := durable.Place(ctx, e, order)
	var failed *engine.StepError
	if !errors.As(err, &failed) || failed.Step != "charge" || failed.Attempts != retry.MaxAttempts {
		t.Fatalf("err = %v, want charge's failure after %d attempts", err, retry.MaxAttempts)
	}
	if got, want := w.pay.Requests(chargeKey), retry.MaxAttempts; got != want {
		t.Errorf("charge key sent %d times, want %d", got, want)
	}
	if got, want := w.pay.Replays(chargeKey), retry.MaxAttempts-1; got != want {
		t.Errorf("%d saved answers replayed, want %d", got, want)
	}
	if n := w.pay.Applied(chargeKey); n != 0 || w.pay.Balance("4242") != 0 {
		t.Errorf("charges applied %d, balance %d; want none", n, w.pay.Balance("4242"))
	}
	if diff := cmp.Diff([]string{"reserve", "charge", "charge", "charge", "release"}, w.ops()); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
	if s := w.inv.Stock["book"]; s != 10 {
		t.Errorf("stock %d, want 10", s)
	}
}

// TestRefusedRequestsSaveNothing: a busy carrier refuses the request
// before executing it (like a rate-limited 429), so nothing is saved and
// the retry with the same key executes.
func TestRefusedRequestsSaveNothing(t *testing.T) {
	ship := &durable.InMemoryShipping{Busy: 1}
	if _, err := ship.Ship(ctx, "k", order); !errors.Is(err, durable.ErrCarrierBusy) {
		t.Fatalf("first: %v, want ErrCarrierBusy", err)
	}
	tr, err := ship.Ship(ctx, "k", order)
	if err != nil || tr != "trk-1" || ship.Replays("k") != 0 || ship.Applied("k") != 1 {
		t.Errorf("retry: %q, %v, %d replays, %d applied; want trk-1 executed", tr, err, ship.Replays("k"), ship.Applied("k"))
	}
}

// TestKeysExpireAfterRetention: with a retention period, a key is
// forgotten once its answer is that old, and a request with it executes
// again: the same key charges the card a second time. It runs on the
// default clock, in a synctest bubble.
func TestKeysExpireAfterRetention(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		pay := &durable.InMemoryPayments{Ledger: durable.Ledger{Retention: 24 * time.Hour}}
		first, _ := pay.Charge(ctx, "k", "4242", 500)
		time.Sleep(24*time.Hour - time.Second)
		if again, _ := pay.Charge(ctx, "k", "4242", 500); again != first || pay.Applied("k") != 1 {
			t.Errorf("within retention: %q, %d applied; want %q replayed", again, pay.Applied("k"), first)
		}
		time.Sleep(time.Second)
		late, err := pay.Charge(ctx, "k", "4242", 500)
		if err != nil || late == first || pay.Applied("k") != 2 || pay.Balance("4242") != 1000 {
			t.Errorf("after retention: %q, %v, %d applied, balance %d; want a second charge",
				late, err, pay.Applied("k"), pay.Balance("4242"))
		}
	})
}
