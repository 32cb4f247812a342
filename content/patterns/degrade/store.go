package degrade

import (
	"container/list"
	"sync"
	"time"
)

// store keeps the last good value per key, at most max keys; the key
// refreshed least recently is evicted first. It is safe for concurrent use.
type store[K comparable, V any] struct {
	mu    sync.Mutex
	max   int
	items map[K]*list.Element // of *entry[K, V]
	order *list.List          // front: least recently refreshed
}

type entry[K comparable, V any] struct {
	key   K
	value V
	at    time.Time // when the call that fetched value started
}

func newStore[K comparable, V any](max int) *store[K, V] {
	return &store[K, V]{max: max, items: make(map[K]*list.Element), order: list.New()}
}

// put remembers v for key unless a value fetched by a call that started
// later is already there: concurrent calls may finish out of order.
func (s *store[K, V]) put(key K, v V, at time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if el, ok := s.items[key]; ok {
		e := el.Value.(*entry[K, V])
		if at.Before(e.at) {
			return
		}
		e.value, e.at = v, at
		s.order.MoveToBack(el)
		return
	}
	s.items[key] = s.order.PushBack(&entry[K, V]{key: key, value: v, at: at})
	if s.order.Len() > s.max {
		oldest := s.order.Remove(s.order.Front()).(*entry[K, V])
		delete(s.items, oldest.key)
	}
}

// get returns the last good value for key and when its call started.
func (s *store[K, V]) get(key K) (V, time.Time, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	el, ok := s.items[key]
	if !ok {
		var zero V
		return zero, time.Time{}, false
	}
	e := el.Value.(*entry[K, V])
	return e.value, e.at, true
}

func (s *store[K, V]) len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.order.Len()
}
