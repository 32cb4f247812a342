// The hedge demo: one call hedged step by step, then 10,000 simulated
// calls to replicas with a slow tail, with and without hedging, and a
// slowdown of every replica where a budget keeps hedges from doubling
// the load. Everything is seeded and the clock is the demo's own, so
// the output is the same on every run.
package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/lamport-kb/lamport/content/patterns/hedge"
)

const calls = 10000

func main() {
	oneCall()
	p95 := simulate()
	slowdown(p95)
}

// clock is a fake clock the demo moves by hand.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// oneCall hedges one request: replica a stalls, the timer fires at 40ms,
// replica b answers 8ms later and a's attempt is cancelled.
func oneCall() {
	fmt.Println("== One call, hedged after 40ms ==")
	c := &clock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	start := c.Now()
	at := func() time.Duration { return c.Now().Sub(start) }
	fire := make(chan struct{})
	h := hedge.New[string](hedge.Policy{MaxAttempts: 2, Delay: 40 * time.Millisecond}, hedge.Options{
		Now: c.Now,
		Sleep: func(ctx context.Context, d time.Duration) error {
			select {
			case <-fire: // the demo fires the hedge timer itself
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		},
	})
	started, cancelled := make(chan int, 2), make(chan error, 1)
	proceed := make(chan struct{}) // replica-b answers when the demo has printed
	replicas := []string{"replica-a", "replica-b"}
	op := func(ctx context.Context, attempt int) (string, error) {
		started <- attempt
		if attempt == 0 { // replica-a is in a 300ms GC pause
			<-ctx.Done()
			cancelled <- ctx.Err()
			return "", ctx.Err()
		}
		<-proceed
		c.advance(8 * time.Millisecond) // replica-b answers in 8ms
		return "profile#42 from " + replicas[attempt], nil
	}
	type answer struct {
		v   string
		err error
	}
	done := make(chan answer)
	go func() {
		v, err := h.Do(context.Background(), op)
		done <- answer{v, err}
	}()
	fmt.Printf("t=%v  attempt %d sent to %s\n", at(), <-started, replicas[0])
	c.advance(40 * time.Millisecond)
	close(fire)
	fmt.Printf("t=%v  no answer yet: hedge attempt %d sent to %s\n", at(), <-started, replicas[1])
	close(proceed)
	a := <-done
	fmt.Printf("t=%v  Do returns %q (err %v)\n", at(), a.v, a.err)
	fmt.Printf("       %s's attempt: %v\n", replicas[0], <-cancelled)
	s := h.Stats()
	fmt.Printf("stats: %d call, %d hedge, %d won by the hedge\n\n", s.Calls, s.Hedges, s.HedgeWins)
}

// latency draws one attempt's latency: mostly 5-15ms, but 3% of attempts
// hit a hiccup (a GC pause, a compaction, a noisy neighbour) of 60-300ms.
// Attempts are independent: each goes to another replica.
func latency(rnd *rand.Rand) time.Duration {
	d := 5*time.Millisecond + time.Duration(rnd.ExpFloat64()*float64(3*time.Millisecond))
	if rnd.Float64() < 0.03 {
		d += 60*time.Millisecond + time.Duration(rnd.Int64N(int64(240*time.Millisecond)))
	}
	return d.Round(100 * time.Microsecond)
}

// simulate replays 10,000 calls with the same attempt latencies under
// several policies, and returns the p95 it chose as the delay.
func simulate() time.Duration {
	fmt.Println("== 10,000 simulated calls (seeded), replica latency 5-15ms with a 3% hiccup of 60-300ms ==")
	rnd := rand.New(rand.NewPCG(2013, 2))
	warm := hedge.NewTracker(2000, 2000)
	for range 2000 {
		warm.Observe(latency(rnd))
	}
	p95, _ := warm.Quantile(0.95)
	fmt.Printf("warm-up: 2,000 unhedged calls observed, p95 = %v\n", p95)
	outcomes := make([][]hedge.Outcome, calls)
	for i := range outcomes {
		outcomes[i] = []hedge.Outcome{{Latency: latency(rnd)}, {Latency: latency(rnd)}}
	}
	fmt.Printf("%-22s %8s %8s %8s %8s %11s\n", "policy", "p50", "p95", "p99", "p99.9", "extra load")
	row("no hedging", hedge.Policy{MaxAttempts: 1}, outcomes)
	for _, q := range []float64{0.50, 0.90, 0.95, 0.99} {
		d, _ := warm.Quantile(q)
		row(fmt.Sprintf("hedge at p%.0f (%v)", q*100, d), hedge.Policy{MaxAttempts: 2, Delay: d}, outcomes)
	}
	fmt.Println()
	return p95
}

// row replays every call under p and prints its latency percentiles and
// the hedges sent per call.
func row(name string, p hedge.Policy, outcomes [][]hedge.Outcome) {
	lat := make([]time.Duration, len(outcomes))
	hedges := 0
	for i, o := range outcomes {
		r := hedge.Replay(p, nil, o)
		lat[i] = r.Latency
		hedges += len(r.Starts) - 1
	}
	pct := func(q float64) time.Duration { return hedge.Percentile(lat, q) }
	fmt.Printf("%-22s %8v %8v %8v %8v %10.1f%%\n", name, pct(0.50), pct(0.95), pct(0.99), pct(0.999),
		100*float64(hedges)/float64(len(outcomes)))
}

// slowdown makes every replica slow at once: now every call would hedge.
// A budget of 5% (bursts of 20) keeps the extra load near 5%.
func slowdown(delay time.Duration) {
	fmt.Printf("== Every replica slows to 80-120ms; hedge at %v ==\n", delay)
	rnd := rand.New(rand.NewPCG(7, 7))
	p := hedge.Policy{MaxAttempts: 2, Delay: delay}
	budget := hedge.NewBudget(0.05, 20)
	var free, budgeted, refused int
	for range calls {
		o := []hedge.Outcome{
			{Latency: 80*time.Millisecond + time.Duration(rnd.Int64N(int64(40*time.Millisecond)))},
			{Latency: 80*time.Millisecond + time.Duration(rnd.Int64N(int64(40*time.Millisecond)))},
		}
		free += len(hedge.Replay(p, nil, o).Starts) - 1
		r := hedge.Replay(p, budget, o)
		budgeted += len(r.Starts) - 1
		if r.Refused {
			refused++
		}
	}
	fmt.Printf("without a budget: %d hedges for %d calls, extra load %.1f%%\n", free, calls, 100*float64(free)/calls)
	fmt.Printf("with Budget(0.05, 20): %d hedges, %d refused, extra load %.1f%%\n",
		budgeted, refused, 100*float64(budgeted)/calls)
}
