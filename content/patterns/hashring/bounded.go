package hashring

import (
	"math"
	"sync"
)

// Bounded is consistent hashing with bounded loads (Mirrokni et al.): each
// node accepts at most ceil((1+ε)·m/n) of the m keys in flight, counting
// the one being placed. A key goes to its owner on the
// ring, or, if the owner is full, to the next node clockwise that is not.
// Because n·ceil((1+ε)·m/n) ≥ m, some node always has room.
//
// Acquire places a key and counts it; Release uncounts it when the work is
// done. A Bounded is safe for concurrent use.
type Bounded struct {
	ring    *Ring
	epsilon float64

	mu    sync.Mutex
	load  map[string]int
	total int
}

// NewBounded returns a Bounded over ring with the balance parameter epsilon
// (ε > 0; 0.25 lets a node take 25% more than the mean). A smaller ε
// balances better and moves more keys away from their owner.
func NewBounded(ring *Ring, epsilon float64) *Bounded {
	return &Bounded{ring: ring, epsilon: epsilon, load: map[string]int{}}
}

// Capacity returns the most keys a node may hold when m keys are in flight
// over n nodes: ceil((1+ε)·m/n).
func Capacity(m, n int, epsilon float64) int {
	if n == 0 {
		return 0
	}
	return int(math.Ceil((1 + epsilon) * float64(m) / float64(n)))
}

// Acquire places key on the first node, clockwise from its hash, whose
// load is under capacity, counts it there and returns the node. It reports
// false only when the ring is empty.
func (b *Bounded) Acquire(key string) (string, bool) {
	b.ring.mu.RLock()
	defer b.ring.mu.RUnlock()
	b.mu.Lock()
	defer b.mu.Unlock()
	r := b.ring
	if len(r.points) == 0 {
		return "", false
	}
	limit := Capacity(b.total+1, len(r.nodes), b.epsilon)
	start := r.search(key)
	for i := range r.points {
		node := r.points[(start+i)%len(r.points)].node
		if b.load[node] < limit {
			b.load[node]++
			b.total++
			return node, true
		}
	}
	panic("hashring: no node under capacity") // unreachable: n·limit ≥ total+1
}

// Release uncounts one key held by node, as returned by Acquire.
func (b *Bounded) Release(node string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.load[node] == 0 {
		return
	}
	b.load[node]--
	b.total--
}

// Load returns how many keys node holds now.
func (b *Bounded) Load(node string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.load[node]
}
