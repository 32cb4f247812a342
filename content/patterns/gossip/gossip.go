// Package gossip implements SWIM-style membership: every member keeps a
// view of the cluster, finds failed members by probing a random one each
// protocol period, and spreads what it learns by piggybacking membership
// updates on the probes themselves, so the whole cluster learns of a crash
// in a few periods without any central server.
//
// The protocol is SWIM (Das, Gupta and Motivala, 2002) as HashiCorp's
// memberlist runs it (its state.go, config.go and util.go), without the
// Lifeguard extensions:
//
//   - Probing. Each ProbeInterval a member pings the next member of a
//     shuffled round-robin list. Without an ack within ProbeTimeout it asks
//     IndirectChecks other members to ping the target for it (ping-req);
//     without any ack by the end of the period it suspects the target.
//   - Suspicion. A suspected member is not dead yet: it is declared dead
//     only when the suspicion has lasted the suspicion timeout
//     (SuspicionMult · max(1, log10 N) · ProbeInterval), and a member that
//     hears it is suspected refutes the suspicion by raising its
//     incarnation number and announcing itself alive.
//   - Dissemination. Every change of a member's view (alive, suspect, dead,
//     with an incarnation number) is queued and piggybacked on the next
//     pings, acks and ping-reqs, each update at most
//     RetransmitMult · ⌈log10(N+1)⌉ times, fewest-sent first; a message to
//     a member believed suspect or dead carries that accusation first.
//   - Anti-entropy. Each PushPullInterval a member exchanges its whole view
//     with the next member of a second round-robin list, so an update whose
//     piggybacks were all lost (in a partition) still arrives.
//
// Views merge by one rule (Update.Supersedes): the higher incarnation
// wins, and at equal incarnations dead beats suspect beats alive. Only a
// member raises its own incarnation, and it syncs the new number to disk
// before saying it, so a member that restarts comes back with a number
// above every one it used before.
//
// Member is the sim.Handler; Simulate builds a cluster of them on package
// sim, and its History checks, after every event, that incarnations and
// views only grow and, once the faults are over, that every live member
// holds the same, true view within Config.ConvergenceBound.
package gossip

import (
	"fmt"
	"slices"

	"github.com/lamport-kb/lamport/sim"
)

// State is what a view says of a member.
type State uint8

// The states, in the order of the merge rule at equal incarnations.
const (
	Alive State = iota
	Suspect
	Dead
)

var stateNames = [...]string{"alive", "suspect", "dead"}

func (s State) String() string { return stateNames[s] }

// Update is one entry of a view, and the message that spreads it: what is
// believed of a member, at which of its incarnations.
type Update struct {
	Node        sim.NodeID
	Name        string // the member's name, as an address would travel
	State       State
	Incarnation int
}

func (u Update) String() string { return fmt.Sprintf("%s %s@%d", u.Name, u.State, u.Incarnation) }

// Supersedes reports whether u replaces v, an update about the same
// member: a higher incarnation wins; at the same incarnation dead beats
// suspect and suspect beats alive. It is a strict total order, so merging
// by it is commutative, associative and idempotent: views that have seen
// the same updates, in any order, are equal.
func (u Update) Supersedes(v Update) bool {
	if u.Incarnation != v.Incarnation {
		return u.Incarnation > v.Incarnation
	}
	return u.State > v.State
}

// View is a member's knowledge of the cluster, indexed by node ID.
type View []Update

// Merge applies u if it supersedes the entry it is about, and reports
// whether it did.
func (v View) Merge(u Update) bool {
	if !u.Supersedes(v[u.Node]) {
		return false
	}
	v[u.Node] = u
	return true
}

// Equal reports whether two views hold the same entries.
func (v View) Equal(w View) bool { return slices.Equal(v, w) }

// refutation is the incarnation with which a member at own answers an
// accusation made at accused: one above both.
func refutation(own, accused int) int { return max(own, accused) + 1 }
