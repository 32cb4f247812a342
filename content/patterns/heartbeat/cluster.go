package heartbeat

import (
	"fmt"
	"time"

	"github.com/lamport-kb/lamport/sim"
)

// Config describes a simulated monitor and its members (see Simulate):
// the protocol's settings and the assumptions its bounds rest on.
type Config struct {
	Interval time.Duration // between a member's heartbeats, on its clock; 0: 10 ms
	Timeout  time.Duration // the Timeout detector's silence limit; 0: 40 ms
	Check    time.Duration // how often the monitor looks at its detectors; 0: 5 ms
	// Phi, when above 0, replaces the Timeout detector by a φ-accrual
	// detector with this threshold, a window of 100 intervals and a
	// longest interval of 2 × Interval.
	Phi float64
	// The assumptions of the bounds: the longest a heartbeat spends on a
	// link (0: 10 ms) and the largest drift of any clock (0: 0.05, ±5 %).
	MaxDelay time.Duration
	MaxDrift float64
	bug      bug
}

// bug names a deliberately broken variant the exploration must catch.
type bug uint8

const (
	correct     bug = iota
	senderClock     // the monitor dates a heartbeat by the time the member wrote in it
)

func (c Config) interval() time.Duration { return or(c.Interval, 10*time.Millisecond) }
func (c Config) timeout() time.Duration  { return or(c.Timeout, 40*time.Millisecond) }
func (c Config) check() time.Duration    { return or(c.Check, 5*time.Millisecond) }
func (c Config) maxDelay() time.Duration { return or(c.MaxDelay, 10*time.Millisecond) }
func (c Config) maxDrift() float64       { return or(c.MaxDrift, 0.05) }

func or[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// detector makes a member's detector, started at start.
func (c Config) detector(start time.Time) Detector {
	if c.Phi > 0 {
		return NewPhi(c.Phi, 100, 2*c.interval(), start)
	}
	return NewTimeout(c.timeout(), start)
}

// silence is the longest silence the detector tolerates on the monitor's
// clock: Timeout, or the φ detector's Bound.
func (c Config) silence() time.Duration {
	if c.Phi > 0 {
		return NewPhi(c.Phi, 1, 2*c.interval(), time.Time{}).Bound()
	}
	return c.timeout()
}

// SilenceBound is the completeness bound in simulated time, whatever the
// delays: a member that has crashed is suspected at most this long after
// its last heartbeat arrived (or its crash, if later), since a monitor
// whose clock runs slow by MaxDrift notices a silence within
// (silence + Check) / (1 − MaxDrift).
func (c Config) SilenceBound() time.Duration {
	return time.Duration(float64(c.silence()+c.check())/(1-c.maxDrift())) + time.Microsecond
}

// DetectionBound is the same bound counted from the crash, on links that
// deliver within MaxDelay: the last heartbeat arrives at most MaxDelay
// after the crash.
func (c Config) DetectionBound() time.Duration { return c.maxDelay() + c.SilenceBound() }

// AccuracyWindow is the accuracy bound in simulated time: a member up
// through a window this long, on links that lose nothing and deliver
// within MaxDelay, is not suspected at its end. It is the shortest
// silence a monitor whose clock runs fast by MaxDrift acts on; the
// configuration must make it longer than a member's slowest interval
// plus MaxDelay (Valid says whether it does).
func (c Config) AccuracyWindow() time.Duration {
	return time.Duration(float64(c.timeout()) / (1 + c.maxDrift()))
}

// Valid reports an error when the Timeout detector's accuracy does not
// follow from the configuration: the timeout must outlast a slow
// member's interval plus the longest delay, on a fast monitor clock.
func (c Config) Valid() error {
	gap := time.Duration(float64(c.interval())/(1-c.maxDrift())) + c.maxDelay()
	if c.AccuracyWindow() <= gap {
		return fmt.Errorf("heartbeat: a timeout of %v (%v on a clock %g fast) does not outlast an interval of %v on a clock %g slow plus a delay of %v",
			c.timeout(), c.AccuracyWindow(), c.maxDrift(), c.interval(), c.maxDrift(), c.maxDelay())
	}
	return nil
}

// Beat is a heartbeat: a member's sequence number in its current boot and
// the time on its own clock when it sent it.
type Beat struct {
	Seq  int
	Sent time.Time
}

func (b Beat) String() string { return fmt.Sprintf("beat %d", b.Seq) }

// Simulate adds a monitor (ID 0) and one member per name (IDs 1, 2, ...)
// to s, and returns the History that checks the run; it registers the
// invariant "completeness" (accuracy holds only under its assumptions, so
// a test adds it: s.Invariant("accuracy", h.Accuracy)).
func Simulate(s *sim.Sim, cfg Config, members ...string) *History {
	h := newHistory(cfg, len(members))
	names := append([]string{"monitor"}, members...)
	monitor := s.Add("monitor", func() sim.Handler { return &Monitor{cfg: cfg, h: h, names: names} })
	for _, name := range members {
		s.Add(name, func() sim.Handler { return &Member{cfg: cfg, monitor: monitor} })
	}
	s.Invariant("completeness", h.Completeness)
	return h
}

// Member sends a Beat to the monitor at boot and then every Interval.
type Member struct {
	cfg     Config
	monitor sim.NodeID
	seq     int
}

// Start sends the first heartbeat at once.
func (m *Member) Start(n *sim.Node) { m.beat(n) }

// Receive ignores messages: a member only talks.
func (m *Member) Receive(*sim.Node, sim.NodeID, any) {}

// Fire sends the next heartbeat.
func (m *Member) Fire(n *sim.Node, _ string) { m.beat(n) }

func (m *Member) beat(n *sim.Node) {
	m.seq++
	n.Send(m.monitor, Beat{Seq: m.seq, Sent: n.Now()})
	n.After(m.cfg.interval(), "beat")
}

// Monitor keeps a Detector per member, feeds it the arrival times of the
// member's heartbeats on its own clock, and looks at every detector each
// Check, noting every change of verdict.
type Monitor struct {
	cfg       Config
	h         *History
	names     []string // by node ID
	detectors map[sim.NodeID]Detector
	suspected map[sim.NodeID]bool
}

// Start makes a detector per member, counting from now, and starts
// checking.
func (m *Monitor) Start(n *sim.Node) {
	m.detectors = map[sim.NodeID]Detector{}
	m.suspected = map[sim.NodeID]bool{}
	for _, p := range n.Peers() {
		m.detectors[p] = m.cfg.detector(n.Now())
	}
	n.After(m.cfg.check(), "check")
}

// Receive records a heartbeat's arrival, dated by the monitor's clock.
func (m *Monitor) Receive(n *sim.Node, from sim.NodeID, msg any) {
	at := n.Now()
	if m.cfg.bug == senderClock {
		at = msg.(Beat).Sent // the bug: trusting the member's clock
	}
	m.detectors[from].Heartbeat(at)
}

// Fire looks at every detector, in ID order, and reports the changes.
func (m *Monitor) Fire(n *sim.Node, _ string) {
	now := n.Now()
	for _, p := range n.Peers() {
		s := m.detectors[p].Suspect(now)
		if s == m.suspected[p] {
			continue
		}
		m.suspected[p] = s
		if s {
			n.Note("suspect %s", m.names[p])
		} else {
			n.Note("trust %s", m.names[p])
		}
		m.h.changed(p, s)
	}
	n.After(m.cfg.check(), "check")
}
