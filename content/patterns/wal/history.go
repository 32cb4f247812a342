package wal

import (
	"fmt"
	"time"

	"github.com/lamport-kb/lamport/sim"
)

// History follows a simulated server from outside: every record it
// appends and acknowledges, and every crash. At each recovery it checks
// the records the log gave back against what was appended and
// acknowledged before the crash. It is the ground truth of the tests and
// of the demo's narration.
type History struct {
	server  sim.NodeID
	window  time.Duration
	data    []string        // the data of records 1, 2, ... of the server's current log
	ackedAt []time.Duration // when each was acknowledged, or -1
	down    bool
	crashAt time.Duration
	errDur  error
	errInt  error
	stats   Stats
	crashes []Crash
}

// Crash is what one crash of the server cost, as the recovery after it
// found.
type Crash struct {
	At       time.Duration // when the server went down
	Appended int           // records in its log before the crash
	Acked    int           // of them, acknowledged
	Recovery Recovery      // what Open found
	Lost     []uint64      // acknowledged records not recovered (allowed only within the Window)
}

// Stats counts what happened in a run.
type Stats struct {
	Appended   int // records appended, over every boot
	Acked      int // acknowledgements sent
	Syncs      int // fsyncs
	Recoveries int // restarts that opened an existing log
	Torn       int // recoveries that found and zeroed a torn tail
	TornBytes  int // bytes those zeroed
	Lost       int // acknowledged records a crash lost (within the Window)
	Unacked    int // records a crash kept that were never acknowledged
}

func newHistory(window time.Duration) *History { return &History{window: window} }

// Stats returns the run's counts so far.
func (h *History) Stats() Stats { return h.stats }

// Crashes returns the server's crashes so far, in order, each with what
// the recovery after it found.
func (h *History) Crashes() []Crash { return h.crashes }

// Records returns the data of the server's log as it stands: what was
// recovered, and appended since.
func (h *History) Records() []string { return h.data }

func (h *History) appended(index uint64, data string) {
	h.data = append(h.data[:index-1], data)
	h.ackedAt = append(h.ackedAt[:index-1], -1)
	h.stats.Appended++
}

func (h *History) acked(index uint64, at time.Duration) {
	h.ackedAt[index-1] = at
	h.stats.Acked++
}

func (h *History) synced() { h.stats.Syncs++ }

// recovered checks what a boot's Open gave back, then makes it the log.
func (h *History) recovered(l *Log) {
	if len(h.data) == 0 && len(l.Recovered()) == 0 {
		return // a first boot, or nothing to lose
	}
	h.stats.Recoveries++
	if r := l.Recovery(); r.Torn > 0 {
		h.stats.Torn++
		h.stats.TornBytes += r.Torn
	}
	recs := l.Recovered()
	c := Crash{At: h.crashAt, Appended: len(h.data), Recovery: l.Recovery()}
	for _, at := range h.ackedAt {
		if at >= 0 {
			c.Acked++
		}
	}
	h.checkIntegrity(recs)
	c.Lost = h.checkDurability(len(recs))
	h.crashes = append(h.crashes, c)
	n := min(len(recs), len(h.data))
	h.data, h.ackedAt = h.data[:n], h.ackedAt[:n]
	for _, r := range recs[n:] { // integrity failed: keep the log as read
		h.data = append(h.data, string(r.Data))
		h.ackedAt = append(h.ackedAt, -1)
	}
}

// checkIntegrity: the records are exactly the first len(recs) appended.
func (h *History) checkIntegrity(recs []Record) {
	for i, r := range recs {
		switch {
		case r.Index != uint64(i+1):
			h.fail(&h.errInt, fmt.Errorf("recovered record %d of the log has index #%d", i+1, r.Index))
		case i >= len(h.data):
			h.fail(&h.errInt, fmt.Errorf("recovered record #%d (%q), which was never appended", r.Index, r.Data))
		case string(r.Data) != h.data[i]:
			h.fail(&h.errInt, fmt.Errorf("recovered record #%d reads %q; it was appended as %q", r.Index, r.Data, h.data[i]))
		}
	}
	for i := range min(len(recs), len(h.data)) {
		if h.ackedAt[i] < 0 {
			h.stats.Unacked++
		}
	}
}

// checkDurability: every record acknowledged more than the Window before
// the crash is among the n recovered. It returns the acknowledged records
// that were lost.
func (h *History) checkDurability(n int) []uint64 {
	var lost []uint64
	for i := n; i < len(h.data); i++ {
		at := h.ackedAt[i]
		if at < 0 {
			continue
		}
		if h.window == 0 || at+h.window < h.crashAt {
			h.fail(&h.errDur, fmt.Errorf("record #%d (%q), acknowledged at %v, is gone after the crash at %v: recovery read %d records",
				i+1, h.data[i], at, h.crashAt, n))
		} else {
			h.stats.Lost++
		}
		lost = append(lost, uint64(i+1))
	}
	return lost
}

func (h *History) fail(dst *error, err error) {
	if *dst == nil {
		*dst = err
	}
}

// durability is the invariant of the same name; it also notes when the
// server goes down.
func (h *History) durability(s *sim.Sim) error {
	down := s.Handler(h.server) == nil
	if down && !h.down {
		h.crashAt = s.Now()
	}
	h.down = down
	return h.errDur
}

func (h *History) integrity(*sim.Sim) error { return h.errInt }
