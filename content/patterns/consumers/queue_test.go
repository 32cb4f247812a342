package consumers

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestDefaults(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		q := New(Options{}) // the real clock, faked by synctest
		q.Send("", "x")
		d, ok := q.Receive("c1")
		if !ok || d.Deadline.Sub(time.Now()) != DefaultVisibilityTimeout {
			t.Fatalf("Receive = %+v, %v; want a 30 s lease", d, ok)
		}
		time.Sleep(DefaultVisibilityTimeout - time.Nanosecond)
		if _, ok := q.Receive("c2"); ok {
			t.Fatal("redelivered before the lease ended")
		}
		time.Sleep(time.Nanosecond)
		d2, ok := q.Receive("c2")
		if !ok || d2.Attempt != 2 || d2.ID != d.ID {
			t.Fatalf("after the timeout Receive = %+v, %v; want attempt 2 of message %d", d2, ok, d.ID)
		}
		if err := q.Ack(d.Receipt); !errors.Is(err, ErrStaleReceipt) {
			t.Fatalf("Ack with the first receipt = %v, want ErrStaleReceipt", err)
		}
		if err := q.Ack(d2.Receipt); err != nil {
			t.Fatal(err)
		}
	})
}

func TestSettle(t *testing.T) {
	tests := []struct {
		name   string
		settle func(q *Queue, r Receipt) error
		want   Stats
	}{
		{"ack deletes", (*Queue).Ack, Stats{Sent: 1, Delivered: 1, Acked: 1}},
		{"nack makes it ready", (*Queue).Nack, Stats{Sent: 1, Delivered: 1, Nacked: 1, Ready: 1}},
		{"extend keeps it in flight", func(q *Queue, r Receipt) error { return q.Extend(r, time.Minute) },
			Stats{Sent: 1, Delivered: 1, InFlight: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
			q := New(Options{Now: func() time.Time { return now }})
			q.Send("", "x")
			d, _ := q.Receive("c1")
			if err := tt.settle(q, d.Receipt); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, q.Stats()); diff != "" {
				t.Errorf("Stats (-want +got):\n%s", diff)
			}
			if err := tt.settle(q, Receipt{id: d.ID, lease: 99}); !errors.Is(err, ErrStaleReceipt) {
				t.Errorf("with a wrong receipt: %v, want ErrStaleReceipt", err)
			}
		})
	}
}

func TestExtendOutlivesTimeout(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	q := New(Options{VisibilityTimeout: 10 * time.Second, Now: func() time.Time { return now }})
	q.Send("", "slow job")
	d, _ := q.Receive("c1")
	now = now.Add(8 * time.Second)
	if err := q.Extend(d.Receipt, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	now = now.Add(8 * time.Second) // 16 s after Receive, 8 s after Extend
	if _, ok := q.Receive("c2"); ok {
		t.Fatal("an extended lease was redelivered")
	}
	if err := q.Ack(d.Receipt); err != nil {
		t.Fatalf("Ack within the extended lease: %v", err)
	}
}

func TestShorterExtendExpiresSooner(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	q := New(Options{Now: func() time.Time { return now }})
	q.Send("", "a")
	d, _ := q.Receive("c1")
	if err := q.Extend(d.Receipt, time.Second); err != nil {
		t.Fatal(err)
	}
	now = now.Add(time.Second)
	if _, ok := q.Receive("c2"); !ok {
		t.Fatal("a lease shortened to 1 s still held after 1 s")
	}
}

func TestKeysInterleave(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	q := New(Options{Now: func() time.Time { return now }})
	for _, k := range []string{"a", "a", "b", "", "b"} {
		q.Send(k, "")
	}
	var got []uint64
	for {
		d, ok := q.Receive("c")
		if !ok {
			break
		}
		got = append(got, d.ID)
	}
	// One of a (1), one of b (3) and the unkeyed 4; 2 and 5 wait for their key.
	if diff := cmp.Diff([]uint64{1, 3, 4}, got); diff != "" {
		t.Errorf("leased (-want +got):\n%s", diff)
	}
}

func TestPoisonMessage(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	q := New(Options{MaxReceives: 3, Now: func() time.Time { return now }})
	id := q.Send("", "poison")
	q.Send("", "fine")
	for range 3 {
		d, _ := q.Receive("c1")
		if d.ID != id {
			t.Fatalf("got message %d, want the poison message %d first", d.ID, id)
		}
		_ = q.Nack(d.Receipt)
	}
	d, _ := q.Receive("c1")
	if d.Body != "fine" {
		t.Fatalf("after 3 failures got %q, want the next message", d.Body)
	}
	want := []DeadLetter{{Message: Message{ID: id, Body: "poison"}, Attempts: 3}}
	if diff := cmp.Diff(want, q.DeadLetters()); diff != "" {
		t.Errorf("DeadLetters (-want +got):\n%s", diff)
	}
}

func TestConsume(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		q := New(Options{MaxReceives: 2})
		for i := range 20 {
			q.Send("", string(rune('a'+i)))
		}
		var mu sync.Mutex
		by := map[string]int{}
		var calls atomic.Int32
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error)
		go func() {
			done <- q.Consume(ctx, 4, func(ctx context.Context, d Delivery) error {
				calls.Add(1)
				time.Sleep(time.Second) // work; the consumers overlap
				if d.Body == "e" {
					return errors.New("poison")
				}
				mu.Lock()
				by[d.Consumer]++
				mu.Unlock()
				return nil
			})
		}()
		time.Sleep(time.Minute)
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Fatalf("Consume = %v, want context.Canceled", err)
		}
		st := q.Stats()
		if st.Acked != 19 || st.DeadLettered != 1 || calls.Load() != 21 {
			t.Fatalf("stats %+v, %d handler calls; want 19 acked, 1 dead-lettered, 21 calls", st, calls.Load())
		}
		if len(by) != 4 {
			t.Errorf("work spread over %d consumers, want 4: %v", len(by), by)
		}
	})
}

func TestConsumeInjectedSleep(t *testing.T) {
	var slept atomic.Int32
	ctx, cancel := context.WithCancel(context.Background())
	q := New(Options{Sleep: func(ctx context.Context, d time.Duration) error {
		if slept.Add(1) == 3 {
			cancel()
		}
		return ctx.Err()
	}})
	if err := q.Consume(ctx, 1, func(context.Context, Delivery) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Fatalf("Consume = %v", err)
	}
	if slept.Load() != 3 {
		t.Fatalf("slept %d times, want 3", slept.Load())
	}
}

func BenchmarkReceiveAck(b *testing.B) {
	q := New(Options{})
	for b.Loop() {
		q.Send("", "")
		d, _ := q.Receive("c")
		_ = q.Ack(d.Receipt)
	}
}

func BenchmarkReceiveAckParallel(b *testing.B) {
	q := New(Options{})
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			q.Send("", "")
			if d, ok := q.Receive("c"); ok {
				_ = q.Ack(d.Receipt)
			}
		}
	})
}

func BenchmarkReceiveAckKeyed(b *testing.B) {
	q := New(Options{})
	keys := []string{"a", "b", "c", "d", "e", "f", "g", "h"}
	for i := range 1000 {
		q.Send(keys[i%len(keys)], "")
	}
	i := 0
	for b.Loop() {
		q.Send(keys[i%len(keys)], "")
		i++
		d, _ := q.Receive("c")
		_ = q.Ack(d.Receipt)
	}
}
