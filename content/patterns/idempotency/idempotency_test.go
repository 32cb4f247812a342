package idempotency

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/lamport-kb/lamport/internal/proptest"
)

// Tests that need exact control of time inside an operation inject
// Options.Now (the operation moves the fake clock itself); tests of the
// default clock and of concurrency run in a synctest bubble.

var (
	errDeclined = errors.New("card declined") // a definitive answer: recorded and replayed
	errTimeout  = errors.New("upstream timeout")
)

func isDeclined(err error) bool { return errors.Is(err, errDeclined) }

var epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// clock is a fake clock that tests and operations move by hand.
type clock struct{ now time.Time }

func (c *clock) Now() time.Time          { return c.now }
func (c *clock) advance(d time.Duration) { c.now = c.now.Add(d) }

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestDo(t *testing.T) {
	type step struct {
		wait        time.Duration
		key, fp     string
		value       int
		err         error
		wantValue   int
		wantOutcome Outcome
		wantErr     error
	}
	type got struct {
		Value   int
		Outcome string
		Err     string
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"first executes, duplicate replays", []step{
			{key: "a", value: 1, wantValue: 1, wantOutcome: Executed},
			{key: "a", value: 2, wantValue: 1, wantOutcome: Replayed},
		}},
		{"distinct keys both execute", []step{
			{key: "a", value: 1, wantValue: 1, wantOutcome: Executed},
			{key: "b", value: 2, wantValue: 2, wantOutcome: Executed},
		}},
		{"no key is refused", []step{
			{key: "", value: 1, wantOutcome: Rejected, wantErr: ErrNoKey},
		}},
		{"same key, other fingerprint", []step{
			{key: "a", fp: "amount=10", value: 1, wantValue: 1, wantOutcome: Executed},
			{key: "a", fp: "amount=99", value: 2, wantOutcome: Rejected, wantErr: ErrMismatch},
			{key: "a", fp: "amount=10", value: 3, wantValue: 1, wantOutcome: Replayed},
		}},
		{"a definitive error is replayed", []step{
			{key: "a", err: errDeclined, wantOutcome: Executed, wantErr: errDeclined},
			{key: "a", value: 5, wantOutcome: Replayed, wantErr: errDeclined},
		}},
		{"a transient error releases the key", []step{
			{key: "a", err: errTimeout, wantOutcome: Executed, wantErr: errTimeout},
			{key: "a", value: 5, wantValue: 5, wantOutcome: Executed},
		}},
		{"replayed until the retention ends", []step{
			{key: "a", value: 1, wantValue: 1, wantOutcome: Executed},
			{wait: 10*time.Second - time.Nanosecond, key: "a", value: 2, wantValue: 1, wantOutcome: Replayed},
			{wait: time.Nanosecond, key: "a", value: 3, wantValue: 3, wantOutcome: Executed},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &clock{now: epoch}
			r := New[int](Options{Retention: 10 * time.Second, Replay: isDeclined, Now: c.Now})
			var gots, wants []got
			for _, s := range tt.steps {
				c.advance(s.wait)
				v, o, err := r.Do(context.Background(), s.key, s.fp, func(context.Context) (int, error) { return s.value, s.err })
				gots = append(gots, got{v, o.String(), errText(err)})
				wants = append(wants, got{s.wantValue, s.wantOutcome.String(), errText(s.wantErr)})
			}
			if diff := cmp.Diff(wants, gots); diff != "" {
				t.Errorf("steps (-want +got):\n%s", diff)
			}
		})
	}
}

// call is one request in a random schedule and what became of it.
type call struct {
	key        string
	start, end time.Time
	outcome    Outcome
	value      int // the op returns the index of the call that ran it
	err        error
	recorded   bool // the attempt's outcome was recorded (success or a replayed error)
}

// schedule runs n random requests over a few keys on one goroutine: random
// gaps, operations that take time and fail now and then. It returns every
// call, in order.
func schedule(seed uint64, n int, retention time.Duration) ([]call, *Receiver[int], *clock) {
	rng := rand.New(rand.NewPCG(seed, 1))
	c := &clock{now: epoch}
	r := New[int](Options{Retention: retention, Lease: time.Minute, Replay: isDeclined, Now: c.Now})
	calls := make([]call, 0, n)
	for i := range n {
		c.advance(time.Duration(rng.IntN(4000)) * time.Millisecond)
		cl := call{key: fmt.Sprintf("k%d", rng.IntN(6)), start: c.now}
		var opErr error
		switch rng.IntN(10) {
		case 0:
			opErr = errTimeout
		case 1:
			opErr = errDeclined
		}
		cl.value, cl.outcome, cl.err = r.Do(context.Background(), cl.key, "", func(context.Context) (int, error) {
			c.advance(time.Duration(rng.IntN(500)) * time.Millisecond)
			return i, opErr
		})
		cl.end = c.now
		cl.recorded = cl.outcome == Executed && !errors.Is(cl.err, errTimeout)
		calls = append(calls, cl)
	}
	return calls, r, c
}

func TestAtMostOncePerWindow(t *testing.T) {
	const w = 10 * time.Second
	for seed := range proptest.Seeds(200) {
		calls, _, _ := schedule(seed, 300, w)
		last := map[string]call{} // the last recorded execution per key
		for i, cl := range calls {
			if cl.outcome != Executed {
				continue
			}
			if prev, ok := last[cl.key]; ok && cl.start.Before(prev.end.Add(w)) {
				t.Fatalf("seed %d, call %d: key %s executed at %v, %v after the execution recorded at %v",
					seed, i, cl.key, cl.start.Sub(epoch), cl.start.Sub(prev.end), prev.end.Sub(epoch))
			}
			if cl.recorded {
				last[cl.key] = cl
			}
		}
	}
}

func TestReplayReturnsRecordedResult(t *testing.T) {
	const w = 10 * time.Second
	for seed := range proptest.Seeds(200) {
		calls, _, _ := schedule(seed, 300, w)
		last := map[string]call{}
		for i, cl := range calls {
			prev, ok := last[cl.key]
			live := ok && cl.start.Before(prev.end.Add(w))
			switch {
			case live && (cl.outcome != Replayed || cl.value != prev.value || !errors.Is(cl.err, prev.err) && cl.err != prev.err):
				t.Fatalf("seed %d, call %d: key %s inside the window got (%v, %d, %v), want the record (replayed, %d, %v)",
					seed, i, cl.key, cl.outcome, cl.value, cl.err, prev.value, prev.err)
			case !live && cl.outcome != Executed:
				t.Fatalf("seed %d, call %d: key %s outside the window got %v, want executed", seed, i, cl.key, cl.outcome)
			}
			if cl.recorded {
				last[cl.key] = cl
			}
		}
	}
}

func TestMemoryBound(t *testing.T) {
	const w = 10 * time.Second
	for seed := range proptest.Seeds(100) {
		calls, r, c := schedule(seed, 200, w)
		live := map[string]bool{}
		for _, cl := range calls {
			if cl.recorded {
				live[cl.key] = c.now.Before(cl.end.Add(w))
			} else if cl.outcome == Executed {
				live[cl.key] = false // released
			}
		}
		want := 0
		for _, ok := range live {
			if ok {
				want++
			}
		}
		if got := r.Stats().Keys; got != want {
			t.Fatalf("seed %d: %d records held, want %d (keys recorded in the last %v)", seed, got, want, w)
		}
	}
}

func TestMemoryBoundManyKeys(t *testing.T) {
	c := &clock{now: epoch}
	r := New[int](Options{Retention: time.Second, Now: c.Now})
	for i := range 10_000 { // a new key every millisecond: at most 1,000 alive
		c.advance(time.Millisecond)
		r.Do(context.Background(), fmt.Sprint(i), "", func(context.Context) (int, error) { return i, nil })
		if k := r.Stats().Keys; k > 1000 {
			t.Fatalf("after %d keys: %d records held, want at most 1000", i+1, k)
		}
	}
}

func TestConcurrentDuplicatesExecuteOnce(t *testing.T) {
	for seed := range proptest.Seeds(30) {
		synctest.Test(t, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 2))
			wait := seed%2 == 0
			r := New[int](Options{Lease: time.Hour, Retention: time.Hour, Wait: wait})
			var mu sync.Mutex
			active := map[string]int{}
			runs := map[string]int{}
			var wg sync.WaitGroup
			for g := range 40 {
				key := fmt.Sprintf("k%d", rng.IntN(4))
				delay := time.Duration(rng.IntN(100)) * time.Millisecond
				work := time.Duration(1+rng.IntN(200)) * time.Millisecond
				wg.Go(func() {
					time.Sleep(delay)
					r.Do(context.Background(), key, "", func(context.Context) (int, error) {
						mu.Lock()
						active[key]++
						runs[key]++
						if active[key] > 1 {
							t.Errorf("goroutine %d: %d attempts of %s run at once", g, active[key], key)
						}
						mu.Unlock()
						time.Sleep(work)
						mu.Lock()
						active[key]--
						mu.Unlock()
						return g, nil
					})
				})
			}
			wg.Wait()
			for key, n := range runs {
				if n != 1 {
					t.Errorf("seed %d (wait %v): %s ran %d times, want once", seed, wait, key, n)
				}
			}
		})
	}
}

func TestWaitingDuplicatesShareTheResult(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := New[int](Options{Wait: true})
		release := make(chan struct{})
		runs := 0
		op := func(context.Context) (int, error) { runs++; <-release; return 42, nil }
		type res struct {
			v int
			o Outcome
		}
		results := make(chan res, 5)
		for range 5 {
			go func() {
				v, o, _ := r.Do(context.Background(), "pay-1", "", op)
				results <- res{v, o}
			}()
		}
		synctest.Wait() // one runs op, four wait
		close(release)
		counts := map[Outcome]int{}
		for range 5 {
			got := <-results
			if got.v != 42 {
				t.Errorf("value %d, want 42", got.v)
			}
			counts[got.o]++
		}
		if runs != 1 || counts[Executed] != 1 || counts[Replayed] != 4 {
			t.Errorf("runs %d, outcomes %v; want 1 run, 1 executed, 4 replayed", runs, counts)
		}
		if s := r.Stats(); s.InProgress != 4 {
			t.Errorf("InProgress = %d, want 4", s.InProgress)
		}
	})
}

func TestInProgressWithoutWait(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := New[int](Options{})
		release := make(chan struct{})
		go r.Do(context.Background(), "k", "", func(context.Context) (int, error) { <-release; return 1, nil })
		synctest.Wait()
		_, o, err := r.Do(context.Background(), "k", "", func(context.Context) (int, error) { return 2, nil })
		if o != Rejected || !errors.Is(err, ErrInProgress) {
			t.Errorf("duplicate in flight: %v, %v; want rejected, ErrInProgress", o, err)
		}
		close(release)
	})
}

func TestWaitEndsWithContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := New[int](Options{Wait: true})
		release := make(chan struct{})
		go r.Do(context.Background(), "k", "", func(context.Context) (int, error) { <-release; return 1, nil })
		synctest.Wait()
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_, o, err := r.Do(ctx, "k", "", func(context.Context) (int, error) { return 2, nil })
		if o != Rejected || !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("waiting past the deadline: %v, %v; want rejected, deadline exceeded", o, err)
		}
		close(release)
	})
}

func TestFailedAttemptReleasesKey(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := New[int](Options{Wait: true, Replay: isDeclined})
		release := make(chan struct{})
		go r.Do(context.Background(), "k", "", func(context.Context) (int, error) { <-release; return 0, errTimeout })
		synctest.Wait()
		done := make(chan Outcome)
		go func() {
			_, o, _ := r.Do(context.Background(), "k", "", func(context.Context) (int, error) { return 7, nil })
			done <- o
		}()
		synctest.Wait() // the duplicate waits
		close(release)  // the first attempt times out and releases the key
		if o := <-done; o != Executed {
			t.Errorf("waiting duplicate after a released attempt: %v, want executed", o)
		}
		v, o, _ := r.Do(context.Background(), "k", "", func(context.Context) (int, error) { return 8, nil })
		if v != 7 || o != Replayed {
			t.Errorf("third request: %d, %v; want 7, replayed", v, o)
		}
		if s := r.Stats(); s.Released != 1 || s.Executed != 2 {
			t.Errorf("stats %+v, want 1 released, 2 executed", s)
		}
	})
}

func TestStaleAttemptIsFenced(t *testing.T) {
	c := &clock{now: epoch}
	r := New[int](Options{Lease: 5 * time.Second, Now: c.Now})
	var second Outcome
	v, o, err := r.Do(context.Background(), "k", "", func(context.Context) (int, error) {
		c.advance(6 * time.Second) // the first attempt outlives its lease
		_, second, _ = r.Do(context.Background(), "k", "", func(context.Context) (int, error) { return 2, nil })
		return 1, nil
	})
	if second != Executed {
		t.Fatalf("request after the lease ran out: %v, want executed", second)
	}
	if v != 1 || o != Executed || !errors.Is(err, ErrLeaseExpired) {
		t.Errorf("late first attempt: %d, %v, %v; want 1, executed, ErrLeaseExpired", v, o, err)
	}
	v, o, _ = r.Do(context.Background(), "k", "", func(context.Context) (int, error) { return 3, nil })
	if v != 2 || o != Replayed {
		t.Errorf("record after the takeover: %d, %v; want the second attempt's 2, replayed", v, o)
	}
	if s := r.Stats(); s.LeaseExpired != 1 {
		t.Errorf("LeaseExpired = %d, want 1", s.LeaseExpired)
	}
}

func TestLateErrorIsJoined(t *testing.T) {
	c := &clock{now: epoch}
	r := New[int](Options{Lease: time.Second, Now: c.Now})
	_, _, err := r.Do(context.Background(), "k", "", func(context.Context) (int, error) {
		c.advance(2 * time.Second)
		r.Stats() // purges the expired claim
		return 0, errTimeout
	})
	if !errors.Is(err, errTimeout) || !errors.Is(err, ErrLeaseExpired) {
		t.Errorf("err = %v, want both the timeout and ErrLeaseExpired", err)
	}
}

func TestPanicReleasesKey(t *testing.T) {
	r := New[int](Options{Replay: func(error) bool { return true }})
	func() {
		defer func() {
			if recover() == nil {
				t.Error("the panic did not propagate")
			}
		}()
		r.Do(context.Background(), "k", "", func(context.Context) (int, error) { panic("boom") })
	}()
	v, o, err := r.Do(context.Background(), "k", "", func(context.Context) (int, error) { return 9, nil })
	if v != 9 || o != Executed || err != nil {
		t.Errorf("after a panic: %d, %v, %v; want 9, executed, nil", v, o, err)
	}
}

func TestForget(t *testing.T) {
	r := New[int](Options{})
	r.Do(context.Background(), "k", "", func(context.Context) (int, error) { return 1, nil })
	if !r.Forget("k") || r.Forget("k") {
		t.Fatal("Forget: want true once, then false")
	}
	if v, o, _ := r.Do(context.Background(), "k", "", func(context.Context) (int, error) { return 2, nil }); v != 2 || o != Executed {
		t.Errorf("after Forget: %d, %v; want 2, executed", v, o)
	}
}

func TestDefaultClock(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := New[string](Options{}) // retention 24 h
		r.Do(context.Background(), "k", "", func(context.Context) (string, error) { return "first", nil })
		time.Sleep(DefaultRetention - time.Second)
		if v, o, _ := r.Do(context.Background(), "k", "", func(context.Context) (string, error) { return "second", nil }); v != "first" || o != Replayed {
			t.Errorf("one second before the retention ends: %q, %v; want first, replayed", v, o)
		}
		time.Sleep(time.Second)
		if v, o, _ := r.Do(context.Background(), "k", "", func(context.Context) (string, error) { return "third", nil }); v != "third" || o != Executed {
			t.Errorf("at the end of the retention: %q, %v; want third, executed", v, o)
		}
	})
}

func TestAbandonedClaimIsPurged(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := New[int](Options{Lease: time.Second})
		release := make(chan struct{})
		go r.Do(context.Background(), "k", "", func(context.Context) (int, error) { <-release; return 1, nil })
		synctest.Wait()
		if k := r.Stats().Keys; k != 1 {
			t.Fatalf("Keys = %d while in flight, want 1", k)
		}
		time.Sleep(time.Second)
		if k := r.Stats().Keys; k != 0 {
			t.Errorf("Keys = %d after the lease, want 0", k)
		}
		close(release)
	})
}

func TestOutcomeString(t *testing.T) {
	got := []string{Rejected.String(), Executed.String(), Replayed.String()}
	if diff := cmp.Diff([]string{"rejected", "executed", "replayed"}, got); diff != "" {
		t.Error(diff)
	}
}

func BenchmarkDoNewKey(b *testing.B) {
	r := New[int](Options{Retention: time.Millisecond})
	keys := make([]string, 1024)
	for i := range keys {
		keys[i] = fmt.Sprint(i)
	}
	op := func(context.Context) (int, error) { return 1, nil }
	i := 0
	for b.Loop() {
		r.Do(context.Background(), keys[i%len(keys)], "", op)
		i++
	}
}

func BenchmarkDoReplay(b *testing.B) {
	r := New[int](Options{})
	op := func(context.Context) (int, error) { return 1, nil }
	r.Do(context.Background(), "k", "", op)
	for b.Loop() {
		r.Do(context.Background(), "k", "", op)
	}
}

func BenchmarkDoParallel(b *testing.B) {
	r := New[int](Options{})
	op := func(context.Context) (int, error) { return 1, nil }
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			r.Do(context.Background(), fmt.Sprint(i%4096), "", op)
			i++
		}
	})
}
