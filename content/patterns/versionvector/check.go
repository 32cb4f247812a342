package versionvector

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/lamport-kb/lamport/sim"
)

// states returns every replica's state: its handler's while it is up,
// its disk's while it is down (a down disk does not change, so it is
// decoded once per crash).
func (h *History) states(s *sim.Sim) []state {
	out := make([]state, len(h.names))
	for i := range h.names {
		id := h.base + sim.NodeID(i)
		if r, ok := s.Handler(id).(*Replica); ok {
			delete(h.cache, id)
			out[i] = r.st
			continue
		}
		st, ok := h.cache[id]
		if !ok {
			if data, found := s.Disk(id).Read(stateFile); found {
				if err := json.Unmarshal(data, &st); err != nil {
					panic(err)
				}
			}
			h.cache[id] = st
		}
		out[i] = st
	}
	return out
}

// checkDots: no two different writes share a dot (add notes the first
// that does), and every sibling a replica holds is a write of the history
// that its vector covers.
func (h *History) checkDots(s *sim.Sim) error {
	if h.dup != nil {
		return h.dup
	}
	if h.dotsAt == h.changes {
		return nil
	}
	h.dotsAt = h.changes
	for i, st := range h.states(s) {
		for _, k := range sortedKeys(st.Entries) {
			e := st.Entries[k]
			for _, sib := range e.Siblings {
				if !e.Known.Covers(sib.Dot) || h.values[keyDot{k, sib.Dot}] != sib.Value {
					return fmt.Errorf("%s holds %v=%q under %v, not a write it has seen", h.names[i], sib.Dot, sib.Value, e.Known)
				}
			}
		}
	}
	return nil
}

// checkLost: every acknowledged write is a sibling on some replica, or is
// covered by the context of one (a later write read it and superseded
// it). Contexts are closed under causality (a vector that covers a write
// covers everything that write's context covered), so one step suffices.
func (h *History) checkLost(s *sim.Sim) error {
	if h.lostAt == h.changes {
		return nil
	}
	h.lostAt = h.changes
	if lost := h.Lost(s); len(lost) > 0 {
		w := lost[0]
		return fmt.Errorf("the write of %s at %s (%v, %q) is lost: no replica holds it or a write that read it", w.Item, h.names[w.Replica], w.Dot, w.Value)
	}
	return nil
}

// Lost returns the acknowledged writes that version vectors lost: no
// replica holds them as siblings, nor a sibling whose write read them.
func (h *History) Lost(s *sim.Sim) []Write {
	held := map[keyDot]bool{}
	seen := map[string]Vector{} // per key, the join of the held siblings' contexts
	for _, st := range h.states(s) {
		for k, e := range st.Entries {
			if seen[k] == nil {
				seen[k] = Vector{}
			}
			for _, sib := range e.Siblings {
				held[keyDot{k, sib.Dot}] = true
				seen[k].raise(h.ctx[keyDot{k, sib.Dot}])
			}
		}
	}
	var lost []Write
	for _, w := range h.Writes {
		if !held[keyDot{w.Key, w.Dot}] && !seen[w.Key].Covers(w.Dot) {
			lost = append(lost, w)
		}
	}
	return lost
}

// keyDot names one write: a dot counts the updates of one key.
type keyDot struct {
	key string
	dot Dot
}

// add records an acknowledged write, and notes the first dot that names
// two writes.
func (h *History) add(w Write) {
	kd := keyDot{w.Key, w.Dot}
	if v, dup := h.values[kd]; dup && v != w.Value && h.dup == nil {
		h.dup = fmt.Errorf("dot %v of %s names two writes, %q and %q", w.Dot, w.Key, v, w.Value)
	}
	if _, dup := h.values[kd]; !dup {
		h.values[kd] = w.Value
		h.ctx[kd] = w.Context
	}
	h.Writes = append(h.Writes, w)
}

// Converged checks the end of a run whose faults have stopped: every
// replica holds the same entries and registers, and each key's siblings
// are exactly the writes that no other write read (the concurrent
// frontier of the history).
func (h *History) Converged(s *sim.Sim) error {
	states := h.states(s)
	for i, st := range states[1:] {
		if !sameState(states[0], st) {
			return fmt.Errorf("%s and %s differ after anti-entropy: %v against %v", h.names[0], h.names[i+1], states[0].Entries, st.Entries)
		}
	}
	for _, k := range sortedKeys(states[0].Entries) {
		want := h.Frontier(k)
		if got := states[0].Entries[k].Values(); !slices.Equal(got, want) {
			return fmt.Errorf("key %s: siblings %q, want the writes no other write read, %q", k, got, want)
		}
	}
	return nil
}

// Frontier returns, in dot order, the values of the writes of key that no
// other write read: the siblings a converged store must hold.
func (h *History) Frontier(key string) []string {
	var read Vector
	for _, w := range h.Writes {
		if w.Key == key {
			read = read.Merge(w.Context)
		}
	}
	var front []Write
	for _, w := range h.Writes {
		if w.Key == key && !read.Covers(w.Dot) {
			front = append(front, w)
		}
	}
	slices.SortFunc(front, func(a, b Write) int { return a.Dot.compare(b.Dot) })
	out := make([]string, len(front))
	for i, w := range front {
		out[i] = w.Value
	}
	return out
}

func sameState(a, b state) bool {
	if len(a.Entries) != len(b.Entries) || len(a.LWW) != len(b.LWW) {
		return false
	}
	for k, e := range a.Entries {
		if !e.Equal(b.Entries[k]) {
			return false
		}
	}
	for k, g := range a.LWW {
		if !g.equal(b.LWW[k]) {
			return false
		}
	}
	return true
}

// Dropped is a write that last-write-wins lost: its item is not in the
// value the registers hold.
type Dropped struct {
	Write
	// By is the write that beat it: if it was dropped at once, the
	// write whose register its replica held; else, of the writes stamped
	// later without its item, the one stamped first.
	By Write
	// Later is true when the dropped write had read By: it happened after
	// By and lost to a clock that ran ahead.
	Later bool
}

// LostUnderLWW returns the acknowledged writes whose items the first
// replica's register does not hold (after convergence all hold the
// same), each with the write that overwrote it.
func (h *History) LostUnderLWW(s *sim.Sim) []Dropped {
	st := h.states(s)[0]
	var out []Dropped
	for _, w := range h.Writes {
		if slices.Contains(strings.Fields(st.LWW[w.Key].Value), w.Item) {
			continue
		}
		d := Dropped{Write: w, By: h.beaten(w)}
		d.Later = w.Context.Covers(d.By.Dot)
		out = append(out, d)
	}
	return out
}

// beaten returns the write that last-write-wins lost w to: the one whose
// register w's replica held, if w was dropped at once; else, of the
// writes stamped later whose registers lack w's item, the first.
func (h *History) beaten(w Write) Write {
	var by Write
	for _, v := range h.Writes {
		if w.Dropped {
			if v.LWW.equal(w.held) {
				return v
			}
			continue
		}
		if v.Key == w.Key && v.LWW.Newer(w.LWW) && !slices.Contains(strings.Fields(v.LWW.Value), w.Item) &&
			(by.Item == "" || by.LWW.Newer(v.LWW)) {
			by = v
		}
	}
	return by
}

// Kept returns the items of key that the store keeps under version
// vectors (the union of the siblings' carts on the first replica) and
// under last-write-wins (its register's cart).
func (h *History) Kept(s *sim.Sim, key string) (vv, lww []string) {
	st := h.states(s)[0]
	return strings.Fields(join(st.Entries[key].Values()...)), strings.Fields(st.LWW[key].Value)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
