package twophasecommit

import (
	"fmt"
	"time"

	"github.com/lamport-kb/lamport/sim"
)

// Config describes a simulated coordinator and its participants (see
// Simulate).
type Config struct {
	Txns        int           // transactions the coordinator runs, one after another; 0: 4
	NoVotes     float64       // the chance that a participant votes no; 0: 0.15; negative: never
	VoteTimeout time.Duration // the coordinator aborts if the votes are not all in by then; 0: 40 ms
	Retry       time.Duration // resend period of decisions and of a prepared participant's queries; 0: 10 ms
	bug         bug
}

// bug names a deliberately broken variant the exploration must catch.
type bug uint8

const (
	correct          bug = iota
	unilateralAbort      // a prepared participant that waits too long aborts on its own
	unsyncedPrepare      // a participant votes yes before its prepare record is durable
	unsyncedDecision     // the coordinator announces a decision it has not made durable
)

func (c Config) txns() int { return or(c.Txns, 4) }
func (c Config) noVotes() float64 {
	if c.NoVotes < 0 {
		return 0
	}
	return or(c.NoVotes, 0.15)
}
func (c Config) voteTimeout() time.Duration { return or(c.VoteTimeout, 40*time.Millisecond) }
func (c Config) retry() time.Duration       { return or(c.Retry, 10*time.Millisecond) }

func or[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// Messages of the protocol.
type (
	Prepare struct { // coordinator → participant: phase one
		Txn   Txn
		Value string // the participant's part of the transaction
	}
	Vote struct { // participant → coordinator
		Txn Txn
		Yes bool
	}
	Decision struct { // coordinator → participant: phase two
		Txn    Txn
		Commit bool
	}
	Ack   struct{ Txn Txn } // participant → coordinator: the decision is durable here
	Query struct{ Txn Txn } // prepared participant → coordinator: what did you decide?
)

func (p Prepare) String() string { return fmt.Sprintf("prepare T%d", p.Txn) }
func (v Vote) String() string {
	if v.Yes {
		return fmt.Sprintf("yes T%d", v.Txn)
	}
	return fmt.Sprintf("no T%d", v.Txn)
}
func (d Decision) String() string {
	if d.Commit {
		return fmt.Sprintf("commit T%d", d.Txn)
	}
	return fmt.Sprintf("abort T%d", d.Txn)
}
func (a Ack) String() string   { return fmt.Sprintf("ack T%d", a.Txn) }
func (q Query) String() string { return fmt.Sprintf("T%d?", q.Txn) }

// Simulate adds the coordinator (node 0, named "coord") and one
// participant per name to s, and returns the History that checks the run
// with the invariant "atomicity".
func Simulate(s *sim.Sim, cfg Config, participants ...string) *History {
	h := newHistory()
	coord := s.Add("coord", func() sim.Handler { return &Coordinator{cfg: cfg, h: h} })
	for _, name := range participants {
		s.Add(name, func() sim.Handler { return &Participant{cfg: cfg, h: h, coord: coord} })
	}
	s.Invariant("atomicity", func(*sim.Sim) error { return h.err })
	return h
}

func mustAppend(l *Log, r Record) {
	if err := l.Append(r); err != nil {
		panic(err)
	}
}
