package sim_test

import (
	"fmt"
	"time"

	"github.com/lamport-kb/lamport/sim"
)

const ms = time.Millisecond

// pinger sends a numbered ping to the next node every 10 ms, five times,
// and answers every ping with a pong; it keeps a Lamport clock so the
// diagram shows one.
type pinger struct {
	sent, got int
	clock     int
}

type ping struct{ N, C int }

type pong struct{ N, C int }

func (p *pinger) Start(n *sim.Node) {
	n.After(10*ms, "tick")
	n.ShowClock(p.clock)
}

func (p *pinger) Fire(n *sim.Node, timer string) {
	p.sent++
	p.clock++
	next := sim.NodeID((int(n.ID()) + 1) % (len(n.Peers()) + 1))
	n.Send(next, ping{p.sent, p.clock})
	n.ShowClock(p.clock)
	if p.sent < 5 {
		n.After(10*ms, "tick")
	}
}

func (p *pinger) Receive(n *sim.Node, from sim.NodeID, msg any) {
	p.got++
	switch m := msg.(type) {
	case ping:
		p.clock = max(p.clock, m.C) + 1
		p.clock++
		n.Send(from, pong{m.N, p.clock})
	case pong:
		p.clock = max(p.clock, m.C) + 1
	}
	n.ShowClock(p.clock)
}

// cluster is n pingers under cfg.
func cluster(cfg sim.Config, n int) *sim.Sim {
	s := sim.New(cfg)
	for i := range n {
		s.Add(fmt.Sprintf("n%d", i), func() sim.Handler { return &pinger{} })
	}
	return s
}

// mustRun runs s and fails the test on an error.
func mustRun(t interface {
	Helper()
	Fatal(...any)
}, s *sim.Sim) *sim.Sim {
	t.Helper()
	if err := s.Run(); err != nil {
		t.Fatal(err)
	}
	return s
}
