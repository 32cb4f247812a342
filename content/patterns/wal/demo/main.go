// Demo: two clients send writes to a server that logs them in a
// write-ahead log, and the server crashes in the middle of the burst.
// The crash loses whatever was not yet synced, and may tear the last
// write (the simulated disk keeps a random part of it); at restart the
// log is recovered from its file alone.
//
// The same fault script runs twice: with synchronous commit (a record is
// acknowledged only after an fsync covers it; records that arrive during
// an fsync share the next one) and with asynchronous commit (acknowledged
// at once, flushed every 10 ms). The cluster is simulated (package sim):
// the same seed gives the same run, and the space-time diagram under the
// output is drawn from the synchronous run; hover over an arrow to see
// the message. Edit the fault script or the seed and run it again: try a
// second crash, sim.Crash(22*ms, 0, db) (the server stays down), a
// longer SyncTime, or GroupWait: 3 * ms.
package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/lamport-kb/lamport/content/patterns/wal"
	"github.com/lamport-kb/lamport/playground/picture"
	"github.com/lamport-kb/lamport/sim"
)

const ms = time.Millisecond

func main() {
	const seed = 3
	const db = sim.NodeID(0)
	faults := []sim.Fault{ // the fault script
		sim.Crash(16*ms, 22*ms, db), // the server crashes, and restarts at 22 ms
	}
	var diagram string
	for _, commit := range []wal.Commit{wal.Synchronous, wal.Asynchronous} {
		cfg := wal.Config{Commit: commit, SyncTime: 2 * ms, FlushEvery: 10 * ms, Chunk: 64, Writes: 10, Every: 3 * ms}
		s := sim.New(sim.Config{Seed: seed, Faults: faults, TornWrites: true,
			Network: sim.Link{Delay: sim.Uniform(ms, 3*ms)}})
		h := wal.Simulate(s, cfg, "db", "c1", "c2")
		err := s.Run()
		fmt.Printf("== %v commit, seed %d, faults: %v\n", commit, seed, faults)
		if err != nil {
			fmt.Println("  ✗ the run failed:", err)
		}
		narrate(s, h, cfg)
		if commit == wal.Synchronous {
			diagram = s.Diagram(sim.DiagramOptions{Title: "write-ahead log, synchronous commit, seed " + strconv.Itoa(seed)})
		}
	}
	fmt.Println(picture.Line([]byte(diagram)))
}

// narrate tells what the run did, from its History.
func narrate(s *sim.Sim, h *wal.History, cfg wal.Config) {
	st := h.Stats()
	fmt.Printf("  %d writes reached the server: %d appended, %d acknowledged, %s\n",
		arrived(s), st.Appended, st.Acked, fsyncs(st))
	for _, c := range h.Crashes() {
		fmt.Printf("  %s crashed at %v with %d records in its log, %d of them acknowledged; recovery read back %v\n",
			s.Name(0), c.At, c.Appended, c.Acked, c.Recovery)
		fmt.Println("  " + lost(c, cfg))
	}
	fmt.Printf("  the log at the end: %d records: %s\n", len(h.Records()), strings.Join(h.Records(), " "))
}

// fsyncs tells how many fsyncs completed, and how many records each
// made durable on average.
func fsyncs(st wal.Stats) string {
	if st.Syncs == 0 {
		return "and no fsync completed"
	}
	return fmt.Sprintf("%d fsync%s completed (%.2f records appended per fsync)", st.Syncs, plural(st.Syncs), float64(st.Appended)/float64(st.Syncs))
}

// arrived counts the writes delivered to the server.
func arrived(s *sim.Sim) int {
	n := 0
	for _, m := range s.Messages() {
		if _, ok := m.Payload.(wal.Write); ok && m.Fate == sim.Delivered {
			n++
		}
	}
	return n
}

// lost tells which acknowledged records a crash took, and why that was
// allowed.
func lost(c wal.Crash, cfg wal.Config) string {
	if len(c.Lost) == 0 {
		return fmt.Sprintf("every acknowledged record survived the crash (%d of %d)", c.Acked, c.Acked)
	}
	ids := make([]string, len(c.Lost))
	for i, l := range c.Lost {
		ids[i] = "#" + strconv.FormatUint(l, 10)
	}
	return fmt.Sprintf("%d acknowledged records were lost (%s), all acknowledged within the %v before the crash that asynchronous commit risks",
		len(c.Lost), strings.Join(ids, " "), cfg.Window())
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
