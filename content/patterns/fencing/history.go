package fencing

import (
	"fmt"

	"github.com/lamport-kb/lamport/sim"
)

// History follows a run from outside: every grant of the lock service and
// every write the storage saw. Its invariants are "tokens" (every grant's
// token is larger than all earlier ones, across crashes of the service)
// and "fencing" (the storage never accepts a write whose token is below
// one it accepted before, nor a token from a client it was not granted
// to).
type History struct {
	holder   map[Token]sim.NodeID
	last     Token // the latest token granted
	accepted Token // the highest token the storage accepted
	writes   int
	errTok   error
	errFence error
	stats    Stats
}

// Stats counts what happened in a run.
type Stats struct {
	Grants        int
	Accepted      int
	Rejected      int
	Stale         int // writes that reached the storage after a newer token was granted
	StaleAccepted int // of them, accepted: fine while no newer token has written yet
}

// Stats returns the run's counts so far.
func (h *History) Stats() Stats { return h.stats }

// Holder returns the client a token was granted to.
func (h *History) Holder(t Token) (sim.NodeID, bool) {
	id, ok := h.holder[t]
	return id, ok
}

func (h *History) nextWrite() int { h.writes++; return h.writes }

func (h *History) granted(t Token, to sim.NodeID) {
	h.stats.Grants++
	if t <= h.last && h.errTok == nil {
		h.errTok = fmt.Errorf("token %d granted to node %d after token %d: tokens must grow", t, to, h.last)
	}
	if prev, dup := h.holder[t]; dup && prev != to && h.errTok == nil {
		h.errTok = fmt.Errorf("token %d granted twice, to nodes %d and %d", t, prev, to)
	}
	h.holder[t] = to
	h.last = max(h.last, t)
}

func (h *History) wrote(w Write, from sim.NodeID, ok bool) {
	if w.Token < h.last {
		h.stats.Stale++
	}
	if !ok {
		h.stats.Rejected++
		return
	}
	h.stats.Accepted++
	if w.Token < h.last {
		h.stats.StaleAccepted++
	}
	switch {
	case w.Token < h.accepted:
		h.fail(fmt.Errorf("the storage accepted %s with token %d after accepting token %d: a stale holder's write went through", w.Data, w.Token, h.accepted))
	case h.holder[w.Token] != from:
		h.fail(fmt.Errorf("the storage accepted %s with token %d from node %d, which was granted to node %d", w.Data, w.Token, from, h.holder[w.Token]))
	}
	h.accepted = max(h.accepted, w.Token)
}

func (h *History) fail(err error) {
	if h.errFence == nil {
		h.errFence = err
	}
}

func (h *History) tokens(*sim.Sim) error  { return h.errTok }
func (h *History) fencing(*sim.Sim) error { return h.errFence }
