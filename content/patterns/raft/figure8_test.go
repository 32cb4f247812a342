package raft

import (
	"testing"
	"time"

	"github.com/lamport-kb/lamport/sim"
)

// peer is a scripted server of a directed test: it sends what the test
// says, when the test says, and is not checked (it is not a replica).
type peer struct {
	start   func(n *sim.Node)
	receive func(n *sim.Node, from sim.NodeID, msg any)
}

func (p *peer) Start(n *sim.Node) {
	if p.start != nil {
		p.start(n)
	}
}

func (p *peer) Receive(n *sim.Node, from sim.NodeID, msg any) {
	if p.receive != nil {
		p.receive(n, from, msg)
	}
}

func (p *peer) Fire(*sim.Node, string) {}

// figure8 plays the paper's Figure 8 against one real server, s1, with
// s2 to s5 scripted:
//
//  1. s2, leader of term 2, gives s1 an entry e at index 1, and no one
//     else has it but s2;
//  2. s5 asks s1 for its vote in term 3: it leads term 3 and wrote f
//     at index 1, which no one else has;
//  3. s1 times out and wins term 4 with the votes of s2, s3 and s4, and
//     appends its no-op at 2; s2 and s3 acknowledge index 1 (e) but not
//     yet the no-op, so e is on a majority (s1, s2, s3);
//  4. s5, elected in term 5 by s2, s3 and s4 (its last term, 3, beats
//     their 2), overwrites index 1 of s1's log with f.
//
// It returns the run's error: nil, or the failure of a safety property.
func figure8(t *testing.T, b bug) (*sim.Sim, *Cluster, error) {
	t.Helper()
	const s1, s4 = sim.NodeID(0), sim.NodeID(3)
	e := &Command{Client: s4, Seq: 1, Kind: Put, Key: "x", Value: "e"} // s4 takes the answers, silently
	f := &Command{Client: s4, Seq: 2, Kind: Put, Key: "x", Value: "f"}
	s := sim.New(sim.Config{Seed: 1, Until: time.Second, Network: sim.Link{Delay: sim.Fixed(time.Millisecond)}})
	c := &Cluster{cfg: Config{Servers: 5, bug: b}.withDefaults(), sim: s}
	c.Servers = []sim.NodeID{s.Add("s1", c.newServer)}
	voter := func(n *sim.Node, from sim.NodeID, msg any) {
		switch m := msg.(type) {
		case RequestVote:
			n.Send(from, Vote{Term: m.Term, Granted: true})
		case Append:
			if m.Term == 4 { // e stored, the no-op not yet
				n.Send(from, AppendReply{Term: 4, Success: true, Match: 1})
			}
		}
	}
	leader2 := &peer{receive: voter, start: func(n *sim.Node) {
		n.Send(s1, Append{Term: 2, Entries: []Entry{{Term: 2, Cmd: e}}})
	}}
	leader5 := &peer{start: func(n *sim.Node) {
		n.Send(s1, RequestVote{Term: 3, LastIndex: 1, LastTerm: 3})
	}, receive: func(n *sim.Node, from sim.NodeID, msg any) {
		if m, ok := msg.(Append); ok && m.Term == 4 && len(m.Entries) > 0 && m.Entries[0].Cmd == nil {
			n.Send(s1, Append{Term: 5, Entries: []Entry{{Term: 3, Cmd: f}}, Commit: 1})
		}
	}}
	silent := &peer{receive: func(n *sim.Node, from sim.NodeID, msg any) {
		if m, ok := msg.(RequestVote); ok {
			n.Send(from, Vote{Term: m.Term, Granted: true})
		}
	}}
	for _, p := range []struct {
		name string
		h    *peer
	}{{"s2", leader2}, {"s3", &peer{receive: voter}}, {"s4", silent}, {"s5", leader5}} {
		h := p.h
		c.Servers = append(c.Servers, s.Add(p.name, func() sim.Handler { return h }))
	}
	c.check = newChecker(c)
	c.check.attach(s)
	return s, c, s.Run()
}

// TestFigure8: a leader that commits an entry of an earlier term because
// a majority stores it loses that entry to a later leader, and the
// checker says so; with the current-term rule the same schedule commits
// only what stays.
func TestFigure8(t *testing.T) {
	s, c, err := figure8(t, correct)
	if err != nil {
		t.Fatalf("with the current-term rule: %v", err)
	}
	if got := c.Committed(); got != 1 {
		t.Errorf("with the current-term rule %d entries committed, want 1 (f, from s5)", got)
	}
	if srv := s.Handler(0).(*Server); srv.log[1].Cmd == nil || srv.log[1].Cmd.Value != "f" {
		t.Errorf("s1's entry 1 is %v, want s5's f", srv.log[1])
	}
	_, _, err = figure8(t, oldTerms)
	f, ok := err.(*sim.Failure)
	if !ok || f.Check != StateMachineSafety {
		t.Fatalf("counting replicas of an old term's entry: %v, want a state machine safety failure", err)
	}
	t.Log(err)
}
