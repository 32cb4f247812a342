package ratelimit

import (
	"container/list"
	"sync"
)

// Keyed is one token bucket per key, such as a client address, a tenant or
// an API key. It remembers at most MaxKeys keys. Without a bound, a client
// that invents keys could exhaust memory.
//
// Forgetting a key never resets its budget: when a new key arrives and the
// table is full, the least recently used key is forgotten only if its
// bucket is full again, the state a new bucket starts in, so nothing is
// lost. If that key is still refilling, the new key is refused (Allow
// returns false) until it has refilled: churning through keys cannot buy
// any key a fresh burst.
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

// Allow reports whether an event for key may happen now. It is false for a
// new key while the table is full of keys that are still refilling.
func (k *Keyed) Allow(key string) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	l, ok := k.lookup(key)
	return ok && l.Allow()
}

// Limiter returns key's bucket, for Reserve or Wait, creating it if there
// is room; ok is false when the table is full of keys still refilling.
// Use the bucket at once and do not keep it: once it is full again it may
// be forgotten, and the key then gets a new one.
func (k *Keyed) Limiter(key string) (l *Limiter, ok bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.lookup(key)
}

// lookup finds or creates key's bucket, forgetting the least recently used
// key if the table is full and that key's bucket is full too.
func (k *Keyed) lookup(key string) (*Limiter, bool) {
	if e, ok := k.keys[key]; ok {
		k.lru.MoveToFront(e)
		return e.Value.(*keyedEntry).limiter, true
	}
	if k.lru.Len() >= k.maxKeys {
		oldest := k.lru.Back()
		entry := oldest.Value.(*keyedEntry)
		if entry.limiter.Tokens() < float64(k.burst) {
			return nil, false // forgetting it would hand its key a fresh burst
		}
		k.lru.Remove(oldest)
		delete(k.keys, entry.key)
	}
	l := NewWithOptions(k.limit, k.burst, k.opts)
	k.keys[key] = k.lru.PushFront(&keyedEntry{key: key, limiter: l})
	return l, true
}

// Len returns the number of keys remembered.
func (k *Keyed) Len() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.lru.Len()
}
