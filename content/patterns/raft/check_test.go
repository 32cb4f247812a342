package raft

import (
	"strings"
	"testing"

	"github.com/lamport-kb/lamport/sim"
)

// fake is a replica whose state a test sets: entry i has term terms[i-1]
// and digest digests[i-1].
type fake struct {
	term           uint64
	leader         bool
	terms, digests []uint64
	commit         uint64
	index, sm      uint64 // applied index and state machine digest
}

func (f *fake) status() (uint64, bool)            { return f.term, f.leader }
func (f *fake) lastIndex() uint64                 { return uint64(len(f.terms)) }
func (f *fake) entryAt(i uint64) (uint64, uint64) { return f.terms[i-1], f.digests[i-1] }
func (f *fake) commitIndex() uint64               { return f.commit }
func (f *fake) applied() (uint64, uint64)         { return f.index, f.sm }
func (f *fake) takeDirty() uint64                 { return 1 }

// check runs every property over two replicas, a then b, in the order
// the invariants run, and returns the first error.
func check(a, b *fake) error {
	s := sim.New(sim.Config{})
	c := &Cluster{Servers: []sim.NodeID{s.Add("a", nil), s.Add("b", nil)}, sim: s}
	k := newChecker(c)
	for _, prop := range []func(sim.NodeID, replica, *seen) error{k.electionSafety, k.logMatching, k.stateMachineSafety, k.leaderCompleteness} {
		for i, r := range []*fake{a, b} {
			if err := prop(c.Servers[i], r, &k.seen[i]); err != nil {
				return err
			}
		}
	}
	return nil
}

// TestCheckerCatches: each property's check fails on a pair of states
// that breaks it, and passes on states that agree.
func TestCheckerCatches(t *testing.T) {
	for _, tt := range []struct {
		name string
		a, b fake
		want string // in the error; "" for none
	}{
		{"agreeing replicas", fake{term: 2, leader: true, terms: []uint64{1, 2}, digests: []uint64{7, 8}, commit: 2, index: 2, sm: 5},
			fake{term: 2, terms: []uint64{1, 2}, digests: []uint64{7, 8}, commit: 1, index: 1, sm: 4}, ""},
		{"two leaders in a term", fake{term: 3, leader: true}, fake{term: 3, leader: true}, "both lead term 3"},
		{"same index and term, other content", fake{terms: []uint64{1}, digests: []uint64{7}},
			fake{terms: []uint64{1}, digests: []uint64{9}}, "entry 1 of term 1 differs"},
		{"same index and term, other predecessor", fake{terms: []uint64{1, 3}, digests: []uint64{7, 8}},
			fake{terms: []uint64{2, 3}, digests: []uint64{6, 8}}, "entry 2 of term 3 differs"},
		{"a leader without a committed entry", fake{term: 1, terms: []uint64{1, 1}, digests: []uint64{7, 8}, commit: 2},
			fake{term: 2, leader: true, terms: []uint64{1}, digests: []uint64{7}}, "leads term 2 without entry 2"},
		{"a leader with another entry where one was committed", fake{term: 1, terms: []uint64{1}, digests: []uint64{7}, commit: 1},
			fake{term: 2, leader: true, terms: []uint64{2}, digests: []uint64{9}}, "different entry 1"},
		{"another entry committed at an index", fake{term: 1, terms: []uint64{1}, digests: []uint64{7}, commit: 1},
			fake{term: 2, terms: []uint64{2}, digests: []uint64{9}, commit: 1}, "commits entry 1 of term 2"},
		{"different commands applied", fake{index: 3, sm: 1}, fake{index: 3, sm: 2}, "applied 3 entries that differ"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := check(&tt.a, &tt.b)
			if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
				t.Errorf("got %v, want an error with %q", err, tt.want)
			}
		})
	}
}
