package backpressure

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/lamport-kb/lamport/internal/proptest"
)

var policies = []Policy{Block, Reject, DropNewest, DropOldest}

// model is the obvious, unbounded-slice reading of the policies, used to
// check Buffer operation by operation.
type model struct {
	cap    int
	policy Policy
	items  []int
}

func (m *model) tryPut(v int) error {
	if len(m.items) == m.cap {
		switch m.policy {
		case DropNewest:
			return ErrDropped
		case DropOldest:
			m.items = m.items[1:]
		default:
			return ErrFull
		}
	}
	m.items = append(m.items, v)
	return nil
}

func (m *model) tryGet() (int, bool) {
	if len(m.items) == 0 {
		return 0, false
	}
	v := m.items[0]
	m.items = m.items[1:]
	return v, true
}

// TestBoundNeverExceeded: for every policy and capacity, after every
// operation of a random sequence, the buffer holds at most its capacity, and
// the most it ever held (Stats.MaxLen) is within the bound too.
func TestBoundNeverExceeded(t *testing.T) {
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	for seed := range proptest.Seeds(300) {
		r := rand.New(rand.NewPCG(seed, 1))
		capacity := 1 + r.IntN(8)
		b := New[int](capacity, policies[r.IntN(len(policies))])
		for i := range 200 {
			switch r.IntN(5) {
			case 0, 1:
				b.TryPut(i)
			case 2:
				b.Put(cancelled, i) // a Block buffer that is full gives up at once
			default:
				b.TryGet()
			}
			if n := b.Len(); n > capacity || n < 0 {
				t.Fatalf("seed %d: Len %d outside [0, %d]", seed, n, capacity)
			}
		}
		if m := b.Stats().MaxLen; m > capacity {
			t.Fatalf("seed %d: MaxLen %d > capacity %d", seed, m, capacity)
		}
	}
}

// TestBoundUnderConcurrency: many producers and consumers racing on one
// buffer never see it hold more than its capacity.
func TestBoundUnderConcurrency(t *testing.T) {
	for _, p := range policies {
		t.Run(p.String(), func(t *testing.T) {
			const capacity = 3
			b := New[int](capacity, p)
			ctx := context.Background()
			var producers, consumers sync.WaitGroup
			for w := range 4 {
				producers.Go(func() {
					for i := range 500 {
						b.Put(ctx, w*1000+i)
						if n := b.Len(); n > capacity {
							t.Errorf("Len %d > %d", n, capacity)
						}
					}
				})
			}
			for range 2 {
				consumers.Go(func() {
					for {
						if _, err := b.Get(ctx); err != nil {
							return
						}
					}
				})
			}
			producers.Wait()
			b.Close()
			consumers.Wait()
			if s := b.Stats(); s.MaxLen > capacity {
				t.Errorf("MaxLen %d > %d", s.MaxLen, capacity)
			}
		})
	}
}

// TestBlockLosesNothing: with the Block policy every item put is delivered
// exactly once, and each producer's items arrive in the order it put them,
// whatever the capacity, the number of producers and the interleaving.
func TestBlockLosesNothing(t *testing.T) {
	type item struct{ producer, seq int }
	for seed := range proptest.Seeds(40) {
		r := rand.New(rand.NewPCG(seed, 2))
		capacity, producers, perProducer := 1+r.IntN(4), 1+r.IntN(4), 50+r.IntN(200)
		b := New[item](capacity, Block)
		ctx := context.Background()
		var wg sync.WaitGroup
		for p := range producers {
			wg.Go(func() {
				for s := range perProducer {
					if err := b.Put(ctx, item{p, s}); err != nil {
						t.Errorf("Put: %v", err)
					}
				}
			})
		}
		go func() { wg.Wait(); b.Close() }()

		next := make([]int, producers) // the sequence number expected next
		for {
			it, err := b.Get(ctx)
			if errors.Is(err, ErrClosed) {
				break
			}
			if it.seq != next[it.producer] {
				t.Fatalf("seed %d: producer %d: got seq %d, want %d", seed, it.producer, it.seq, next[it.producer])
			}
			next[it.producer]++
		}
		for p, n := range next {
			if n != perProducer {
				t.Fatalf("seed %d: producer %d: %d of %d items delivered", seed, p, n, perProducer)
			}
		}
		s := b.Stats()
		if s.Dropped+s.Evicted+s.Rejected != 0 || s.Delivered != uint64(producers*perProducer) {
			t.Fatalf("seed %d: stats %+v", seed, s)
		}
	}
}

// TestConservation: on random sequences of operations, Buffer behaves
// exactly like the slice model (same items out, same errors), and its
// counters account for every item: Offered = Accepted + Dropped + Rejected
// and Accepted = Delivered + Evicted + Len.
func TestConservation(t *testing.T) {
	for seed := range proptest.Seeds(300) {
		r := rand.New(rand.NewPCG(seed, 3))
		m := &model{cap: 1 + r.IntN(6), policy: policies[r.IntN(len(policies))]}
		b := New[int](m.cap, m.policy)
		for i := range 300 {
			if r.IntN(2) == 0 {
				if got, want := b.TryPut(i), m.tryPut(i); got != want {
					t.Fatalf("seed %d op %d: TryPut = %v, model %v", seed, i, got, want)
				}
			} else {
				gv, gok := b.TryGet()
				wv, wok := m.tryGet()
				if gv != wv || gok != wok {
					t.Fatalf("seed %d op %d: TryGet = %d %v, model %d %v", seed, i, gv, gok, wv, wok)
				}
			}
			s := b.Stats()
			if s.Offered != s.Accepted+s.Dropped+s.Rejected {
				t.Fatalf("seed %d: offered %d != accepted+dropped+rejected %+v", seed, s.Offered, s)
			}
			if s.Accepted != s.Delivered+s.Evicted+uint64(b.Len()) {
				t.Fatalf("seed %d: accepted %d != delivered+evicted+len %+v len %d", seed, s.Accepted, s, b.Len())
			}
		}
	}
}

func TestPolicies(t *testing.T) {
	tests := []struct {
		policy   Policy
		wantErrs []error // for TryPut of 1, 2, 3, 4 into a buffer of 2
		wantOut  []int
	}{
		{Block, []error{nil, nil, ErrFull, ErrFull}, []int{1, 2}},
		{Reject, []error{nil, nil, ErrFull, ErrFull}, []int{1, 2}},
		{DropNewest, []error{nil, nil, ErrDropped, ErrDropped}, []int{1, 2}},
		{DropOldest, []error{nil, nil, nil, nil}, []int{3, 4}},
	}
	for _, tt := range tests {
		t.Run(tt.policy.String(), func(t *testing.T) {
			b := New[int](2, tt.policy)
			var errs []error
			for v := 1; v <= 4; v++ {
				errs = append(errs, b.TryPut(v))
			}
			var out []int
			for {
				v, ok := b.TryGet()
				if !ok {
					break
				}
				out = append(out, v)
			}
			if diff := cmp.Diff(tt.wantErrs, errs, cmp.Comparer(func(a, b error) bool { return a == b })); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantOut, out); diff != "" {
				t.Errorf("items (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPolicyString(t *testing.T) {
	got := []string{Block.String(), Reject.String(), DropNewest.String(), DropOldest.String(), Policy(9).String()}
	want := []string{"block", "reject", "drop-newest", "drop-oldest", "Policy(9)"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Error(diff)
	}
}

func TestNewPanicsOnZeroCapacity(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("New(0, Block) did not panic")
		}
	}()
	New[int](0, Block)
}

func TestAccessors(t *testing.T) {
	b := New[string](3, DropOldest)
	if b.Cap() != 3 || b.Policy() != DropOldest || b.Len() != 0 {
		t.Errorf("Cap %d Policy %v Len %d", b.Cap(), b.Policy(), b.Len())
	}
}

// TestPutWaitsForRoom runs the real blocking path in a synctest bubble: a
// Put into a full Block buffer waits until a Get makes room, and not longer.
func TestPutWaitsForRoom(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := New[int](1, Block)
		ctx := context.Background()
		b.Put(ctx, 1)
		done := false
		go func() {
			b.Put(ctx, 2)
			done = true
		}()
		synctest.Wait() // the producer is blocked in Put
		if done || b.Len() != 1 {
			t.Fatalf("Put into a full buffer returned (done %v, len %d)", done, b.Len())
		}
		if v, _ := b.Get(ctx); v != 1 {
			t.Fatalf("Get = %d, want 1", v)
		}
		synctest.Wait()
		if !done {
			t.Fatal("Put still blocked after Get made room")
		}
		if v, _ := b.Get(ctx); v != 2 {
			t.Fatalf("Get = %d, want 2", v)
		}
	})
}

// TestPutDeadline: a producer blocked on a full buffer gives up when its
// context's deadline passes, exactly then, and the item is not stored.
func TestPutDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := New[int](1, Block)
		b.Put(context.Background(), 1)
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		start := time.Now()
		err := b.Put(ctx, 2)
		if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) != 2*time.Second {
			t.Fatalf("Put = %v after %v, want DeadlineExceeded after 2s", err, time.Since(start))
		}
		if s := b.Stats(); b.Len() != 1 || s.Rejected != 1 || s.Accepted != 1 {
			t.Fatalf("len %d stats %+v", b.Len(), s)
		}
	})
}

func TestGetWaitsAndCancels(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := New[int](1, Block)
		ctx, cancel := context.WithCancel(context.Background())
		var err error
		go func() { _, err = b.Get(ctx) }()
		synctest.Wait()
		cancel()
		synctest.Wait()
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Get = %v, want Canceled", err)
		}
	})
}

func TestClose(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := New[int](1, Block)
		ctx := context.Background()
		b.Put(ctx, 1)
		var blocked error
		go func() { blocked = b.Put(ctx, 2) }()
		synctest.Wait()
		b.Close()
		b.Close() // idempotent
		synctest.Wait()
		if !errors.Is(blocked, ErrClosed) {
			t.Errorf("blocked Put = %v, want ErrClosed", blocked)
		}
		if err := b.Put(ctx, 3); !errors.Is(err, ErrClosed) {
			t.Errorf("Put after Close = %v", err)
		}
		if err := b.TryPut(3); !errors.Is(err, ErrClosed) {
			t.Errorf("TryPut after Close = %v", err)
		}
		if v, err := b.Get(ctx); v != 1 || err != nil {
			t.Errorf("Get = %d, %v; want the item held before Close", v, err)
		}
		if _, err := b.Get(ctx); !errors.Is(err, ErrClosed) {
			t.Errorf("Get on a drained closed buffer = %v", err)
		}
	})
}

func BenchmarkBufferTryPutTryGet(b *testing.B) {
	buf := New[int](128, Block)
	for i := 0; b.Loop(); i++ {
		buf.TryPut(i)
		buf.TryGet()
	}
}

func BenchmarkChannelSendReceive(b *testing.B) {
	ch := make(chan int, 128)
	for i := 0; b.Loop(); i++ {
		ch <- i
		<-ch
	}
}

func BenchmarkBufferProducerConsumer(b *testing.B) {
	buf := New[int](128, Block)
	ctx := context.Background()
	done := make(chan struct{})
	go func() {
		for {
			if _, err := buf.Get(ctx); err != nil {
				close(done)
				return
			}
		}
	}()
	for i := 0; b.Loop(); i++ {
		buf.Put(ctx, i)
	}
	buf.Close()
	<-done
}

func BenchmarkChannelProducerConsumer(b *testing.B) {
	ch := make(chan int, 128)
	done := make(chan struct{})
	go func() {
		for range ch {
		}
		close(done)
	}()
	for i := 0; b.Loop(); i++ {
		ch <- i
	}
	close(ch)
	<-done
}
