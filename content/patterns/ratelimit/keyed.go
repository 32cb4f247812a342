package ratelimit

import (
	"container/list"
	"sync"
)

// Keyed is one token bucket per key, such as a client address, a tenant or
// an API key. It remembers at most MaxKeys keys: when a new key arrives and
// the table is full, the least recently used key is forgotten (its bucket
// would have refilled anyway if it was idle long enough). Without a bound,
// a client that invents keys could exhaust memory.
type Keyed struct {
	limit   Limit
	burst   int
	maxKeys int
	opts    Options

	mu   sync.Mutex
	keys map[string]*list.Element // value: *keyedEntry
	lru  *list.List               // front: most recently used
}

type keyedEntry struct {
	key     string
	limiter *Limiter
}

// NewKeyed returns a Keyed limiter with a bucket of burst tokens refilled
// at limit per second for each key, remembering at most maxKeys keys. Every
// bucket takes its clock from o.
func NewKeyed(limit Limit, burst, maxKeys int, o Options) *Keyed {
	return &Keyed{limit: limit, burst: burst, maxKeys: max(1, maxKeys), opts: o,
		keys: make(map[string]*list.Element), lru: list.New()}
}

// Allow reports whether an event for key may happen now.
func (k *Keyed) Allow(key string) bool { return k.Limiter(key).Allow() }

// Limiter returns key's bucket, creating it (and evicting the least
// recently used key if the table is full).
func (k *Keyed) Limiter(key string) *Limiter {
	k.mu.Lock()
	defer k.mu.Unlock()
	if e, ok := k.keys[key]; ok {
		k.lru.MoveToFront(e)
		return e.Value.(*keyedEntry).limiter
	}
	if k.lru.Len() >= k.maxKeys {
		oldest := k.lru.Back()
		k.lru.Remove(oldest)
		delete(k.keys, oldest.Value.(*keyedEntry).key)
	}
	l := NewWithOptions(k.limit, k.burst, k.opts)
	k.keys[key] = k.lru.PushFront(&keyedEntry{key: key, limiter: l})
	return l
}

// Len returns the number of keys remembered.
func (k *Keyed) Len() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.lru.Len()
}
