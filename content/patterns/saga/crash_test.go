package saga_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/lamport-kb/lamport/content/patterns/saga"
	"github.com/lamport-kb/lamport/engine"
)

// crasher stands in for kill -9: it fails the n-th event boundary and,
// the process being dead, every one after it.
type crasher struct {
	mu         sync.Mutex
	at, points int
}

func (k *crasher) fault(engine.FaultPoint, string, string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.points++
	if k.at > 0 && k.points >= k.at {
		return errors.New("kill -9")
	}
	return nil
}

// end is everything a crash must not change.
type end struct {
	Outcome         saga.Outcome
	State           string
	Stock           int
	Paid            int64
	Couriers        int
	Applied, Undone [4]int
}

func snapshot(svc saga.OrderServices, o saga.Outcome, id string) end {
	e := end{Outcome: o, State: svc.Orders.State(id), Stock: svc.Inventory.Level("mug"),
		Paid: svc.Payments.Paid("4242"), Couriers: svc.Courier.Booked()}
	for i, b := range []*saga.Barrier{&svc.Orders.Barrier, &svc.Inventory.Barrier, &svc.Courier.Barrier, &svc.Payments.Barrier} {
		st := b.Stats()
		e.Applied[i], e.Undone[i] = st.Applied, st.Undone
	}
	return e
}

// placeWithCrash places o on a database file, crashing at boundary at (0:
// never); then a new engine on the same file recovers the run.
func placeWithCrash(t *testing.T, o saga.Order, busy, at int) (end, int) {
	path := filepath.Join(t.TempDir(), "saga.db")
	svc := services()
	svc.Orders.Busy = busy
	k := &crasher{at: at}
	opts := newClock().options()
	opts.Fault = k.fault
	opts.Durability = engine.Normal // a process crash, not a power loss
	e, err := engine.Open(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	s := orderSaga(svc)
	s.Register(e)
	id := "order-" + o.ID
	got, err := s.Run(context.Background(), e, id, o)
	if at > 0 {
		if !errors.Is(err, engine.ErrCrashed) {
			t.Fatalf("crash at %d: err = %v", at, err)
		}
		e.Close() // the process is gone; a new one opens the file
		e = mustOpen(t, path, engine.Options{Durability: engine.Normal, Now: opts.Now, Sleep: opts.Sleep})
		s.Register(e)
		// A crash after the last commit (the last step's record and the
		// run's end, together) finds the run ended: nothing to recover.
		n, rerr := e.Recover(context.Background())
		if st, _, _ := e.Status(context.Background(), id); n != 1 && !(n == 0 && st != "running") || rerr != nil && !errors.Is(rerr, saga.ErrStuck) {
			t.Fatalf("crash at %d: Recover = %d, %v", at, n, rerr)
		}
		got, err = s.Run(context.Background(), e, id, o)
	} else {
		defer e.Close()
	}
	if err != nil && !errors.Is(err, saga.ErrStuck) {
		t.Fatalf("crash at %d: %v", at, err)
	}
	return snapshot(svc, got, o.ID), k.points
}

// TestCrashAtEveryPoint: a crash at any event boundary, forward or while
// compensating, followed by recovery from the database file, ends exactly
// as the run without a crash: same outcome, same state in every
// participant, each effect applied and undone once.
func TestCrashAtEveryPoint(t *testing.T) {
	tests := []struct {
		name  string
		order saga.Order
		busy  int
	}{
		{"completes after a forward retry", order("1", "4242", 1), 1},
		{"compensated after the pivot declines", order("2", "0000", 1), 0},
		{"compensated when out of stock", order("3", "4242", 20), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want, points := placeWithCrash(t, tt.order, tt.busy, 0)
			if points < 8 {
				t.Fatalf("only %d fault points", points)
			}
			for at := 1; at <= points; at++ {
				got, _ := placeWithCrash(t, tt.order, tt.busy, at)
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("crash at boundary %d of %d (-want +got):\n%s", at, points, diff)
				}
			}
		})
	}
}

// TestConcurrentSagasCommute: sagas running at once on one stock, some
// declined, some out of stock, end with stock = initial − Σ qty of the
// completed orders: reservations and releases commute.
func TestConcurrentSagasCommute(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 4))
	for round := range 5 {
		e := mustOpen(t, ":memory:", newClock().options())
		svc := services()
		svc.Inventory.Stock["mug"] = 12
		s := orderSaga(svc)
		s.Register(e)
		orders := make([]saga.Order, 16)
		for i := range orders {
			card := "4242"
			if r.IntN(3) == 0 {
				card = "0000"
			}
			orders[i] = order(fmt.Sprint(round, "-", i), card, 1+r.IntN(3))
		}
		outcomes := make([]saga.Outcome, len(orders))
		var wg sync.WaitGroup
		for i, o := range orders {
			wg.Go(func() {
				var err error
				if outcomes[i], err = s.Run(context.Background(), e, "order-"+o.ID, o); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		stock := 12
		for i, o := range outcomes {
			want := saga.StateRejected
			if o.Status == saga.Completed {
				stock -= orders[i].Qty
				want = saga.StateApproved
			}
			if st := svc.Orders.State(orders[i].ID); st != want {
				t.Errorf("order %s is %s after %s", orders[i].ID, st, o.Status)
			}
		}
		if got := svc.Inventory.Level("mug"); got != stock {
			t.Errorf("round %d: stock %d, want %d", round, got, stock)
		}
	}
}

// TestSnapshotCompensationLosesUpdate shows the anomaly that commutative
// compensations avoid: saga A reserves, saga B reserves and completes, A
// fails and compensates. Writing back A's snapshot erases B's reservation.
func TestSnapshotCompensationLosesUpdate(t *testing.T) {
	for _, tc := range []struct {
		name     string
		snapshot bool
		want     int
	}{{"add back", false, 9}, {"restore snapshot", true, 10}} {
		t.Run(tc.name, func(t *testing.T) {
			e := mustOpen(t, ":memory:", newClock().options())
			var mu sync.Mutex
			stock, before := 10, 0
			reserve := func(context.Context, string, int) error {
				mu.Lock()
				defer mu.Unlock()
				before, stock = stock, stock-1
				return nil
			}
			release := func(context.Context, string, int) error {
				mu.Lock()
				defer mu.Unlock()
				if tc.snapshot {
					stock = before
				} else {
					stock++
				}
				return nil
			}
			b := &saga.Saga[int]{Name: "b", Steps: []saga.Step[int]{{Name: "reserve", Action: reserve, Compensation: release}}}
			a := &saga.Saga[int]{Name: "a", Steps: []saga.Step[int]{
				{Name: "reserve", Action: func(ctx context.Context, k string, in int) error {
					reserve(ctx, k, in)
					mu.Lock()
					snap := before
					mu.Unlock()
					_, err := b.Run(ctx, e, "b", 0) // B interleaves here
					mu.Lock()
					before = snap
					mu.Unlock()
					return err
				}, Compensation: release},
				{Name: "pay", Kind: saga.Pivot, Action: func(context.Context, string, int) error { return engine.Permanent(errors.New("declined")) }},
			}}
			a.Register(e)
			b.Register(e)
			if o, err := a.Run(context.Background(), e, "a", 0); err != nil || o.Status != saga.Compensated {
				t.Fatalf("%+v, %v", o, err)
			}
			if stock != tc.want {
				t.Errorf("stock %d, want %d (B holds one mug)", stock, tc.want)
			}
		})
	}
}
