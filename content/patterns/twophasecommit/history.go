package twophasecommit

import (
	"fmt"

	"github.com/lamport-kb/lamport/sim"
)

// History follows a run from outside: every transaction begun, every
// decision of the coordinator and every final outcome at a participant.
// Its invariant "atomicity" fails at the first transaction that some
// participant committed and another aborted, that a participant committed
// without a commit decision, or whose decision changed.
type History struct {
	begins   []Txn
	decision map[Txn]Outcome
	outcomes map[Txn]map[sim.NodeID]Outcome
	queries  int
	err      error
}

func newHistory() *History {
	return &History{decision: map[Txn]Outcome{}, outcomes: map[Txn]map[sim.NodeID]Outcome{}}
}

func (h *History) begun(t Txn) { h.begins = append(h.begins, t) }

func (h *History) queried() { h.queries++ }

// decided records the coordinator's decision on t.
func (h *History) decided(t Txn, o Outcome) {
	if old, ok := h.decision[t]; ok && old != o {
		h.fail(fmt.Errorf("the coordinator decided T%d %v, then %v", t, old, o))
	}
	h.decision[t] = o
}

// finished records a participant's final outcome on t.
func (h *History) finished(p sim.NodeID, t Txn, o Outcome) {
	if h.outcomes[t] == nil {
		h.outcomes[t] = map[sim.NodeID]Outcome{}
	}
	if old, ok := h.outcomes[t][p]; ok && old != o {
		h.fail(fmt.Errorf("participant %d had T%d %v, then %v", p, t, old, o))
	}
	h.outcomes[t][p] = o
	if o == Committed && h.decision[t] != Committed {
		h.fail(fmt.Errorf("participant %d committed T%d, which the coordinator did not decide to commit", p, t))
	}
	for q, other := range h.outcomes[t] {
		if other != o {
			h.fail(fmt.Errorf("transaction T%d split: participant %d %v, participant %d %v", t, q, other, p, o))
		}
	}
}

func (h *History) fail(err error) {
	if h.err == nil {
		h.err = err
	}
}

// Decision returns the coordinator's decision on t (Unknown if none).
func (h *History) Decision(t Txn) Outcome { return h.decision[t] }

// Outcome returns participant p's final outcome on t (Unknown if none).
func (h *History) Outcome(p sim.NodeID, t Txn) Outcome { return h.outcomes[t][p] }

// Begun returns the transactions begun, in order (a transaction begun
// again after a coordinator restart appears once per beginning).
func (h *History) Begun() []Txn { return h.begins }

// Queries counts the queries that prepared participants sent.
func (h *History) Queries() int { return h.queries }

// Complete checks the end of a run: every transaction begun was decided,
// and every participant reached the decision.
func (h *History) Complete(participants []sim.NodeID) error {
	for _, t := range h.begins {
		d := h.decision[t]
		if !d.Final() {
			return fmt.Errorf("transaction T%d was never decided", t)
		}
		for _, p := range participants {
			if o := h.outcomes[t][p]; o != d {
				return fmt.Errorf("transaction T%d is %v, but participant %d has %v", t, d, p, o)
			}
		}
	}
	return nil
}
