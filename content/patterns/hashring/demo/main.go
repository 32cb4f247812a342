// Demo: a cache tier of four nodes behind a consistent-hash ring with 160
// virtual nodes each. Watch how many of 10,000 keys move when a node joins
// and when one leaves, compared with hash mod n; how virtual nodes even out
// the load; and how bounded loads (ε = 0.25) cap a node that a hot key
// would otherwise swamp.
//
// Everything is computed from the run and deterministic. Change the number
// of virtual nodes, keys or ε and run it again.
package main

import (
	"fmt"

	"github.com/lamport-kb/lamport/content/patterns/hashring"
)

const numKeys = 10000

func main() {
	keys := make([]string, numKeys)
	for i := range keys {
		keys[i] = fmt.Sprint("user:", i)
	}
	nodes := []string{"cache-a", "cache-b", "cache-c", "cache-d"}

	fmt.Println("1. Four nodes, 160 virtual nodes each, 10000 keys")
	ring := hashring.New(hashring.Options{VirtualNodes: 160})
	ring.Add(nodes...)
	before := place(ring, keys)
	printLoad(ring, before)

	fmt.Println("\n2. cache-e joins")
	ring.Add("cache-e")
	after := place(ring, keys)
	moved, strays := compare(before, after, "cache-e")
	fmt.Printf("   ring:      %d keys moved (%.1f%%), %d of them to a node other than cache-e\n",
		moved, pct(moved), strays)
	modMoved := modulo(keys, 4, 5)
	fmt.Printf("   hash mod n: %d keys moved (%.1f%%) going from 4 to 5 buckets\n", modMoved, pct(modMoved))

	fmt.Println("\n3. cache-b fails and leaves the ring")
	ring.Remove("cache-b")
	gone := place(ring, keys)
	moved, _ = compare(after, gone, "")
	own := count(after)["cache-b"]
	fmt.Printf("   %d keys moved, and cache-b owned %d: only its own keys moved\n", moved, own)
	printLoad(ring, gone)

	fmt.Println("\n4. Virtual nodes: the most loaded node over the mean, 4 nodes")
	for _, v := range []int{1, 10, 100, 1000} {
		r := hashring.New(hashring.Options{VirtualNodes: v})
		r.Add(nodes...)
		fmt.Printf("   V=%-4d max/mean = %.2f\n", v, maxOverMean(count(place(r, keys)), len(nodes)))
	}

	fmt.Println("\n5. A hot key: 2000 of 4000 requests in flight are for user:1")
	bounded := hashring.NewBounded(ring, 0.25)
	plain := map[string]int{}
	for i := range 4000 {
		key := keys[i]
		if i%2 == 0 {
			key = "user:1"
		}
		n, _ := ring.Get(key)
		plain[n]++
		bounded.Acquire(key)
	}
	hot, _ := ring.Get("user:1")
	fmt.Printf("   plain ring:   %s holds %d (mean %d)\n", hot, plain[hot], 4000/len(ring.Nodes()))
	fmt.Printf("   bounded 1.25: %s holds %d, capacity %d\n",
		hot, bounded.Load(hot), hashring.Capacity(4000, len(ring.Nodes()), 0.25))
}

// place returns each key's owner.
func place(r *hashring.Ring, keys []string) map[string]string {
	out := make(map[string]string, len(keys))
	for _, k := range keys {
		out[k], _ = r.Get(k)
	}
	return out
}

// compare counts the keys whose owner changed, and those that moved to a
// node other than target.
func compare(before, after map[string]string, target string) (moved, strays int) {
	for k, n := range after {
		if n != before[k] {
			moved++
			if n != target {
				strays++
			}
		}
	}
	return moved, strays
}

// modulo counts the keys whose bucket hash mod n changes from a to b buckets.
func modulo(keys []string, a, b uint64) int {
	moved := 0
	for _, k := range keys {
		h := hashring.Hash64([]byte(k))
		if h%a != h%b {
			moved++
		}
	}
	return moved
}

func count(owner map[string]string) map[string]int {
	c := map[string]int{}
	for _, n := range owner {
		c[n]++
	}
	return c
}

func maxOverMean(c map[string]int, nodes int) float64 {
	most := 0
	for _, v := range c {
		most = max(most, v)
	}
	return float64(most) * float64(nodes) / numKeys
}

func printLoad(r *hashring.Ring, owner map[string]string) {
	c := count(owner)
	for _, n := range r.Nodes() {
		fmt.Printf("   %s %5d keys\n", n, c[n])
	}
}

func pct(n int) float64 { return 100 * float64(n) / numKeys }
