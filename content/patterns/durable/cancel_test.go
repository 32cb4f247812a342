package durable_test

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/lamport-kb/lamport/content/patterns/durable"
	"github.com/lamport-kb/lamport/engine"
)

// TestCancelRefundsAndReleases: an order cancelled right after its charge
// is recorded does not ship; the charge step's successor ends with a
// recorded cancellation, which abort treats like any recorded failure, so
// the saga refunds and releases, in that order, and the run ends
// cancelled.
func TestCancelRefundsAndReleases(t *testing.T) {
	w := newWorld()
	opts := durable.NewFakeClock(start, 0).Options()
	var e *engine.Engine
	opts.Fault = func(p engine.FaultPoint, runID, step string) error {
		if p == engine.FaultAfterCommit && step == "charge" {
			if err := e.Cancel(ctx, runID); err != nil { // the customer cancels now
				t.Error(err)
			}
		}
		return nil
	}
	e = open(t, ":memory:", opts)
	w.co.Register(e)
	if _, err := durable.Place(ctx, e, order); !errors.Is(err, engine.ErrCancelled) {
		t.Fatalf("Place: %v, want ErrCancelled", err)
	}
	if diff := cmp.Diff([]string{"reserve", "charge", "refund", "release"}, w.ops()); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
	if status, _, _ := e.Status(ctx, "order-42"); status != "cancelled" {
		t.Errorf("status %q, want cancelled", status)
	}
	if b, s := w.pay.Balance("4242"), w.inv.Stock["book"]; b != 0 || s != 10 {
		t.Errorf("balance %d, stock %d; want 0, 10", b, s)
	}
}
