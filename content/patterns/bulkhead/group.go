package bulkhead

import (
	"sort"
	"sync"
)

// Group keeps one Bulkhead per key (a dependency, a tenant, a priority
// class), created on first use. Compartments share nothing: a key whose
// slots are all taken does not change what any other key admits.
//
// A Group is safe for concurrent use. It never forgets a key, so use it for
// a bounded set of keys (dependencies, tenants, plans), not for values a
// client chooses freely.
type Group struct {
	options func(key string) Options

	mu sync.Mutex
	m  map[string]*Bulkhead
}

// NewGroup returns a Group that builds the Bulkhead of each new key from
// options(key). The Name of the options defaults to the key.
func NewGroup(options func(key string) Options) *Group {
	return &Group{options: options, m: make(map[string]*Bulkhead)}
}

// Get returns the key's Bulkhead, creating it on first use.
func (g *Group) Get(key string) *Bulkhead {
	g.mu.Lock()
	defer g.mu.Unlock()
	if b, ok := g.m[key]; ok {
		return b
	}
	o := g.options(key)
	if o.Name == "" {
		o.Name = key
	}
	b := New(o)
	g.m[key] = b
	return b
}

// Keys returns the keys that have a Bulkhead, sorted.
func (g *Group) Keys() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	keys := make([]string, 0, len(g.m))
	for k := range g.m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
