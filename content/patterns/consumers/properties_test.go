package consumers

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/lamport-kb/lamport/internal/proptest"
)

// sim drives a queue with a fake clock and seeded random consumers that
// ack, nack, stall past their lease, or crash.
type sim struct {
	t     *testing.T
	rng   *rand.Rand
	now   time.Time
	q     *Queue
	held  []Delivery // leases some consumer believes it holds
	acked map[uint64]int
}

func newSim(t *testing.T, seed uint64, opts Options) *sim {
	s := &sim{
		t:     t,
		rng:   rand.New(rand.NewPCG(seed, seed^0x9e3779b9)),
		now:   time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		acked: map[uint64]int{},
	}
	opts.Now = func() time.Time { return s.now }
	s.q = New(opts)
	return s
}

// step does one random action: send, receive, settle a held lease, drop
// one (a crash), or let time pass.
func (s *sim) step(keys []string, onReceive func(Delivery), onAck func(Delivery)) {
	switch r := s.rng.IntN(10); {
	case r < 2:
		s.q.Send(keys[s.rng.IntN(len(keys))], "")
	case r < 5:
		if d, ok := s.q.Receive(fmt.Sprintf("c%d", s.rng.IntN(4))); ok {
			if onReceive != nil {
				onReceive(d)
			}
			s.held = append(s.held, d)
		}
	case r < 8 && len(s.held) > 0:
		i := s.rng.IntN(len(s.held))
		d := s.held[i]
		s.held = append(s.held[:i], s.held[i+1:]...)
		s.settle(d, onAck)
	case r < 9 && len(s.held) > 0:
		i := s.rng.IntN(len(s.held)) // the consumer crashes: it settles nothing
		s.held = append(s.held[:i], s.held[i+1:]...)
	default:
		s.now = s.now.Add(time.Duration(s.rng.IntN(20)) * time.Second)
	}
}

// settle acks (mostly) or nacks d and checks the receipt rule: a lease is
// valid strictly before its deadline.
func (s *sim) settle(d Delivery, onAck func(Delivery)) {
	valid := s.now.Before(d.Deadline)
	var err error
	nack := s.rng.IntN(5) == 0
	if nack {
		err = s.q.Nack(d.Receipt)
	} else {
		err = s.q.Ack(d.Receipt)
	}
	switch {
	case valid && err != nil:
		s.t.Fatalf("settling a valid lease of message %d: %v", d.ID, err)
	case !valid && !errors.Is(err, ErrStaleReceipt):
		s.t.Fatalf("settling an expired lease of message %d: err = %v, want ErrStaleReceipt", d.ID, err)
	case valid && !nack:
		s.acked[d.ID]++
		if onAck != nil {
			onAck(d)
		}
	}
}

// drain lets honest consumers finish everything left.
func (s *sim) drain() {
	s.now = s.now.Add(time.Hour) // every held lease has expired
	for range 100000 {
		d, ok := s.q.Receive("drainer")
		if !ok {
			return
		}
		if err := s.q.Ack(d.Receipt); err != nil {
			s.t.Fatal(err)
		}
		s.acked[d.ID]++
	}
}

// TestAtLeastOnce: whatever consumers crash or stall, every sent message is
// acked at least once, and none is lost.
func TestAtLeastOnce(t *testing.T) {
	for seed := range proptest.Seeds(50) {
		s := newSim(t, seed, Options{VisibilityTimeout: 30 * time.Second})
		for range 2000 {
			s.step([]string{"", "a", "b"}, nil, nil)
		}
		s.drain()
		st := s.q.Stats()
		for id := uint64(1); id <= uint64(st.Sent); id++ {
			if s.acked[id] == 0 {
				t.Fatalf("seed %d: message %d was never processed", seed, id)
			}
		}
		if st.Ready != 0 || st.InFlight != 0 || st.Acked != st.Sent {
			t.Fatalf("seed %d: stats %+v after draining", seed, st)
		}
	}
}

// TestExclusiveLease: a message is never leased while another lease on it is
// still valid, and only the current, unexpired receipt settles it (checked in
// settle).
func TestExclusiveLease(t *testing.T) {
	for seed := range proptest.Seeds(50) {
		s := newSim(t, seed, Options{VisibilityTimeout: 25 * time.Second})
		valid := map[uint64]Delivery{} // the last lease granted per message
		onReceive := func(d Delivery) {
			if prev, ok := valid[d.ID]; ok && s.now.Before(prev.Deadline) && s.q.isCurrent(prev.Receipt) {
				t.Fatalf("seed %d: message %d leased to %s while %s holds it until %v",
					seed, d.ID, d.Consumer, prev.Consumer, prev.Deadline)
			}
			valid[d.ID] = d
		}
		for range 2000 {
			s.step([]string{"", "k"}, onReceive, nil)
		}
		for id, n := range s.acked {
			if n > 1 {
				t.Fatalf("seed %d: message %d acked %d times by valid receipts", seed, id, n)
			}
		}
	}
}

// isCurrent reports whether r is the live lease (for tests).
func (q *Queue) isCurrent(r Receipt) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	_, err := q.current(r)
	return err == nil
}

// TestKeyOrder: messages of one key are leased one at a time and in send
// order (a redelivery repeats the oldest), and their acks follow send order.
func TestKeyOrder(t *testing.T) {
	for seed := range proptest.Seeds(50) {
		s := newSim(t, seed, Options{VisibilityTimeout: 30 * time.Second})
		lastLeased := map[string]Delivery{}
		lastAcked := map[string]uint64{}
		onReceive := func(d Delivery) {
			if d.Key == "" {
				return
			}
			if prev, ok := lastLeased[d.Key]; ok {
				if d.ID < prev.ID {
					t.Fatalf("seed %d: key %s: message %d leased after %d", seed, d.Key, d.ID, prev.ID)
				}
				if prev.ID != d.ID && s.q.isCurrent(prev.Receipt) {
					t.Fatalf("seed %d: key %s: %d leased while %d is in flight", seed, d.Key, d.ID, prev.ID)
				}
			}
			lastLeased[d.Key] = d
		}
		onAck := func(d Delivery) {
			if d.Key == "" {
				return
			}
			if d.ID <= lastAcked[d.Key] {
				t.Fatalf("seed %d: key %s: message %d acked after %d", seed, d.Key, d.ID, lastAcked[d.Key])
			}
			lastAcked[d.Key] = d.ID
		}
		for range 2000 {
			s.step([]string{"", "a", "b", "c"}, onReceive, onAck)
		}
	}
}

// TestMaxReceives: with MaxReceives = m, no message is delivered more than m
// times, and every message ends acked or dead-lettered after exactly m
// deliveries.
func TestMaxReceives(t *testing.T) {
	for seed := range proptest.Seeds(50) {
		m := 1 + int(seed%4)
		s := newSim(t, seed, Options{VisibilityTimeout: 20 * time.Second, MaxReceives: m})
		deliveries := map[uint64]int{}
		onReceive := func(d Delivery) {
			deliveries[d.ID]++
			if deliveries[d.ID] > m || d.Attempt != deliveries[d.ID] {
				t.Fatalf("seed %d: message %d delivery %d (attempt %d), max %d", seed, d.ID, deliveries[d.ID], d.Attempt, m)
			}
		}
		for range 2000 {
			s.step([]string{"", "a"}, onReceive, nil)
		}
		s.drain()
		st := s.q.Stats()
		dead := map[uint64]bool{}
		for _, dl := range s.q.DeadLetters() {
			if dl.Attempts != m {
				t.Fatalf("seed %d: message %d dead-lettered after %d attempts, want %d", seed, dl.ID, dl.Attempts, m)
			}
			dead[dl.ID] = true
		}
		for id := uint64(1); id <= uint64(st.Sent); id++ {
			if (s.acked[id] > 0) == dead[id] {
				t.Fatalf("seed %d: message %d acked=%d dead=%v, want exactly one", seed, id, s.acked[id], dead[id])
			}
		}
	}
}
