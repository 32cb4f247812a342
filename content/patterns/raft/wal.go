package raft

import (
	"encoding/binary"
	"hash/crc32"

	"github.com/lamport-kb/lamport/sim"
)

// walFile is the name of a server's write-ahead log on its sim.Disk.
const walFile = "raft.wal"

// wal is a server's write-ahead log: every change to the state Raft must
// keep across a crash (currentTerm, votedFor, the log) is one record,
// appended and fsynced before the server acts on it (replies, votes,
// acknowledgements). A record is framed as length, CRC-32C, body; a crash
// can tear the last, unsynced frame (sim.Config.TornWrites), and load
// drops a torn tail. An entry record at index i replaces the log from i
// on, so a truncation needs no record of its own.
type wal struct {
	disk   *sim.Disk
	noSync bool // a broken variant: records are written, never synced
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// append frames the records, appends them and syncs the file.
func (w wal) append(records ...[]byte) {
	var b []byte
	for _, r := range records {
		b = binary.BigEndian.AppendUint32(b, uint32(len(r)))
		b = binary.BigEndian.AppendUint32(b, crc32.Checksum(r, castagnoli))
		b = append(b, r...)
	}
	if err := w.disk.Append(walFile, b); err != nil {
		panic(err) // the disk is full: the run fails, naming the server
	}
	if !w.noSync {
		w.disk.Sync(walFile)
	}
}

// load returns the log's intact records, in order. A torn or corrupt
// frame ends it: that frame and whatever follows were never synced, so no
// one was told about them, and the file is cut back to the intact prefix
// (synced) so that new records follow the last good one.
func (w wal) load() [][]byte {
	data, _ := w.disk.Read(walFile)
	var records [][]byte
	off := 0
	for off+8 <= len(data) {
		n := int(binary.BigEndian.Uint32(data[off:]))
		sum := binary.BigEndian.Uint32(data[off+4:])
		if n > len(data)-off-8 || crc32.Checksum(data[off+8:off+8+n], castagnoli) != sum {
			break
		}
		records = append(records, data[off+8:off+8+n])
		off += 8 + n
	}
	if off < len(data) {
		if err := w.disk.Write(walFile, data[:off]); err != nil {
			panic(err)
		}
		w.disk.Sync(walFile)
	}
	return records
}
