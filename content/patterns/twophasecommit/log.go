// Package twophasecommit implements two-phase commit: a coordinator asks
// every participant to prepare a transaction, each votes after making its
// part durable, and the coordinator commits only if all voted yes, or
// aborts. The decision is written to the coordinator's log before anyone
// hears it, and every participant writes its prepare record before it
// votes, so a crash anywhere cannot split a transaction: all participants
// commit it, or all abort it.
//
// The price is blocking. A participant that has voted yes may not decide
// on its own: if the coordinator crashes after collecting the votes, the
// prepared participants wait, asking it again and again, until it comes
// back, reads its log and tells them. A coordinator that restarts aborts
// every transaction it had begun and not decided (presumed abort).
//
// Log is the durable record of a node on a sim.Disk. Coordinator and
// Participant are sim.Handlers that run the protocol on a simulated
// cluster (package sim); History watches every decision and checks
// atomicity after every event.
package twophasecommit

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/lamport-kb/lamport/sim"
)

// Txn identifies a transaction.
type Txn int

// Outcome is what became of a transaction at one node.
type Outcome uint8

const (
	Unknown  Outcome = iota // nothing recorded
	Begun                   // the coordinator has sent the prepares
	Prepared                // the participant voted yes and now waits
	Committed
	Aborted
)

var outcomeNames = [...]string{"unknown", "begun", "prepared", "committed", "aborted"}

func (o Outcome) String() string { return outcomeNames[o] }

// Final reports whether the outcome can no longer change.
func (o Outcome) Final() bool { return o == Committed || o == Aborted }

// Record is one line of a log: a transaction's new state, and for a
// prepare the value the participant will apply at commit.
type Record struct {
	Txn     Txn
	Outcome Outcome
	Value   string
}

func (r Record) line() string {
	return fmt.Sprintf("%s %d %s\n", r.Outcome, r.Txn, r.Value)
}

// Log is a node's durable log: records appended to one file and synced,
// replayed at start. A torn last line (no newline) is ignored: it was
// never synced, so nobody heard of it.
type Log struct {
	disk   *sim.Disk
	state  map[Txn]Record
	synced bool // whether appends are synced (false only in broken variants)
}

// logFile is the name of every node's log on its disk.
const logFile = "2pc.log"

// OpenLog replays the log on disk.
func OpenLog(disk *sim.Disk) (*Log, error) {
	l := &Log{disk: disk, state: map[Txn]Record{}, synced: true}
	data, _ := disk.Read(logFile)
	lines := bytes.Split(data, []byte("\n"))
	for _, line := range lines[:len(lines)-1] { // the last piece has no newline: torn, or empty
		r, err := parse(string(line))
		if err != nil {
			return nil, err
		}
		l.state[r.Txn] = r
	}
	return l, nil
}

func parse(line string) (Record, error) {
	f := strings.SplitN(line, " ", 3)
	if len(f) != 3 {
		return Record{}, fmt.Errorf("twophasecommit: bad log line %q", line)
	}
	t, err := strconv.Atoi(f[1])
	for o, name := range outcomeNames {
		if err == nil && f[0] == name && o != int(Unknown) {
			return Record{Txn: Txn(t), Outcome: Outcome(o), Value: f[2]}, nil
		}
	}
	return Record{}, fmt.Errorf("twophasecommit: bad log line %q", line)
}

// Append writes a record and, unless the log is a broken variant's, syncs
// it: when Append returns, the record survives a crash.
func (l *Log) Append(r Record) error {
	if err := l.disk.Append(logFile, []byte(r.line())); err != nil {
		return err
	}
	if l.synced {
		l.disk.Sync(logFile)
	}
	l.state[r.Txn] = r
	return nil
}

// State returns the last record of a transaction (Outcome Unknown if none).
func (l *Log) State(t Txn) Record { return l.state[t] }

// Txns returns the transactions in the log, in increasing order.
func (l *Log) Txns() []Txn { return slices.Sorted(maps.Keys(l.state)) }
