package durable_test

// The tests of the formal model's guarantees. Most check their property
// over the same randomised runs (chaosRuns): checkouts with a random
// scenario, crashed at up to three random fault points in turn (the first
// run, then each recovery, dies at a point of its own), restarted on the
// same database file each time, and finally recovered without a crash.

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/lamport-kb/lamport/content/patterns/durable"
	"github.com/lamport-kb/lamport/engine"
	"github.com/lamport-kb/lamport/internal/proptest"
)

const chaosSeeds = 60

// chaosRun is what one randomised run observed.
type chaosRun struct {
	name    string  // seed and scenario, for messages
	busy    int     // transient carrier refusals
	crashes []crash // where each crashed incarnation died
	calls   []string
	// At each crash: how many calls had been made, the log as the
	// restarted process found it, and the requests of every key.
	callsAt []int
	logs    [][]engine.HistoryEvent
	reqAt   []map[string]int
	final   []engine.HistoryEvent
	w       *world
}

var (
	chaosOnce sync.Once
	chaosAll  []chaosRun
	chaosErr  error
)

// chaosRuns returns the randomised runs, made once per test binary.
func chaosRuns(t *testing.T) []chaosRun {
	t.Helper()
	chaosOnce.Do(func() {
		dir := t.TempDir()
		for seed := range proptest.Seeds(chaosSeeds) {
			r, err := chaos(dir, uint64(seed))
			if err != nil {
				chaosErr = fmt.Errorf("seed %d: %w", seed, err)
				return
			}
			chaosAll = append(chaosAll, r)
		}
	})
	if chaosErr != nil {
		t.Fatal(chaosErr)
	}
	return chaosAll
}

func chaos(dir string, seed uint64) (chaosRun, error) {
	rng := rand.New(rand.NewPCG(seed, 1))
	w := newWorld()
	w.ship.Busy = rng.IntN(3)
	w.ship.Unserved[order.Address] = rng.IntN(3) == 0
	r := chaosRun{busy: w.ship.Busy, w: w}
	r.name = fmt.Sprintf("seed %d (busy %d, unserved %v)", seed, w.ship.Busy, w.ship.Unserved[order.Address])
	path := filepath.Join(dir, fmt.Sprintf("chaos-%d.db", seed))
	clock := durable.NewFakeClock(start, time.Millisecond)
	crashes := rng.IntN(4)
	for i := 0; ; i++ {
		opts := clock.Options()
		var died *crash
		if i < crashes {
			k, seen := rng.IntN(20), 0
			opts.Fault = func(p engine.FaultPoint, _, step string) error {
				if died == nil && seen == k {
					died = &crash{point: p, step: step}
				}
				seen++
				if died != nil {
					return errPowerCut
				}
				return nil
			}
		}
		e, err := engine.Open(path, opts)
		if err != nil {
			return r, err
		}
		w.co.Register(e)
		if i > 0 { // a restart: the log as the new process finds it
			h, herr := e.History(ctx, "order-42")
			if herr != nil {
				return r, herr
			}
			r.logs = append(r.logs, h.Events)
			_, err = e.Recover(ctx)
		} else {
			_, err = durable.Place(ctx, e, order)
		}
		if died == nil {
			if errors.Is(err, engine.ErrCrashed) {
				return r, err
			}
			h, herr := e.History(ctx, "order-42")
			e.Close()
			if herr != nil {
				return r, herr
			}
			r.final = h.Events
			r.calls = w.callLog()
			return r, nil
		}
		e.Close()
		r.crashes = append(r.crashes, *died)
		r.callsAt = append(r.callsAt, len(w.callLog()))
		r.reqAt = append(r.reqAt, w.requestCounts())
	}
}

func (w *world) callLog() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.calls)
}

// requestCounts returns the requests of every key any service has seen.
func (w *world) requestCounts() map[string]int {
	counts := map[string]int{}
	for _, c := range w.callLog() {
		key := strings.Fields(c)[1]
		counts[key] = w.requests(key)
	}
	return counts
}

func (w *world) requests(key string) int {
	return w.inv.Requests(key) + w.pay.Requests(key) + w.ship.Requests(key)
}

func (w *world) applied(key string) int {
	return w.inv.Applied(key) + w.pay.Applied(key) + w.ship.Applied(key)
}

// stepKey is the idempotency key of a recorded step.
func stepKey(ev engine.HistoryEvent) string { return fmt.Sprintf("order-42/%d/%s", ev.Step, ev.Name) }

// doneKeys returns the keys of the steps that have an outcome in events.
func doneKeys(events []engine.HistoryEvent) map[string]bool {
	done := map[string]bool{}
	for _, ev := range events {
		if ev.Kind == "done" {
			done[stepKey(ev)] = true
		}
	}
	return done
}

// TestLogIsAppendOnly: whatever the crashes, every log a restarted process
// finds is a prefix of the final log, and the final log holds at most one
// outcome per step.
func TestLogIsAppendOnly(t *testing.T) {
	for _, r := range chaosRuns(t) {
		for i, log := range r.logs {
			if len(log) > len(r.final) {
				t.Fatalf("%s: log after crash %d is longer than the final one", r.name, i+1)
			}
			if diff := cmp.Diff(log, r.final[:len(log)], cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("%s: log after crash %d is not a prefix of the final log (-after +final):\n%s", r.name, i+1, diff)
			}
		}
		outcomes := map[int]int{}
		for _, ev := range r.final {
			if ev.Kind == "done" {
				if outcomes[ev.Step]++; outcomes[ev.Step] > 1 {
					t.Errorf("%s: step %d (%s) has %d outcomes", r.name, ev.Step, ev.Name, outcomes[ev.Step])
				}
			}
		}
	}
}

// TestStepsStartAfterTheirPredecessorIsRecorded: a step of the workflow is
// requested only once the step before it is committed, so after any crash
// every workflow step requested before it, except the last one, has its
// outcome in the log. (Undos are not covered: engine.Saga.Compensate goes
// on to the next undo when one returns unrecorded, as after an injected
// crash; see TestCompensationsRunInReverse.)
func TestStepsStartAfterTheirPredecessorIsRecorded(t *testing.T) {
	checked := 0
	for _, r := range chaosRuns(t) {
		for i, log := range r.logs {
			var started []string // distinct keys, in order of first request
			for _, c := range r.calls[:r.callsAt[i]] {
				key := strings.Fields(c)[1]
				if !strings.Contains(key, "/undo:") && !slices.Contains(started, key) {
					started = append(started, key)
				}
			}
			done := doneKeys(log)
			for _, key := range started[:max(0, len(started)-1)] {
				checked++
				if !done[key] {
					t.Errorf("%s: crash %d at %s: %s was followed by another step but is not in the log",
						r.name, i+1, r.crashes[i], key)
				}
			}
		}
	}
	if checked == 0 {
		t.Fatal("no crash came after a step was followed by another")
	}
}

// TestNoCompletedStepRerunsAfterCrash: after any crash, no step whose
// outcome the log holds is requested again: recovery replays it.
func TestNoCompletedStepRerunsAfterCrash(t *testing.T) {
	replayed := 0
	for _, r := range chaosRuns(t) {
		for i, log := range r.logs {
			for key := range doneKeys(log) {
				replayed++
				if before, after := r.reqAt[i][key], r.w.requests(key); after != before {
					t.Errorf("%s: crash %d at %s: %s was recorded, yet requested %d more times",
						r.name, i+1, r.crashes[i], key, after-before)
				}
			}
		}
	}
	if replayed == 0 {
		t.Fatal("no run crashed after a step was recorded")
	}
}

// TestKeysAreStable: every request of every attempt, in every incarnation,
// carries its step's key runID/n/name, and a step has one key only.
func TestKeysAreStable(t *testing.T) {
	for _, r := range chaosRuns(t) {
		keyOf := map[string]string{} // step name → key, from the final log
		for _, ev := range r.final {
			keyOf[ev.Name] = stepKey(ev)
		}
		undo := map[string]string{"refund": "undo:charge", "release": "undo:reserve"}
		for _, c := range r.calls {
			op, key := strings.Fields(c)[0], strings.Fields(c)[1]
			step := op
			if u, ok := undo[op]; ok {
				step = u
			}
			if key != keyOf[step] {
				t.Errorf("%s: %s requested with key %s, want %s", r.name, op, key, keyOf[step])
			}
		}
	}
}

// TestCrashesAddAttemptsOnlyInTheirWindow: a workflow step that needs one
// attempt (it succeeds, or fails for good, at its first) is requested
// 1 + c times, c the crashes that fell between its effect and its commit;
// a crash anywhere else adds no request.
func TestCrashesAddAttemptsOnlyInTheirWindow(t *testing.T) {
	for _, r := range chaosRuns(t) {
		for _, ev := range r.final {
			if ev.Kind != "done" || strings.HasPrefix(ev.Name, "undo:") || (ev.Name == "ship" && r.busy > 0) {
				continue // a busy carrier's refusals are attempts of their own; undos: see above
			}
			c := 0
			for _, cr := range r.crashes {
				if cr.step == ev.Name && cr.point != engine.FaultAfterCommit {
					c++
				}
			}
			if got := r.w.requests(stepKey(ev)); got != 1+c {
				t.Errorf("%s: crashes %v: %s requested %d times, want 1 + %d", r.name, r.crashes, stepKey(ev), got, c)
			}
		}
	}
}

// TestEachKeyExecutesOnce checks the receiver's side twice. Over the
// randomised checkouts, no key's effect is applied more than once, however
// often it was sent. Against a reference model, over random requests
// (random keys and amounts, failures after execution began, the clock
// moving, with and without a retention period), a key executes once: every
// later request with it gets the saved answer, result or error, or
// ErrKeyReused for other parameters, until the key is Retention old.
func TestEachKeyExecutesOnce(t *testing.T) {
	for _, r := range chaosRuns(t) {
		for key := range r.w.requestCounts() {
			if n := r.w.applied(key); n > 1 {
				t.Errorf("%s: %s applied %d times", r.name, key, n)
			}
		}
	}
	for seed := range proptest.Seeds(200) {
		receiverAgainstModel(t, seed)
	}
}

// saved is the reference model of one key's saved answer.
type saved struct {
	amount int64
	charge string
	failed bool
	at     time.Time
}

func receiverAgainstModel(t *testing.T, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 2))
	clock := durable.NewFakeClock(start, 0)
	pay := &durable.InMemoryPayments{}
	if rng.IntN(2) == 0 {
		pay.Retention, pay.Now = 24*time.Hour, clock.Now
	}
	model, charges := map[string]saved{}, map[string]bool{}
	for i := range 40 {
		key := fmt.Sprintf("k%d", rng.IntN(5))
		amount := int64(500 + 200*rng.IntN(2))
		fail := rng.IntN(4) == 0
		if fail {
			pay.Failing = 1
		}
		clock.Sleep(ctx, time.Duration(rng.IntN(10))*time.Hour)
		now := clock.Now()
		applied, replays := pay.Applied(key), pay.Replays(key)
		charge, err := pay.Charge(ctx, key, "4242", amount)
		at := fmt.Sprintf("seed %d, request %d (%s, %d)", seed, i, key, amount)

		s, ok := model[key]
		if ok && pay.Retention > 0 && now.Sub(s.at) >= pay.Retention {
			ok = false // forgotten: the key is new again
		}
		switch {
		case ok && s.amount != amount:
			if !errors.Is(err, durable.ErrKeyReused) || pay.Applied(key) != applied {
				t.Fatalf("%s: %q, %v; want ErrKeyReused and no effect", at, charge, err)
			}
		case ok:
			if charge != s.charge || errors.Is(err, durable.ErrProcessing) != s.failed ||
				pay.Replays(key) != replays+1 || pay.Applied(key) != applied {
				t.Fatalf("%s: %q, %v; want the saved answer %+v replayed", at, charge, err, s)
			}
		default: // executes: a new charge, or the injected failure
			newCharge := err == nil && charge != "" && !charges[charge]
			if fail && (!errors.Is(err, durable.ErrProcessing) || pay.Applied(key) != applied) ||
				!fail && (!newCharge || pay.Applied(key) != applied+1) {
				t.Fatalf("%s: %q, %v; want an execution (failing: %v)", at, charge, err, fail)
			}
			charges[charge] = true
			model[key] = saved{amount: amount, charge: charge, failed: fail, at: now}
		}
		pay.Failing = 0
	}
	if pay.Retention == 0 {
		for key := range model {
			if n := pay.Applied(key); n > 1 {
				t.Errorf("seed %d: %s applied %d times without a retention period", seed, key, n)
			}
		}
	}
}

// TestCompensationsRunInReverse: a saga of j random reservations whose
// next step fails for good undoes them last first, each undo applied
// once, also when a random crash interrupts it and recovery resumes.
func TestCompensationsRunInReverse(t *testing.T) {
	dir := t.TempDir()
	for seed := range proptest.Seeds(40) {
		rng := rand.New(rand.NewPCG(seed, 3))
		j, k := 1+rng.IntN(6), rng.IntN(40) // k ≥ the fault points: no crash
		inv := &durable.InMemoryInventory{Stock: map[string]int{}}
		var want []string
		for i := range j {
			inv.Stock[fmt.Sprint("sku", i)] = 1
			want = append(want, fmt.Sprintf("reserve res-%d", i+1))
		}
		for i := j; i > 0; i-- {
			want = append(want, fmt.Sprintf("release res-%d", i))
		}
		saga := func(c *engine.Context, _ []byte) ([]byte, error) {
			s := engine.NewSaga(c, engine.RetryPolicy{})
			for i := range j + 1 { // step j finds no stock
				_, err := engine.SagaStep(s, fmt.Sprint("reserve-", i), engine.StepOptions{},
					func(ctx context.Context, key string) (string, error) {
						r, err := inv.Reserve(ctx, key, fmt.Sprint("sku", i), 1)
						if err != nil {
							err = engine.Permanent(err)
						}
						return r, err
					},
					func(ctx context.Context, key, r string) error { return inv.Release(ctx, key, r) })
				var failed *engine.StepError
				if errors.As(err, &failed) { // recorded: undo; a crash: resume later
					return nil, s.Compensate(err)
				} else if err != nil {
					return nil, err
				}
			}
			return nil, nil
		}
		path := filepath.Join(dir, fmt.Sprintf("saga-%d.db", seed))
		opts, seen := durable.NewFakeClock(start, 0).Options(), 0
		opts.Fault = func(engine.FaultPoint, string, string) error {
			if seen++; seen > k {
				return errPowerCut
			}
			return nil
		}
		e := open(t, path, opts)
		e.Register("saga", saga)
		_, err := e.Run(ctx, "saga", "s", nil)
		if errors.Is(err, engine.ErrCrashed) {
			e.Close()
			opts.Fault = nil
			e = open(t, path, opts)
			e.Register("saga", saga)
			// A crash after the last commit (the last undo's record and
			// the end, together) finds the run ended: nothing to recover.
			if n, err := e.Recover(ctx); err == nil && n != 0 {
				t.Fatalf("seed %d: recovered without the step's failure", seed)
			}
		}
		if diff := cmp.Diff(want, inv.Effects()); diff != "" {
			t.Errorf("seed %d (%d steps, crash at fault point %d): effects (-want +got):\n%s", seed, j, k, diff)
		}
		for i := range j {
			if n := inv.Stock[fmt.Sprint("sku", i)]; n != 1 {
				t.Errorf("seed %d: sku%d stock %d after compensation, want 1", seed, i, n)
			}
		}
	}
}

// TestDurableTimerWaitsOnlyWhatRemains: the carrier is busy once, and the
// ship step's retry records its wake-up time w = t + d. The process dies
// right after that record; it restarts e later, at t' = t + e, and waits
// only max(0, w − t') before the next attempt.
func TestDurableTimerWaitsOnlyWhatRemains(t *testing.T) {
	dir := t.TempDir()
	for seed := range proptest.Seeds(20) {
		rng := rand.New(rand.NewPCG(seed, 4))
		d := time.Duration(1+rng.IntN(10)) * time.Second
		down := time.Duration(rng.IntN(int(2*d/time.Millisecond))) * time.Millisecond
		w := newWorld()
		w.ship.Busy = 1
		w.co.Retry = engine.RetryPolicy{MaxAttempts: 2, Initial: d, NoJitter: true}
		clock := durable.NewFakeClock(start, 0)
		opts := clock.Options()
		opts.Fault = func(p engine.FaultPoint, _, step string) error {
			if step == "ship" && p == engine.FaultAfterCommit {
				return errPowerCut // the retry is recorded, the wait not begun
			}
			return nil
		}
		path := filepath.Join(dir, fmt.Sprintf("timer-%d.db", seed))
		e := open(t, path, opts)
		w.co.Register(e)
		if _, err := durable.Place(ctx, e, order); !errors.Is(err, engine.ErrCrashed) {
			t.Fatalf("seed %d: %v, want the crash", seed, err)
		}
		e.Close()
		clock.Sleep(ctx, down) // the process is down for a while
		e = open(t, path, clock.Options())
		w.co.Register(e)
		if _, err := e.Recover(ctx); err != nil {
			t.Fatal(err)
		}
		want := []time.Duration{down}
		if rest := d - down; rest > 0 {
			want = append(want, rest)
		}
		if diff := cmp.Diff(want, clock.Slept()); diff != "" {
			t.Errorf("seed %d: d %v, down %v: sleeps (-want +got):\n%s", seed, d, down, diff)
		}
	}
}

// TestReplayNamesTheFirstDivergence: a recorded history of random steps
// replays against the code that wrote it, and against code that asks for
// another name at a random position it stops with a NonDeterminismError
// naming that position and both names.
func TestReplayNamesTheFirstDivergence(t *testing.T) {
	names := []string{"reserve", "charge", "ship", "notify", "invoice", "audit"}
	for seed := range proptest.Seeds(50) {
		rng := rand.New(rand.NewPCG(seed, 5))
		steps := make([]string, 1+rng.IntN(8))
		for i := range steps {
			steps[i] = names[rng.IntN(len(names))]
		}
		wf := func(steps []string) engine.Workflow {
			return func(c *engine.Context, _ []byte) ([]byte, error) {
				for _, s := range steps {
					if _, err := engine.Step(c, s, func(context.Context, string) (int, error) { return 1, nil }); err != nil {
						return nil, err
					}
				}
				return nil, nil
			}
		}
		e := open(t, ":memory:", engine.Options{})
		e.Register("random", wf(steps))
		if _, err := e.Run(ctx, "random", "r", nil); err != nil {
			t.Fatal(err)
		}
		h, err := e.History(ctx, "r")
		if err != nil {
			t.Fatal(err)
		}
		if err := engine.Replay(wf(steps), h); err != nil {
			t.Errorf("seed %d: replay of the same code: %v", seed, err)
		}
		changed, at := slices.Clone(steps), rng.IntN(len(steps))
		changed[at] += "-v2"
		var nd *engine.NonDeterminismError
		err = engine.Replay(wf(changed), h)
		if !errors.As(err, &nd) || nd.Seq != at || nd.Expected != steps[at] || nd.Got != changed[at] {
			t.Errorf("seed %d: %v renamed at %d: %v, want a NonDeterminismError there", seed, steps, at, err)
		}
	}
}
