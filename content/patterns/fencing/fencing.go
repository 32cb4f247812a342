// Package fencing implements fencing tokens: a lock service that hands
// out a lease with a number that grows with every grant (a generation
// number), and a storage node that remembers the highest number it has
// accepted and rejects any write that carries a lower one. A holder whose
// lease ran out while it was paused, cut off or slow — and who does not
// know it yet — is stopped by the storage, not by its own judgement.
//
// Fence is the storage's check and Generation the lock service's durable
// counter; both are small and pure. Service, Storage and Client are
// sim.Handlers that run them on a simulated cluster (package sim), where
// a client can be paused in the middle of its work (Config.Pauses), clocks
// drift, links delay messages and nodes crash. History watches a run and
// checks, after every event, that tokens are unique and increasing and
// that the storage never accepted a write older than one it had accepted.
package fencing

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/lamport-kb/lamport/sim"
)

// Token is a fencing token: the generation of a lease.
type Token uint64

// Fence is the storage side of fencing: it admits a request whose token is
// at least the highest it has admitted, and rejects older ones. The zero
// value admits everything once.
type Fence struct {
	highest Token
}

// Admit reports whether a request with token t may proceed, and if so
// raises the fence to t. A request with the current highest token (the
// same holder, writing again) is admitted.
func (f *Fence) Admit(t Token) bool {
	if t < f.highest {
		return false
	}
	f.highest = t
	return true
}

// Highest returns the highest token admitted.
func (f *Fence) Highest() Token { return f.highest }

// ErrTorn is the error of a generation file that is not eight bytes.
var ErrTorn = errors.New("fencing: the generation file is torn")

// Generation is a counter that survives crashes: Next saves and syncs the
// new value before returning it, so a restarted service never hands out a
// number twice.
type Generation struct {
	disk *sim.Disk
	name string
	last Token
}

// LoadGeneration reads the counter in the file name of disk (0 when the
// file does not exist).
func LoadGeneration(disk *sim.Disk, name string) (*Generation, error) {
	g := &Generation{disk: disk, name: name}
	data, ok := disk.Read(name)
	if !ok {
		return g, nil
	}
	if len(data) != 8 {
		return nil, fmt.Errorf("%w: %d bytes", ErrTorn, len(data))
	}
	g.last = Token(binary.BigEndian.Uint64(data))
	return g, nil
}

// Next returns the next generation, durably: the write is synced before
// the number is returned. It fails only when the disk is full, and then
// the counter has not moved.
func (g *Generation) Next() (Token, error) {
	if err := g.disk.Write(g.name, binary.BigEndian.AppendUint64(nil, uint64(g.last+1))); err != nil {
		return 0, err
	}
	g.disk.Sync(g.name)
	g.last++
	return g.last, nil
}

// Last returns the last generation handed out.
func (g *Generation) Last() Token { return g.last }
