// Package leaderfollower implements single-leader replication: one
// replica, the leader, puts every write in order in its log, makes it
// durable with an fsync (a write-ahead log), ships the log to the other
// replicas, the followers, and acknowledges the write to its client under
// one of three modes:
//
//   - Async: after its own fsync only (PostgreSQL's default streaming
//     replication, Kafka's acks=1, Redis);
//   - SemiSync: after its fsync and one follower's (MySQL's semisynchronous
//     replication with AFTER_SYNC);
//   - Sync: after its fsync and Config.SyncFollowers followers' (PostgreSQL's
//     synchronous_standby_names = 'ANY k (...)'; 0: every follower).
//
// Followers append what the leader ships in log order, sync it, and serve
// reads from it, possibly behind the leader (replication lag).
//
// Failover is an explicit operator step, not an election: at the times of
// Config.Failovers an Operator node takes the next epoch (a generation
// number it keeps on its disk), fences the followers with it (a replica
// that has seen epoch e rejects every message of an epoch below e, and
// tells its sender, which steps down), waits for FenceQuorum of them to
// answer with the position of their log, promotes the most up-to-date
// (Best) and announces it. With k followers acknowledging every write, any
// FenceQuorum(n, k) = n − k answers include a follower that holds every
// acknowledged write, so a synchronous mode loses no acknowledged write at
// a failover, and the deposed leader can acknowledge nothing more; in
// Async mode no number of answers can save a write only the old leader
// had. The packages leaderelection and raft cover automatic and safe
// election.
//
// A follower joins a new epoch's log once: at the first shipment of the new
// leader that matches its log at the previous position (the check Raft's
// AppendEntries makes), it drops every entry after that position and takes
// the leader's, so a deposed leader's unreplicated tail disappears there.
//
// Replica, Operator and Client are sim.Handlers (package sim); Simulate
// builds a cluster of them, and History checks its invariants after every
// event.
package leaderfollower

import (
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"time"
)

// Mode says when the leader acknowledges a write.
type Mode uint8

const (
	// Async acknowledges a write once the leader's fsync covers it.
	Async Mode = iota
	// SemiSync acknowledges a write once the leader's fsync and one
	// follower's cover it.
	SemiSync
	// Sync acknowledges a write once the leader's fsync and
	// Config.SyncFollowers followers' (0: all of them) cover it.
	Sync
)

func (m Mode) String() string {
	switch m {
	case SemiSync:
		return "semi-synchronous"
	case Sync:
		return "synchronous"
	}
	return "asynchronous"
}

// Entry is one record of a replica's log: the epoch of the leader that
// created it, and the write's data. Its index is its position (1, 2, ...).
type Entry struct {
	Epoch uint64
	Data  string
}

// Pos is a position in a log: the index of an entry and its epoch, or
// {0, 0} for an empty log.
type Pos struct {
	Index int
	Epoch uint64
}

func (p Pos) String() string { return fmt.Sprintf("e%d#%d", p.Epoch, p.Index) }

// Compare orders positions by how up to date a log ending there is: a
// later last epoch first, then a longer log.
func (p Pos) Compare(o Pos) int {
	if c := cmp.Compare(p.Epoch, o.Epoch); c != 0 {
		return c
	}
	return cmp.Compare(p.Index, o.Index)
}

// Candidate is a fenced replica's answer to the operator: who, and where
// its log ends.
type Candidate struct {
	Node int
	Last Pos
}

// Best returns the candidate the operator promotes: the most up-to-date
// log (Pos.Compare), and of equal ones the lowest node. It panics on an
// empty list.
func Best(cs []Candidate) Candidate {
	best := cs[0]
	for _, c := range cs[1:] {
		if d := c.Last.Compare(best.Last); d > 0 || (d == 0 && c.Node < best.Node) {
			best = c
		}
	}
	return best
}

// FenceQuorum returns how many of the n − 1 followers the operator must
// hear from before it promotes one, when k followers acknowledge every
// write: n − k, so that the answers and the k holders of any acknowledged
// write share a follower ((n − k) + k > n − 1). It is at least 1 and at
// most n − 1: with k = 0 (Async) even every follower's answer cannot
// include a write only the leader had.
func FenceQuorum(n, k int) int { return max(1, min(n-1, n-k)) }

// Covered reports whether a set of fence answers is sure to include a
// holder of every write acknowledged by k followers: answers + k > n − 1.
func Covered(n, k, answers int) bool { return answers+k > n-1 }

// ErrCorrupt is the error of a replica file that cannot be decoded.
var ErrCorrupt = errors.New("leaderfollower: corrupt replica file")

// encodeEntries is the log file's format: per entry, its epoch (8 bytes),
// the data's length (4 bytes) and the data.
func encodeEntries(es []Entry) []byte {
	var b []byte
	for _, e := range es {
		b = binary.BigEndian.AppendUint64(b, e.Epoch)
		b = binary.BigEndian.AppendUint32(b, uint32(len(e.Data)))
		b = append(b, e.Data...)
	}
	return b
}

func decodeEntries(b []byte) ([]Entry, error) {
	var es []Entry
	for len(b) > 0 {
		if len(b) < 12 {
			return nil, fmt.Errorf("%w: %d bytes of a record header", ErrCorrupt, len(b))
		}
		n := int(binary.BigEndian.Uint32(b[8:]))
		if len(b) < 12+n {
			return nil, fmt.Errorf("%w: a record of %d bytes with %d left", ErrCorrupt, n, len(b)-12)
		}
		es = append(es, Entry{Epoch: binary.BigEndian.Uint64(b), Data: string(b[12 : 12+n])})
		b = b[12+n:]
	}
	return es, nil
}

// meta is a replica's durable state besides its log.
type meta struct {
	Epoch  uint64 // the highest epoch it has seen
	Joined uint64 // the epoch whose leader's log its log follows
	Leader bool   // it leads Epoch
}

func encodeMeta(m meta) []byte {
	b := binary.BigEndian.AppendUint64(nil, m.Epoch)
	b = binary.BigEndian.AppendUint64(b, m.Joined)
	if m.Leader {
		return append(b, 1)
	}
	return append(b, 0)
}

func decodeMeta(b []byte) (meta, error) {
	if len(b) != 17 {
		return meta{}, fmt.Errorf("%w: a meta file of %d bytes", ErrCorrupt, len(b))
	}
	return meta{Epoch: binary.BigEndian.Uint64(b), Joined: binary.BigEndian.Uint64(b[8:]), Leader: b[16] == 1}, nil
}

func or[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

const ms = time.Millisecond
