// Demo: a three-stage pipeline whose last stage is slower than its source.
// The source could make 3 items per tick, the middle stage handles 2 per
// tick, the sink 1. The same 12 ticks are run three ways: with queues so
// large they never fill (no backpressure), with bounded Block queues of 4
// (backpressure), and with bounded DropNewest queues of 4 (load is dropped
// instead). Then a sender and a receiver share an HTTP/2-style credit window.
//
// Time is a tick counter, so the output is the same on every run. Change the
// rates, the capacity or the policy and run it again.
package main

import (
	"fmt"

	"github.com/lamport-kb/lamport/content/patterns/backpressure"
)

const (
	ticks      = 12
	sourceRate = 3 // items the source tries to make per tick
	middleRate = 2 // items the middle stage moves per tick
	sinkRate   = 1 // items the sink consumes per tick
)

type result struct {
	made, delivered, dropped, held, maxQueued int
	madePerTick, heldPerTick                  []int
}

// pace is the mean number of items made per tick over the second half.
func (r result) pace() float64 {
	late := r.madePerTick[len(r.madePerTick)/2:]
	sum := 0
	for _, n := range late {
		sum += n
	}
	return float64(sum) / float64(len(late))
}

// growth is how much the queues grew in the last tick.
func (r result) growth() int {
	h := r.heldPerTick
	return h[len(h)-1] - h[len(h)-2]
}

func main() {
	fmt.Println("tick  made  queue1  queue2  delivered   (bounded Block queues of 4)")
	bp := run(4, backpressure.Block, true)
	big := run(1000, backpressure.Block, false)
	drop := run(4, backpressure.DropNewest, false)

	fmt.Println()
	fmt.Println("after", ticks, "ticks:")
	report("queues of 1000, no push-back", big)
	report("Block queues of 4", bp)
	report("DropNewest queues of 4", drop)
	fmt.Printf("with Block the source made %.1f items per tick in the second half (the sink takes %d), and made = delivered + queued: %v\n",
		bp.pace(), sinkRate, bp.made == bp.delivered+bp.held)
	fmt.Printf("without a bound the queues hold %d items, %d more than one tick earlier\n",
		big.held, big.growth())

	fmt.Println()
	window()
}

// run drives the pipeline for the given number of ticks and counts what
// happened. The source stops for the tick at the first refusal: that is the
// producer being slowed down.
func run(capacity int, policy backpressure.Policy, narrate bool) result {
	q1 := backpressure.New[int](capacity, policy)
	q2 := backpressure.New[int](capacity, policy)
	var r result
	next := 0
	for tick := 1; tick <= ticks; tick++ {
		made := 0
		for range sourceRate {
			if err := q1.TryPut(next); err == backpressure.ErrFull {
				break // push-back: try again next tick, the item is not lost
			}
			next++
			made++
		}
		backpressure.Pump(q1, q2, middleRate, func(v int) int { return v })
		for range sinkRate {
			if _, ok := q2.TryGet(); ok {
				r.delivered++
			}
		}
		r.made += made
		r.madePerTick = append(r.madePerTick, made)
		r.heldPerTick = append(r.heldPerTick, q1.Len()+q2.Len())
		if narrate {
			fmt.Printf("%4d  %4d  %6d  %6d  %9d\n", tick, made, q1.Len(), q2.Len(), r.delivered)
		}
	}
	s1, s2 := q1.Stats(), q2.Stats()
	r.dropped = int(s1.Dropped + s2.Dropped)
	r.held = q1.Len() + q2.Len()
	r.maxQueued = s1.MaxLen + s2.MaxLen
	return r
}

func report(name string, r result) {
	fmt.Printf("  %-30s made %2d  delivered %2d  dropped %2d  queued now %2d (most %2d)\n",
		name, r.made, r.delivered, r.dropped, r.held, r.maxQueued)
}

// window sends a 256 KiB body through a 64 KiB credit window in 16 KiB
// frames; the receiver consumes 16 KiB per tick and returns the credit.
func window() {
	const (
		kib    = 1024
		body   = 256 * kib
		frame  = 16 * kib
		window = 64 * kib
	)
	w := backpressure.NewWindow(window, backpressure.HTTP2MaxWindow)
	var sent, received, inFlight, most, stalls, tick int
	for received < body {
		tick++
		for sent < body {
			n := w.TryAcquire(min(frame, int64(body-sent)))
			if n == 0 {
				stalls++
				break // no credit: the sender waits for a WINDOW_UPDATE
			}
			sent += int(n)
			inFlight += int(n)
			most = max(most, inFlight)
		}
		consumed := min(frame, inFlight)
		received += consumed
		inFlight -= consumed
		if consumed > 0 {
			w.Grant(int64(consumed)) // WINDOW_UPDATE
		}
	}
	fmt.Printf("credit window of %d KiB, body of %d KiB, receiver takes %d KiB per tick:\n", window/kib, body/kib, frame/kib)
	fmt.Printf("  delivered %d KiB in %d ticks, at most %d KiB in flight, sender stalled %d times\n",
		received/kib, tick, most/kib, stalls)
}
