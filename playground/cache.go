package playground

import "container/list"

// resultCache keeps responses by key, least recently used out first,
// within a budget of bytes: what a response holds (its events' messages
// and its errors) plus a fixed cost per entry and per event. A response
// larger than a sixteenth of the budget is not kept, so that one flood of
// output cannot push every demo's result out. It is not safe for
// concurrent use; Service.mu guards it.
type resultCache struct {
	max, size int
	order     *list.List // of *cacheEntry, most recently used first
	entries   map[string]*list.Element
}

type cacheEntry struct {
	key  string
	resp *Response
	size int
}

// cacheBytes is the result cache's budget.
const cacheBytes = 64 << 20

// cacheEntryCost is an entry's cost besides its events: the key, the map
// and list nodes, the Response.
const cacheEntryCost = 512

func newResultCache(max int) *resultCache {
	return &resultCache{max: max, order: list.New(), entries: make(map[string]*list.Element)}
}

// get returns the response cached under key, or nil.
func (c *resultCache) get(key string) *Response {
	e := c.entries[key]
	if e == nil {
		return nil
	}
	c.order.MoveToFront(e)
	return e.Value.(*cacheEntry).resp
}

// put caches r under key, evicting the least recently used responses
// until the budget holds it.
func (c *resultCache) put(key string, r *Response) {
	size := responseSize(r)
	if size > c.max/16 {
		return
	}
	if e := c.entries[key]; e != nil {
		c.remove(e)
	}
	for c.size+size > c.max {
		c.remove(c.order.Back())
	}
	c.entries[key] = c.order.PushFront(&cacheEntry{key: key, resp: r, size: size})
	c.size += size
}

func (c *resultCache) remove(e *list.Element) {
	ent := c.order.Remove(e).(*cacheEntry)
	delete(c.entries, ent.key)
	c.size -= ent.size
}

// responseSize is what caching r costs of the budget.
func responseSize(r *Response) int {
	n := cacheEntryCost + len(r.Errors) + runsSize(r.Runs)
	for _, e := range r.Events {
		n += eventCost + len(e.Message)
	}
	return n
}
