package lamportclock

import (
	"errors"
	"slices"
	"sync"
	"testing"
	"testing/quick"

	"github.com/google/go-cmp/cmp"
)

func TestClock(t *testing.T) {
	var c Clock
	var got []Time
	got = append(got, c.Tick(), c.Tick()) // 1, 2
	got = append(got, c.Receive(7))       // max(2, 7) + 1
	got = append(got, c.Receive(3))       // max(8, 3) + 1
	c.Witness(4)                          // behind: no change
	got = append(got, c.Now())            // 9
	c.Witness(20)                         // ahead: 21
	got = append(got, c.Now(), c.Tick())  // 21, 22
	c.Set(5)                              // behind: no change
	c.Set(30)                             //
	got = append(got, c.Now())            // 30
	if diff := cmp.Diff([]Time{1, 2, 8, 9, 9, 21, 22, 30}, got); diff != "" {
		t.Error(diff)
	}
}

// TestClockConcurrent: under concurrent use every event gets its own
// timestamp, and a receipt is stamped after the message.
func TestClockConcurrent(t *testing.T) {
	var c Clock
	var mu sync.Mutex
	var all []Time
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			var mine []Time
			for i := range 500 {
				if i%3 == 0 {
					m := Time(g*100 + i)
					if r := c.Receive(m); r <= m {
						t.Errorf("Receive(%d) = %d", m, r)
					}
					mine = append(mine, c.Now())
					continue
				}
				mine = append(mine, c.Tick())
			}
			if !slices.IsSorted(mine) {
				t.Error("one goroutine's times went back")
			}
			mu.Lock()
			all = append(all, mine...)
			mu.Unlock()
		})
	}
	wg.Wait()
	if len(all) != 8*500 {
		t.Fatal(len(all))
	}
}

// TestStampOrder: Compare is a strict total order on distinct stamps.
func TestStampOrder(t *testing.T) {
	f := func(a, b, c Stamp) bool {
		if (a.Compare(b) == 0) != (a == b) || a.Compare(b) != -b.Compare(a) {
			return false
		}
		return !(a.Compare(b) < 0 && b.Compare(c) < 0) || a.Compare(c) < 0
	}
	if err := quick.Check(f, nil); err != nil {
		t.Error(err)
	}
	if got := (Stamp{3, 1}).String(); got != "3.1" {
		t.Errorf("String = %q", got)
	}
}

// memStore is a Store in memory that can be told to fail.
type memStore struct {
	t     Time
	saved bool
	fail  error
}

func (m *memStore) Load() (Time, bool, error) { return m.t, m.saved, m.fail }
func (m *memStore) Save(t Time) error {
	if m.fail != nil {
		return m.fail
	}
	m.t, m.saved = t, true
	return nil
}

// TestMonotonicAcrossCrashes: for random workloads and windows, the first
// timestamp after each restart is above every timestamp handed out before.
func TestMonotonicAcrossCrashes(t *testing.T) {
	f := func(window uint8, steps []uint16) bool {
		store := &memStore{}
		d, _ := Restore(store, Time(window%16))
		var high Time
		for _, s := range steps {
			switch s % 5 {
			case 0: // crash and restart: only the store survives
				d, _ = Restore(store, Time(window%16))
				if d.Now() < high {
					return false
				}
				continue
			case 1:
				if _, err := d.Receive(Time(s)); err != nil {
					return false
				}
			default:
				if _, err := d.Tick(); err != nil {
					return false
				}
			}
			if d.Now() <= high {
				return false
			}
			high = d.Now()
		}
		return true
	}
	if err := quick.Check(f, &quick.Config{MaxCount: 500}); err != nil {
		t.Error(err)
	}
}

// TestSyncBound: local events save one ceiling per window events, and a
// restart skips fewer than window timestamps.
func TestSyncBound(t *testing.T) {
	for _, window := range []Time{1, 4, 100} {
		store := &memStore{}
		d, err := Restore(store, window)
		if err != nil {
			t.Fatal(err)
		}
		for range 1000 {
			d.Tick()
		}
		if want := int((1000 + window - 1) / window); d.Syncs() != want {
			t.Errorf("window %d: %d syncs for 1000 ticks, want %d", window, d.Syncs(), want)
		}
		before := d.Now()
		d, _ = Restore(store, window)
		if skipped := d.Now() - before; skipped >= window {
			t.Errorf("window %d: a restart skipped %d timestamps", window, skipped)
		}
	}
	d, _ := Restore(&memStore{}, 0)
	d.Tick()
	if d.window != DefaultWindow {
		t.Errorf("window 0 means %d", d.window)
	}
}

func TestStoreError(t *testing.T) {
	broken := errors.New("disk on fire")
	if _, err := Restore(&memStore{fail: broken}, 1); !errors.Is(err, broken) {
		t.Errorf("Restore: %v", err)
	}
	store := &memStore{}
	d, _ := Restore(store, 1)
	d.Tick()
	store.fail = broken
	if _, err := d.Tick(); !errors.Is(err, ErrStore) || !errors.Is(err, broken) {
		t.Errorf("Tick: %v", err)
	}
	if _, err := d.Receive(10); !errors.Is(err, ErrStore) || d.Now() != 1 {
		t.Errorf("Receive: %v, clock at %d", err, d.Now())
	}
}

// TestHappenedBefore builds a run by hand: p0 sends to p1, p2 is alone.
func TestHappenedBefore(t *testing.T) {
	l := NewLog(3)
	send := l.add(Event{Process: 0, Kind: Send, Time: 1, Cause: -1})
	alone := l.add(Event{Process: 2, Kind: Local, Time: 1, Cause: -1})
	before := l.add(Event{Process: 1, Kind: Local, Time: 1, Cause: -1})
	recv := l.add(Event{Process: 1, Kind: Recv, Time: 2, Cause: send})
	after := l.add(Event{Process: 0, Kind: Local, Time: 2, Cause: -1})
	for _, tt := range []struct {
		a, b int
		want bool
	}{
		{send, recv, true}, {before, recv, true}, {recv, send, false},
		{send, after, true}, {alone, recv, false}, {before, send, false}, {send, send, false},
	} {
		if got := l.HappenedBefore(tt.a, tt.b); got != tt.want {
			t.Errorf("HappenedBefore(%d, %d) = %v", tt.a, tt.b, got)
		}
	}
	if !l.Concurrent(alone, send) || l.Concurrent(send, recv) {
		t.Error("Concurrent disagrees")
	}
	if causal, concurrent := l.Pairs(); causal != 3 || concurrent != 7 {
		t.Errorf("Pairs = %d causal, %d concurrent", causal, concurrent)
	}
	if diff := cmp.Diff([]int{send, before, alone, after, recv}, l.Order()); diff != "" {
		t.Error(diff)
	}
	if err := l.ClockCondition(); err != nil {
		t.Error(err)
	}
	l.add(Event{Process: 1, Kind: Recv, Time: 2, Cause: after}) // not after its cause
	if l.CheckNew() == nil || l.ClockCondition() == nil {
		t.Error("a receipt stamped no later than its send passed")
	}
}
