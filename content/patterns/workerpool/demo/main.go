// Demo: eight thumbnail jobs go to a pool of three workers with a queue of
// five. The demo decides when each job finishes, so the story is the same on
// every run: the pool never runs more than three at once, a panic is reported
// without losing a worker, and with FailFast the first real failure cancels
// the running jobs and skips the queued one. Every outcome is reported once.
//
// Each job blocks until main releases it; main then waits for the next job to
// start before it looks at the pool. Edit the plan and run it again.
package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/lamport-kb/lamport/content/patterns/workerpool"
)

const jobs = 8

// A run is one pass of the story: how jobs end, and the order main
// releases them in.
type run struct {
	title    string
	failFast bool
	plan     map[int]string // "panic" or "fail"; the others succeed
	order    []int
}

func main() {
	runs := []run{
		{"1. a panic is a reported failure, not a lost worker", false, map[int]string{5: "panic"}, []int{1, 2, 5, 3, 4, 6, 7, 8}},
		{"2. FailFast: the first failure cancels the running jobs and skips the queue", true, map[int]string{5: "fail"}, []int{1, 2, 3, 5}},
	}
	for _, r := range runs {
		fmt.Println(r.title)
		r.play()
		fmt.Println()
	}
}

func (r run) play() {
	started := make(chan int, jobs)
	release := make([]chan struct{}, jobs+1)
	for i := range release {
		release[i] = make(chan struct{})
	}
	var mu sync.Mutex
	outcome := map[uint64]error{}
	p := workerpool.New(workerpool.Options{Workers: 3, Queue: 5, FailFast: r.failFast,
		Done: func(id uint64, err error) { mu.Lock(); outcome[id] = err; mu.Unlock() }})

	for i := 1; i <= jobs; i++ {
		p.Submit(context.Background(), r.thumbnail(i, started, release[i]))
	}
	first := []int{<-started, <-started, <-started}
	slices.Sort(first)
	fmt.Printf("  submitted %d jobs; running %v\n", jobs, first)
	show(p)
	begun := len(first)
	for _, i := range r.order {
		close(release[i])
		if r.failFast && r.plan[i] == "fail" {
			fmt.Printf("    job %d ends (fail); FailFast stops the pool\n", i)
			break
		}
		if begun == jobs {
			fmt.Printf("    job %d ends (%s)\n", i, r.ending(i))
			continue
		}
		next := <-started
		begun++
		fmt.Printf("    job %d ends (%s); job %d starts\n", i, r.ending(i), next)
		show(p)
	}
	err := p.Wait()
	fmt.Printf("  Wait returned: %v\n", err)
	report(p.Stats(), outcome)
}

// thumbnail is job i: it says it started, then waits to be released or
// cancelled.
func (r run) thumbnail(i int, started chan<- int, release <-chan struct{}) workerpool.Job {
	return func(ctx context.Context) error {
		started <- i
		select {
		case <-release:
		case <-ctx.Done():
			return fmt.Errorf("job %d cancelled: %w", i, context.Cause(ctx))
		}
		switch r.plan[i] {
		case "panic":
			var sizes []int
			sizes[i] = 1 // index out of range: the worker recovers it
		case "fail":
			return fmt.Errorf("job %d: image decode failed", i)
		}
		return nil
	}
}

func (r run) ending(i int) string {
	if e, ok := r.plan[i]; ok {
		return e
	}
	return "ok"
}

func show(p *workerpool.Pool) {
	s := p.Stats()
	fmt.Printf("    in flight %d of %d workers, queued %d\n", s.Running, s.Workers, s.Queued)
}

func report(s workerpool.Stats, outcome map[uint64]error) {
	fmt.Println("  outcomes, one per accepted job:")
	for id := uint64(1); id <= s.Submitted; id++ {
		err := outcome[id]
		var pe *workerpool.PanicError
		switch {
		case err == nil:
			fmt.Printf("    job %d  ok\n", id)
		case errors.As(err, &pe):
			fmt.Printf("    job %d  panic recovered: %v\n", id, pe.Value)
		case errors.Is(err, workerpool.ErrSkipped):
			fmt.Printf("    job %d  skipped, never started\n", id)
		default:
			fmt.Printf("    job %d  %v\n", id, err)
		}
	}
	fmt.Printf("  %d submitted = %d succeeded + %d failed (%d panicked) + %d skipped; %d outcomes reported; workers left %d\n",
		s.Submitted, s.Succeeded, s.Failed, s.Panicked, s.Skipped, len(outcome), s.Workers)
}
