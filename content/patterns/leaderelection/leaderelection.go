// Package leaderelection implements leader election over a consistent
// store: candidates ask the store for a leader lease, the store gives it
// to one of them at a time with a term — a number it increments, durably,
// at every new leader — and the leader renews it. A leader that cannot
// renew steps down on its own before the store can elect another, and
// every leader's work carries its term, so a resource can reject a
// deposed leader's requests (a fencing token).
//
// The store stands for the consistent core a real system uses (etcd,
// ZooKeeper, a Kubernetes API object): one node here, whose term survives
// its crashes on its disk. Store and Candidate are sim.Handlers that run
// the protocol on a simulated cluster (package sim), with partitions,
// lossy and slow links, crashes and drifting clocks. History watches a run
// and checks, after every event, that every term has at most one leader,
// that terms grow from one leader to the next, and that at most one
// candidate believes it leads at any instant.
package leaderelection

import (
	"encoding/binary"
	"fmt"
	"time"

	"github.com/lamport-kb/lamport/sim"
)

// Term is a leadership's number: larger for every new leader.
type Term uint64

// Trust returns how long a leader may trust a lease of duration d on its
// own clock, counted from when it sent the request: d · (1 − ρ) / (1 + ρ),
// the margin of the lease pattern, for clocks whose rates are within ρ
// of real time.
func Trust(d time.Duration, drift float64) time.Duration {
	if drift >= 1 {
		return 0
	}
	return time.Duration(float64(d) * (1 - drift) / (1 + drift))
}

// Terms is the store's durable term counter: Next writes and syncs the
// new term before returning it, so a restarted store never gives a term
// twice.
type Terms struct {
	disk *sim.Disk
	last Term
}

// termFile is the name of the counter on the store's disk.
const termFile = "term"

// LoadTerms reads the counter from disk (0 when there is none yet).
func LoadTerms(disk *sim.Disk) (*Terms, error) {
	t := &Terms{disk: disk}
	data, ok := disk.Read(termFile)
	if !ok {
		return t, nil
	}
	if len(data) != 8 {
		return nil, fmt.Errorf("leaderelection: the term file holds %d bytes, want 8", len(data))
	}
	t.last = Term(binary.BigEndian.Uint64(data))
	return t, nil
}

// Next returns the next term, durably. It fails only when the disk is
// full, and then the counter has not moved.
func (t *Terms) Next() (Term, error) {
	if err := t.disk.Write(termFile, binary.BigEndian.AppendUint64(nil, uint64(t.last+1))); err != nil {
		return 0, err
	}
	t.disk.Sync(termFile)
	t.last++
	return t.last, nil
}

// Last returns the last term given.
func (t *Terms) Last() Term { return t.last }
