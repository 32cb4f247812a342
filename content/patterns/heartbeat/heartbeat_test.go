package heartbeat

import (
	"math"
	"strings"
	"testing"
	"testing/quick"
	"time"

	"github.com/lamport-kb/lamport/sim"
)

var t0 = sim.Epoch

// arrivals turns random gaps (in 0.1 ms) into arrival times after t0.
func arrivals(gaps []uint16) []time.Time {
	out := make([]time.Time, len(gaps))
	at := t0
	for i, g := range gaps {
		at = at.Add(time.Duration(g) * 100 * time.Microsecond)
		out[i] = at
	}
	return out
}

// TestTimeoutSuspectsAfterSilence: for any arrivals, in any order, and any
// moment after them, the Timeout detector suspects exactly when more than
// After has passed since the latest arrival (or the start).
func TestTimeoutSuspectsAfterSilence(t *testing.T) {
	f := func(gaps []uint16, shuffle uint8, wait uint16) bool {
		in := arrivals(gaps)
		d := NewTimeout(40*ms, t0)
		latest := t0
		for i := range in {
			at := in[(i*int(shuffle|1))%len(in)] // a permutation when the stride is odd and coprime; repeats are harmless
			d.Heartbeat(at)
			if at.After(latest) {
				latest = at
			}
		}
		now := latest.Add(time.Duration(wait) * 10 * time.Microsecond)
		return d.Suspect(now) == (now.Sub(latest) > 40*ms)
	}
	if err := quick.Check(f, &quick.Config{MaxCount: 2000}); err != nil {
		t.Error(err)
	}
}

// TestPhiLevel: φ is the silence since the latest arrival divided by the
// mean of the window's intervals, times 1/ln 10; the window holds the
// initial interval and then the latest size intervals no longer than the
// longest; the detector suspects exactly when φ exceeds the threshold.
func TestPhiLevel(t *testing.T) {
	const size, longest = 8, 20 * ms
	f := func(gaps []uint16, wait uint16) bool {
		p := NewPhi(1.5, size, longest, t0)
		window := []time.Duration{longest}
		last := t0
		for _, at := range arrivals(gaps) {
			p.Heartbeat(at)
			if d := at.Sub(last); d > 0 && d <= longest {
				window = append(window, d)
			}
			if at.After(last) {
				last = at
			}
		}
		window = window[max(0, len(window)-size):]
		var sum time.Duration
		for _, d := range window {
			sum += d
		}
		mean := sum / time.Duration(len(window))
		now := last.Add(time.Duration(wait) * 10 * time.Microsecond)
		want := float64(now.Sub(last)) / float64(mean) / math.Ln10
		return p.Mean() == mean && math.Abs(p.Level(now)-want) < 1e-9 && p.Suspect(now) == (p.Level(now) > 1.5)
	}
	if err := quick.Check(f, &quick.Config{MaxCount: 2000}); err != nil {
		t.Error(err)
	}
}

// TestPhiBound: whatever the arrivals, the φ detector suspects once the
// silence exceeds Bound, since the mean interval never exceeds the
// longest interval it accepts.
func TestPhiBound(t *testing.T) {
	f := func(gaps []uint16) bool {
		p := NewPhi(2, 16, 20*ms, t0)
		last := t0
		for _, at := range arrivals(gaps) {
			p.Heartbeat(at)
			last = at
		}
		return p.Suspect(last.Add(p.Bound() + time.Microsecond))
	}
	if err := quick.Check(f, &quick.Config{MaxCount: 2000}); err != nil {
		t.Error(err)
	}
	// 8 · ln 10 s = 18.420680744 s
	if got, want := NewPhi(8, 1, time.Second, t0).Bound(), time.Duration(18420680744); got-want > time.Nanosecond || want-got > time.Nanosecond {
		t.Errorf("Bound = %v, want %v", got, want)
	}
}

func TestConfig(t *testing.T) {
	if err := (Config{}).Valid(); err != nil {
		t.Errorf("the default configuration: %v", err)
	}
	err := Config{Timeout: 15 * ms}.Valid()
	if err == nil || !strings.Contains(err.Error(), "does not outlast") {
		t.Errorf("a 15 ms timeout: %v", err)
	}
	if b := (Config{}).DetectionBound(); b != 10*ms+(Config{}).SilenceBound() {
		t.Errorf("DetectionBound = %v", b)
	}
	if got := (Beat{Seq: 3}).String(); got != "beat 3" {
		t.Errorf("Beat.String = %q", got)
	}
}
