package sim

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
)

// ErrDiskFull is returned by a write that would take a node's disk past
// Config.DiskLimit.
var ErrDiskFull = errors.New("sim: disk full (Config.DiskLimit)")

// Disk is a node's durable storage: named files with the semantics of a
// page cache over a disk. Reads see every write at once; Sync makes a
// file's current content durable (fsync); a crash reverts every file to
// what was last synced. With Config.TornWrites a crash may instead leave a
// random prefix of the unsynced content on disk, over the old content: a
// torn write. A Disk outlives its node's crashes and belongs to one node.
type Disk struct {
	files map[string]*file
	limit int
	size  int
}

// file is one file: what a read sees, and what survives a crash.
type file struct {
	data, synced []byte
	exists       bool // the file exists durably (its creation was synced)
}

// Read returns a copy of the file's content, and false if it does not
// exist.
func (d *Disk) Read(name string) ([]byte, bool) {
	f, ok := d.files[name]
	if !ok {
		return nil, false
	}
	return slices.Clone(f.data), true
}

// Write replaces the file's content (creating it). The new content is not
// durable until Sync.
func (d *Disk) Write(name string, data []byte) error {
	f := d.open(name)
	if err := d.grow(len(data) - len(f.data)); err != nil {
		return err
	}
	f.data = slices.Clone(data)
	return nil
}

// Append adds data at the end of the file (creating it). The new bytes are
// not durable until Sync.
func (d *Disk) Append(name string, data []byte) error {
	f := d.open(name)
	if err := d.grow(len(data)); err != nil {
		return err
	}
	f.data = append(f.data, data...)
	return nil
}

// Sync makes the file's current content durable. Syncing a file that does
// not exist does nothing.
func (d *Disk) Sync(name string) {
	if f, ok := d.files[name]; ok {
		f.synced = slices.Clone(f.data)
		f.exists = true
	}
}

// Files returns the names of the files, sorted.
func (d *Disk) Files() []string {
	names := make([]string, 0, len(d.files))
	for name := range d.files {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// Dirty reports whether the file has writes that a crash would lose.
func (d *Disk) Dirty(name string) bool {
	f, ok := d.files[name]
	return ok && (!f.exists || !slices.Equal(f.data, f.synced))
}

func (d *Disk) open(name string) *file {
	f, ok := d.files[name]
	if !ok {
		f = &file{}
		d.files[name] = f
	}
	return f
}

func (d *Disk) grow(n int) error {
	if d.size+n > d.limit {
		return ErrDiskFull
	}
	d.size += n
	return nil
}

// crash reverts every file to its durable content (or a torn mix) and
// describes what was lost, for the trace.
func (d *Disk) crash(r *rand.Rand, torn bool) string {
	var lost []string
	for _, name := range d.Files() { // sorted: the draws below are deterministic
		f := d.files[name]
		if !d.Dirty(name) {
			continue
		}
		if !f.exists && !torn {
			delete(d.files, name)
			d.size -= len(f.data)
			lost = append(lost, name+" (never synced)")
			continue
		}
		before := len(f.data)
		f.data = tornContent(f.synced, f.data, r, torn)
		f.synced, f.exists = slices.Clone(f.data), true
		d.size += len(f.data) - before
		lost = append(lost, fmt.Sprintf("%s: %d of %d bytes kept", name, len(f.data), before))
	}
	if len(lost) == 0 {
		return ""
	}
	return "lost unsynced writes: " + strings.Join(lost, ", ")
}

// tornContent is what a crash leaves of a file whose durable content is
// old and whose page-cache content is cur: old, or with torn writes the
// first k bytes of cur over old, for a random k.
func tornContent(old, cur []byte, r *rand.Rand, torn bool) []byte {
	if !torn {
		return slices.Clone(old)
	}
	k := r.IntN(len(cur) + 1)
	out := slices.Clone(cur[:k])
	if k < len(old) {
		out = append(out, old[k:]...)
	}
	return out
}
