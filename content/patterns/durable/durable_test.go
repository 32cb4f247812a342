package durable_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/lamport-kb/lamport/content/patterns/durable"
	"github.com/lamport-kb/lamport/engine"
)

var (
	ctx   = context.Background()
	start = time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	order = durable.Order{ID: "42", SKU: "book", Qty: 2, Amount: 4200, Card: "4242", Address: "1 Main St"}
	retry = engine.RetryPolicy{MaxAttempts: 3, Initial: time.Second, NoJitter: true}
)

const chargeKey = "order-42/1/charge" // run ID / step number / step name

// world is the checkout and its fake services, with one log of every
// request in the order the services received them.
type world struct {
	inv  *durable.InMemoryInventory
	pay  *durable.InMemoryPayments
	ship *durable.InMemoryShipping
	co   *durable.Checkout

	mu    sync.Mutex
	calls []string // "charge order-42/1/charge", ...
}

func newWorld() *world {
	w := &world{
		inv:  &durable.InMemoryInventory{Stock: map[string]int{"book": 10}},
		pay:  &durable.InMemoryPayments{},
		ship: &durable.InMemoryShipping{Unserved: map[string]bool{}},
	}
	for _, l := range []*durable.Ledger{&w.inv.Ledger, &w.pay.Ledger, &w.ship.Ledger} {
		l.Trace = w.note
	}
	w.co = &durable.Checkout{Inventory: w.inv, Payments: w.pay, Shipping: w.ship, Retry: retry}
	return w
}

func (w *world) note(line string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	f := strings.Fields(line)
	w.calls = append(w.calls, f[0]+" "+f[1])
}

func (w *world) ops() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	var ops []string
	for _, c := range w.calls {
		ops = append(ops, strings.Fields(c)[0])
	}
	return ops
}

func open(t *testing.T, dsn string, opts engine.Options) *engine.Engine {
	t.Helper()
	e, err := engine.Open(dsn, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

func stepNames(t *testing.T, e *engine.Engine, runID string) []string {
	t.Helper()
	h, err := e.History(ctx, runID)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, ev := range h.Events {
		names = append(names, ev.Name+":"+ev.Kind)
	}
	return names
}

func TestCheckoutCompletes(t *testing.T) {
	w := newWorld()
	e := open(t, ":memory:", durable.NewFakeClock(start, 0).Options())
	w.co.Register(e)

	got, err := durable.Place(ctx, e, order)
	if err != nil {
		t.Fatal(err)
	}
	want := durable.Receipt{Reservation: "res-1", Charge: "ch-1", Tracking: "trk-1"}
	if got != want {
		t.Errorf("receipt %+v, want %+v", got, want)
	}
	if diff := cmp.Diff([]string{"reserve", "charge", "ship"}, w.ops()); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"reserve:done", "charge:done", "ship:done"}, stepNames(t, e, "order-42")); diff != "" {
		t.Errorf("history (-want +got):\n%s", diff)
	}
	if b, s := w.pay.Balance("4242"), w.inv.Stock["book"]; b != 4200 || s != 8 {
		t.Errorf("balance %d, stock %d; want 4200, 8", b, s)
	}

	// The order ID is the run's idempotency key: placing it again returns
	// the recorded receipt and calls nobody.
	again, err := durable.Place(ctx, e, order)
	if err != nil || again != want {
		t.Errorf("second Place = %+v, %v; want the recorded receipt", again, err)
	}
	if n := len(w.ops()); n != 3 {
		t.Errorf("second Place made %d more calls", n-3)
	}
}

// TestRetriesWaitOnDurableTimers: the carrier is busy twice; the ship step
// backs off 1 s, then 2 s (the fake clock's sleeps), records each retry with
// its wake-up time, and sends the same key every time.
func TestRetriesWaitOnDurableTimers(t *testing.T) {
	w := newWorld()
	w.ship.Busy = 2
	clock := durable.NewFakeClock(start, 0)
	e := open(t, ":memory:", clock.Options())
	w.co.Register(e)
	if _, err := durable.Place(ctx, e, order); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]time.Duration{time.Second, 2 * time.Second}, clock.Slept()); diff != "" {
		t.Errorf("backoffs (-want +got):\n%s", diff)
	}
	want := []string{"reserve:done", "charge:done", "ship:retry", "ship:retry", "ship:done"}
	if diff := cmp.Diff(want, stepNames(t, e, "order-42")); diff != "" {
		t.Errorf("history (-want +got):\n%s", diff)
	}
	h, _ := e.History(ctx, "order-42")
	if wake := h.Events[2].Wake; wake == nil || !wake.Equal(h.Events[2].At.Add(time.Second)) {
		t.Errorf("first retry: wake %v, at %v", wake, h.Events[2].At)
	}
	if n := w.ship.Requests("order-42/2/ship"); n != 3 {
		t.Errorf("ship key sent %d times, want 3", n)
	}
	if diff := cmp.Diff([]string{"ship trk-1"}, w.ship.Effects()); diff != "" {
		t.Errorf("shipments (-want +got):\n%s", diff)
	}
}

// TestCompensatesInReverse: the carrier does not serve the address, a
// permanent error, so ship fails at once and the saga undoes the charge,
// then the reservation: last done, first undone.
func TestCompensatesInReverse(t *testing.T) {
	w := newWorld()
	w.ship.Unserved[order.Address] = true
	e := open(t, ":memory:", durable.NewFakeClock(start, 0).Options())
	w.co.Register(e)

	_, err := durable.Place(ctx, e, order)
	var failed *engine.StepError
	if !errors.As(err, &failed) || failed.Step != "ship" || failed.Attempts != 1 {
		t.Fatalf("err = %v, want ship's permanent failure after 1 attempt", err)
	}
	if diff := cmp.Diff([]string{"reserve", "charge", "ship", "refund", "release"}, w.ops()); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
	want := []string{"reserve:done", "charge:done", "ship:done", "undo:charge:done", "undo:reserve:done"}
	if diff := cmp.Diff(want, stepNames(t, e, "order-42")); diff != "" {
		t.Errorf("history (-want +got):\n%s", diff)
	}
	if b, s := w.pay.Balance("4242"), w.inv.Stock["book"]; b != 0 || s != 10 {
		t.Errorf("after compensation: balance %d, stock %d; want 0, 10", b, s)
	}
	if status, _, _ := e.Status(ctx, "order-42"); status != "failed" {
		t.Errorf("status %q, want failed", status)
	}
	var recorded *engine.RunError
	if _, err := durable.Place(ctx, e, order); !errors.As(err, &recorded) || len(w.ops()) != 5 {
		t.Errorf("second Place: %v after %d calls; want the recorded failure and no call", err, len(w.ops()))
	}
}

func TestOutOfStockChargesNothing(t *testing.T) {
	w := newWorld()
	w.inv.Stock["book"] = 1
	e := open(t, ":memory:", durable.NewFakeClock(start, 0).Options())
	w.co.Register(e)

	_, err := durable.Place(ctx, e, order)
	if err == nil || !strings.Contains(err.Error(), durable.ErrOutOfStock.Error()) {
		t.Fatalf("err = %v, want out of stock", err)
	}
	// Permanent: one attempt despite the retry policy, nothing to undo.
	if diff := cmp.Diff([]string{"reserve"}, w.ops()); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
}

// TestCancelledRunIsNotCompensated: the process shuts down (its context is
// cancelled) while shipping. That is not a failure: nothing is recorded,
// nothing is undone, and the run resumes later and completes.
func TestCancelledRunIsNotCompensated(t *testing.T) {
	w := newWorld()
	e := open(t, ":memory:", durable.NewFakeClock(start, 0).Options())
	runCtx, cancel := context.WithCancel(ctx)
	w.co.Shipping = shutdown{cancel}
	w.co.Register(e)

	if _, err := durable.Place(runCtx, e, order); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if status, _, _ := e.Status(ctx, "order-42"); status != "running" {
		t.Errorf("status %q, want running", status)
	}
	if diff := cmp.Diff([]string{"reserve", "charge"}, w.ops()); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}

	w.co.Shipping = w.ship
	w.co.Register(e)
	if n, err := e.Recover(ctx); n != 1 || err != nil {
		t.Fatalf("Recover = %d, %v", n, err)
	}
	if diff := cmp.Diff([]string{"reserve", "charge", "ship"}, w.ops()); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
}

// shutdown is a carrier during which the process is told to stop.
type shutdown struct{ cancel context.CancelFunc }

func (s shutdown) Ship(ctx context.Context, _ string, _ durable.Order) (string, error) {
	s.cancel()
	return "", ctx.Err()
}

// outcome is everything a crash must not change. (The retries may differ:
// a busy carrier that failed before the crash is not busy after it.)
type outcome struct {
	Receipt   durable.Receipt
	Err       string
	Steps     []string // the steps that finished, in order
	Inventory []string
	Payments  []string
	Shipments []string
	Balance   int64
	Stock     int
}

type scenario struct {
	name      string
	busy      int  // transient carrier failures: a retry and its timer
	unserved  bool // a permanent carrier failure: compensation
	minFaults int
}

// TestCrashAtEveryFaultPoint crashes the checkout at each event boundary
// in turn (after a step's effect, before and after each commit), restarts
// the engine on the same database file and recovers. Whatever the crash
// point, the outcome equals the crash-free run's, the card is charged once,
// and the charge key is sent twice only when the crash fell between the
// charge and its record.
func TestCrashAtEveryFaultPoint(t *testing.T) {
	for _, sc := range []scenario{
		{name: "completes", busy: 1, minFaults: 12},
		{name: "compensates", unserved: true, minFaults: 15},
	} {
		t.Run(sc.name, func(t *testing.T) {
			want, _, faults := crashRun(t, sc, -1)
			if faults < sc.minFaults {
				t.Fatalf("only %d fault points seen", faults)
			}
			points := map[engine.FaultPoint]bool{}
			for k := range faults {
				got, crash, _ := crashRun(t, sc, k)
				points[crash.point] = true
				if crash.ended != (k == faults-1) {
					t.Errorf("crash at %s (boundary %d of %d): the run had ended: %v; want only after the last commit, which holds the end",
						crash, k, faults, crash.ended)
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("crash at %s: outcome (-want +got):\n%s", crash, diff)
				}
				if n := charges(got.Payments); n != 1 {
					t.Errorf("crash at %s: card charged %d times", crash, n)
				}
				wantAsks := 1
				if crash.step == "charge" && crash.point != engine.FaultAfterCommit {
					wantAsks = 2 // the effect happened, its record did not
				}
				if n := crash.requests; n != wantAsks {
					t.Errorf("crash at %s: charge key sent %d times, want %d", crash, n, wantAsks)
				}
			}
			if len(points) != 3 {
				t.Errorf("fault points crashed at: %v", points)
			}
			t.Logf("%d crash points checked", faults)
		})
	}
}

func finished(events []string) []string {
	var steps []string
	for _, ev := range events {
		if name, ok := strings.CutSuffix(ev, ":done"); ok {
			steps = append(steps, name)
		}
	}
	return steps
}

func charges(effects []string) int {
	n := 0
	for _, e := range effects {
		if strings.HasPrefix(e, "charge ") {
			n++
		}
	}
	return n
}

type crash struct {
	point    engine.FaultPoint
	step     string
	requests int  // of the charge key
	ended    bool // the run had ended when the process died
}

func (c crash) String() string { return string(c.point) + " of " + c.step }

var errPowerCut = errors.New("power cut")

// crashRun places the order with a crash at the k-th fault point (k < 0:
// none), then reopens the database in a new engine, recovers, and places
// the order again to read its recorded outcome. After the crash the
// process is dead: every later fault point fails too, so nothing more is
// recorded.
func crashRun(t *testing.T, sc scenario, k int) (outcome, crash, int) {
	t.Helper()
	w := newWorld()
	w.ship.Busy = sc.busy
	w.ship.Unserved[order.Address] = sc.unserved
	path := filepath.Join(t.TempDir(), "orders.db")
	opts := durable.NewFakeClock(start, time.Millisecond).Options()
	var c crash
	seen, dead := 0, false
	opts.Fault = func(p engine.FaultPoint, runID, step string) error {
		if !dead && seen == k {
			dead, c.point, c.step = true, p, step
		}
		seen++
		if dead {
			return errPowerCut
		}
		return nil
	}
	e := open(t, path, opts)
	w.co.Register(e)
	_, err := durable.Place(ctx, e, order)
	if k >= 0 {
		if !errors.Is(err, engine.ErrCrashed) {
			t.Fatalf("crash %d: err = %v, want ErrCrashed", k, err)
		}
		// The last step's record commits with the run's end, so a crash
		// after that commit finds the run ended; any other leaves it
		// running.
		status, _, _ := e.Status(ctx, "order-42")
		c.ended = status != "running"
		if c.ended && c.point != engine.FaultAfterCommit {
			t.Fatalf("crash %d: status %q after the crash", k, status)
		}
		e.Close()
		opts.Fault = nil
		e = open(t, path, opts)
		w.co.Register(e)
		if n, _ := e.Recover(ctx); n != 1 && !(n == 0 && status != "running") {
			t.Fatalf("crash %d: recovered %d runs", k, n)
		}
	}
	r, err := durable.Place(ctx, e, order)
	got := outcome{
		Receipt: r, Err: fmt.Sprint(err), Steps: finished(stepNames(t, e, "order-42")),
		Inventory: w.inv.Effects(), Payments: w.pay.Effects(), Shipments: w.ship.Effects(),
		Balance: w.pay.Balance("4242"), Stock: w.inv.Stock["book"],
	}
	c.requests = w.pay.Requests(chargeKey)
	return got, c, seen
}

// TestReplayCatchesNonDeterminism: the recorded history replays against
// the checkout's code, but not against a version that ships before it
// charges: the engine names the first step where code and history differ.
func TestReplayCatchesNonDeterminism(t *testing.T) {
	w := newWorld()
	e := open(t, ":memory:", durable.NewFakeClock(start, 0).Options())
	w.co.Register(e)
	if _, err := durable.Place(ctx, e, order); err != nil {
		t.Fatal(err)
	}
	h, err := e.History(ctx, "order-42")
	if err != nil {
		t.Fatal(err)
	}
	if err := engine.Replay(w.co.Workflow, h); err != nil {
		t.Errorf("replay of the same code: %v", err)
	}
	reordered := func(c *engine.Context, input []byte) ([]byte, error) {
		for _, name := range []string{"reserve", "ship", "charge"} {
			if _, err := engine.Step(c, name, func(context.Context, string) (string, error) { return "", nil }); err != nil {
				return nil, err
			}
		}
		return nil, nil
	}
	var nd *engine.NonDeterminismError
	if err := engine.Replay(reordered, h); !errors.As(err, &nd) || nd.Expected != "charge" || nd.Got != "ship" {
		t.Errorf("replay of reordered code: %v, want a NonDeterminismError at charge", err)
	}
}

func TestBadInput(t *testing.T) {
	w := newWorld()
	e := open(t, ":memory:", engine.Options{})
	w.co.Register(e)
	if _, err := e.Run(ctx, durable.WorkflowName, "bad", []byte("{")); err == nil || !strings.Contains(err.Error(), "bad order") {
		t.Errorf("err = %v, want a bad order", err)
	}
	if len(w.ops()) != 0 {
		t.Errorf("calls: %v", w.ops())
	}
}

// TestServicesAreIdempotentReceivers covers the fakes directly.
func TestServicesAreIdempotentReceivers(t *testing.T) {
	pay := &durable.InMemoryPayments{}
	a, _ := pay.Charge(ctx, "k1", "4242", 500)
	b, _ := pay.Charge(ctx, "k1", "4242", 500)
	if a != b || pay.Balance("4242") != 500 || pay.Requests("k1") != 2 {
		t.Errorf("charge twice with one key: %s, %s, balance %d", a, b, pay.Balance("4242"))
	}
	for _, key := range []string{"r1", "r2"} { // a second refund changes nothing
		if err := pay.Refund(ctx, key, a); err != nil {
			t.Fatal(err)
		}
	}
	if pay.Balance("4242") != 0 {
		t.Errorf("balance after refunds: %d", pay.Balance("4242"))
	}
	if err := pay.Refund(ctx, "r3", "ch-9"); err == nil {
		t.Error("refund of an unknown charge succeeded")
	}

	inv := &durable.InMemoryInventory{Stock: map[string]int{"pen": 1}}
	if err := inv.Release(ctx, "x", "res-9"); err == nil {
		t.Error("release of an unknown reservation succeeded")
	}

	done, cancel := context.WithCancel(ctx)
	cancel()
	_, e1 := pay.Charge(done, "k2", "4242", 1)
	e2 := pay.Refund(done, "k3", a)
	_, e3 := inv.Reserve(done, "k4", "pen", 1)
	e4 := inv.Release(done, "k5", "res-1")
	_, e5 := (&durable.InMemoryShipping{}).Ship(done, "k6", order)
	e6 := durable.NewFakeClock(start, 0).Sleep(done, time.Second)
	for i, err := range []error{e1, e2, e3, e4, e5, e6} {
		if !errors.Is(err, context.Canceled) {
			t.Errorf("call %d with a cancelled context: %v", i+1, err)
		}
	}
}

// BenchmarkCheckout places one order (three steps, three commits and the
// run's start and finish) per iteration: in memory, and on a file with
// each durability mode, to show what a sync per commit costs.
func BenchmarkCheckout(b *testing.B) {
	for _, bc := range []struct {
		name string
		file bool
		mode engine.Durability
	}{{"memory", false, engine.Full}, {"file-normal", true, engine.Normal}, {"file-full", true, engine.Full}} {
		b.Run(bc.name, func(b *testing.B) {
			dsn := ":memory:"
			if bc.file {
				dsn = filepath.Join(b.TempDir(), "orders.db")
			}
			opts := durable.NewFakeClock(start, 0).Options()
			opts.Durability = bc.mode
			e, err := engine.Open(dsn, opts)
			if err != nil {
				b.Fatal(err)
			}
			defer e.Close()
			w := newWorld()
			w.inv.Stock["book"] = 1 << 30
			for _, l := range []*durable.Ledger{&w.inv.Ledger, &w.pay.Ledger, &w.ship.Ledger} {
				l.Trace = nil
			}
			w.co.Register(e)
			o, i := order, 0
			for b.Loop() {
				i++
				o.ID = fmt.Sprint(i)
				if _, err := durable.Place(ctx, e, o); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
