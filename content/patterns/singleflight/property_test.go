package singleflight

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/lamport-kb/lamport/internal/proptest"
)

// The property tests run random schedules in a synctest bubble: callers
// arrive at random times for a few keys, some with a deadline, executions
// take random times (some ignore their context, some fail), and Forget is
// called at random moments. Time is fake, so every schedule is replayed
// exactly from its seed. Each test checks one guarantee of the chapter over
// every schedule.

const seeds = 60

// schedule is the log of one random run.
type schedule struct {
	callers []*callerLog
	execs   map[int]*execLog // by execution id, from 1
	forgets []forgetLog
}

type callerLog struct {
	key               string
	patience          time.Duration // 0: no deadline
	arrive, ret       time.Time
	arriveSeq, retSeq int64
	id                int // the execution whose result came back; 0 if none
	shared            bool
	err               error
	gaveUp            bool // returned its own ctx error
}

type execLog struct {
	key              string
	start, end       time.Time
	startSeq, endSeq int64
	err              error
	cancelled        bool // its context was cancelled before it ended
}

type forgetLog struct {
	key string
	seq int64 // taken after Forget returned
}

// runSchedule plays the schedule drawn from seed and returns its log.
func runSchedule(t *testing.T, seed uint64) *schedule {
	t.Helper()
	var log *schedule
	synctest.Test(t, func(t *testing.T) {
		log = play(seed)
	})
	return log
}

func play(seed uint64) *schedule {
	rng := rand.New(rand.NewPCG(seed, 0xf11647))
	keys := []string{"a", "b", "c"}
	const callers, maxExecs = 40, 64
	durations := make([]time.Duration, maxExecs+1)
	for i := range durations {
		durations[i] = time.Duration(1+rng.IntN(50)) * time.Millisecond
	}

	var (
		g   Group[string, int]
		seq atomic.Int64
		mu  sync.Mutex
		s   = &schedule{execs: make(map[int]*execLog)}
		ids atomic.Int64
	)
	fnFor := func(key string) func(context.Context) (int, error) {
		return func(ctx context.Context) (int, error) {
			id := int(ids.Add(1))
			e := &execLog{key: key, start: time.Now(), startSeq: seq.Add(1)}
			if id%5 == 0 {
				e.err = fmt.Errorf("execution %d failed", id)
			}
			mu.Lock()
			s.execs[id] = e
			mu.Unlock()
			timer := time.NewTimer(durations[min(id, maxExecs)])
			defer timer.Stop()
			if id%3 == 0 { // ignores its context
				<-timer.C
			} else {
				select {
				case <-timer.C:
				case <-ctx.Done():
				}
			}
			mu.Lock()
			e.cancelled = ctx.Err() != nil
			e.end, e.endSeq = time.Now(), seq.Add(1)
			mu.Unlock()
			return id, e.err
		}
	}

	var wg sync.WaitGroup
	for range callers {
		c := &callerLog{key: keys[rng.IntN(len(keys))]}
		if rng.IntN(3) > 0 {
			c.patience = time.Duration(1+rng.IntN(40)) * time.Millisecond
		}
		arrival := time.Duration(rng.IntN(120)) * time.Millisecond
		s.callers = append(s.callers, c)
		wg.Go(func() {
			time.Sleep(arrival)
			ctx, cancel := context.Background(), context.CancelFunc(func() {})
			if c.patience > 0 {
				ctx, cancel = context.WithTimeout(ctx, c.patience)
			}
			defer cancel()
			c.arrive, c.arriveSeq = time.Now(), seq.Add(1)
			id, shared, err := g.Do(ctx, c.key, fnFor(c.key))
			c.ret, c.retSeq = time.Now(), seq.Add(1)
			c.id, c.shared, c.err = id, shared, err
			c.gaveUp = errors.Is(err, context.DeadlineExceeded) && id == 0
		})
	}
	for range 6 {
		key, at := keys[rng.IntN(len(keys))], time.Duration(rng.IntN(120))*time.Millisecond
		wg.Go(func() {
			time.Sleep(at)
			g.Forget(key)
			f := forgetLog{key: key, seq: seq.Add(1)}
			mu.Lock()
			s.forgets = append(s.forgets, f)
			mu.Unlock()
		})
	}
	wg.Wait()
	time.Sleep(time.Second) // let abandoned executions that ignore ctx end
	synctest.Wait()
	return s
}

// forEachSchedule runs check on the log of every seed.
func forEachSchedule(t *testing.T, check func(t *testing.T, s *schedule)) {
	for seed := range proptest.Seeds(seeds) {
		s := runSchedule(t, seed)
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) { check(t, s) })
	}
}

func TestAtMostOneFlight(t *testing.T) {
	forEachSchedule(t, func(t *testing.T, s *schedule) {
		byKey := make(map[string][]*execLog)
		for _, e := range s.execs {
			byKey[e.key] = append(byKey[e.key], e)
		}
		for key, list := range byKey {
			slices.SortFunc(list, func(a, b *execLog) int { return int(a.startSeq - b.startSeq) })
			for i := 1; i < len(list); i++ {
				if list[i].startSeq < list[i-1].endSeq {
					t.Errorf("key %s: an execution started (seq %d) before the previous one ended (seq %d)",
						key, list[i].startSeq, list[i-1].endSeq)
				}
			}
		}
	})
}

func TestWaitersShareResult(t *testing.T) {
	forEachSchedule(t, func(t *testing.T, s *schedule) {
		for i, c := range s.callers {
			if c.gaveUp {
				if c.patience == 0 {
					t.Errorf("caller %d has no deadline but gave up: %v", i, c.err)
				}
				continue
			}
			e, ok := s.execs[c.id]
			if !ok {
				t.Fatalf("caller %d got id %d (err %v), which no execution returned", i, c.id, c.err)
			}
			if e.key != c.key {
				t.Errorf("caller %d asked for %s and got an execution for %s", i, c.key, e.key)
			}
			if e.err != c.err {
				t.Errorf("caller %d got error %v, its execution returned %v", i, c.err, e.err)
			}
			// In time, as the chapter states it: e began before c returned,
			// had not ended when c arrived, and ended as c returned. Not
			// e.endSeq < c.arriveSeq: fn logs its end just before it
			// returns, and a caller that arrives in the same instant, after
			// the log but before the group closes the flight, rightly
			// joins it.
			if e.startSeq > c.retSeq || e.end.Before(c.arrive) || !e.end.Equal(c.ret) {
				t.Errorf("caller %d [seq %d, %d] got execution %d [seq %d, %d], which was not in flight for it",
					i, c.arriveSeq, c.retSeq, c.id, e.startSeq, e.endSeq)
			}
			if e.cancelled {
				t.Errorf("caller %d got the result of execution %d, whose context was cancelled", i, c.id)
			}
		}
	})
}

func TestSharedFlag(t *testing.T) {
	forEachSchedule(t, func(t *testing.T, s *schedule) {
		receivers := make(map[int]int)
		for _, c := range s.callers {
			if !c.gaveUp {
				receivers[c.id]++
			}
		}
		for i, c := range s.callers {
			if !c.gaveUp && c.shared != (receivers[c.id] > 1) {
				t.Errorf("caller %d: shared = %v, but %d callers received execution %d",
					i, c.shared, receivers[c.id], c.id)
			}
		}
	})
}

func TestBoundedWait(t *testing.T) {
	forEachSchedule(t, func(t *testing.T, s *schedule) {
		for i, c := range s.callers {
			if c.patience == 0 {
				continue
			}
			deadline := c.arrive.Add(c.patience)
			if c.ret.After(deadline) {
				t.Errorf("caller %d returned %v after its deadline", i, c.ret.Sub(deadline))
			}
			if c.gaveUp && !c.ret.Equal(deadline) {
				t.Errorf("caller %d gave up %v before its deadline", i, deadline.Sub(c.ret))
			}
		}
	})
}

func TestFreshAfterForget(t *testing.T) {
	forEachSchedule(t, func(t *testing.T, s *schedule) {
		for _, f := range s.forgets {
			for i, c := range s.callers {
				if c.key != f.key || c.arriveSeq < f.seq || c.gaveUp {
					continue
				}
				if e := s.execs[c.id]; e.startSeq < f.seq {
					t.Errorf("caller %d arrived after Forget(%s) and got execution %d, which started before it",
						i, f.key, c.id)
				}
			}
		}
	})
}

// TestAbandonCancels checks the abandonment rule over random deadlines:
// the flight's context is cancelled exactly when the last waiting caller
// gives up, and never while one still waits.
func TestAbandonCancels(t *testing.T) {
	for seed := range proptest.Seeds(seeds) {
		rng := rand.New(rand.NewPCG(seed, 7))
		work := time.Duration(10+rng.IntN(50)) * time.Millisecond
		patience := make([]time.Duration, 1+rng.IntN(6))
		for i := range patience {
			patience[i] = time.Duration(1+rng.IntN(80)) * time.Millisecond
		}
		last := slices.Max(patience)
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var g Group[string, int]
				start := time.Now()
				var cancelledAfter atomic.Int64 // a time.Duration; -1: never
				cancelledAfter.Store(-1)
				fn := func(ctx context.Context) (int, error) {
					select {
					case <-time.After(work):
						return 1, nil
					case <-ctx.Done():
						cancelledAfter.Store(int64(time.Since(start)))
						return 0, ctx.Err()
					}
				}
				var wg sync.WaitGroup
				for _, p := range patience {
					wg.Go(func() {
						ctx, cancel := context.WithTimeout(context.Background(), p)
						defer cancel()
						g.Do(ctx, "k", fn)
					})
				}
				wg.Wait()
				time.Sleep(time.Second)
				want := time.Duration(-1) // the work finished first: no cancellation
				if last < work {
					want = last
				}
				if got := time.Duration(cancelledAfter.Load()); got != want {
					t.Errorf("work %v, deadlines %v: flight cancelled after %v, want %v (-1ns: never)",
						work, patience, got, want)
				}
			})
		})
	}
}
