package sim

import "time"

// item is one entry of the event queue.
type item struct {
	at          time.Duration
	seq         uint64 // ties at one instant run in the order they were queued
	kind        itemKind
	node        NodeID
	msg         *Message
	timer       TimerID
	name        string
	incarnation int
	fault       func(s *Sim)
}

type itemKind uint8

const (
	itemBoot itemKind = iota
	itemDeliver
	itemTimer
	itemFault
)

// queue is a binary min-heap of items ordered by (at, seq): a total order,
// so a run does not depend on anything but what was queued.
type queue struct{ items []item }

func (q *queue) Len() int { return len(q.items) }

func (q *queue) less(i, j int) bool {
	a, b := &q.items[i], &q.items[j]
	return a.at < b.at || (a.at == b.at && a.seq < b.seq)
}

func (q *queue) push(it item) {
	q.items = append(q.items, it)
	for i := len(q.items) - 1; i > 0; {
		parent := (i - 1) / 2
		if !q.less(i, parent) {
			break
		}
		q.items[i], q.items[parent] = q.items[parent], q.items[i]
		i = parent
	}
}

func (q *queue) pop() item {
	top := q.items[0]
	last := len(q.items) - 1
	q.items[0] = q.items[last]
	q.items[last] = item{}
	q.items = q.items[:last]
	for i := 0; ; {
		small, l, r := i, 2*i+1, 2*i+2
		if l < last && q.less(l, small) {
			small = l
		}
		if r < last && q.less(r, small) {
			small = r
		}
		if small == i {
			return top
		}
		q.items[i], q.items[small] = q.items[small], q.items[i]
		i = small
	}
}
