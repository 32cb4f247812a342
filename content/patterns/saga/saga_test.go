package saga_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/lamport-kb/lamport/content/patterns/saga"
	"github.com/lamport-kb/lamport/engine"
)

func nop(context.Context, string, int) error { return nil }

func TestValidate(t *testing.T) {
	step := func(name string, k saga.Kind, undo bool) saga.Step[int] {
		st := saga.Step[int]{Name: name, Kind: k, Action: nop}
		if undo {
			st.Compensation = nop
		}
		return st
	}
	tests := []struct {
		name  string
		steps []saga.Step[int]
		want  string // a part of the error; "" for valid
	}{
		{"three phases", []saga.Step[int]{step("a", saga.Compensatable, true), step("b", saga.Compensatable, false), step("c", saga.Pivot, false), step("d", saga.Retriable, false)}, ""},
		{"no pivot", []saga.Step[int]{step("a", saga.Compensatable, true), step("b", saga.Retriable, false)}, ""},
		{"no steps", nil, "at least one step"},
		{"repeated name", []saga.Step[int]{step("a", saga.Compensatable, true), step("a", saga.Pivot, false)}, "repeated"},
		{"no action", []saga.Step[int]{{Name: "a"}}, "no action"},
		{"compensatable after pivot", []saga.Step[int]{step("p", saga.Pivot, false), step("a", saga.Compensatable, true)}, "cannot follow"},
		{"two pivots", []saga.Step[int]{step("p", saga.Pivot, false), step("q", saga.Pivot, false)}, "more than one pivot"},
		{"undo on a pivot", []saga.Step[int]{step("p", saga.Pivot, true)}, "has no compensation"},
		{"unknown kind", []saga.Step[int]{step("x", saga.Kind(7), false)}, "cannot follow"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &saga.Saga[int]{Name: "s", Steps: tt.steps}
			err := s.Validate()
			if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
				t.Errorf("Validate() = %v, want %q", err, tt.want)
			}
		})
	}
	e := mustOpen(t, ":memory:", engine.Options{})
	if err := (&saga.Saga[int]{Name: "empty"}).Register(e); err == nil {
		t.Error("Register accepted an invalid saga")
	}
}

func TestKindString(t *testing.T) {
	got := []string{saga.Compensatable.String(), saga.Pivot.String(), saga.Retriable.String(), saga.Kind(9).String()}
	if diff := cmp.Diff([]string{"compensatable", "pivot", "retriable", "Kind(9)"}, got); diff != "" {
		t.Error(diff)
	}
}

// TestOrderSaga runs the order saga down each of its paths.
func TestOrderSaga(t *testing.T) {
	tests := []struct {
		name     string
		order    saga.Order
		busy     int // Approve fails this many times first
		want     saga.Outcome
		state    string
		stock    int
		paid     int64
		couriers int
	}{
		{"completes", order("1", "4242", 2), 0,
			saga.Outcome{Status: saga.Completed}, saga.StateApproved, 8, 1250, 1},
		{"retries forward after the pivot", order("2", "4242", 1), 3,
			saga.Outcome{Status: saga.Completed}, saga.StateApproved, 9, 1250, 1},
		{"out of stock: the failed step and create are undone", order("3", "4242", 11), 0,
			saga.Outcome{Status: saga.Compensated, Failed: "reserve-stock", Cause: "reserve-stock: out of stock",
				Compensated: []string{"reserve-stock", "create-order"}}, saga.StateRejected, 10, 0, 0},
		{"declined at the pivot: undone last first", order("4", "0000", 1), 0,
			saga.Outcome{Status: saga.Compensated, Failed: "charge-card", Cause: "charge-card: card declined",
				Compensated: []string{"book-courier", "reserve-stock", "create-order"}}, saga.StateRejected, 10, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := mustOpen(t, ":memory:", newClock().options())
			svc := services()
			svc.Orders.Busy = tt.busy
			s := orderSaga(svc)
			if err := s.Register(e); err != nil {
				t.Fatal(err)
			}
			got, err := s.Run(context.Background(), e, "order-"+tt.order.ID, tt.order)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("outcome (-want +got):\n%s", diff)
			}
			if st := svc.Orders.State(tt.order.ID); st != tt.state {
				t.Errorf("order state = %s, want %s", st, tt.state)
			}
			if svc.Inventory.Level("mug") != tt.stock || svc.Payments.Paid("4242") != tt.paid || svc.Courier.Booked() != tt.couriers {
				t.Errorf("stock %d, paid %d, couriers %d; want %d, %d, %d", svc.Inventory.Level("mug"),
					svc.Payments.Paid("4242"), svc.Courier.Booked(), tt.stock, tt.paid, tt.couriers)
			}
			// The run ID makes the saga idempotent: running it again calls nobody.
			before := svc.Orders.Stats()
			again, err := s.Run(context.Background(), e, "order-"+tt.order.ID, tt.order)
			if err != nil || !cmp.Equal(again, got) || svc.Orders.Stats() != before {
				t.Errorf("second run: %+v, %v; orders %+v, was %+v", again, err, svc.Orders.Stats(), before)
			}
		})
	}
}

// TestSemanticLock: while the saga runs, the order is PENDING and another
// transaction (the customer's cancel) is refused; afterwards it is not.
func TestSemanticLock(t *testing.T) {
	e := mustOpen(t, ":memory:", newClock().options())
	svc := services()
	s := orderSaga(svc)
	var during error
	book := s.Steps[2].Action
	s.Steps[2].Action = func(ctx context.Context, key string, in saga.Order) error {
		during = svc.Orders.Cancel(in.ID)
		return book(ctx, key, in)
	}
	s.Register(e)
	if _, err := s.Run(context.Background(), e, "order-1", order("1", "4242", 1)); err != nil {
		t.Fatal(err)
	}
	if !errors.Is(during, saga.ErrPending) {
		t.Errorf("cancel during the saga = %v, want ErrPending", during)
	}
	if err := svc.Orders.Cancel("1"); err != nil || svc.Orders.State("1") != saga.StateCanceled {
		t.Errorf("cancel after the saga = %v, state %s", err, svc.Orders.State("1"))
	}
	if err := svc.Orders.Cancel("1"); err == nil {
		t.Error("a canceled order was canceled again")
	}
}

// TestStuck: a compensation or a retriable step that fails for good stops
// the saga for manual repair, and nothing runs out of order.
func TestStuck(t *testing.T) {
	t.Run("compensation fails", func(t *testing.T) {
		e := mustOpen(t, ":memory:", newClock().options())
		svc := services()
		s := orderSaga(svc)
		s.Steps[1].Compensation = func(context.Context, string, saga.Order) error { return errors.New("inventory down") }
		s.Register(e)
		got, err := s.Run(context.Background(), e, "order-9", order("9", "0000", 1))
		if !errors.Is(err, saga.ErrStuck) || got.Status != saga.Stuck {
			t.Fatalf("outcome %+v, err %v; want stuck", got, err)
		}
		// book-courier was undone; create-order must wait for reserve-stock.
		if diff := cmp.Diff([]string{"book-courier"}, got.Compensated); diff != "" {
			t.Error(diff)
		}
		if svc.Orders.State("9") != saga.StatePending {
			t.Errorf("order is %s: compensated out of order", svc.Orders.State("9"))
		}
		// The recorded outcome comes back on a second run.
		again, err := s.Run(context.Background(), e, "order-9", order("9", "0000", 1))
		if !errors.Is(err, saga.ErrStuck) || !cmp.Equal(again, got) {
			t.Errorf("second run %+v, %v", again, err)
		}
	})
	t.Run("retriable step exhausts its retries", func(t *testing.T) {
		e := mustOpen(t, ":memory:", newClock().options())
		svc := services()
		svc.Orders.Busy = 100
		s := orderSaga(svc)
		s.Register(e)
		got, err := s.Run(context.Background(), e, "order-8", order("8", "4242", 1))
		if !errors.Is(err, saga.ErrStuck) || got.Failed != "approve-order" || len(got.Compensated) != 0 {
			t.Errorf("outcome %+v, err %v", got, err)
		}
		if svc.Payments.Paid("4242") != 1250 || svc.Inventory.Level("mug") != 9 {
			t.Error("a step before the pivot was undone after the pivot committed")
		}
	})
}

// TestShutdownIsNotFailure: a cancelled context stops the saga without
// compensating; Recover finishes it.
func TestShutdownIsNotFailure(t *testing.T) {
	e := mustOpen(t, ":memory:", newClock().options())
	svc := services()
	s := orderSaga(svc)
	ctx, cancel := context.WithCancel(context.Background())
	book := s.Steps[2].Action
	s.Steps[2].Action = func(c context.Context, key string, in saga.Order) error {
		if ctx.Err() == nil {
			cancel()
			return c.Err()
		}
		return book(c, key, in)
	}
	s.Register(e)
	if _, err := s.Run(ctx, e, "order-7", order("7", "4242", 1)); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if svc.Orders.State("7") != saga.StatePending || svc.Inventory.Level("mug") != 9 {
		t.Fatalf("a shutdown compensated: %s, stock %d", svc.Orders.State("7"), svc.Inventory.Level("mug"))
	}
	if n, err := e.Recover(context.Background()); n != 1 || err != nil {
		t.Fatalf("Recover = %d, %v", n, err)
	}
	if svc.Orders.State("7") != saga.StateApproved {
		t.Errorf("after Recover the order is %s", svc.Orders.State("7"))
	}
}

func TestBadInput(t *testing.T) {
	e := mustOpen(t, ":memory:", engine.Options{})
	s := orderSaga(services())
	s.Register(e)
	if _, err := e.Run(context.Background(), s.Name, "x", []byte("not json")); err == nil {
		t.Error("bad input accepted")
	}
	bad := &saga.Saga[func()]{Name: "f", Steps: []saga.Step[func()]{{Name: "a", Action: func(context.Context, string, func()) error { return nil }}}}
	if _, err := bad.Run(context.Background(), e, "y", func() {}); err == nil {
		t.Error("an input that is not JSON was accepted")
	}
}
