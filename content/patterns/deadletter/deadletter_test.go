package deadletter

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/lamport-kb/lamport/internal/proptest"
)

var errBoom = errors.New("boom")

// fakeClock is a clock the test steps itself.
type fakeClock struct{ t time.Time }

func (c *fakeClock) Now() time.Time          { return c.t }
func (c *fakeClock) Advance(d time.Duration) { c.t = c.t.Add(d) }

func newClock() *fakeClock { return &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)} }

func send(q *Queue, n int) {
	for i := range n {
		q.Send(Message{ID: fmt.Sprint("m", i), Body: fmt.Sprint("body ", i)})
	}
}

// checkConserved fails unless every message sent is in exactly one place.
func checkConserved(t *testing.T, q *Queue) {
	t.Helper()
	s := q.Stats()
	if got := s.Acked + s.Ready + s.InFlight + s.Dead; got != s.Sent {
		t.Fatalf("acked %d + ready %d + in flight %d + dead %d = %d, sent %d",
			s.Acked, s.Ready, s.InFlight, s.Dead, got, s.Sent)
	}
}

// TestNoMessageLost drives queues with random handlers that succeed, fail,
// fail permanently or never settle (a crashed consumer), and checks after
// every step that each message is in exactly one place, and at the end that
// each was either acked once or is in the dead-letter queue with its
// history.
func TestNoMessageLost(t *testing.T) {
	for seed := range proptest.Seeds(200) {
		rnd := rand.New(rand.NewPCG(seed, 1))
		clk := newClock()
		q := New(Options{MaxAttempts: 1 + rnd.IntN(6), Visibility: time.Second, Now: clk.Now})
		n := 1 + rnd.IntN(40)
		send(q, n)
		acked := map[string]int{}
		for steps := 0; steps < 10000; steps++ {
			s := q.Stats()
			if s.Ready == 0 && s.InFlight == 0 {
				break
			}
			d, ok := q.Receive()
			if !ok {
				clk.Advance(time.Second) // let the abandoned leases expire
				continue
			}
			switch rnd.IntN(5) {
			case 0, 1:
				if q.Ack(d) == nil {
					acked[d.ID]++
				}
			case 2:
				q.Nack(d, errBoom)
			case 3:
				q.Nack(d, Permanent(errBoom))
			case 4: // abandoned: the lease will run out
			}
			checkConserved(t, q)
		}
		dead := map[string]int{}
		for _, l := range q.DeadLetters() {
			dead[l.ID]++
			if len(l.Errors) != l.Attempts || l.Attempts == 0 {
				t.Fatalf("seed %d: letter %s has %d attempts, %d errors", seed, l.ID, l.Attempts, len(l.Errors))
			}
		}
		for i := range n {
			id := fmt.Sprint("m", i)
			if acked[id]+dead[id] != 1 {
				t.Fatalf("seed %d: %s acked %d times, dead-lettered %d times", seed, id, acked[id], dead[id])
			}
		}
	}
}

// TestDeadAfterExactlyN gives each message a random number of transient
// failures and checks that it is dead-lettered if and only if that number
// reaches MaxAttempts, after exactly MaxAttempts deliveries with one error
// each; and that the others are acked after exactly one more delivery than
// their failures.
func TestDeadAfterExactlyN(t *testing.T) {
	for seed := range proptest.Seeds(300) {
		rnd := rand.New(rand.NewPCG(seed, 2))
		max := 1 + rnd.IntN(8)
		q := New(Options{MaxAttempts: max, Name: "orders"})
		n := 1 + rnd.IntN(30)
		fails := map[string]int{}
		for i := range n {
			id := fmt.Sprint("m", i)
			fails[id] = rnd.IntN(max + 3)
			q.Send(Message{ID: id})
		}
		deliveries := map[string]int{}
		acked := map[string]int{}
		for q.Handle(func(d Delivery) error {
			deliveries[d.ID]++
			if d.Attempt != deliveries[d.ID] {
				t.Fatalf("seed %d: %s delivery %d reports attempt %d", seed, d.ID, deliveries[d.ID], d.Attempt)
			}
			if d.Attempt <= fails[d.ID] {
				return fmt.Errorf("attempt %d: %w", d.Attempt, errBoom)
			}
			acked[d.ID] = d.Attempt
			return nil
		}) {
		}
		dead := map[string]Letter{}
		for _, l := range q.DeadLetters() {
			dead[l.ID] = l
		}
		for id, f := range fails {
			l, isDead := dead[id]
			switch {
			case f >= max && !isDead:
				t.Fatalf("seed %d: %s failed %d ≥ %d times and is not dead", seed, id, f, max)
			case f < max && isDead:
				t.Fatalf("seed %d: %s failed %d < %d times and is dead", seed, id, f, max)
			case isDead && (l.Attempts != max || len(l.Errors) != max || deliveries[id] != max || l.Reason != Exhausted || l.Source != "orders"):
				t.Fatalf("seed %d: %s letter %+v after %d deliveries, want %d", seed, id, l, deliveries[id], max)
			case !isDead && acked[id] != f+1:
				t.Fatalf("seed %d: %s acked on attempt %d, want %d", seed, id, acked[id], f+1)
			}
		}
	}
}

// TestPoisonDoesNotBlock checks that failures never hold up the messages
// behind them: with n messages queued and one consumer, the message sent
// k-th is first delivered by the k-th Receive, whichever messages fail and
// however often, and every healthy message is acked within n + P(N-1)
// receives, P being the number of poison messages.
func TestPoisonDoesNotBlock(t *testing.T) {
	for seed := range proptest.Seeds(300) {
		rnd := rand.New(rand.NewPCG(seed, 3))
		max := 1 + rnd.IntN(6)
		q := New(Options{MaxAttempts: max})
		n := 1 + rnd.IntN(30)
		send(q, n)
		poison := map[string]bool{}
		for i := range n {
			poison[fmt.Sprint("m", i)] = rnd.IntN(3) == 0
		}
		receives, healthy := 0, 0
		firstAt := map[string]int{}
		lastHealthyAt := 0
		for q.Handle(func(d Delivery) error {
			receives++
			if _, seen := firstAt[d.ID]; !seen {
				firstAt[d.ID] = receives
			}
			if poison[d.ID] {
				return errBoom
			}
			healthy++
			lastHealthyAt = receives
			return nil
		}) {
		}
		for i := range n {
			if got := firstAt[fmt.Sprint("m", i)]; got != i+1 {
				t.Fatalf("seed %d: m%d first delivered by receive %d, want %d", seed, i, got, i+1)
			}
		}
		if bound := n + (n-healthy)*(max-1); lastHealthyAt > bound {
			t.Fatalf("seed %d: last healthy ack at receive %d > bound %d", seed, lastHealthyAt, bound)
		}
	}
}

func TestNack(t *testing.T) {
	tests := []struct {
		name    string
		errs    []error // the result of each attempt, nil meaning Ack
		wantAck bool
		want    []Letter
	}{
		{"success first time", []error{nil}, true, nil},
		{"success on the last attempt", []error{errBoom, errBoom, nil}, true, nil},
		{"exhausted", []error{errBoom, errBoom, errBoom}, false, []Letter{{
			Message: Message{ID: "m0", Body: "body 0"}, Source: "q", Reason: Exhausted, Attempts: 3,
			Errors: []string{"boom", "boom", "boom"},
		}}},
		{"permanent on the second attempt", []error{errBoom, Permanent(errBoom)}, false, []Letter{{
			Message: Message{ID: "m0", Body: "body 0"}, Source: "q", Reason: Rejected, Attempts: 2,
			Errors: []string{"boom", "permanent: boom"},
		}}},
		{"nack without an error", []error{nil}, false, []Letter{{
			Message: Message{ID: "m0", Body: "body 0"}, Source: "q", Reason: Exhausted, Attempts: 1,
			Errors: []string{"nack without an error"},
		}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := newClock()
			max := 3
			if tt.name == "nack without an error" {
				max = 1
			}
			q := New(Options{Name: "q", MaxAttempts: max, Now: clk.Now})
			send(q, 1)
			acked := false
			for i, err := range tt.errs {
				d, ok := q.Receive()
				if !ok {
					t.Fatalf("attempt %d: nothing to receive", i+1)
				}
				switch {
				case err == nil && tt.name != "nack without an error":
					acked = q.Ack(d) == nil
				default:
					if e := q.Nack(d, err); e != nil {
						t.Fatal(e)
					}
				}
			}
			if acked != tt.wantAck {
				t.Errorf("acked = %v, want %v", acked, tt.wantAck)
			}
			for i := range tt.want {
				tt.want[i].FirstSeen, tt.want[i].DeadAt = clk.t, clk.t
			}
			if diff := cmp.Diff(tt.want, q.DeadLetters(), cmpLetters, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("dead letters (-want +got):\n%s", diff)
			}
			if _, ok := q.Receive(); ok {
				t.Error("the queue is not empty")
			}
		})
	}
}

var cmpLetters = cmp.Comparer(func(a, b Letter) bool {
	return a.ID == b.ID && a.Body == b.Body && a.Source == b.Source && a.Reason == b.Reason &&
		a.Attempts == b.Attempts && cmp.Equal(a.Errors, b.Errors) && a.Redrives == b.Redrives &&
		a.FirstSeen.Equal(b.FirstSeen) && a.DeadAt.Equal(b.DeadAt)
})

// TestLeaseExpiry runs the default clock in a synctest bubble: a consumer
// that never settles loses the message after Visibility, the lost attempt
// counts, and the last one dead-letters it.
func TestLeaseExpiry(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		q := New(Options{MaxAttempts: 2})
		send(q, 1)
		start := time.Now()
		d1, _ := q.Receive()
		if want := start.Add(DefaultVisibility); !d1.Expires.Equal(want) {
			t.Fatalf("lease ends %v, want %v", d1.Expires, want)
		}
		if _, ok := q.Receive(); ok {
			t.Fatal("a leased message was delivered twice")
		}
		time.Sleep(DefaultVisibility)
		d2, ok := q.Receive()
		if !ok || d2.Attempt != 2 {
			t.Fatalf("after the lease: ok=%v attempt=%d, want a second attempt", ok, d2.Attempt)
		}
		if err := q.Ack(d1); !errors.Is(err, ErrLeaseExpired) {
			t.Fatalf("late Ack = %v, want ErrLeaseExpired", err)
		}
		time.Sleep(DefaultVisibility)
		if err := q.Nack(d2, errBoom); !errors.Is(err, ErrLeaseExpired) {
			t.Fatalf("late Nack = %v, want ErrLeaseExpired", err)
		}
		dl := q.DeadLetters()
		if len(dl) != 1 || dl[0].Reason != Exhausted || !cmp.Equal(dl[0].Errors, []string{ErrLeaseExpired.Error(), ErrLeaseExpired.Error()}) {
			t.Fatalf("dead letters = %+v", dl)
		}
		if got := dl[0].DeadAt.Sub(dl[0].FirstSeen); got != 2*DefaultVisibility {
			t.Errorf("dead %v after the first delivery, want %v", got, 2*DefaultVisibility)
		}
	})
}

func TestRedrive(t *testing.T) {
	clk := newClock()
	q := New(Options{MaxAttempts: 2, Now: clk.Now})
	send(q, 4)
	for q.Handle(func(Delivery) error { return errBoom }) {
	}
	if got := q.Stats().Dead; got != 4 {
		t.Fatalf("dead = %d, want 4", got)
	}
	odd := func(l Letter) bool { return l.ID == "m1" || l.ID == "m3" }
	if got := q.Redrive(10, odd); got != 2 {
		t.Fatalf("Redrive(odd) moved %d, want 2", got)
	}
	if got := q.Redrive(1, nil); got != 1 {
		t.Fatalf("Redrive(1) moved %d, want 1", got)
	}
	var order []string
	for q.Handle(func(d Delivery) error {
		order = append(order, fmt.Sprint(d.ID, "#", d.Attempt))
		if d.ID == "m3" {
			return errBoom
		}
		return nil
	}) {
	}
	if diff := cmp.Diff([]string{"m1#1", "m3#1", "m0#1", "m3#2"}, order); diff != "" {
		t.Errorf("deliveries after redrive (-want +got):\n%s", diff)
	}
	dl := q.DeadLetters()
	var ids []string
	for _, l := range dl {
		ids = append(ids, l.ID)
	}
	if diff := cmp.Diff([]string{"m2", "m3"}, ids); diff != "" {
		t.Errorf("dead letters (-want +got):\n%s", diff)
	}
	if m3 := dl[1]; m3.Redrives != 1 || m3.Attempts != 2 || len(m3.Errors) != 4 {
		t.Errorf("m3 after a redrive: %+v", m3)
	}
	want := Stats{Sent: 4, Acked: 2, Dead: 2, Redriven: 3}
	if diff := cmp.Diff(want, q.Stats()); diff != "" {
		t.Errorf("stats (-want +got):\n%s", diff)
	}
}

// TestOnDeadLetter checks that the hook sees each letter once and runs
// outside the lock (it calls back into the queue).
func TestOnDeadLetter(t *testing.T) {
	clk := newClock()
	var got []string
	var q *Queue
	q = New(Options{MaxAttempts: 1, Visibility: time.Second, Now: clk.Now, OnDeadLetter: func(l Letter) {
		got = append(got, fmt.Sprint(l.ID, ":", l.Reason, ":", q.Stats().Dead))
	}})
	send(q, 3)
	d, _ := q.Receive()
	q.Nack(d, errBoom)
	q.Receive() // m1, abandoned
	d, _ = q.Receive()
	q.Nack(d, Permanent(errBoom))
	clk.Advance(time.Second)
	q.Receive() // reclaims m1
	if diff := cmp.Diff([]string{"m0:exhausted:1", "m2:rejected:2", "m1:exhausted:3"}, got); diff != "" {
		t.Errorf("hook calls (-want +got):\n%s", diff)
	}
}

// TestConcurrentConsumers runs consumers in parallel (for -race) and checks
// that no message is lost or handled after it was settled.
func TestConcurrentConsumers(t *testing.T) {
	q := New(Options{MaxAttempts: 3})
	const n = 2000
	send(q, n)
	var mu sync.Mutex
	acked := map[string]int{}
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			rnd := rand.New(rand.NewPCG(uint64(w), 4))
			for q.Handle(func(d Delivery) error {
				if rnd.IntN(3) == 0 {
					return errBoom
				}
				mu.Lock()
				acked[d.ID]++
				mu.Unlock()
				return nil
			}) {
			}
		})
	}
	wg.Wait()
	checkConserved(t, q)
	s := q.Stats()
	if s.Acked != len(acked) || s.Acked+s.Dead != n {
		t.Fatalf("stats %+v, %d distinct acked", s, len(acked))
	}
	for id, c := range acked {
		if c != 1 {
			t.Fatalf("%s acked %d times", id, c)
		}
	}
}

func TestDefaults(t *testing.T) {
	q := New(Options{})
	if q.opts.MaxAttempts != DefaultMaxAttempts || q.opts.Visibility != DefaultVisibility || q.opts.Now == nil {
		t.Fatalf("defaults not applied: %+v", q.opts)
	}
	if Permanent(nil) != nil {
		t.Error("Permanent(nil) != nil")
	}
	if !errors.Is(Permanent(errBoom), errBoom) {
		t.Error("Permanent does not unwrap")
	}
	for r, want := range map[Reason]string{Exhausted: "exhausted", Rejected: "rejected", 0: "unknown"} {
		if r.String() != want {
			t.Errorf("Reason(%d) = %q, want %q", r, r.String(), want)
		}
	}
	if q.Handle(func(Delivery) error { return nil }) {
		t.Error("Handle on an empty queue reported a message")
	}
}

// TestDeadLettersCopy checks that callers cannot change the queue through
// the returned letters.
func TestDeadLettersCopy(t *testing.T) {
	q := New(Options{MaxAttempts: 1})
	send(q, 1)
	q.Handle(func(Delivery) error { return errBoom })
	q.DeadLetters()[0].Errors[0] = "changed"
	if got := q.DeadLetters()[0].Errors[0]; got != "boom" {
		t.Fatalf("error changed to %q through a copy", got)
	}
}

func BenchmarkAck(b *testing.B) {
	q := New(Options{})
	for b.Loop() {
		q.Send(Message{ID: "m"})
		q.Handle(func(Delivery) error { return nil })
	}
}

func BenchmarkDeadLetter(b *testing.B) {
	q := New(Options{MaxAttempts: 3})
	for b.Loop() {
		q.Send(Message{ID: "m"})
		for q.Handle(func(Delivery) error { return errBoom }) {
		}
		if q.Stats().Dead > 1000 {
			b.StopTimer()
			q = New(Options{MaxAttempts: 3})
			b.StartTimer()
		}
	}
}

func BenchmarkParallel(b *testing.B) {
	q := New(Options{})
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			q.Send(Message{ID: "m"})
			q.Handle(func(Delivery) error { return nil })
		}
	})
}
