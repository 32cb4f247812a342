package wal

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/lamport-kb/lamport/internal/proptest"
	"github.com/lamport-kb/lamport/sim"
)

// newDisk returns the disk of a node of an unstarted simulation: the
// unit tests write it directly, and "crash" by overwriting what is on it.
func newDisk(tb testing.TB, limit int) *sim.Disk {
	tb.Helper()
	s := sim.New(sim.Config{DiskLimit: limit})
	return s.Disk(s.Add("n", func() sim.Handler { return nil }))
}

func mustOpen(tb testing.TB, d *sim.Disk, o Options) *Log {
	tb.Helper()
	l, err := Open(d, LogFile, o)
	if err != nil {
		tb.Fatal(err)
	}
	return l
}

func mustAppend(tb testing.TB, l *Log, data ...string) {
	tb.Helper()
	for _, s := range data {
		if _, err := l.Append([]byte(s)); err != nil {
			tb.Fatal(err)
		}
	}
}

func datas(recs []Record) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = string(r.Data)
	}
	return out
}

func TestOpenCreates(t *testing.T) {
	d := newDisk(t, 0)
	l := mustOpen(t, d, Options{Chunk: 128})
	if l.Size() != 128 || d.Dirty(LogFile) || l.Last() != 0 || len(l.Recovered()) != 0 {
		t.Errorf("new log: size %d, dirty %v, last %d", l.Size(), d.Dirty(LogFile), l.Last())
	}
	if got := l.Recovery().String(); got != "0 records, clean tail" {
		t.Errorf("Recovery = %q", got)
	}
	if l := mustOpen(t, newDisk(t, 0), Options{}); l.Size() != DefaultChunk {
		t.Errorf("default chunk: %d bytes", l.Size())
	}
}

// TestAppendSyncReopen: synced records come back in order; the file
// grows in whole chunks; Sync counts.
func TestAppendSyncReopen(t *testing.T) {
	d := newDisk(t, 0)
	l := mustOpen(t, d, Options{Chunk: 64})
	mustAppend(t, l, "alpha", "", "a longer record, past one chunk of sixty-four bytes")
	if l.Last() != 3 || l.Synced() != 0 || !d.Dirty(LogFile) {
		t.Fatalf("after appends: last %d, synced %d", l.Last(), l.Synced())
	}
	if got := l.Sync(); got != 3 || l.Syncs() != 1 || d.Dirty(LogFile) {
		t.Fatalf("Sync = %d, %d syncs", got, l.Syncs())
	}
	if l.Size()%64 != 0 || l.Size() < 3*headerSize+56 {
		t.Errorf("size %d", l.Size())
	}
	again := mustOpen(t, d, Options{Chunk: 64})
	if diff := cmp.Diff([]string{"alpha", "", "a longer record, past one chunk of sixty-four bytes"}, datas(again.Recovered())); diff != "" {
		t.Error(diff)
	}
	mustAppend(t, again, "four")
	if again.Last() != 4 || again.Recovered()[2].Index != 3 {
		t.Errorf("next index %d", again.Last())
	}
}

// TestTornTails: each way a tail can be damaged stops recovery at the
// last whole record, and the damage is zeroed and synced.
func TestTornTails(t *testing.T) {
	good := slices.Concat(encode(1, []byte("one")), encode(2, []byte("two")))
	third := encode(3, []byte("three"))
	for _, tt := range []struct {
		name string
		tail []byte
		stop string
		keep int
	}{
		{"clean", nil, "end of log", 2},
		{"whole third record", third, "end of log", 3},
		{"half a header", third[:7], "checksum mismatch", 2},
		{"a header cut by the end of the file", nil, "partial record", 2},
		{"header, half the data", third[:headerSize+2], "checksum mismatch", 2}, // the preallocated zeros fill in the rest
		{"length past the end", func() []byte { b := slices.Clone(third); b[2] = 0xff; return b }(), "partial record", 2},
		{"a flipped data byte", func() []byte { b := slices.Clone(third); b[headerSize] ^= 1; return b }(), "checksum mismatch", 2},
		{"a stale record from elsewhere", encode(7, []byte("seven")), "index out of sequence", 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d := newDisk(t, 0)
			file := make([]byte, 256)
			copy(file, slices.Concat(good, tt.tail))
			if tt.stop == "partial record" && tt.tail == nil { // the file ends inside a header
				file = slices.Concat(good, third[:5])
			}
			d.Write(LogFile, file)
			d.Sync(LogFile)
			l := mustOpen(t, d, Options{Chunk: 256})
			r := l.Recovery()
			if r.Stop != tt.stop || r.Records != tt.keep {
				t.Errorf("stopped at %q with %d records, want %q with %d", r.Stop, r.Records, tt.stop, tt.keep)
			}
			after, _ := d.Read(LogFile)
			if !allZero(after[r.End:]) || d.Dirty(LogFile) || (r.Torn > 0) != (tt.keep == 2 && tt.name != "clean") {
				t.Errorf("tail not zeroed and synced: %v", r)
			}
		})
	}
}

// TestPrefixProperty: whatever a crash leaves after the last synced
// record (nothing, part of the unsynced records, garbage, zeros, or old
// records copied from elsewhere in the log), Open returns exactly the
// first n records appended, for some n at least the number synced, and a
// second Open returns the same.
func TestPrefixProperty(t *testing.T) {
	for seed := range proptest.Seeds(400) {
		r := rand.New(rand.NewPCG(seed, 1))
		d := newDisk(t, 0)
		l := mustOpen(t, d, Options{Chunk: 32 << r.IntN(4)})
		var appended []string
		for i := range 1 + r.IntN(30) {
			s := fmt.Sprintf("r%d-%s", i, make([]byte, r.IntN(40)))
			appended = append(appended, s)
			mustAppend(t, l, s)
		}
		synced := r.IntN(len(appended) + 1)
		durable := prefixEnd(appended, synced)
		file, _ := d.Read(LogFile)
		damage(r, file, durable)
		d.Write(LogFile, file)
		d.Sync(LogFile)
		got := datas(mustOpen(t, d, Options{}).Recovered())
		if len(got) < synced || len(got) > len(appended) || !slices.Equal(got, appended[:len(got)]) {
			t.Fatalf("seed %d: recovered %d records (synced %d of %d), not a prefix: %q", seed, len(got), synced, len(appended), got)
		}
		if again := datas(mustOpen(t, d, Options{}).Recovered()); !slices.Equal(again, got) {
			t.Fatalf("seed %d: a second recovery read %d records, the first %d", seed, len(again), len(got))
		}
	}
}

// prefixEnd is the offset after the first n records.
func prefixEnd(data []string, n int) int {
	end := 0
	for _, s := range data[:n] {
		end += headerSize + len(s)
	}
	return end
}

// damage overwrites file after off: keep it, cut it short with zeros,
// fill part of it with random bytes, or copy an earlier stretch there.
func damage(r *rand.Rand, file []byte, off int) {
	if off >= len(file) {
		return
	}
	at := off + r.IntN(len(file)-off)
	switch r.IntN(4) {
	case 0: // the crash kept it all
	case 1:
		clear(file[at:])
	case 2:
		for i := at; i < min(len(file), at+1+r.IntN(64)); i++ {
			file[i] = byte(r.Uint32())
		}
	case 3:
		copy(file[at:], file[:r.IntN(len(file))])
	}
}

func TestAppendErrors(t *testing.T) {
	l := mustOpen(t, newDisk(t, 0), Options{})
	if _, err := l.Append(make([]byte, MaxRecord+1)); !errors.Is(err, ErrTooLarge) {
		t.Errorf("oversized: %v", err)
	}
	small := newDisk(t, 100)
	l = mustOpen(t, small, Options{Chunk: 64})
	mustAppend(t, l, "fits")
	if _, err := l.Append(make([]byte, 60)); !errors.Is(err, sim.ErrDiskFull) || l.Last() != 1 {
		t.Errorf("disk full: %v, last %d", err, l.Last())
	}
	if _, err := Open(newDisk(t, 10), LogFile, Options{Chunk: 64}); !errors.Is(err, sim.ErrDiskFull) {
		t.Errorf("Open on a tiny disk: %v", err)
	}
}

func TestStrings(t *testing.T) {
	for _, tt := range []struct{ got, want string }{
		{Synchronous.String(), "synchronous"},
		{Asynchronous.String(), "asynchronous"},
		{Write{"a"}.String(), "write a"},
		{Ack{3, "a"}.String(), "ack #3 a"},
		{Recovery{Records: 2, End: 40, Torn: 9, Stop: "checksum mismatch"}.String(), "2 records; checksum mismatch at byte 40, 9 torn bytes zeroed"},
		{Recovery{Records: 1, End: 20, Torn: 1, Stop: "partial record"}.String(), "1 records; partial record at byte 20, 1 torn byte zeroed"},
	} {
		if tt.got != tt.want {
			t.Errorf("%q, want %q", tt.got, tt.want)
		}
	}
	if w := (Config{Commit: Asynchronous}).Window(); w != 14*ms {
		t.Errorf("async window %v", w)
	}
}

// BenchmarkAppend appends 100-byte records to a simulated disk, an fsync
// every ten (the simulated fsync costs nothing: this is the log's own
// work, framing, checksum and the copy into the page cache).
func BenchmarkAppend(b *testing.B) {
	data := make([]byte, 100)
	for b.Loop() {
		l := mustOpen(b, newDisk(b, 1<<22), Options{})
		for i := range 1000 {
			mustAppend(b, l, string(data))
			if i%10 == 9 {
				l.Sync()
			}
		}
	}
}

// BenchmarkRecover opens a log of 1,000 records of 100 bytes.
func BenchmarkRecover(b *testing.B) {
	d := newDisk(b, 1<<22)
	l := mustOpen(b, d, Options{})
	for range 1000 {
		mustAppend(b, l, string(make([]byte, 100)))
	}
	l.Sync()
	for b.Loop() {
		if got := len(mustOpen(b, d, Options{}).Recovered()); got != 1000 {
			b.Fatal(got)
		}
	}
}
