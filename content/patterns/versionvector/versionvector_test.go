package versionvector

import (
	"fmt"
	"math/rand"
	mrand "math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"testing/quick"

	"github.com/google/go-cmp/cmp"
	"github.com/lamport-kb/lamport/internal/proptest"
)

// Generate draws vectors over three replicas with small counters, so that
// random pairs are often ordered, not only concurrent.
func (Vector) Generate(r *rand.Rand, _ int) reflect.Value {
	v := Vector{}
	for _, id := range []string{"A", "B", "C"} {
		if n := r.Intn(4); n > 0 || r.Intn(3) == 0 {
			v[id] = uint64(n) // a zero entry now and then: it counts as absent
		}
	}
	return reflect.ValueOf(v)
}

var quickConfig = &quick.Config{MaxCount: 2000}

func eq(a, b Vector) bool { return a.Compare(b) == Equal }

// leq is the order by definition: every counter of a at most b's.
func leq(a, b Vector) bool {
	for id, n := range a {
		if n > b[id] {
			return false
		}
	}
	return true
}

// TestMergeIsJoin: Merge is commutative, associative and idempotent, its
// result descends from both arguments and from nothing less than it does
// (the least upper bound), and Increment moves a vector strictly after it.
func TestMergeIsJoin(t *testing.T) {
	props := map[string]any{
		"commutative": func(a, b Vector) bool { return eq(a.Merge(b), b.Merge(a)) },
		"associative": func(a, b, c Vector) bool { return eq(a.Merge(b).Merge(c), a.Merge(b.Merge(c))) },
		"idempotent":  func(a Vector) bool { return eq(a.Merge(a), a) },
		"upper bound": func(a, b Vector) bool { m := a.Merge(b); return m.Descends(a) && m.Descends(b) },
		"least": func(a, b, c Vector) bool {
			return !(c.Descends(a) && c.Descends(b)) || c.Descends(a.Merge(b))
		},
		"increment": func(a Vector) bool { return a.Increment("B").Compare(a) == After },
		"pure": func(a, b Vector) bool {
			before := fmt.Sprint(a, b)
			a.Merge(b)
			a.Increment("A")
			return fmt.Sprint(a, b) == before
		},
	}
	for name, p := range props {
		t.Run(name, func(t *testing.T) {
			if err := quick.Check(p, quickConfig); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestCompareIsPartialOrder: Compare agrees with the pointwise order,
// which is reflexive, antisymmetric and transitive; Before and After are
// mirror images, Concurrent is symmetric; and a ≤ b exactly when merging
// a into b changes nothing.
func TestCompareIsPartialOrder(t *testing.T) {
	props := map[string]any{
		"definition": func(a, b Vector) bool {
			want := map[[2]bool]Order{{true, true}: Equal, {true, false}: Before, {false, true}: After, {false, false}: Concurrent}
			return a.Compare(b) == want[[2]bool{leq(a, b), leq(b, a)}]
		},
		"reflexive":     func(a Vector) bool { return a.Compare(a) == Equal },
		"antisymmetric": func(a, b Vector) bool { return !(leq(a, b) && leq(b, a)) || eq(a, b) },
		"transitive": func(a, b, c Vector) bool {
			return !(a.Descends(b) && b.Descends(c)) || a.Descends(c)
		},
		"mirror": func(a, b Vector) bool {
			mirror := [...]Order{Equal: Equal, Before: After, After: Before, Concurrent: Concurrent}
			return b.Compare(a) == mirror[a.Compare(b)]
		},
		"consistent with Merge": func(a, b Vector) bool { return leq(a, b) == eq(a.Merge(b), b) },
	}
	for name, p := range props {
		t.Run(name, func(t *testing.T) {
			if err := quick.Check(p, quickConfig); err != nil {
				t.Error(err)
			}
		})
	}
}

func TestVectorBasics(t *testing.T) {
	v := Vector{}.Increment("B").Increment("A").Increment("B")
	for _, tt := range []struct {
		name string
		got  any
		want any
	}{
		{"string", v.String(), "[A:1 B:2]"},
		{"zero entries do not print", Vector{"C": 0}.String(), "[]"},
		{"covers its dots", v.Covers(Dot{"B", 2}), true},
		{"not the next one", v.Covers(Dot{"B", 3}), false},
		{"no dot zero", v.Covers(Dot{"C", 0}), false},
		{"before", Vector{"A": 1}.Compare(v), Before},
		{"after", v.Compare(Vector{"B": 2}), After},
		{"concurrent", Vector{"C": 1}.Compare(v), Concurrent},
		{"order names", fmt.Sprint(Equal, Before, After, Concurrent), "equal before after concurrent"},
		{"dot", Dot{"A", 3}.String(), "A:3"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, tt.got); diff != "" {
				t.Error(diff)
			}
		})
	}
}

// TestPut: a write supersedes exactly the siblings its context covers.
func TestPut(t *testing.T) {
	var a Entry
	a, _ = a.Put("A", nil, "milk") // A:1
	ctx := a.Context()
	a, _ = a.Put("A", nil, "eggs") // A:2, a blind write: concurrent with milk
	for _, tt := range []struct {
		name   string
		ctx    Vector
		want   []string
		wantAt Vector
	}{
		{"blind write keeps both", nil, []string{"milk", "eggs", "tea"}, Vector{"A": 3}},
		{"context of milk supersedes it only", ctx, []string{"eggs", "tea"}, Vector{"A": 3}},
		{"full context supersedes both", a.Context(), []string{"tea"}, Vector{"A": 3}},
		{"context from B's write carries B", Vector{"A": 2, "B": 4}, []string{"tea"}, Vector{"A": 3, "B": 4}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e, dot := a.Put("A", tt.ctx, "tea")
			if diff := cmp.Diff(tt.want, e.Values()); diff != "" {
				t.Error(diff)
			}
			if dot != (Dot{"A", 3}) || !eq(e.Known, tt.wantAt) {
				t.Errorf("dot %v, vector %v", dot, e.Known)
			}
		})
	}
	if got := a.String(); got != "[A:2] {milk | eggs}" {
		t.Errorf("String = %q", got)
	}
}

// TestSameContextTwice is the reason for dots: two writes accepted by one
// replica with the same stale context are concurrent, and both stay. A
// variant that counts the new version from the client's context gives
// both the same version, and the merge keeps one.
func TestSameContextTwice(t *testing.T) {
	var a Entry
	a, _ = a.Put("A", nil, "milk")
	ctx := a.Context()
	x, _ := a.Put("A", ctx, "milk eggs")
	y, _ := x.Put("A", ctx, "milk bread")
	if got := y.Values(); !slices.Equal(got, []string{"milk eggs", "milk bread"}) {
		t.Errorf("correct: %q", got)
	}
	bx, _ := a.put("A", ctx, "milk eggs", dotFromContext)
	by, _ := bx.put("A", ctx, "milk bread", dotFromContext) // the same dot again
	if got := bx.Merge(by).Values(); !slices.Equal(got, []string{"milk eggs"}) {
		t.Errorf("dotFromContext: a replica that held the first write merged the second into %q", got)
	}
}

// world is a random execution over three replicas: blind and contextual
// writes (the context read from any replica, now or earlier) and merges
// in both directions. It returns every entry any replica held.
func world(r *mrand.Rand, steps int) []Entry {
	ids := []string{"A", "B", "C"}
	reps := make([]Entry, len(ids))
	var seen []Entry
	for range steps {
		i, j := r.IntN(3), r.IntN(3)
		switch r.IntN(3) {
		case 0:
			reps[i], _ = reps[i].Put(ids[i], nil, fmt.Sprint(len(seen)))
		case 1:
			var ctx Vector
			if len(seen) > 0 {
				ctx = seen[r.IntN(len(seen))].Context()
			}
			reps[i], _ = reps[i].Put(ids[i], ctx, fmt.Sprint(len(seen)))
		case 2:
			reps[i] = reps[i].Merge(reps[j])
		}
		seen = append(seen, reps[i].clone())
	}
	return seen
}

// TestEntryMergeIsJoin: anti-entropy's Merge is commutative, associative
// and idempotent over the entries of random executions, so replicas that
// receive each other's states in any order, lost or duplicated, converge.
func TestEntryMergeIsJoin(t *testing.T) {
	for seed := range proptest.Seeds(400) {
		r := mrand.New(mrand.NewPCG(seed, 1))
		seen := world(r, 4+r.IntN(20))
		pick := func() Entry { return seen[r.IntN(len(seen))] }
		for range 10 {
			a, b, c := pick(), pick(), pick()
			for name, ok := range map[string]bool{
				"commutative": a.Merge(b).Equal(b.Merge(a)),
				"associative": a.Merge(b).Merge(c).Equal(a.Merge(b.Merge(c))),
				"idempotent":  a.Merge(a).Equal(a),
				"absorbs":     a.Merge(b).Merge(b).Equal(a.Merge(b)),
			} {
				if !ok {
					t.Fatalf("seed %d: Merge is not %s on %v, %v, %v", seed, name, a, b, c)
				}
			}
		}
	}
}
