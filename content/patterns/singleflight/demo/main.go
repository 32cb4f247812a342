// Demo: a product page is cached; the cache entry for product 42 expires
// while 100 requests for it are in progress. Watch what reaches the
// database without singleflight, with it, when the query fails, and when
// every client gives up.
//
// The database is simulated: a query blocks until the demo moves its clock
// past the query's latency, so the program prints the same story every
// time and finishes at once. Change the numbers and run it again.
package main

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lamport-kb/lamport/content/patterns/singleflight"
)

const (
	requests = 100                   // concurrent cache misses for one key
	latency  = 80 * time.Millisecond // how long the query takes
)

// db is a fake database whose queries finish when the demo says so.
type db struct {
	queries   atomic.Int64
	mu        sync.Mutex
	release   chan struct{} // closed when the clock passes the latency
	fail      bool
	cancelled chan struct{} // receives when a query sees its context end
}

func newDB() *db {
	return &db{release: make(chan struct{}), cancelled: make(chan struct{}, 1)}
}

func (d *db) loadProduct(ctx context.Context) (string, error) {
	d.queries.Add(1)
	d.mu.Lock()
	release, fail := d.release, d.fail
	d.mu.Unlock()
	select {
	case <-release:
	case <-ctx.Done():
		d.cancelled <- struct{}{}
		return "", ctx.Err()
	}
	if fail {
		return "", errors.New("db: too many connections")
	}
	return "Blue mug, 12 EUR", nil
}

// running waits until n queries have started.
func (d *db) running(n int64) int64 {
	for d.queries.Load() < n {
		time.Sleep(time.Millisecond)
	}
	return d.queries.Load()
}

// finish lets every query in progress complete, and arms the next ones.
func (d *db) finish(fail bool) {
	d.mu.Lock()
	close(d.release)
	d.release, d.fail = make(chan struct{}), fail
	d.mu.Unlock()
}

// tally counts what the callers got back.
type tally struct {
	mu                 sync.Mutex
	ok, failed, shared int
	gaveUp             int
}

func (t *tally) add(shared bool, err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	switch {
	case errors.Is(err, context.Canceled):
		t.gaveUp++
	case err != nil:
		t.failed++
	default:
		t.ok++
	}
	if shared {
		t.shared++
	}
}

// burst starts n callers of call and waits until each has entered Do.
func burst(g *singleflight.Group[string, string], n int, call func(), wg *sync.WaitGroup) {
	before := g.Stats().Calls
	for range n {
		wg.Go(call)
	}
	for g.Stats().Calls < before+int64(n) {
		time.Sleep(time.Millisecond) // Do counts a call when it joins a flight
	}
}

func main() {
	var clock time.Duration
	step := func(d time.Duration) { clock += d }
	say := func(format string, args ...any) {
		fmt.Printf("%6s  %s\n", clock, fmt.Sprintf(format, args...))
	}
	var part1 int64
	var g singleflight.Group[string, string]

	fmt.Println("1. Without singleflight: every miss queries the database")
	d := newDB()
	var wg sync.WaitGroup
	for range requests {
		wg.Go(func() { d.loadProduct(context.Background()) })
	}
	say("%d requests miss the cache; %d queries are running", requests, d.running(requests))
	step(latency)
	d.finish(false)
	wg.Wait()
	say("the queries return")
	part1 = d.queries.Load()

	fmt.Println("\n2. With singleflight: the misses join one flight")
	d, clock = newDB(), 0
	var t tally
	load := func() { _, shared, err := g.Do(context.Background(), "product:42", d.loadProduct); t.add(shared, err) }
	burst(&g, requests, load, &wg)
	say("%d requests miss the cache; %d query is running", requests, d.running(1))
	step(latency)
	d.finish(false)
	wg.Wait()
	say("the query returns: %d callers got the product, %d of them a shared result", t.ok, t.shared)

	fmt.Println("\n3. Errors are shared too, but not remembered")
	d, clock, t = newDB(), 0, tally{}
	d.fail = true
	burst(&g, 20, load, &wg)
	say("20 requests miss; %d query is running", d.running(1))
	step(latency)
	d.finish(false)
	wg.Wait()
	say("the query fails: %d callers got the same error", t.failed)
	step(time.Second)
	burst(&g, 1, load, &wg)
	d.running(2)
	step(latency)
	d.finish(false)
	wg.Wait()
	say("a retry a second later ran a new query and got the product: %d ok, %d queries in this part", t.ok, d.queries.Load())

	fmt.Println("\n4. Every client gives up: the query is cancelled")
	d, clock, t = newDB(), 0, tally{}
	cancels := make(chan context.CancelFunc, 5)
	giveUp := func() {
		ctx, cancel := context.WithCancel(context.Background())
		cancels <- cancel
		_, shared, err := g.Do(ctx, "product:42", d.loadProduct)
		t.add(shared, err)
	}
	burst(&g, 5, giveUp, &wg)
	say("5 requests miss; %d query is running", d.running(1))
	for i := range 5 {
		step(10 * time.Millisecond)
		(<-cancels)()
		if i < 4 {
			say("client %d disconnects; the query goes on for the others", i+1)
		}
	}
	<-d.cancelled
	wg.Wait()
	say("client 5 disconnects; nobody is waiting, so the query's context is cancelled")

	s := g.Stats()
	fmt.Printf("\nPart 1 sent %d queries for %d requests.\n", part1, requests)
	fmt.Printf("Parts 2-4 sent %d queries for %d calls (%.1f%% reached the database); %d calls gave up, %d flight was abandoned.\n",
		s.Executions, s.Calls, 100*float64(s.Executions)/float64(s.Calls), s.GaveUp, s.Abandoned)
}
