// Package versionvector tracks which versions of a replicated value are
// ordered and which are concurrent, so that a store keeps concurrent
// writes as siblings instead of silently dropping one of them, as
// last-write-wins by wall-clock timestamp does.
//
// A Vector is a version vector: one counter per replica, the number of
// updates of that replica the holder has seen. Increment counts an update,
// Merge is the pointwise maximum (the join: commutative, associative,
// idempotent) and Compare orders two vectors as Equal, Before, After or
// Concurrent (a partial order).
//
// A vector clock (Fidge, Mattern) has the same shape but counts every event
// of every process, sends and receipts included, and stamps events; a
// version vector (Parker et al.) counts only the updates each replica
// accepted and stamps the versions of one object. The store here uses
// version vectors, with a dot on each sibling (a dotted version vector, as
// Riak does): the dot (replica, counter) names the one update that made
// the sibling, so two writes accepted by one replica with the same stale
// context get different dots and neither swallows the other.
//
// Entry is one key's state on one replica: the vector of every update the
// replica has seen for the key (the context a read returns) and the
// siblings still current. Put applies a write with the context its client
// read; Merge is anti-entropy between two replicas, also a join.
//
// Simulate runs a leaderless store of these entries on package sim:
// replicas that accept writes locally, push their state to each other
// every Config.Every, persist it on their sim.Disk, and keep, next to each
// entry, a last-write-wins register stamped with the replica's wall clock,
// so that one run shows what each of the two keeps.
package versionvector

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
)

// Vector is a version vector: for each replica, the number of its updates
// seen. A missing replica counts 0. A Vector is a value: the methods
// return new vectors and never change their receiver.
type Vector map[string]uint64

// Order is how two vectors relate.
type Order uint8

const (
	Equal      Order = iota // the same updates
	Before                  // every update of the first is in the second, which has more
	After                   // the reverse: the first has seen everything the second has, and more
	Concurrent              // each has an update the other lacks
)

var orderNames = [...]string{"equal", "before", "after", "concurrent"}

func (o Order) String() string { return orderNames[o] }

// Increment returns a copy of v with one more update of replica id.
func (v Vector) Increment(id string) Vector {
	w := v.clone()
	w[id]++
	return w
}

// Merge returns the join of v and w: each replica's larger counter.
func (v Vector) Merge(w Vector) Vector {
	m := v.clone()
	for id, n := range w {
		if n > m[id] {
			m[id] = n
		}
	}
	return m
}

// raise merges w into v in place (v must not be nil): the hot loop of
// the lost-write check, which would otherwise copy v once per sibling.
func (v Vector) raise(w Vector) {
	for id, n := range w {
		if n > v[id] {
			v[id] = n
		}
	}
}

// Compare tells how v relates to w.
func (v Vector) Compare(w Vector) Order {
	less, more := false, false
	for id, n := range v {
		if n > w[id] {
			more = true
		}
	}
	for id, n := range w {
		if n > v[id] {
			less = true
		}
	}
	switch {
	case less && more:
		return Concurrent
	case less:
		return Before
	case more:
		return After
	}
	return Equal
}

// Descends reports whether v has seen every update w has: v is After or
// Equal to w.
func (v Vector) Descends(w Vector) bool {
	o := v.Compare(w)
	return o == After || o == Equal
}

// Covers reports whether v has seen the update d.
func (v Vector) Covers(d Dot) bool { return d.Counter > 0 && d.Counter <= v[d.Replica] }

// String prints the vector's non-zero counters in replica order: [A:2 B:1].
func (v Vector) String() string {
	ids := make([]string, 0, len(v))
	for id, n := range v {
		if n > 0 {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	var b strings.Builder
	b.WriteByte('[')
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(id + ":" + strconv.FormatUint(v[id], 10))
	}
	return b.String() + "]"
}

func (v Vector) clone() Vector {
	w := make(Vector, len(v)+1)
	for id, n := range v {
		if n > 0 {
			w[id] = n
		}
	}
	return w
}

// Dot names one update: the replica that accepted it and that replica's
// counter for it.
type Dot struct {
	Replica string
	Counter uint64
}

func (d Dot) String() string { return d.Replica + ":" + strconv.FormatUint(d.Counter, 10) }

func (d Dot) compare(e Dot) int {
	if c := strings.Compare(d.Replica, e.Replica); c != 0 {
		return c
	}
	return cmp.Compare(d.Counter, e.Counter)
}

// Sibling is one current version of a key: its value and the dot of the
// write that made it.
type Sibling struct {
	Dot   Dot
	Value string
}

// Entry is one key's state on one replica: Known, the vector of every
// update of the key the replica has seen (kept or superseded), and the
// siblings still current, sorted by dot. The zero Entry is a key never
// written. An Entry is a value: Put and Merge return new entries.
type Entry struct {
	Known    Vector
	Siblings []Sibling
}

// Context is what a read hands the client with the siblings: the vector
// the client's next write must carry to supersede them.
func (e Entry) Context() Vector { return e.Known.clone() }

// Values returns the siblings' values, in dot order.
func (e Entry) Values() []string {
	vs := make([]string, len(e.Siblings))
	for i, s := range e.Siblings {
		vs[i] = s.Value
	}
	return vs
}

// Put applies a write of value, accepted by replica id from a client that
// read context ctx: the siblings ctx covers are superseded, the others
// stay (they are concurrent with the write), and the new sibling gets the
// dot (id, Known[id]+1). It returns the new entry and the write's dot.
func (e Entry) Put(id string, ctx Vector, value string) (Entry, Dot) {
	return e.put(id, ctx, value, correct)
}

// put is Put, or with b set one of the deliberately broken variants.
func (e Entry) put(id string, ctx Vector, value string, b bug) (Entry, Dot) {
	dot := Dot{Replica: id, Counter: e.Known[id] + 1}
	if b == dotFromContext {
		dot.Counter = ctx[id] + 1
	}
	var kept []Sibling
	for _, s := range e.Siblings {
		if !ctx.Covers(s.Dot) && b != ignoreContext {
			kept = append(kept, s)
		}
	}
	known := e.Known.Merge(ctx)
	known[id] = max(known[id], dot.Counter)
	return Entry{Known: known, Siblings: sorted(append(kept, Sibling{Dot: dot, Value: value}))}, dot
}

// Merge is anti-entropy between two replicas' entries for one key. A
// sibling stays if both hold it, or if the side that lacks it has never
// seen its dot; a sibling one side holds and the other has seen but
// dropped was superseded there, and goes. Merge is a join: commutative,
// associative and idempotent, so replicas that exchange entries in any
// order, with duplicates, end equal.
func (e Entry) Merge(o Entry) Entry {
	var kept []Sibling
	for _, s := range e.Siblings {
		if o.holds(s.Dot) || !o.Known.Covers(s.Dot) {
			kept = append(kept, s)
		}
	}
	for _, s := range o.Siblings {
		if !e.holds(s.Dot) && !e.Known.Covers(s.Dot) {
			kept = append(kept, s)
		}
	}
	return Entry{Known: e.Known.Merge(o.Known), Siblings: sorted(kept)}
}

// Equal reports whether two entries hold the same vector and siblings.
func (e Entry) Equal(o Entry) bool {
	return e.Known.Compare(o.Known) == Equal && slices.Equal(e.Siblings, o.Siblings)
}

func (e Entry) String() string {
	return e.Known.String() + " {" + strings.Join(e.Values(), " | ") + "}"
}

func (e Entry) holds(d Dot) bool {
	_, ok := slices.BinarySearchFunc(e.Siblings, d, func(s Sibling, d Dot) int { return s.Dot.compare(d) })
	return ok
}

func (e Entry) clone() Entry {
	return Entry{Known: e.Known.clone(), Siblings: slices.Clone(e.Siblings)}
}

func sorted(s []Sibling) []Sibling {
	slices.SortStableFunc(s, func(a, b Sibling) int { return a.Dot.compare(b.Dot) })
	return s
}

// bug names a deliberately broken variant that the exploration must catch.
type bug uint8

const (
	correct        bug = iota
	dotFromContext     // the new dot counts from the client's context, not from the replica's vector
	ignoreContext      // a write replaces every sibling the replica holds, as if it had seen them all
)
