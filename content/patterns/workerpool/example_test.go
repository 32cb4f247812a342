package workerpool_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/lamport-kb/lamport/content/patterns/workerpool"
)

// Map runs at most three calls at once and returns the results in the
// order of the input, whatever order they finish in.
func ExampleMap() {
	words := []string{"bounded", "parallelism", "in", "go"}
	lengths, err := workerpool.Map(context.Background(), 3, words, func(_ context.Context, w string) (int, error) {
		return len(w), nil
	})
	fmt.Println(lengths, err)
	// Output: [7 11 2 2] <nil>
}

// The first failure cancels the rest and is the error Map returns.
func ExampleMap_firstError() {
	_, err := workerpool.Map(context.Background(), 2, []string{"a.txt", "", "c.txt"}, func(_ context.Context, name string) (int, error) {
		if name == "" {
			return 0, errors.New("empty file name")
		}
		return len(name), nil
	})
	fmt.Println(err)
	// Output: empty file name
}

// A Pool reports every accepted job's outcome through Done, exactly once.
func ExamplePool() {
	var mu sync.Mutex
	outcomes := map[uint64]string{}
	p := workerpool.New(workerpool.Options{Workers: 2, Queue: 4, Done: func(id uint64, err error) {
		mu.Lock()
		defer mu.Unlock()
		outcomes[id] = fmt.Sprint(err)
	}})
	for _, name := range []string{"ok", "fail", "panic"} {
		p.Submit(context.Background(), func(context.Context) error {
			switch name {
			case "fail":
				return errors.New("disk full")
			case "panic":
				panic("nil map")
			}
			return nil
		})
	}
	err := p.Wait()
	s := p.Stats()
	fmt.Println(outcomes[1], "|", outcomes[2], "|", outcomes[3])
	fmt.Println(s.Succeeded, "succeeded,", s.Failed, "failed, of which", s.Panicked, "panicked; workers left:", s.Workers)
	fmt.Println(err != nil)
	// Output:
	// <nil> | disk full | workerpool: job panicked: nil map
	// 1 succeeded, 2 failed, of which 1 panicked; workers left: 0
	// true
}

// work is a CPU-bound job for the benchmarks, of iters steps.
func work(v, iters int) int {
	h := uint32(v)
	for range iters {
		h = h*16777619 ^ 2166136261
	}
	return int(h)
}

var sink []int

// jobSizes are the steps per job: a tiny job, cheaper than a hand-over, and
// one of a few tens of microseconds.
var jobSizes = []int{200, 20000}

func BenchmarkMap(b *testing.B) {
	for _, iters := range jobSizes {
		b.Run(fmt.Sprint(iters), func(b *testing.B) {
			in := make([]int, 1000)
			for b.Loop() {
				sink, _ = workerpool.Map(context.Background(), 0, in, func(_ context.Context, v int) (int, error) { return work(v, iters), nil })
			}
		})
	}
}

func BenchmarkPoolSubmit(b *testing.B) {
	for _, iters := range jobSizes {
		b.Run(fmt.Sprint(iters), func(b *testing.B) {
			out := make([]int, 1000)
			for b.Loop() {
				p := workerpool.New(workerpool.Options{Queue: 64})
				for i := range out {
					p.Submit(context.Background(), func(context.Context) error { out[i] = work(i, iters); return nil })
				}
				p.Wait()
			}
		})
	}
}

// BenchmarkSemaphore is the other Go idiom: a goroutine per job, admitted
// by a buffered channel used as a semaphore (what errgroup.SetLimit does).
func BenchmarkSemaphore(b *testing.B) {
	for _, iters := range jobSizes {
		b.Run(fmt.Sprint(iters), func(b *testing.B) {
			out := make([]int, 1000)
			n := workerpool.DefaultWorkers()
			for b.Loop() {
				sem := make(chan struct{}, n)
				var wg sync.WaitGroup
				for i := range out {
					sem <- struct{}{}
					wg.Go(func() { out[i] = work(i, iters); <-sem })
				}
				wg.Wait()
			}
		})
	}
}

// BenchmarkUnbounded starts a goroutine per job with no bound at all.
func BenchmarkUnbounded(b *testing.B) {
	for _, iters := range jobSizes {
		b.Run(fmt.Sprint(iters), func(b *testing.B) {
			out := make([]int, 1000)
			for b.Loop() {
				var wg sync.WaitGroup
				for i := range out {
					wg.Go(func() { out[i] = work(i, iters) })
				}
				wg.Wait()
			}
		})
	}
}

// BenchmarkSequential is the baseline without goroutines.
func BenchmarkSequential(b *testing.B) {
	for _, iters := range jobSizes {
		b.Run(fmt.Sprint(iters), func(b *testing.B) {
			out := make([]int, 1000)
			for b.Loop() {
				for i := range out {
					out[i] = work(i, iters)
				}
			}
		})
	}
}
