// Package quorum implements a replicated register on quorums: N replicas
// each keep a value with a version, a write is done when W of them have
// stored it, and a read asks R of them and takes the newest version. When
// R + W > N every read quorum meets every write quorum in at least one
// replica, so a read that starts after a write has completed sees that
// write or a newer one.
//
// Overlap and Majority are the arithmetic. Replica and Client are
// sim.Handlers that run the register on a simulated cluster (package sim):
// a client is its own coordinator, in two rounds per operation, as in the
// ABD algorithm of Attiya, Bar-Noy and Dolev. A write first asks R
// replicas for the highest version and then stores its value with a higher
// one on W replicas; a read asks R replicas and, before it returns, writes
// the newest value it saw back to W replicas (read repair), so that no
// later read can return something older. With R + W > N the register is
// linearizable under crashes, partitions, loss and duplication; with
// R + W ≤ N it is not, and the tests show both.
package quorum

import (
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
)

// Overlap returns the fewest replicas that a read quorum of r and a write
// quorum of w, out of n replicas, always have in common: r + w - n, or 0
// when the quorums can miss each other.
func Overlap(n, r, w int) int { return max(0, r+w-n) }

// Majority returns the smallest quorum of n replicas such that any two
// quorums overlap: n/2 + 1.
func Majority(n int) int { return n/2 + 1 }

// Version orders the values of the register: a write takes a counter one
// above the highest it read, and its writer's node and incarnation break
// ties, so two different writes never have the same version.
type Version struct {
	Counter     uint64
	Writer      int // the writing client's node ID
	Incarnation int // the writer's boot count: a restarted client never reuses a version
}

// Compare orders versions by counter, then writer, then incarnation.
func (v Version) Compare(o Version) int {
	if c := cmp.Compare(v.Counter, o.Counter); c != 0 {
		return c
	}
	if c := cmp.Compare(v.Writer, o.Writer); c != 0 {
		return c
	}
	return cmp.Compare(v.Incarnation, o.Incarnation)
}

func (v Version) String() string {
	return fmt.Sprintf("v%d.%d.%d", v.Counter, v.Writer, v.Incarnation)
}

// Tagged is a value with its version: what a replica stores.
type Tagged struct {
	Version Version
	Value   string
}

// Newer reports whether t should replace o.
func (t Tagged) Newer(o Tagged) bool { return t.Version.Compare(o.Version) > 0 }

func (t Tagged) String() string {
	if t.Value == "" && t.Version == (Version{}) {
		return "∅"
	}
	return fmt.Sprintf("%q@%v", t.Value, t.Version)
}

// ErrCorrupt is the error of a replica file that cannot be decoded.
var ErrCorrupt = errors.New("quorum: the register file is corrupt")

// encode is a replica's file: counter, writer and incarnation (eight bytes
// each) and the value.
func encode(t Tagged) []byte {
	b := binary.BigEndian.AppendUint64(nil, t.Version.Counter)
	b = binary.BigEndian.AppendUint64(b, uint64(t.Version.Writer))
	b = binary.BigEndian.AppendUint64(b, uint64(t.Version.Incarnation))
	return append(b, t.Value...)
}

func decode(b []byte) (Tagged, error) {
	if len(b) < 24 {
		return Tagged{}, fmt.Errorf("%w: %d bytes", ErrCorrupt, len(b))
	}
	v := Version{
		Counter:     binary.BigEndian.Uint64(b),
		Writer:      int(binary.BigEndian.Uint64(b[8:])),
		Incarnation: int(binary.BigEndian.Uint64(b[16:])),
	}
	return Tagged{Version: v, Value: string(b[24:])}, nil
}
