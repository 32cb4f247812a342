package gossip

import (
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/lamport-kb/lamport/sim"
)

// The messages of the protocol. Each carries piggybacked updates.
type (
	// Ping asks its receiver for an Ack with the same Seq.
	Ping struct {
		Seq    int
		Gossip []Update
	}
	// Ack answers a Ping.
	Ack struct {
		Seq    int
		Gossip []Update
	}
	// PingReq asks its receiver to ping Target (named Name) and relay
	// the Ack.
	PingReq struct {
		Seq    int
		Target sim.NodeID
		Name   string
		Gossip []Update
	}
	// Sync carries a whole view, for anti-entropy; Reply asks for the
	// receiver's view in return.
	Sync struct {
		View  []Update
		Reply bool
	}
)

func (p Ping) String() string { return "ping " + strconv.Itoa(p.Seq) + carried(p.Gossip) }
func (a Ack) String() string  { return "ack " + strconv.Itoa(a.Seq) + carried(a.Gossip) }
func (r PingReq) String() string {
	return fmt.Sprintf("ping-req %d: ping %s", r.Seq, r.Name) + carried(r.Gossip)
}
func (s Sync) String() string {
	if s.Reply {
		return fmt.Sprintf("push-pull: %d entries", len(s.View))
	}
	return fmt.Sprintf("push-pull reply: %d entries", len(s.View))
}

// carried prints the updates a message carries.
func carried(us []Update) string {
	if len(us) == 0 {
		return ""
	}
	return fmt.Sprint(" ", us)
}

// Timers.
const (
	probeTimer    = "probe"
	indirectTimer = "ping-req"
	syncTimer     = "push-pull"
	suspectTimer  = "suspicion " // + the suspect's name and incarnation
)

// incarnationFile is where a member keeps the last incarnation it used.
const incarnationFile = "incarnation"

// Member is one member of the cluster, a sim.Handler. Its view and
// queues are volatile; its incarnation number is on its Disk.
type Member struct {
	cfg   Config
	h     *History
	names []string // every member's name, by node ID
	self  sim.NodeID
	inc   int
	view  View

	queue    []broadcast       // updates to piggyback, fewest-sent first
	probes   roundRobin        // probe targets
	partners roundRobin        // anti-entropy partners
	seq      int               // the last sequence number used
	probe    probe             // the probe of this period
	relays   map[int]relay     // pings sent for a ping-req, by their Seq
	suspects map[string]Update // running suspicion timers, by timer name
}

// broadcast is a queued update and the number of messages that carried it.
type broadcast struct {
	u    Update
	sent int
}

// probe is the period's probe: its target, the target's incarnation
// when it began, and whether an ack came back.
type probe struct {
	active   bool
	seq      int
	target   sim.NodeID
	inc      int
	acked    bool
	indirect sim.TimerID
}

// relay is a ping sent for another member's ping-req.
type relay struct {
	origin sim.NodeID
	seq    int // the origin's
	at     time.Time
}

// Start recovers the incarnation, bumps it past every one used before,
// makes it durable, and starts the probe and anti-entropy timers at a
// random phase. The first boot keeps incarnation 0: every member starts
// knowing every other as alive at 0.
func (m *Member) Start(n *sim.Node) {
	m.self = n.ID()
	m.inc = 0
	if b, ok := n.Disk().Read(incarnationFile); ok {
		prev, err := strconv.Atoi(string(b))
		if err != nil {
			panic(fmt.Sprintf("incarnation file %q: %v", b, err))
		}
		m.inc = prev + 1
	}
	m.save(n)
	m.view = make(View, len(m.names))
	for id, name := range m.names {
		m.view[id] = Update{Node: sim.NodeID(id), Name: name}
	}
	m.view[m.self].Incarnation = m.inc
	m.relays = map[int]relay{}
	m.suspects = map[string]Update{}
	m.probes = newRoundRobin(n)
	m.partners = newRoundRobin(n)
	if m.inc > 0 {
		m.enqueue(m.view[m.self])
		m.h.changed(n, m.view[m.self])
		n.Note("alive @%d", m.inc)
	}
	n.After(phase(n, m.cfg.interval()), probeTimer)
	if p := m.cfg.pushPull(); p > 0 {
		n.After(phase(n, p), syncTimer)
	}
}

// phase is a random delay in (0, d], so members do not probe in step.
func phase(n *sim.Node, d time.Duration) time.Duration {
	return 1 + time.Duration(n.Rand().Int64N(int64(d)))
}

// save makes the incarnation durable before anyone hears of it.
func (m *Member) save(n *sim.Node) {
	if err := n.Disk().Write(incarnationFile, []byte(strconv.Itoa(m.inc))); err != nil {
		panic(err)
	}
	if m.cfg.bug != unsynced {
		n.Disk().Sync(incarnationFile)
	}
}

// Receive handles the four messages; every one's gossip is learned first.
func (m *Member) Receive(n *sim.Node, from sim.NodeID, msg any) {
	switch msg := msg.(type) {
	case Ping:
		m.learnAll(n, msg.Gossip)
		n.Send(from, Ack{Seq: msg.Seq, Gossip: m.piggyback(from)})
	case Ack:
		m.learnAll(n, msg.Gossip)
		m.acked(n, msg)
	case PingReq:
		m.learnAll(n, msg.Gossip)
		m.seq++
		m.relays[m.seq] = relay{origin: from, seq: msg.Seq, at: n.Now()}
		n.Send(msg.Target, Ping{Seq: m.seq, Gossip: m.piggyback(msg.Target)})
	case Sync:
		m.learnAll(n, msg.View)
		if msg.Reply {
			n.Send(from, Sync{View: slices.Clone(m.view)})
		}
	}
}

// acked records the ack of this period's probe, or relays the ack of a
// ping sent for a ping-req.
func (m *Member) acked(n *sim.Node, a Ack) {
	if m.probe.active && a.Seq == m.probe.seq {
		m.probe.acked = true
		n.Cancel(m.probe.indirect)
		return
	}
	if r, ok := m.relays[a.Seq]; ok {
		delete(m.relays, a.Seq)
		n.Send(r.origin, Ack{Seq: r.seq, Gossip: m.piggyback(r.origin)})
	}
}

// Fire runs the protocol period, the indirect probe, the anti-entropy
// exchange and the end of a suspicion.
func (m *Member) Fire(n *sim.Node, timer string) {
	switch timer {
	case probeTimer:
		m.period(n)
	case indirectTimer:
		m.pingReq(n)
	case syncTimer:
		m.pushPull(n)
	default:
		m.expire(n, timer)
	}
}

// period ends the last probe, suspecting its target if nothing came back,
// and starts the next one.
func (m *Member) period(n *sim.Node) {
	if p := m.probe; p.active && !p.acked {
		m.accuse(n, Update{Node: p.target, Name: m.names[p.target], State: Suspect, Incarnation: p.inc})
	}
	m.probe = probe{}
	m.prune(n)
	n.After(m.cfg.interval(), probeTimer)
	target, ok := m.probes.next(n, func(id sim.NodeID) bool { return m.view[id].State != Dead })
	if !ok {
		return
	}
	m.seq++
	m.probe = probe{active: true, seq: m.seq, target: target, inc: m.view[target].Incarnation}
	n.Send(target, Ping{Seq: m.seq, Gossip: m.piggyback(target)})
	m.probe.indirect = n.After(m.cfg.timeout(), indirectTimer)
}

// pingReq asks k members believed alive to ping the silent target.
func (m *Member) pingReq(n *sim.Node) {
	p := m.probe
	if !p.active || p.acked {
		return
	}
	var helpers []sim.NodeID
	for _, id := range n.Peers() {
		if id != p.target && m.view[id].State == Alive {
			helpers = append(helpers, id)
		}
	}
	n.Rand().Shuffle(len(helpers), func(i, j int) { helpers[i], helpers[j] = helpers[j], helpers[i] })
	for _, h := range helpers[:min(m.cfg.indirect(), len(helpers))] {
		n.Send(h, PingReq{Seq: p.seq, Target: p.target, Name: m.names[p.target], Gossip: m.piggyback(h)})
	}
}

// prune forgets the relays of earlier periods: their acks are late.
func (m *Member) prune(n *sim.Node) {
	for seq, r := range m.relays {
		if n.Now().Sub(r.at) >= m.cfg.interval() {
			delete(m.relays, seq)
		}
	}
}

// pushPull sends the whole view to the next partner, which answers with
// its own. Members believed dead take their turn too, so that one that is
// alive hears of it and refutes.
func (m *Member) pushPull(n *sim.Node) {
	n.After(m.cfg.pushPull(), syncTimer)
	if partner, ok := m.partners.next(n, func(sim.NodeID) bool { return true }); ok {
		n.Send(partner, Sync{View: slices.Clone(m.view), Reply: true})
	}
}

func (m *Member) learnAll(n *sim.Node, us []Update) {
	for _, u := range us {
		m.learn(n, u)
	}
}

// learn merges one update from another member. An accusation of this
// member, at its incarnation or above, is refuted instead.
func (m *Member) learn(n *sim.Node, u Update) {
	if u.Node == m.self {
		if u.Incarnation > m.inc || (u.Incarnation == m.inc && u.State != Alive) {
			m.refute(n, u)
		}
		return
	}
	m.accuse(n, u)
}

// accuse merges an update about another member into the view: it is
// queued for dissemination, and a suspicion starts its timer.
func (m *Member) accuse(n *sim.Node, u Update) {
	old := m.view[u.Node]
	if !m.supersedes(u, old) {
		return
	}
	m.view[u.Node] = u
	m.enqueue(u)
	m.h.changed(n, u)
	if u.State != old.State {
		n.Note("%s %s", u.State, u.Name)
	}
	if u.State == Suspect {
		name := fmt.Sprintf("%s%s@%d", suspectTimer, u.Name, u.Incarnation)
		m.suspects[name] = u
		n.After(m.cfg.SuspicionTimeout(len(m.names)), name)
	}
}

// supersedes is the merge rule, or the broken variant's.
func (m *Member) supersedes(u, old Update) bool {
	if m.cfg.bug == aliveTies && u.State == Alive && old.State == Suspect && u.Incarnation == old.Incarnation {
		return true
	}
	return u.Supersedes(old)
}

// expire declares a suspect dead if the suspicion still stands: no
// refutation (a higher incarnation) and no other news has replaced it.
func (m *Member) expire(n *sim.Node, timer string) {
	u, ok := m.suspects[timer]
	if !ok {
		return
	}
	delete(m.suspects, timer)
	if m.view[u.Node] == u {
		u.State = Dead
		m.accuse(n, u)
	}
}

// refute answers an accusation: a new incarnation, above it, made durable
// and then announced.
func (m *Member) refute(n *sim.Node, accusation Update) {
	if m.cfg.bug == noRefute {
		return
	}
	m.inc = refutation(m.inc, accusation.Incarnation)
	m.save(n)
	m.view[m.self].Incarnation = m.inc
	m.enqueue(m.view[m.self])
	m.h.changed(n, m.view[m.self])
	n.Note("refute %s: alive @%d", accusation.State, m.inc)
}

// enqueue queues an update for piggybacking, replacing any older one about
// the same member.
func (m *Member) enqueue(u Update) {
	m.queue = slices.DeleteFunc(m.queue, func(b broadcast) bool { return b.u.Node == u.Node })
	m.queue = append(m.queue, broadcast{u: u})
}

// piggyback takes the updates for one message to: the fewest-sent first,
// each sent at most RetransmitLimit times. A message to a member believed
// suspect or dead carries that accusation first, so that a member that is
// alive refutes it at once.
func (m *Member) piggyback(to sim.NodeID) []Update {
	var out []Update
	accused := m.view[to].State != Alive
	if accused {
		out = append(out, m.view[to])
	}
	slices.SortStableFunc(m.queue, func(a, b broadcast) int { return a.sent - b.sent })
	limit, most := m.cfg.RetransmitLimit(len(m.names)), m.cfg.piggyback()
	for i := range m.queue {
		if len(out) >= most {
			break
		}
		if b := &m.queue[i]; !accused || b.u != m.view[to] {
			out = append(out, b.u)
			b.sent++
		}
	}
	m.queue = slices.DeleteFunc(m.queue, func(b broadcast) bool { return b.sent >= limit })
	return out
}

// View returns a copy of the member's view.
func (m *Member) View() View { return slices.Clone(m.view) }

// Incarnation returns the member's incarnation number.
func (m *Member) Incarnation() int { return m.inc }

// roundRobin walks a shuffled list of the peers, reshuffling it after
// every pass, as memberlist's probe list does.
type roundRobin struct {
	order []sim.NodeID
	pos   int
}

func newRoundRobin(n *sim.Node) roundRobin {
	r := roundRobin{order: n.Peers()}
	r.shuffle(n)
	return r
}

func (r *roundRobin) shuffle(n *sim.Node) {
	n.Rand().Shuffle(len(r.order), func(i, j int) { r.order[i], r.order[j] = r.order[j], r.order[i] })
	r.pos = 0
}

// next returns the next peer for which ok holds, skipping the others; it
// reports false if none does.
func (r *roundRobin) next(n *sim.Node, ok func(sim.NodeID) bool) (sim.NodeID, bool) {
	for range 2 * len(r.order) {
		if r.pos >= len(r.order) {
			r.shuffle(n)
		}
		id := r.order[r.pos]
		r.pos++
		if ok(id) {
			return id, true
		}
	}
	return 0, false
}
