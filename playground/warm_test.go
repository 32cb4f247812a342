package playground

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"
)

// TestWarmStatus walks the warm-up's states and checks what /readyz and
// Run say in each.
func TestWarmStatus(t *testing.T) {
	now := time.Now()
	running := warmClock{warmRunning, now, 30 * time.Second}
	done := warmClock{phase: warmDone}
	tests := []struct {
		name       string
		warm       warmState
		degraded   string
		ready      bool
		detail     string // prefix
		realRefuse bool
		fakeRefuse bool
	}{
		{"never warmed", warmState{}, "", true, "ok", false, false},
		{"warming", warmState{real: running, fake: running}, "", false, "warming: about 30 s left", true, true},
		{"fake time warming", warmState{real: done, fake: running}, "", true, "ok; fake time warming: about 30 s left", false, true},
		{"warm", warmState{real: done, fake: done}, "", true, "ok", false, false},
		{"failed", warmState{real: warmClock{phase: warmFailed}, fake: warmClock{phase: warmFailed}, err: "go build: boom"}, "", false, "failed: go build: boom", false, false},
		{"fake time failed", warmState{real: done, fake: warmClock{phase: warmFailed}, err: "timeout"}, "", true, "ok; fake time warm-up failed: timeout", false, false},
		{"self-check found a hole", warmState{real: done, fake: done, selfCheck: "socket ALLOWED"}, "", true, "degraded: socket ALLOWED", false, false},
		{"weaker jail", warmState{real: done, fake: done}, "not root", true, "degraded: not root", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &Service{goBin: "go", warm: tt.warm, jail: jailMode{degraded: tt.degraded}}
			ready, detail := s.Status()
			if ready != tt.ready || !strings.HasPrefix(detail, tt.detail) {
				t.Errorf("Status() = %v, %q; want %v, %q…", ready, detail, tt.ready, tt.detail)
			}
			for _, c := range []struct {
				fake, refuse bool
			}{{false, tt.realRefuse}, {true, tt.fakeRefuse}} {
				err := s.warming(Request{FakeTime: c.fake})
				var w *WarmingError
				if refused := errors.As(err, &w); refused != c.refuse {
					t.Errorf("fake time %v: warming() = %v, want refused %v", c.fake, err, c.refuse)
				}
			}
		})
	}
}

func TestWarmingErrorSeconds(t *testing.T) {
	for _, tt := range []struct {
		d    time.Duration
		want int
	}{{0, 1}, {time.Millisecond, 1}, {time.Second, 1}, {1500 * time.Millisecond, 2}, {90 * time.Second, 90}} {
		e := &WarmingError{Remaining: tt.d}
		if e.Seconds() != tt.want {
			t.Errorf("%v: %d s, want %d", tt.d, e.Seconds(), tt.want)
		}
	}
	if got := (&WarmingError{Remaining: 42 * time.Second}).Error(); got != "the playground is warming up (about 42 s)" {
		t.Errorf("message %q", got)
	}
}

// TestWarmUpEstimate: the last warm-up's durations become the next
// estimate; a missing or damaged record gives the cold estimate.
func TestWarmUpEstimate(t *testing.T) {
	s := &Service{cfg: Config{WorkDir: t.TempDir()}}
	if got := s.lastWarmUp(); got != coldWarmUp {
		t.Errorf("no record: %+v, want the cold estimate", got)
	}
	s.saveWarmUp(warmTimes{real: 2345 * time.Millisecond, fake: 61 * time.Second})
	if got := s.lastWarmUp(); got != (warmTimes{2345 * time.Millisecond, 61 * time.Second}) {
		t.Errorf("after saving: %+v", got)
	}
	for _, bad := range []string{"", "12", "x y", "-5 7", "3 0"} {
		os.WriteFile(s.warmUpFile(), []byte(bad), 0o644)
		if got := s.lastWarmUp(); got != coldWarmUp {
			t.Errorf("record %q: %+v, want the cold estimate", bad, got)
		}
	}
}

// TestQueueWaitBounded: a run queued behind busy slots gives up with
// ErrBusy after QueueWait, so no request outlives the server's write
// timeout waiting.
func TestQueueWaitBounded(t *testing.T) {
	s := &Service{cfg: Config{QueueWait: 20 * time.Millisecond}, slots: make(chan struct{}, 1), waiting: make(chan struct{}, 2)}
	release, err := s.acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	if _, err := s.acquire(context.Background()); !errors.Is(err, ErrBusy) {
		t.Errorf("a run queued past QueueWait: %v, want ErrBusy", err)
	}
	if len(s.waiting) != 1 {
		t.Errorf("%d places taken in the queue, want 1 (the running one)", len(s.waiting))
	}
}

// TestWarmFail: a warm-up that fails after real time was ready leaves the
// playground ready for real-time programs.
func TestWarmFail(t *testing.T) {
	w := warmState{real: warmClock{phase: warmDone}, fake: warmClock{phase: warmRunning}}
	w.fail(errors.New("fake build timed out"))
	if w.real.phase != warmDone || w.fake.phase != warmFailed {
		t.Errorf("after a fake-time failure: real %v, fake %v", w.real.phase, w.fake.phase)
	}
	w = warmState{real: warmClock{phase: warmRunning}, fake: warmClock{phase: warmRunning}}
	w.fail(errors.New("go build failed"))
	if w.real.phase != warmFailed || w.fake.phase != warmFailed {
		t.Errorf("after a real-time failure: real %v, fake %v", w.real.phase, w.fake.phase)
	}
}
