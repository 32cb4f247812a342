package raft

import (
	"fmt"

	etcd "go.etcd.io/raft/v3"
	pb "go.etcd.io/raft/v3/raftpb"
	"google.golang.org/protobuf/proto"

	"github.com/lamport-kb/lamport/sim"
)

// Etcd is a server running etcd's Raft library, go.etcd.io/raft/v3, a
// sim.Handler. The library is a pure state machine: the handler feeds it
// messages (RawNode.Step) and time (RawNode.Tick, every
// Config.Heartbeat), and after each input drains its Ready the way the
// library's README prescribes: write the entries and hard state to the
// write-ahead log and fsync, then send the messages, then apply the
// committed entries, then Advance. Messages travel as protobuf bytes, as
// on a real wire. Only the leader is ticked: with elections started
// outside the library, a follower's tick counts toward nothing.
//
// The library draws its randomized election timeout from crypto/rand,
// which a seed cannot replay, so the handler sets ElectionTick beyond any
// run and calls RawNode.Campaign itself when its own timer, drawn from
// the node's seeded source like Server's, runs out without a heartbeat or
// append from a leader of the current term, or a vote granted.
type Etcd struct {
	c        *Cluster
	rn       *etcd.RawNode
	store    *etcd.MemoryStorage
	wal      wal
	kv       *KV
	role     etcd.StateType
	proposed map[[2]int]bool // client commands proposed in this role, not yet applied
	election sim.TimerID
	ticker   sim.TimerID
	dirty    uint64
	st       etcd.BasicStatus // the library's status after the last input
}

// Every etcd server boots from the same snapshot, at index 1 of term 1,
// whose configuration names every server a voter; its log starts at 2.
const bootIndex = 1

// neverElect is an ElectionTick no run reaches: the handler campaigns.
const neverElect = 1 << 30

// WAL records of an etcd server: a hard state, an entry (protobuf).
const (
	recHardState = 'H'
	recEtcdEntry = 'E'
)

// Start rebuilds the library's storage from the boot snapshot and the
// write-ahead log, and restarts the RawNode on it.
func (e *Etcd) Start(n *sim.Node) {
	e.wal = wal{disk: n.Disk()}
	e.store = etcd.NewMemoryStorage()
	must(e.store.ApplySnapshot(e.bootSnapshot()))
	hs, ents := e.recover()
	must(e.store.SetHardState(hs))
	must(e.store.Append(ents))
	rn, err := etcd.NewRawNode(&etcd.Config{
		ID: uint64(n.ID()) + 1, ElectionTick: neverElect, HeartbeatTick: 1,
		Storage: e.store, MaxSizePerMsg: 1 << 16, MaxInflightMsgs: 64, Logger: quiet{},
	})
	must(err)
	e.rn = rn
	e.kv = NewKV()
	e.kv.index = bootIndex
	e.proposed = map[[2]int]bool{}
	e.dirty = 1
	n.Note("t%d, log %d", hs.GetTerm(), e.lastIndex())
	e.resetElection(n)
	e.ready(n)
}

// bootSnapshot is the snapshot every server starts from.
func (e *Etcd) bootSnapshot() *pb.Snapshot {
	voters := make([]uint64, len(e.c.Servers))
	for i, id := range e.c.Servers {
		voters[i] = uint64(id) + 1
	}
	return &pb.Snapshot{Metadata: &pb.SnapshotMetadata{
		Index: proto.Uint64(bootIndex), Term: proto.Uint64(1), ConfState: &pb.ConfState{Voters: voters},
	}}
}

// recover replays the write-ahead log: the last hard state, and the log
// entries (one at index i replaces whatever was at i and after).
func (e *Etcd) recover() (*pb.HardState, []*pb.Entry) {
	hs := &pb.HardState{Term: proto.Uint64(1), Commit: proto.Uint64(bootIndex)}
	var ents []*pb.Entry
	for _, r := range e.wal.load() {
		switch r[0] {
		case recHardState:
			hs = &pb.HardState{}
			must(proto.Unmarshal(r[1:], hs))
		case recEtcdEntry:
			ent := &pb.Entry{}
			must(proto.Unmarshal(r[1:], ent))
			for len(ents) > 0 && ents[len(ents)-1].GetIndex() >= ent.GetIndex() {
				ents = ents[:len(ents)-1]
			}
			ents = append(ents, ent)
		}
	}
	return hs, ents
}

// Receive steps a Raft message, or takes a client request.
func (e *Etcd) Receive(n *sim.Node, from sim.NodeID, msg any) {
	switch m := msg.(type) {
	case Wire:
		e.step(n, m)
	case Request:
		e.onRequest(n, from, m)
	}
	e.ready(n)
}

// step hands a message to the library. An append or heartbeat of the
// current term from its leader postpones the next campaign.
func (e *Etcd) step(n *sim.Node, w Wire) {
	m := &pb.Message{}
	must(proto.Unmarshal(w, m))
	_ = e.rn.Step(m) // a message the library refuses (a stale response) is dropped, as etcd's transport does
	switch m.GetType() {
	case pb.MsgApp, pb.MsgHeartbeat, pb.MsgSnap:
		if st := e.rn.BasicStatus(); m.GetTerm() == st.HardState.GetTerm() && st.Lead == m.GetFrom() {
			e.resetElection(n)
		}
	}
}

// Fire ticks the library, or campaigns.
func (e *Etcd) Fire(n *sim.Node, timer string) {
	switch timer {
	case "tick":
		if e.role == etcd.StateLeader {
			e.rn.Tick()
			e.ticker = n.After(e.c.cfg.Heartbeat, "tick")
		}
	case "election":
		if e.role != etcd.StateLeader {
			must(e.rn.Campaign())
		}
		e.resetElection(n)
	}
	e.ready(n)
}

func (e *Etcd) resetElection(n *sim.Node) {
	n.Cancel(e.election)
	e.election = n.After(e.c.cfg.electionTimeout(n), "election")
}

// ready drains the library's Ready (persist, send, apply, advance),
// then reads the library's status for the checker.
func (e *Etcd) ready(n *sim.Node) {
	defer func() { e.st = e.rn.BasicStatus() }()
	for e.rn.HasReady() {
		rd := e.rn.Ready()
		e.persist(rd)
		e.note(n, rd.SoftState)
		for _, m := range rd.Messages {
			e.send(n, m)
		}
		for _, ent := range rd.CommittedEntries {
			e.apply(n, ent)
		}
		e.rn.Advance(rd)
	}
}

// persist writes the Ready's entries, then its hard state, syncs them,
// and hands the entries to the library's storage.
func (e *Etcd) persist(rd etcd.Ready) {
	var records [][]byte
	for _, ent := range rd.Entries {
		records = append(records, marshal(recEtcdEntry, ent))
		e.dirty = min(e.dirty, ent.GetIndex())
	}
	if rd.HardState != nil && !etcd.IsEmptyHardState(rd.HardState) {
		records = append(records, marshal(recHardState, rd.HardState))
		must(e.store.SetHardState(rd.HardState))
	}
	if len(records) > 0 {
		e.wal.append(records...)
	}
	must(e.store.Append(rd.Entries))
}

func marshal(kind byte, m proto.Message) []byte {
	b, err := proto.MarshalOptions{Deterministic: true}.MarshalAppend([]byte{kind}, m)
	must(err)
	return b
}

// note annotates a change of role, and remembers it.
func (e *Etcd) note(n *sim.Node, soft *etcd.SoftState) {
	if soft == nil || soft.RaftState == e.role {
		return
	}
	e.role = soft.RaftState
	e.proposed = map[[2]int]bool{} // what an earlier leadership proposed may have been dropped
	if e.role == etcd.StateLeader {
		n.Cancel(e.ticker)
		e.ticker = n.After(e.c.cfg.Heartbeat, "tick")
	}
	term := e.rn.BasicStatus().HardState.GetTerm()
	n.Note("%s t%d", [...]string{"follower", "candidate", "leader", "pre-candidate"}[e.role], term)
}

// send puts a message on the network as bytes. A vote granted postpones
// the next campaign, as in the paper.
func (e *Etcd) send(n *sim.Node, m *pb.Message) {
	if m.GetType() == pb.MsgVoteResp && !m.GetReject() {
		e.resetElection(n)
	}
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(m)
	must(err)
	n.Send(sim.NodeID(m.GetTo()-1), Wire(b))
}

// apply applies a committed entry to the store; the leader answers the
// entry's client.
func (e *Etcd) apply(n *sim.Node, ent *pb.Entry) {
	if ent.GetType() != pb.EntryNormal || len(ent.GetData()) == 0 {
		e.kv.Apply(ent.GetIndex(), nil)
		return
	}
	cmd, err := decodeCommand(ent.GetData())
	must(err)
	res := e.kv.Apply(ent.GetIndex(), &cmd)
	delete(e.proposed, [2]int{int(cmd.Client), cmd.Seq})
	if e.role == etcd.StateLeader {
		n.Send(cmd.Client, Reply{Seq: cmd.Seq, OK: true, Result: res, Leader: n.ID()})
	}
}

// onRequest proposes a client's command on the leader, once; other
// servers name the leader they know.
func (e *Etcd) onRequest(n *sim.Node, from sim.NodeID, m Request) {
	if e.role != etcd.StateLeader {
		n.Send(from, Reply{Seq: m.Cmd.Seq, Leader: sim.NodeID(e.rn.BasicStatus().Lead) - 1})
		return
	}
	if res, ok := e.kv.Applied(m.Cmd.Client, m.Cmd.Seq); ok {
		n.Send(from, Reply{Seq: m.Cmd.Seq, OK: true, Result: res, Leader: n.ID()})
		return
	}
	key := [2]int{int(m.Cmd.Client), m.Cmd.Seq}
	if !e.proposed[key] && e.rn.Propose(m.Cmd.encode(nil)) == nil {
		e.proposed[key] = true
	}
}

// Wire is an etcd Raft message as it travels: protobuf bytes.
type Wire []byte

// String describes the message the way etcd's raft.DescribeMessage does.
func (w Wire) String() string {
	m := &pb.Message{}
	if err := proto.Unmarshal(w, m); err != nil {
		return "malformed: " + err.Error()
	}
	return etcd.DescribeMessage(m, func(data []byte) string {
		if cmd, err := decodeCommand(data); err == nil {
			return cmd.String()
		}
		return fmt.Sprintf("%q", data)
	})
}

// The replica view of Etcd, read from the library's status (as it was at
// the end of the last input, which is where the checker runs) and storage.

func (e *Etcd) status() (uint64, bool) {
	return e.st.HardState.GetTerm(), e.st.RaftState == etcd.StateLeader
}

func (e *Etcd) lastIndex() uint64 {
	i, err := e.store.LastIndex()
	must(err)
	return i
}

func (e *Etcd) commitIndex() uint64 { return e.st.HardState.GetCommit() }

func (e *Etcd) applied() (uint64, uint64) { return e.kv.Index(), e.kv.Digest() }

func (e *Etcd) entryAt(i uint64) (uint64, uint64) {
	if i <= bootIndex {
		return 1, digestOf(0xff, nil) // the boot snapshot
	}
	ents, err := e.store.Entries(i, i+1, 1<<30)
	must(err)
	return ents[0].GetTerm(), digestOf(byte(ents[0].GetType()), ents[0].GetData())
}

func (e *Etcd) takeDirty() uint64 {
	d := e.dirty
	e.dirty = e.lastIndex() + 1
	return d
}

// quiet is the library's logger: silent, but its panics still panic (the
// run fails, naming the server).
type quiet struct{}

func (quiet) Debug(...any)            {}
func (quiet) Debugf(string, ...any)   {}
func (quiet) Info(...any)             {}
func (quiet) Infof(string, ...any)    {}
func (quiet) Warning(...any)          {}
func (quiet) Warningf(string, ...any) {}
func (quiet) Error(...any)            {}
func (quiet) Errorf(string, ...any)   {}
func (quiet) Fatal(v ...any)          { panic(fmt.Sprint(v...)) }
func (quiet) Fatalf(f string, v ...any) {
	panic(fmt.Sprintf(f, v...))
}
func (quiet) Panic(v ...any)            { panic(fmt.Sprint(v...)) }
func (quiet) Panicf(f string, v ...any) { panic(fmt.Sprintf(f, v...)) }

func must(err error) {
	if err != nil {
		panic(err)
	}
}
