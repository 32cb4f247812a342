package singleflight_test

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/lamport-kb/lamport/content/patterns/singleflight"
)

// waitForCalls blocks until n calls have entered g.Do; a call is counted
// in the same step in which it joins or starts a flight.
func waitForCalls[K comparable, V any](g *singleflight.Group[K, V], n int64) {
	for g.Stats().Calls < n {
		time.Sleep(time.Millisecond)
	}
}

// Three requests miss the cache for the same product at once; the database
// sees one query.
func Example() {
	var g singleflight.Group[string, string]
	queries := 0
	release := make(chan struct{})
	load := func(ctx context.Context) (string, error) {
		queries++
		<-release // the query is slow
		return "Blue mug, 12 EUR", nil
	}

	results := make([]string, 3)
	var wg sync.WaitGroup
	for i := range results {
		wg.Go(func() {
			v, shared, err := g.Do(context.Background(), "product:42", load)
			results[i] = fmt.Sprintf("%s (shared=%v, err=%v)", v, shared, err)
		})
	}
	waitForCalls(&g, 3)
	close(release)
	wg.Wait()
	for _, r := range results {
		fmt.Println(r)
	}
	fmt.Println("queries:", queries)
	// Output:
	// Blue mug, 12 EUR (shared=true, err=<nil>)
	// Blue mug, 12 EUR (shared=true, err=<nil>)
	// Blue mug, 12 EUR (shared=true, err=<nil>)
	// queries: 1
}

// A caller whose deadline passes stops waiting; the flight goes on for
// the others.
func ExampleGroup_Do_deadline() {
	var g singleflight.Group[string, string]
	release := make(chan struct{})
	slow := func(ctx context.Context) (string, error) { <-release; return "report", nil }

	var patient string
	var wg sync.WaitGroup
	wg.Go(func() { patient, _, _ = g.Do(context.Background(), "report", slow) })
	waitForCalls(&g, 1)

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	_, _, err := g.Do(ctx, "report", slow)
	fmt.Println("impatient caller:", err)

	close(release)
	wg.Wait()
	fmt.Println("patient caller:", patient)
	// Output:
	// impatient caller: context deadline exceeded
	// patient caller: report
}

// After a write, Forget makes later readers wait for a fresh execution
// instead of joining the read that started before the write.
func ExampleGroup_Forget() {
	var g singleflight.Group[string, int]
	price := 12
	release, readDone := make(chan struct{}), make(chan struct{}, 2)
	read := func(ctx context.Context) (int, error) {
		p := price
		readDone <- struct{}{}
		<-release // the reply is slow
		return p, nil
	}

	var stale int
	var wg sync.WaitGroup
	wg.Go(func() { stale, _, _ = g.Do(context.Background(), "price", read) })
	<-readDone // the first read has seen the old price

	price = 15 // the write; the running read still returns 12
	g.Forget("price")
	close(release)
	fresh, _, _ := g.Do(context.Background(), "price", read)
	wg.Wait()
	fmt.Println("read that started before the write:", stale)
	fmt.Println("read after Forget:", fresh)
	// Output:
	// read that started before the write: 12
	// read after Forget: 15
}

func ExamplePanicError() {
	var g singleflight.Group[string, int]
	defer func() {
		p := recover().(*singleflight.PanicError)
		fmt.Println("recovered:", p.Value)
	}()
	g.Do(context.Background(), "k", func(context.Context) (int, error) { panic("bug in the loader") })
	// Output: recovered: bug in the loader
}

func ExampleGroup_Stats() {
	var g singleflight.Group[string, int]
	for range 3 {
		g.Do(context.Background(), "k", func(context.Context) (int, error) { return 1, nil })
	}
	s := g.Stats()
	fmt.Printf("calls %d, executions %d, in flight %d\n", s.Calls, s.Executions, s.InFlight)
	// Output: calls 3, executions 3, in flight 0
}
