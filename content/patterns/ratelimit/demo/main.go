// Demo: an API gives each client a token bucket of 5 requests per second
// with bursts of 10, and answers 429 Too Many Requests beyond it. Three
// clients call it for 6 seconds: a steady one (4 req/s), a bursty one (15
// requests at once every 3 s) and a runaway one (20 req/s). Then a sliding
// window meets a burst at a window edge.
//
// Time is simulated, so this finishes at once and prints the same thing on
// every run. Change the rate, the burst or the clients and run it again.
package main

import (
	"fmt"
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
	for sec := 0; sec < 6; sec++ {
		ok := map[string]int{}
		sent := map[string]int{}
		for tick := 0; tick < 10; tick++ {
			t := now.Sub(start)
			for _, c := range clients {
				for range c.requests(t) {
					sent[c.name]++
					if api.Allow(c.name) {
						ok[c.name]++
					}
				}
			}
			now = now.Add(100 * time.Millisecond)
		}
		for _, c := range clients {
			fmt.Printf("%4d    %-8s %5d %3d %4d\n", sec, c.name, sent[c.name], ok[c.name], sent[c.name]-ok[c.name])
		}
	}

	fmt.Println("\nsliding window, 10 per minute: 10 requests at 0:59, 10 more at 1:01")
	wnow := start
	w := ratelimit.NewSlidingWindow(10, time.Minute, ratelimit.Options{Now: func() time.Time { return wnow }})
	for _, at := range []time.Duration{59 * time.Second, 61 * time.Second} {
		wnow = start.Add(at)
		admitted := 0
		for range 10 {
			if w.Allow() {
				admitted++
			}
		}
		fmt.Printf("  at %v: %2d admitted\n", at, admitted)
	}
	fmt.Println("  (a fixed window would admit all 20 within two seconds)")
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
