// Demo: a checkout service calls two dependencies. Payments is in trouble:
// every call takes 2 s. Catalog is healthy: 100 ms. Every 100 ms one
// payment and two catalog calls arrive.
//
// Run 1 gives all outbound calls one shared bulkhead of 8 slots. Run 2
// splits the same 8 slots into compartments: 3 for payments (plus a queue
// of 2 callers who wait at most 300 ms) and 5 for catalog. Watch the slow
// payments calls take every shared slot in run 1, and stay in their own
// compartment in run 2.
//
// The clock is simulated: the program steps it itself, so it finishes at
// once and prints the same story every time. Edit the sizes and run it.
package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/lamport-kb/lamport/content/patterns/bulkhead"
)

const (
	tick     = 100 * time.Millisecond
	ticks    = 23
	payTime  = 2 * time.Second
	shopTime = 100 * time.Millisecond
)

func main() {
	shared := func(c *clock) (pay, cat *bulkhead.Bulkhead) {
		b := bulkhead.New(bulkhead.Options{Name: "outbound", MaxConcurrent: 8, Now: c.Now, Sleep: c.Sleep})
		return b, b
	}
	split := func(c *clock) (pay, cat *bulkhead.Bulkhead) {
		return bulkhead.New(bulkhead.Options{Name: "payments", MaxConcurrent: 3, MaxQueue: 2, MaxWait: 300 * time.Millisecond, Now: c.Now, Sleep: c.Sleep}),
			bulkhead.New(bulkhead.Options{Name: "catalog", MaxConcurrent: 5, Now: c.Now, Sleep: c.Sleep})
	}
	a := run("Run 1: one shared bulkhead, 8 slots for every outbound call", shared)
	b := run("Run 2: compartments, payments 3 slots (+2 waiting, 300 ms), catalog 5", split)
	fmt.Printf("\nCatalog calls served: %d of %d with one shared pool, %d of %d with compartments.\n",
		a.served["catalog"], a.sent["catalog"], b.served["catalog"], b.sent["catalog"])
	fmt.Printf("Payments, the slow dependency, held up to %d slots in run 1 and %d in run 2; %d of its calls waited and gave up in run 2.\n",
		a.peak["payments"], b.peak["payments"], b.timedOut["payments"])
}

// tally counts, per dependency, what happened to the calls of one run.
type tally struct {
	sent, served, refused, timedOut, peak map[string]int
}

// run plays ticks of traffic against the bulkheads that build returns and
// prints one line per tick.
func run(title string, build func(*clock) (pay, cat *bulkhead.Bulkhead)) tally {
	fmt.Printf("\n== %s ==\n", title)
	c := newClock()
	pay, cat := build(c)
	s := &sim{clock: c, waiting: map[*bulkhead.Bulkhead][]*call{},
		t: tally{map[string]int{}, map[string]int{}, map[string]int{}, map[string]int{}, map[string]int{}}}
	for k := range ticks {
		c.set(time.Duration(k) * tick)
		s.finishDue()
		s.fireTimers()
		s.arrive("payments", pay, payTime)
		s.arrive("catalog", cat, shopTime)
		s.arrive("catalog", cat, shopTime)
		s.t.peak["payments"] = max(s.t.peak["payments"], s.inFlight("payments"))
		fmt.Printf("%4.1fs  %-46s %s\n", c.elapsed().Seconds(), strings.Join(s.log["payments"], ", "), s.catalogLine())
		s.log = nil
	}
	s.stopAll()
	return s.t
}

// call is one simulated request. Its goroutine reports on ev: "start" when
// it gets a slot, then its outcome once it ends.
type call struct {
	dep, name string
	b         *bulkhead.Bulkhead
	latency   time.Duration
	end       time.Time
	finish    chan struct{}
	ev        chan string
}

type callKey struct{}

// sim mirrors the bulkheads (who runs, who waits, in which order), so that
// after each step it knows which goroutine to wait for.
type sim struct {
	clock   *clock
	t       tally
	running []*call
	waiting map[*bulkhead.Bulkhead][]*call
	log     map[string][]string
}

func (s *sim) note(dep, msg string) {
	if s.log == nil {
		s.log = map[string][]string{}
	}
	s.log[dep] = append(s.log[dep], msg)
}

// arrive starts a call and waits until it runs, waits in the queue or is
// refused.
func (s *sim) arrive(dep string, b *bulkhead.Bulkhead, latency time.Duration) {
	s.t.sent[dep]++
	c := &call{dep: dep, name: fmt.Sprintf("%s#%d", dep[:3], s.t.sent[dep]), b: b, latency: latency,
		finish: make(chan struct{}), ev: make(chan string)}
	ctx := context.WithValue(context.Background(), callKey{}, c)
	go func() {
		err := b.Do(ctx, func(context.Context) error { c.ev <- "start"; <-c.finish; return nil })
		switch {
		case errors.Is(err, bulkhead.ErrFull):
			c.ev <- "refused"
		case errors.Is(err, bulkhead.ErrTimeout):
			c.ev <- "timed out"
		default:
			c.ev <- "done"
		}
	}()
	select {
	case <-s.clock.queued:
		s.waiting[b] = append(s.waiting[b], c)
		s.note(dep, c.name+" waits")
	case e := <-c.ev:
		if e == "start" {
			s.started(c, "in")
			return
		}
		s.t.refused[dep]++
		s.note(dep, c.name+" REFUSED")
	}
}

func (s *sim) started(c *call, how string) {
	c.end = s.clock.Now().Add(c.latency)
	s.running = append(s.running, c)
	s.t.served[c.dep]++
	s.note(c.dep, c.name+" "+how)
}

// finishDue ends the calls whose latency has passed. The bulkhead hands a
// freed slot to its first waiter, which then starts.
func (s *sim) finishDue() {
	var due, kept []*call
	for _, c := range s.running {
		if c.end.After(s.clock.Now()) {
			kept = append(kept, c)
		} else {
			due = append(due, c)
		}
	}
	s.running = kept
	for _, c := range due {
		close(c.finish)
		<-c.ev // "done"
		if q := s.waiting[c.b]; len(q) > 0 {
			<-q[0].ev // "start"
			s.waiting[c.b] = q[1:]
			s.started(q[0], "gets a freed slot")
		}
	}
}

// fireTimers ends the waits whose MaxWait has passed.
func (s *sim) fireTimers() {
	for _, c := range s.clock.due() {
		q := s.waiting[c.b]
		for i, w := range q {
			if w == c {
				s.waiting[c.b] = append(q[:i:i], q[i+1:]...)
				break
			}
		}
		<-c.ev // "timed out"
		s.t.timedOut[c.dep]++
		s.note(c.dep, c.name+" gives up")
	}
}

func (s *sim) inFlight(dep string) int {
	n := 0
	for _, c := range s.running {
		if c.dep == dep {
			n++
		}
	}
	return n
}

// catalogLine sums up the catalog calls of this tick.
func (s *sim) catalogLine() string {
	in, refused := 0, 0
	for _, m := range s.log["catalog"] {
		if strings.HasSuffix(m, "REFUSED") {
			refused++
		} else {
			in++
		}
	}
	line := fmt.Sprintf("catalog: %d in", in)
	if refused > 0 {
		line += fmt.Sprintf(", %d REFUSED", refused)
	}
	return line
}

// stopAll lets the calls still running finish, so no goroutine is left
// blocked.
func (s *sim) stopAll() {
	for _, c := range s.running {
		close(c.finish)
		<-c.ev
	}
}

// clock is the simulated time. Its Sleep registers a timer that due fires
// once the clock has passed it, and tells the demo that a call is queued.
type clock struct {
	mu     sync.Mutex
	start  time.Time
	now    time.Time
	timers []*timer
	queued chan struct{}
}

type timer struct {
	c    *call
	at   time.Time
	fire chan struct{}
}

func newClock() *clock {
	t := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	return &clock{start: t, now: t, queued: make(chan struct{})}
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) elapsed() time.Duration { return c.Now().Sub(c.start) }

func (c *clock) set(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.start.Add(d)
}

// Sleep is the bulkhead's Options.Sleep: it returns nil when the simulated
// clock passes now+d, or ctx.Err() if ctx ends first (a slot was handed
// over).
func (c *clock) Sleep(ctx context.Context, d time.Duration) error {
	t := &timer{c: ctx.Value(callKey{}).(*call), fire: make(chan struct{})}
	c.mu.Lock()
	t.at = c.now.Add(d)
	c.timers = append(c.timers, t)
	c.mu.Unlock()
	c.queued <- struct{}{}
	select {
	case <-t.fire:
		return nil
	case <-ctx.Done():
		c.mu.Lock()
		defer c.mu.Unlock()
		for i, x := range c.timers {
			if x == t {
				c.timers = append(c.timers[:i:i], c.timers[i+1:]...)
				break
			}
		}
		return ctx.Err()
	}
}

// due fires, in the order they were set, the timers the clock has passed
// and returns their calls.
func (c *clock) due() []*call {
	c.mu.Lock()
	defer c.mu.Unlock()
	var fired []*call
	var kept []*timer
	for _, t := range c.timers {
		if t.at.After(c.now) {
			kept = append(kept, t)
			continue
		}
		close(t.fire)
		fired = append(fired, t.c)
	}
	c.timers = kept
	return fired
}
