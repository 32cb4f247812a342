// Package wal implements a write-ahead log: every change is appended to a
// log and made durable (fsync) before it is acknowledged or applied, so
// that after a crash the state can be rebuilt by replaying the log.
//
// Log is the storage half. It keeps its records in one file on a
// simulated disk (package sim's Disk, which loses unsynced writes at a
// crash and can tear them): each record is a 16-byte header (length,
// CRC-32C, index) followed by its data, and the file grows in zeroed,
// preallocated chunks, as etcd's WAL preallocates its segment files. Open
// recovers: it reads records from the start while each one is whole, has
// the right checksum and the next index, stops at the first one that is
// not (the torn tail of the last write before the crash), and zeroes and
// syncs everything after it, so later appends never sit next to leftovers
// of a torn write. What Open returns is therefore always a prefix of the
// records appended, and contains every record synced.
//
// Server is the commit half, a sim.Handler that appends the writes of
// clients and acknowledges them under a Commit policy: Synchronous
// acknowledges a record only after an fsync that covers it, and every
// record appended while an fsync runs shares the next one (group commit);
// Asynchronous acknowledges at once and flushes in the background, like
// PostgreSQL's synchronous_commit = off, trading a bounded window of
// acknowledged records a crash may lose for latency. History watches a
// simulated run and checks, at every recovery, what the log promised.
package wal

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"slices"

	"github.com/lamport-kb/lamport/sim"
)

// Record is one entry of the log: its position (1, 2, ...) and its data.
type Record struct {
	Index uint64
	Data  []byte
}

// Options configure a Log; the zero value is ready to use.
type Options struct {
	// Chunk is how many zeroed bytes the file grows by when a record does
	// not fit (etcd preallocates 64 MB segment files); 0: DefaultChunk.
	Chunk int
	// noChecksum is a deliberately broken recovery that trusts the length
	// and index of a record and never checks its CRC, for the tests.
	noChecksum bool
}

// DefaultChunk is the preallocation of a Log whose Options name none.
const DefaultChunk = 4096

// MaxRecord is the largest record data Append takes.
const MaxRecord = 1 << 20

// headerSize is the bytes before a record's data: length (4), CRC-32C of
// length, index and data (4), index (8), little-endian.
const headerSize = 16

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// ErrTooLarge is the error of an Append whose data exceeds MaxRecord.
var ErrTooLarge = errors.New("wal: record larger than MaxRecord")

// Log is a write-ahead log in one file of a simulated disk. It is not safe
// for concurrent use: a sim.Handler owns it, and reopens it after a crash.
type Log struct {
	disk     *sim.Disk
	name     string
	opts     Options
	file     []byte // the file as written: what reads see, synced or not
	end      int    // the offset after the last record
	last     uint64 // the index of the last record appended
	synced   uint64 // the index of the last record made durable
	syncs    int
	recovery Recovery
	records  []Record
}

// Recovery says what Open found in the file.
type Recovery struct {
	Records int    // whole, valid records read
	End     int    // the offset after the last of them
	Torn    int    // bytes after End that were not zero: a torn tail, zeroed by Open
	Stop    string // why reading stopped: "end of log", "partial record", "checksum mismatch" or "index out of sequence"
}

func (r Recovery) String() string {
	if r.Torn == 0 {
		return fmt.Sprintf("%d records, clean tail", r.Records)
	}
	return fmt.Sprintf("%d records; %s at byte %d, %d torn byte%s zeroed", r.Records, r.Stop, r.End, r.Torn, plural(r.Torn))
}

// Open opens the log in the file name of disk, creating it if it does not
// exist, and recovers it: see the package doc. The records it recovered
// are in Recovered, what it found in Recovery. It fails only when the
// disk is full.
func Open(disk *sim.Disk, name string, o Options) (*Log, error) {
	if o.Chunk <= 0 {
		o.Chunk = DefaultChunk
	}
	l := &Log{disk: disk, name: name, opts: o}
	data, ok := disk.Read(name)
	if !ok {
		if err := l.write(make([]byte, o.Chunk)); err != nil {
			return nil, err
		}
		disk.Sync(name) // the file's creation is durable before the first record
		l.recovery = Recovery{Stop: "end of log"}
		return l, nil
	}
	l.records, l.end, l.recovery.Stop = decode(data, !o.noChecksum)
	l.recovery.Records, l.recovery.End = len(l.records), l.end
	l.last = uint64(len(l.records))
	l.synced = l.last
	l.file = data
	return l, l.zeroTail()
}

// zeroTail overwrites a torn tail with zeros and syncs, so that a record
// appended later is never followed by the rest of a torn one (etcd's
// ReadAll does the same, for the same reason).
func (l *Log) zeroTail() error {
	last := len(l.file) - 1
	for last >= l.end && l.file[last] == 0 {
		last--
	}
	if last < l.end {
		return nil
	}
	l.recovery.Torn = last + 1 - l.end
	file := slices.Clone(l.file)
	clear(file[l.end:])
	if err := l.write(file); err != nil {
		return err
	}
	l.disk.Sync(l.name)
	return nil
}

// Recovered returns the records Open read, in order.
func (l *Log) Recovered() []Record { return l.records }

// Recovery returns what Open found.
func (l *Log) Recovery() Recovery { return l.recovery }

// Append writes a record with data at the end of the log and returns its
// index. The record is in the page cache, not durable: a crash before the
// next Sync may lose it, or tear it. It fails with ErrTooLarge, or with
// sim.ErrDiskFull, and then the log is unchanged.
func (l *Log) Append(data []byte) (uint64, error) {
	if len(data) > MaxRecord {
		return 0, ErrTooLarge
	}
	rec := encode(l.last+1, data)
	file := l.file
	if need := l.end + len(rec); need > len(file) { // grow by whole chunks; the disk may be full
		grown := (need + l.opts.Chunk - 1) / l.opts.Chunk * l.opts.Chunk
		file = append(slices.Clone(file), make([]byte, grown-len(file))...)
	}
	copy(file[l.end:], rec) // in place when the file did not grow: a write of the same size cannot fail
	if err := l.write(file); err != nil {
		return 0, err
	}
	l.end += len(rec)
	l.last++
	return l.last, nil
}

// Sync makes every record appended so far durable (an fsync) and returns
// the index of the last one.
func (l *Log) Sync() uint64 {
	l.disk.Sync(l.name)
	l.synced = l.last
	l.syncs++
	return l.synced
}

// Last returns the index of the last record appended (0: none).
func (l *Log) Last() uint64 { return l.last }

// Synced returns the index of the last record made durable.
func (l *Log) Synced() uint64 { return l.synced }

// Syncs counts the fsyncs since Open.
func (l *Log) Syncs() int { return l.syncs }

// Size returns the file's size in bytes, preallocation included.
func (l *Log) Size() int { return len(l.file) }

func (l *Log) write(file []byte) error {
	if err := l.disk.Write(l.name, file); err != nil {
		return err
	}
	l.file = file
	return nil
}

// encode returns the bytes of a record: header, then data.
func encode(index uint64, data []byte) []byte {
	rec := make([]byte, headerSize+len(data))
	binary.LittleEndian.PutUint32(rec[0:], uint32(len(data)))
	binary.LittleEndian.PutUint64(rec[8:], index)
	copy(rec[headerSize:], data)
	binary.LittleEndian.PutUint32(rec[4:], checksum(rec))
	return rec
}

// checksum is the CRC-32C of a record's length, index and data: every
// byte but the checksum's own.
func checksum(rec []byte) uint32 {
	c := crc32.Update(0, castagnoli, rec[0:4])
	return crc32.Update(c, castagnoli, rec[8:])
}

// decode reads records from the start of file while they are whole, carry
// the next index and (if check) the right checksum. It returns them, the
// offset after the last, and why it stopped.
func decode(file []byte, check bool) ([]Record, int, string) {
	var recs []Record
	off := 0
	for {
		rec, stop := next(file[off:], uint64(len(recs)+1), check)
		if stop != "" {
			return recs, off, stop
		}
		recs = append(recs, Record{Index: uint64(len(recs) + 1), Data: slices.Clone(rec[headerSize:])})
		off += len(rec)
	}
}

// next returns the record at the start of b, or why there is none.
func next(b []byte, index uint64, check bool) ([]byte, string) {
	if len(b) < headerSize || allZero(b[:headerSize]) {
		if allZero(b[:min(len(b), headerSize)]) {
			return nil, "end of log"
		}
		return nil, "partial record"
	}
	n := int(binary.LittleEndian.Uint32(b[0:]))
	if n > len(b)-headerSize || n > MaxRecord {
		return nil, "partial record"
	}
	rec := b[:headerSize+n]
	if check && binary.LittleEndian.Uint32(rec[4:]) != checksum(rec) {
		return nil, "checksum mismatch"
	}
	if binary.LittleEndian.Uint64(rec[8:]) != index {
		return nil, "index out of sequence"
	}
	return rec, ""
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}
