// Demo: an API gives each client a token bucket of 5 requests per second
// with bursts of 10, and answers 429 Too Many Requests beyond it. Three
// clients call it for 6 seconds: a steady one (4 req/s), a bursty one (15
// requests at once every 3 s) and a runaway one (20 req/s). Then a fixed
// window and a sliding window of 10 per minute meet bursts at window edges.
//
// Time is simulated, so this finishes at once and prints the same thing on
// every run. Change the rate, the burst or the clients and run it again.
package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/lamport-kb/lamport/content/patterns/ratelimit"
)

type client struct {
	name string
	// requests returns how many requests the client sends in the 100 ms
	// tick that starts at t.
	requests func(t time.Duration) int
}

func main() {
	start := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	buckets(start)
	windows(start)
}

// buckets runs the three clients against per-client token buckets.
func buckets(start time.Time) {
	now := start
	api := ratelimit.NewKeyed(5, 10, 1000, ratelimit.Options{Now: func() time.Time { return now }})
	clients := []client{
		{"steady", func(t time.Duration) int { return every(t, 250*time.Millisecond) }},
		{"bursty", func(t time.Duration) int {
			if t%(3*time.Second) == 0 {
				return 15
			}
			return 0
		}},
		{"runaway", func(t time.Duration) int { return 2 }},
	}

	fmt.Println("second  client    sent  ok  429")
	sent, ok := map[string]int{}, map[string]int{}
	var level []string // the bursty client's tokens every 0.5 s
	for sec := 0; sec < 6; sec++ {
		sentNow, okNow := map[string]int{}, map[string]int{}
		for tick := 0; tick < 10; tick++ {
			t := now.Sub(start)
			for _, c := range clients {
				for range c.requests(t) {
					sentNow[c.name]++
					if api.Allow(c.name) {
						okNow[c.name]++
					}
				}
			}
			if tick%5 == 0 {
				l, _ := api.Limiter("bursty")
				level = append(level, fmt.Sprintf("%.1f", l.Tokens()))
			}
			now = now.Add(100 * time.Millisecond)
		}
		for _, c := range clients {
			fmt.Printf("%4d    %-8s %5d %3d %4d\n", sec, c.name, sentNow[c.name], okNow[c.name], sentNow[c.name]-okNow[c.name])
			sent[c.name] += sentNow[c.name]
			ok[c.name] += okNow[c.name]
		}
	}
	for _, c := range clients {
		fmt.Printf("%-8s admitted %d of %d in %v\n", c.name, ok[c.name], sent[c.name], now.Sub(start))
	}
	fmt.Println("bursty's tokens every 0.5 s, after its requests:", strings.Join(level, " "))
}

// windows sends bursts of 10 at 0:59, 1:01 and 1:58 to a fixed window and
// a sliding window, both 10 per minute.
func windows(start time.Time) {
	const limit = 10
	now := start
	clock := ratelimit.Options{Now: func() time.Time { return now }}
	sliding := ratelimit.NewSlidingWindow(limit, time.Minute, clock)
	fixed := &fixedWindow{limit: limit, window: time.Minute}
	var fixedAt, slidingAt []time.Duration

	fmt.Printf("\n%d per minute; bursts of %d\n  at     fixed  sliding\n", limit, limit)
	for _, at := range []time.Duration{59 * time.Second, 61 * time.Second, 118 * time.Second} {
		now = start.Add(at)
		f, s := 0, 0
		for range limit {
			if fixed.allow(at) {
				f++
				fixedAt = append(fixedAt, at)
			}
			if sliding.Allow() {
				s++
				slidingAt = append(slidingAt, at)
			}
		}
		fmt.Printf("  %-6s %5d %8d\n", clockTime(at), f, s)
	}
	for _, span := range []time.Duration{2 * time.Second, time.Minute} {
		fmt.Printf("most admitted within %v: fixed %d, sliding %d (limit %d)\n",
			span, most(fixedAt, span), most(slidingAt, span), limit)
	}
}

// fixedWindow is the plain counter, for comparison: limit per window,
// reset at every window edge.
type fixedWindow struct {
	limit  int
	window time.Duration
	start  time.Duration
	count  int
}

func (w *fixedWindow) allow(at time.Duration) bool {
	if start := at.Truncate(w.window); start != w.start {
		w.start, w.count = start, 0
	}
	if w.count >= w.limit {
		return false
	}
	w.count++
	return true
}

// most is the largest number of times within any span (inclusive).
func most(times []time.Duration, span time.Duration) int {
	best := 0
	for i := range times {
		n := 0
		for _, t := range times[i:] {
			if t-times[i] <= span {
				n++
			}
		}
		best = max(best, n)
	}
	return best
}

// clockTime formats an offset as m:ss.
func clockTime(d time.Duration) string {
	return fmt.Sprintf("%d:%02d", int(d.Minutes()), int(d.Seconds())%60)
}

// every returns 1 when a request every interval falls in the tick at t.
func every(t, interval time.Duration) int {
	n := 0
	for s := t; s < t+100*time.Millisecond; s += time.Millisecond {
		if s%interval == 0 {
			n++
		}
	}
	return n
}
