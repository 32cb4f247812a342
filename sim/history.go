package sim

import (
	"fmt"
	"math"
	"time"

	"github.com/anishathalye/porcupine"
)

// OpID identifies a client operation recorded with Node.Invoke.
type OpID int

// Op is one client operation of the history: who called it, with what, what
// it returned, and when, in simulated time. An operation that never
// returned (its client crashed, or gave up) has Done false.
type Op struct {
	Client        NodeID
	Input, Output any
	Call, Return  time.Duration
	CallEv, RetEv int // the events of the call and the return, or -1
	Done          bool
}

// Invoke records that the node, as a client, calls an operation with
// input now; Return records its result. The history is what a
// linearizability checker reads (see Linearizable).
func (n *Node) Invoke(input any) OpID {
	s := n.sim
	s.ops = append(s.ops, Op{Client: n.id, Input: input, Call: s.now, CallEv: s.cur, RetEv: -1})
	return OpID(len(s.ops) - 1)
}

// Return records the output of an operation the node invoked. Returning an
// unknown or finished operation panics (the run fails).
func (n *Node) Return(id OpID, output any) {
	s := n.sim
	if id < 0 || int(id) >= len(s.ops) || s.ops[id].Done || s.ops[id].Client != n.id {
		panic(fmt.Sprintf("sim: %s returns operation %d, which it has not invoked or has returned", n.name, id))
	}
	op := &s.ops[id]
	op.Output, op.Return, op.RetEv, op.Done = output, s.now, s.cur, true
}

// History returns the client operations, in the order they were invoked.
func (s *Sim) History() []Op { return s.ops }

// Operations turns a history into porcupine's operations. An operation
// that never returned may have taken effect at any time after its call, so
// it returns at the end of time (math.MaxInt64) with a nil output: a
// model's Step should accept any output for it. Times are nanoseconds of
// simulated time; ClientId is the client's node ID.
func Operations(h []Op) []porcupine.Operation {
	ops := make([]porcupine.Operation, len(h))
	for i, op := range h {
		ret := int64(math.MaxInt64)
		if op.Done {
			ret = int64(op.Return)
		}
		ops[i] = porcupine.Operation{ClientId: int(op.Client), Input: op.Input, Call: int64(op.Call), Output: op.Output, Return: ret}
	}
	return ops
}

// Linearizable checks the history against model with porcupine, giving up
// after timeout (0: no limit). It returns nil if the history is
// linearizable, and an error otherwise or when the check timed out.
func Linearizable(model porcupine.Model, h []Op, timeout time.Duration) error {
	switch porcupine.CheckOperationsTimeout(model, Operations(h), timeout) {
	case porcupine.Ok:
		return nil
	case porcupine.Illegal:
		return fmt.Errorf("sim: the history of %d operations is not linearizable", len(h))
	}
	return fmt.Errorf("sim: the linearizability check of %d operations timed out after %v", len(h), timeout)
}
