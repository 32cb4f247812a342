package gossip

import (
	"fmt"
	"math"
	"time"
)

// Config holds the protocol's settings, named after memberlist's, and the
// assumption its bounds rest on. The zero value is a valid configuration
// for a simulated LAN whose messages take 1–3 ms.
type Config struct {
	ProbeInterval  time.Duration // T, the protocol period; 0: 20 ms
	ProbeTimeout   time.Duration // the wait for a direct ack; 0: 7 ms
	IndirectChecks int           // k, the members asked to ping-req; 0: 3; negative: none
	SuspicionMult  int           // the suspicion timeout is SuspicionMult · max(1, log10 N) · T; 0: 4
	RetransmitMult int           // an update is piggybacked RetransmitMult · ⌈log10(N+1)⌉ times; 0: 4
	Piggyback      int           // updates carried by one message, at most; 0: 6
	// PushPullInterval is the period of the full-view exchange; 0: 2T;
	// negative: no anti-entropy, piggybacks only.
	PushPullInterval time.Duration
	// MaxDelay is the assumption of the bounds: the longest a message
	// spends on a link that delivers it; 0: 3 ms.
	MaxDelay time.Duration
	bug      bug
}

// bug names a deliberately broken variant the exploration must catch.
type bug uint8

const (
	correct   bug = iota
	aliveTies     // alive at an equal incarnation overrides suspect
	unsynced      // the incarnation is written to disk but never synced
	noRefute      // a member does not answer accusations about itself
)

func (c Config) interval() time.Duration { return or(c.ProbeInterval, 20*time.Millisecond) }
func (c Config) timeout() time.Duration  { return or(c.ProbeTimeout, 7*time.Millisecond) }
func (c Config) maxDelay() time.Duration { return or(c.MaxDelay, 3*time.Millisecond) }
func (c Config) piggyback() int          { return or(c.Piggyback, 6) }

func (c Config) indirect() int {
	if c.IndirectChecks < 0 {
		return 0
	}
	return or(c.IndirectChecks, 3)
}

// pushPull is the anti-entropy period, or 0 when there is none.
func (c Config) pushPull() time.Duration {
	if c.PushPullInterval < 0 {
		return 0
	}
	return or(c.PushPullInterval, 2*c.interval())
}

func or[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// SuspicionTimeout is how long a member of a cluster of n stays suspected
// before it is declared dead: memberlist's suspicionTimeout, the minimum
// of its Lifeguard timer.
func (c Config) SuspicionTimeout(n int) time.Duration {
	scale := math.Max(1, math.Log10(math.Max(1, float64(n))))
	return time.Duration(float64(or(c.SuspicionMult, 4)) * scale * float64(c.interval()))
}

// RetransmitLimit is how many messages carry each update a member queues,
// in a cluster of n: memberlist's retransmitLimit.
func (c Config) RetransmitLimit(n int) int {
	return or(c.RetransmitMult, 4) * int(math.Ceil(math.Log10(float64(n+1))))
}

// Valid reports an error when a probe of a live member on links within
// MaxDelay could fail: a direct ack takes up to 2·MaxDelay, an indirect
// one up to 4·MaxDelay after the ping-req, and both must arrive before
// the period ends.
func (c Config) Valid() error {
	d, t := c.maxDelay(), c.timeout()
	if t < 2*d {
		return fmt.Errorf("gossip: a probe timeout of %v is shorter than a round trip of 2 × %v", t, d)
	}
	if c.indirect() > 0 && t+4*d >= c.interval() {
		return fmt.Errorf("gossip: an indirect probe (timeout %v + 4 × %v) does not fit in the probe interval of %v", t, d, c.interval())
	}
	return nil
}

// ExchangeBound is how long an update held by a live member takes, at
// most, to reach every other live member of a cluster of n through
// anti-entropy alone, on links that lose nothing and deliver within
// MaxDelay: the exchange partners come round-robin from a list shuffled
// at every pass, so a partner's turn comes within 2n−3 exchanges; then
// one delay. It is 0 without anti-entropy.
func (c Config) ExchangeBound(n int) time.Duration {
	if c.pushPull() == 0 {
		return 0
	}
	return time.Duration(2*n-3)*c.pushPull() + c.maxDelay()
}

// ConvergenceBound is how long after the last fault ends every live member
// of a cluster of n holds the same view, in which every live member is
// alive and every member that is down is dead, on links that lose nothing
// and deliver within MaxDelay, with clocks that do not drift. It is the
// later of two chains, with W the ExchangeBound:
//
//   - a live member accused before the end: the last accusation is made
//     within one period, reaches the accused within W, and its refutation
//     reaches everyone within W more: T + 2W;
//   - a member that is down: its latest incarnation reaches every live
//     member within D + W, each of them probes it within 2n−3 periods and
//     suspects it one period later, and declares it dead a suspicion
//     timeout after that: D + W + (2n−2)·T + SuspicionTimeout.
//
// Without anti-entropy there is no such bound: piggybacks are sent a
// limited number of times, and may all be lost.
func (c Config) ConvergenceBound(n int) time.Duration {
	w := c.ExchangeBound(n)
	if w == 0 {
		return 0
	}
	t := c.interval()
	live := t + 2*w
	down := c.maxDelay() + w + time.Duration(2*n-2)*t + c.SuspicionTimeout(n)
	return max(live, down) + time.Millisecond // ties between timers and deliveries
}
