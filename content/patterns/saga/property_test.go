package saga_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/lamport-kb/lamport/content/patterns/saga"
	"github.com/lamport-kb/lamport/engine"
)

// behaviour is what one step of a random saga does.
type behaviour struct {
	kind          saga.Kind
	readOnly      bool // a compensatable step with no effect and no compensation
	transient     int  // attempts that fail with a transient error first
	permanent     bool // then it fails for good
	ambiguous     bool // its last attempt applies the effect, then errors (a timeout)
	undoTransient int
	undoPermanent bool
}

// fails reports whether the step fails for good under the tests' policy.
func (b behaviour) fails() bool { return b.permanent || b.transient >= retry.MaxAttempts }

func (b behaviour) undoFails() bool { return b.undoPermanent || b.undoTransient >= retry.MaxAttempts }

// randomSaga draws 1 to 6 steps, a pivot at a random place (or none) and
// random failures.
func randomSaga(r *rand.Rand) []behaviour {
	n := 1 + r.IntN(6)
	pivot := r.IntN(n + 1) // n: no pivot
	bs := make([]behaviour, n)
	for i := range bs {
		b := &bs[i]
		switch {
		case i < pivot:
			b.kind = saga.Compensatable
			b.readOnly = r.IntN(5) == 0
		case i == pivot:
			b.kind = saga.Pivot
		default:
			b.kind = saga.Retriable
		}
		b.transient = r.IntN(retry.MaxAttempts + 1)
		b.permanent = r.IntN(6) == 0
		b.ambiguous = b.kind == saga.Compensatable && !b.readOnly && r.IntN(2) == 0
		b.undoTransient = r.IntN(retry.MaxAttempts + 1)
		b.undoPermanent = r.IntN(12) == 0
	}
	return bs
}

// world is the participants of a random saga: one Barrier, one level per
// step, and the trace of effects applied and reverted.
type world struct {
	b              saga.Barrier
	mu             sync.Mutex
	level          []int
	trace          []string
	tries, undoTry []int
}

func (w *world) effect(s string, i, d int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.level[i] += d
	w.trace = append(w.trace, fmt.Sprintf("%s %d", s, i))
}

func (w *world) attempt(counter []int, i int) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	counter[i]++
	return counter[i]
}

// build turns behaviours into a saga over the world.
func build(name string, bs []behaviour, w *world) *saga.Saga[int] {
	s := &saga.Saga[int]{Name: name, Retry: retry, Forward: retry, Undo: retry}
	w.level, w.tries, w.undoTry = make([]int, len(bs)), make([]int, len(bs)), make([]int, len(bs))
	for i, b := range bs {
		st := saga.Step[int]{Name: fmt.Sprintf("s%d", i), Kind: b.kind}
		st.Action = func(_ context.Context, key string, _ int) error {
			n := w.attempt(w.tries, i)
			switch {
			case b.readOnly && n > b.transient && !b.permanent:
				return nil
			case n <= b.transient:
				return errors.New("busy")
			case b.permanent && b.ambiguous:
				w.b.Act("do", key, func() (string, error) { w.effect("do", i, 1); return "applied", nil })
				return engine.Permanent(errors.New("timeout"))
			case b.permanent:
				return engine.Permanent(errors.New("rejected"))
			}
			return w.b.Act("do", key, func() (string, error) { w.effect("do", i, 1); return "applied", nil })
		}
		if b.kind == saga.Compensatable && !b.readOnly {
			st.Compensation = func(_ context.Context, key string, _ int) error {
				n := w.attempt(w.undoTry, i)
				if n <= b.undoTransient || b.undoPermanent {
					return errors.New("undo failed")
				}
				w.b.Compensate("undo", key, func() string { w.effect("undo", i, -1); return "reverted" })
				return nil
			}
		}
		s.Steps = append(s.Steps, st)
	}
	return s
}

// model is the specification: the outcome status and the exact trace of
// effects a correct saga produces for bs.
func model(bs []behaviour) (saga.Status, []string) {
	var trace []string
	failed := -1
	for i, b := range bs {
		if b.fails() {
			failed = i
			break
		}
		if !b.readOnly {
			trace = append(trace, fmt.Sprintf("do %d", i))
		}
	}
	switch {
	case failed < 0:
		return saga.Completed, trace
	case bs[failed].kind == saga.Retriable:
		return saga.Stuck, trace
	}
	applied := failed // steps before failed applied; failed did if ambiguous
	if f := bs[failed]; f.permanent && f.ambiguous && f.transient < retry.MaxAttempts {
		trace = append(trace, fmt.Sprintf("do %d", failed))
		applied = failed + 1
	}
	for i := failed; i >= 0; i-- {
		b := bs[i]
		if b.kind != saga.Compensatable || b.readOnly {
			continue
		}
		if b.undoFails() {
			return saga.Stuck, trace
		}
		if i < applied {
			trace = append(trace, fmt.Sprintf("undo %d", i))
		}
	}
	return saga.Compensated, trace
}

// runRandom runs seeded random sagas and calls check with each result.
func runRandom(t *testing.T, seed uint64, check func(t *testing.T, bs []behaviour, w *world, got saga.Outcome)) {
	r := rand.New(rand.NewPCG(seed, 1))
	e := mustOpen(t, ":memory:", newClock().options())
	for i := range 300 {
		bs := randomSaga(r)
		w := &world{}
		s := build(fmt.Sprintf("random-%d", i), bs, w)
		if err := s.Register(e); err != nil {
			t.Fatal(err)
		}
		got, err := s.Run(context.Background(), e, fmt.Sprintf("run-%d", i), 0)
		if err != nil && !errors.Is(err, saga.ErrStuck) {
			t.Fatalf("case %d: %v", i, err)
		}
		check(t, bs, w, got)
	}
}

// TestOutcomeProperty: over random sagas and failures, the effects are
// exactly those of the model: T1..Tn, or T1..Tj then the compensations of
// Tj..T1 in reverse, never a compensation once the pivot has committed, and
// Stuck exactly when a retriable step or a compensation fails for good.
func TestOutcomeProperty(t *testing.T) {
	runRandom(t, 1, func(t *testing.T, bs []behaviour, w *world, got saga.Outcome) {
		status, trace := model(bs)
		if got.Status != status {
			t.Errorf("%+v: status %s, want %s", bs, got.Status, status)
		}
		if diff := cmp.Diff(trace, w.trace); diff != "" {
			t.Errorf("%+v: effects (-want +got):\n%s", bs, diff)
		}
	})
}

// TestCompensationRestoresState: a compensated saga leaves every
// participant as it was, including after a step whose effect was applied
// before its error, and after compensations of actions that never ran.
func TestCompensationRestoresState(t *testing.T) {
	compensated := 0
	runRandom(t, 2, func(t *testing.T, bs []behaviour, w *world, got saga.Outcome) {
		if got.Status != saga.Compensated {
			return
		}
		compensated++
		for i, l := range w.level {
			if l != 0 {
				t.Errorf("%+v: step %d left level %d after compensation", bs, i, l)
			}
		}
	})
	if compensated < 30 {
		t.Errorf("only %d compensated sagas: the generator does not exercise compensation", compensated)
	}
}

// TestBarrierProperty: whatever the sequence of repeated, late and
// reordered actions and compensations on a key, the action's effect is
// applied at most once, reverted at most once, and once a compensation
// has been seen the net effect stays 0.
func TestBarrierProperty(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	for range 2000 {
		var b saga.Barrier
		net, compensated := 0, false
		for range 1 + r.IntN(8) {
			if r.IntN(2) == 0 {
				err := b.Act("do", "k", func() (string, error) { net++; return "", nil })
				if compensated != errors.Is(err, saga.ErrCompensated) {
					t.Fatalf("act after compensation = %v", err)
				}
			} else {
				b.Compensate("undo", "k", func() string { net--; return "" })
				compensated = true
			}
			if net < 0 || net > 1 || compensated && net != 0 {
				t.Fatalf("net effect %d (compensated %v), stats %+v", net, compensated, b.Stats())
			}
		}
	}
}

// TestBarrierStats checks the counts on one sequence.
func TestBarrierStats(t *testing.T) {
	var lines []string
	b := saga.Barrier{Name: "p", Trace: func(l string) { lines = append(lines, l) }}
	apply := func() (string, error) { return "ok", nil }
	b.Act("do", "a", func() (string, error) { return "", errors.New("busy") })
	b.Act("do", "a", apply)
	b.Act("do", "a", apply)
	b.Compensate("undo", "a", func() string { return "undone" })
	b.Compensate("undo", "a", func() string { return "undone" })
	b.Compensate("undo", "b", func() string { return "undone" })
	b.Act("do", "b", apply)
	want := saga.BarrierStats{Applied: 1, Repeated: 2, Undone: 1, Null: 1, Refused: 1}
	if diff := cmp.Diff(want, b.Stats()); diff != "" {
		t.Error(diff)
	}
	if len(lines) != 7 {
		t.Errorf("%d trace lines, want 7", len(lines))
	}
}
