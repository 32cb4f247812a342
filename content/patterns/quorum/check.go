package quorum

import (
	"fmt"
	"time"

	"github.com/anishathalye/porcupine"
	"github.com/lamport-kb/lamport/sim"
)

// Model is the register's sequential specification for porcupine: a write
// sets the value, a read returns the current one ("" at first). An
// operation that never returned has a nil output and may have taken
// effect or not.
var Model = porcupine.Model{
	Init: func() any { return "" },
	Step: func(state, input, output any) (bool, any) {
		in, cur := input.(Input), state.(string)
		if in.Write {
			return true, in.Value
		}
		if output == nil {
			return true, cur
		}
		return output.(Output).Value == cur, cur
	},
	DescribeOperation: func(input, output any) string {
		if in := input.(Input); in.Write {
			return "write " + in.Value
		}
		if output == nil {
			return "read (pending)"
		}
		return fmt.Sprintf("read → %q", output.(Output).Value)
	},
}

// Linearizable checks a run's client history against Model with
// porcupine, for at most timeout (0: no limit).
func Linearizable(h []sim.Op, timeout time.Duration) error {
	return sim.Linearizable(Model, h, timeout)
}

// Stale is a read that began after a write had completed and returned an
// older version than that write's.
type Stale struct {
	Read, Write sim.Op
}

func (s Stale) String() string {
	r, w := s.Read.Output.(Output), s.Write.Output.(Output)
	return fmt.Sprintf("a read from %v returned %q@%v, older than the write of %q@%v completed at %v",
		s.Read.Call, r.Value, r.Version, w.Value, w.Version, s.Write.Return)
}

// StaleReads lists the reads of a history that missed a completed write:
// for each, the newest write that had completed before the read began and
// that the read's version is below.
func StaleReads(h []sim.Op) []Stale {
	var stale []Stale
	for _, r := range h {
		if !r.Done || r.Input.(Input).Write {
			continue
		}
		got := r.Output.(Output).Version
		var missed *sim.Op
		for i, w := range h {
			if w.Done && w.Input.(Input).Write && w.Return < r.Call && got.Compare(w.Output.(Output).Version) < 0 &&
				(missed == nil || w.Output.(Output).Version.Compare(missed.Output.(Output).Version) > 0) {
				missed = &h[i]
			}
		}
		if missed != nil {
			stale = append(stale, Stale{Read: r, Write: *missed})
		}
	}
	return stale
}

// ReadAfterWrite is the quorum's promise as a check: no read of the
// history missed a write that had completed before it began.
func ReadAfterWrite(h []sim.Op) error {
	if stale := StaleReads(h); len(stale) > 0 {
		return fmt.Errorf("%d stale reads; the first: %v", len(stale), stale[0])
	}
	return nil
}
