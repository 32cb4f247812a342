package leaderfollower

import (
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/lamport-kb/lamport/sim"
)

// operatorFile holds the operator's last epoch and the leader it promoted.
const operatorFile = "epoch"

// Operator fails the cluster over at the times of Config.Failovers: it
// takes the next epoch (durably, so that no epoch is used twice), fences
// every replica but the current leader with it, waits for FenceQuorum
// answers, promotes the Best of them and announces the new leader to every
// node. It resends a fence or a promotion every Config.Retry until it is
// answered. It stands for the person or the tool (such as Redis
// Sentinel) that runs the failover; it decides nothing on its own.
type Operator struct {
	cfg      Config
	h        *History
	replicas []sim.NodeID

	epoch   uint64
	leader  sim.NodeID
	phase   phase
	answers []Candidate
	chosen  sim.NodeID
	begun   time.Duration
}

type phase uint8

const (
	idle phase = iota
	fencing
	promoting
)

// Start loads the epoch and the leader (epoch 1 and replica 0 at first)
// and schedules the failovers still to come on its clock.
func (o *Operator) Start(n *sim.Node) {
	o.epoch, o.leader = 1, o.replicas[0]
	if data, ok := n.Disk().Read(operatorFile); ok && len(data) == 16 {
		o.epoch, o.leader = binary.BigEndian.Uint64(data), sim.NodeID(binary.BigEndian.Uint64(data[8:]))
	}
	now := n.Now().Sub(sim.Epoch)
	for _, at := range o.cfg.Failovers {
		if at >= now {
			n.After(at-now, "failover")
		}
	}
}

// Epoch returns the last epoch the operator began.
func (o *Operator) Epoch() uint64 { return o.epoch }

func (o *Operator) save(n *sim.Node) {
	b := binary.BigEndian.AppendUint64(nil, o.epoch)
	b = binary.BigEndian.AppendUint64(b, uint64(o.leader))
	if err := n.Disk().Write(operatorFile, b); err != nil {
		panic(err)
	}
	n.Disk().Sync(operatorFile)
}

// Fire begins a failover ("failover"), or resends what is unanswered
// ("retry").
func (o *Operator) Fire(n *sim.Node, timer string) {
	switch timer {
	case "failover":
		o.epoch++
		o.save(n)
		o.phase, o.answers, o.begun = fencing, nil, n.Now().Sub(sim.Epoch)
		n.Note("failover to e%d: fence all but %c, wait for %d", o.epoch, o.name(o.leader), o.cfg.Quorum())
		o.resend(n)
		n.After(o.cfg.retry(), "retry")
	case "retry":
		if o.phase != idle {
			o.resend(n)
			n.After(o.cfg.retry(), "retry")
		}
	}
}

// resend sends the fence to the replicas that have not answered, or the
// promotion to the chosen one.
func (o *Operator) resend(n *sim.Node) {
	switch o.phase {
	case fencing:
		for _, id := range o.replicas {
			if id != o.leader && !o.answered(id) {
				n.Send(id, Fence{Epoch: o.epoch})
			}
		}
	case promoting:
		n.Send(o.chosen, Promote{Epoch: o.epoch})
	}
}

func (o *Operator) answered(id sim.NodeID) bool {
	return slices.ContainsFunc(o.answers, func(c Candidate) bool { return c.Node == int(id) })
}

// Receive collects fence answers and the promotion's.
func (o *Operator) Receive(n *sim.Node, from sim.NodeID, msg any) {
	switch m := msg.(type) {
	case Fenced:
		if o.phase != fencing || m.Epoch != o.epoch || o.answered(from) {
			return
		}
		o.answers = append(o.answers, Candidate{Node: int(from), Last: m.Last})
		if len(o.answers) < o.cfg.Quorum() {
			return
		}
		best := Best(o.answers)
		o.phase, o.chosen = promoting, sim.NodeID(best.Node)
		o.h.fencedQuorum(o.epoch, o.answers, n)
		n.Note("fenced %s: promote %c", o.list(), o.name(o.chosen))
		o.resend(n)
	case Promoted:
		if o.phase != promoting || m.Epoch != o.epoch || from != o.chosen {
			return
		}
		o.phase, o.leader = idle, from
		o.save(n)
		o.h.failedOver(o.epoch, from, o.begun, n)
		n.Note("e%d led by %c", o.epoch, o.name(from))
		n.Broadcast(Leader{Epoch: o.epoch, Leader: from})
	}
}

func (o *Operator) name(id sim.NodeID) rune { return rune('A' + int(id-o.replicas[0])) }

func (o *Operator) list() string {
	s := make([]string, len(o.answers))
	for i, c := range o.answers {
		s[i] = fmt.Sprintf("%c at %v", o.name(sim.NodeID(c.Node)), c.Last)
	}
	return strings.Join(s, ", ")
}
