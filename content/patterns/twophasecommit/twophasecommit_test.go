package twophasecommit

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/lamport-kb/lamport/sim"
)

// disk returns the Disk of a one-node cluster.
func disk() *sim.Disk {
	s := sim.New(sim.Config{})
	id := s.Add("n", func() sim.Handler { return idle{} })
	return s.Disk(id)
}

type idle struct{}

func (idle) Start(*sim.Node)                    {}
func (idle) Receive(*sim.Node, sim.NodeID, any) {}
func (idle) Fire(*sim.Node, string)             {}

// TestLogReplay: a reopened log holds the last record of every
// transaction, and a torn last line (no newline) is ignored.
func TestLogReplay(t *testing.T) {
	d := disk()
	l, err := OpenLog(d)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []Record{{1, Prepared, "v1"}, {2, Prepared, "v2"}, {1, Committed, "-"}, {3, Aborted, "-"}} {
		if err := l.Append(r); err != nil {
			t.Fatal(err)
		}
	}
	d.Append(logFile, []byte("committed 2")) // torn: no newline
	again, err := OpenLog(d)
	if err != nil {
		t.Fatal(err)
	}
	got := map[Txn]Record{}
	for _, tx := range again.Txns() {
		got[tx] = again.State(tx)
	}
	want := map[Txn]Record{1: {1, Committed, "-"}, 2: {2, Prepared, "v2"}, 3: {3, Aborted, "-"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Error(diff)
	}
	if d.Dirty(logFile) != true {
		t.Error("the torn line should be unsynced")
	}
}

func TestLogErrors(t *testing.T) {
	for _, line := range []string{"garbage\n", "committed x -\n", "unknown 1 -\n", "maybe 1 -\n"} {
		d := disk()
		d.Write(logFile, []byte(line))
		if _, err := OpenLog(d); err == nil || !strings.Contains(err.Error(), "bad log line") {
			t.Errorf("%q: %v", line, err)
		}
	}
	s := sim.New(sim.Config{DiskLimit: 10})
	l, _ := OpenLog(s.Disk(s.Add("n", func() sim.Handler { return idle{} })))
	if err := l.Append(Record{1, Prepared, "a long value that does not fit"}); err == nil {
		t.Error("a full disk accepted the record")
	}
}

// TestMessages: the messages print what the diagram's tooltips show.
func TestMessages(t *testing.T) {
	got := []string{Prepare{Txn: 1}.String(), Vote{1, true}.String(), Vote{Txn: 1}.String(),
		Decision{1, true}.String(), Decision{Txn: 1}.String(), Ack{1}.String(), Query{1}.String(),
		Prepared.String(), Unknown.String()}
	want := []string{"prepare T1", "yes T1", "no T1", "commit T1", "abort T1", "ack T1", "T1?", "prepared", "unknown"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Error(diff)
	}
}

// TestHistoryCatchesSplits: the History's checks fail on each kind of
// violation, fed by hand.
func TestHistoryCatchesSplits(t *testing.T) {
	for _, tt := range []struct {
		name string
		feed func(h *History)
		want string
	}{
		{"split", func(h *History) { h.decided(1, Committed); h.finished(1, 1, Committed); h.finished(2, 1, Aborted) }, "split"},
		{"commit without decision", func(h *History) { h.decided(1, Aborted); h.finished(1, 1, Committed) }, "did not decide"},
		{"changed mind", func(h *History) { h.decided(1, Committed); h.decided(1, Aborted) }, "then aborted"},
		{"participant changed", func(h *History) { h.finished(1, 1, Aborted); h.decided(1, Committed); h.finished(1, 1, Committed) }, "then committed"},
	} {
		h := newHistory()
		tt.feed(h)
		if h.err == nil || !strings.Contains(h.err.Error(), tt.want) {
			t.Errorf("%s: %v", tt.name, h.err)
		}
	}
	h := newHistory()
	h.begun(1)
	if err := h.Complete([]sim.NodeID{1}); err == nil || !strings.Contains(err.Error(), "never decided") {
		t.Errorf("Complete: %v", err)
	}
	h.decided(1, Aborted)
	if err := h.Complete([]sim.NodeID{1}); err == nil || !strings.Contains(err.Error(), "participant 1 has unknown") {
		t.Errorf("Complete: %v", err)
	}
}
