// Demo: a gateway gives every request 1 s. Behind it, an orders service
// does 20 ms of work and then reads an inventory database. First we
// measure the database on a normal day and pick a per-try timeout from
// its latency percentiles. Then the database has an incident (three
// calls in ten stall for 1 to 4 s) and the same 1,000 requests run twice:
//
//	A: every hop picks its own timeout (orders: 2 s per try, 3 tries) and
//	   nobody tells the next hop how long the caller will wait;
//	B: the gateway's deadline travels in a grpc-timeout header; orders
//	   tries for at most the p99 latency, within what is left, and the
//	   database stops when its caller's time runs out.
//
// Time is simulated: the clock below moves only when the code says so, so
// the run is instant and prints the same thing every time. It starts far
// in the future so that the real timers behind the contexts never fire.
package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/lamport-kb/lamport/content/patterns/deadline"
)

const (
	requests = 1000
	budget   = time.Second           // the gateway's deadline for each request
	hop      = 5 * time.Millisecond  // one-way network delay between services
	work     = 20 * time.Millisecond // the orders service's own work
	attempts = 3
)

// sim is the simulated world: a clock and what happened.
type sim struct {
	now       time.Time
	propagate bool
	trace     bool

	ok, failedFast, timedOut int
	dbCalls                  int
	dbBusy, dbOrphan         time.Duration // database time, and the part nobody was waiting for
}

func (s *sim) Now() time.Time { return s.now }

func (s *sim) logf(start time.Time, format string, args ...any) {
	if s.trace {
		fmt.Printf("  t=%4dms  %s\n", s.now.Sub(start).Round(time.Millisecond).Milliseconds(), fmt.Sprintf(format, args...))
	}
}

func main() {
	rnd := rand.New(rand.NewPCG(2026, 12))

	fmt.Println("1. A normal day: 2,000 database calls")
	normal := make([]time.Duration, 2000)
	for i := range normal {
		normal[i] = normalLatency(rnd)
	}
	p50, p99, p999 := deadline.Percentile(normal, 0.5), deadline.Percentile(normal, 0.99), deadline.Percentile(normal, 0.999)
	perTry := p99.Round(time.Millisecond)
	fmt.Printf("   p50 %v, p99 %v, p99.9 %v\n", p50.Round(time.Millisecond), perTry, p999.Round(time.Millisecond))
	fmt.Printf("   per-try timeout = p99 = %v: on a normal day it cuts off %d of 2,000 calls, each retried\n\n", perTry, above(normal, perTry))

	// The same incident for both setups: latency of every attempt of every request.
	draws := make([][attempts]time.Duration, requests)
	for i := range draws {
		for a := range attempts {
			draws[i][a] = incidentLatency(rnd)
		}
	}

	fmt.Println("2. One request during the incident, with the deadline propagated (setup B)")
	traced := &sim{propagate: true, trace: true}
	traced.run(pick(draws), perTry)

	a := &sim{}
	b := &sim{propagate: true}
	for _, d := range draws {
		a.run(d, perTry)
		b.run(d, perTry)
	}
	fmt.Printf("\n3. The incident, %d requests, budget %v each\n", requests, budget)
	fmt.Println("   setup                        ok  failed fast  gateway 504  db calls  db busy  db work nobody awaited")
	a.report("A: fixed timeouts per hop")
	b.report("B: deadline propagated")
	fmt.Printf("\n   B answered %d more requests, failed %d others before the deadline instead of at it,\n", b.ok-a.ok, b.failedFast)
	fmt.Printf("   and spent %v less database time on answers nobody was waiting for.\n", (a.dbOrphan - b.dbOrphan).Round(time.Second))
}

// normalLatency is a database call on a normal day: 20 ms plus an
// exponential tail with a mean of 12 ms.
func normalLatency(rnd *rand.Rand) time.Duration {
	return 20*time.Millisecond + time.Duration(rnd.ExpFloat64()*float64(12*time.Millisecond))
}

// incidentLatency is a call during the incident: three in ten stall.
func incidentLatency(rnd *rand.Rand) time.Duration {
	if rnd.IntN(10) < 3 {
		return time.Second + time.Duration(rnd.Int64N(int64(3*time.Second)))
	}
	return normalLatency(rnd)
}

// pick returns the first request whose first attempt stalls and whose
// second does not: the case a per-try timeout is for.
func pick(draws [][attempts]time.Duration) [attempts]time.Duration {
	for _, d := range draws {
		if d[0] > time.Second && d[1] < 100*time.Millisecond {
			return d
		}
	}
	return draws[0]
}

func above(s []time.Duration, limit time.Duration) int {
	n := 0
	for _, d := range s {
		if d > limit {
			n++
		}
	}
	return n
}

// run simulates one request from the gateway's point of view.
func (s *sim) run(latency [attempts]time.Duration, perTry time.Duration) {
	start := time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)
	s.now = start
	giveUp := start.Add(budget)
	gctx, cancel := context.WithDeadline(context.Background(), giveUp)
	defer cancel()
	s.logf(start, "gateway: request in, deadline in %v", budget)

	// The orders service receives the request one hop later.
	header, _ := deadline.Header(gctx, s.now)
	s.now = s.now.Add(hop)
	parent := context.Background()
	policy := deadline.Policy{PerTry: 2 * time.Second, Attempts: attempts, Now: s.Now}
	if s.propagate {
		var cancel context.CancelFunc
		parent, cancel, _ = deadline.Server{Margin: 2 * hop, Now: s.Now}.Context(context.Background(), header)
		defer cancel()
		policy = deadline.Policy{PerTry: perTry, Attempts: attempts, Reserve: 10 * time.Millisecond, MinTry: 30 * time.Millisecond, Now: s.Now}
		left, _ := deadline.Remaining(parent, s.now)
		s.logf(start, "orders: %s: %q, so its deadline is in %v (margin %v)", deadline.HeaderName, header, left, 2*hop)
	}
	s.now = s.now.Add(work)

	n := 0
	err := policy.Do(parent, func(ctx context.Context) error {
		err := s.callDB(ctx, start, giveUp, latency[n])
		n++
		return err
	})

	// The answer travels back to the gateway, which stops waiting at its deadline.
	reply := s.now.Add(hop)
	switch {
	case reply.After(giveUp):
		s.now = giveUp
		s.timedOut++
		s.logf(start, "gateway: deadline passed, 504 to the client")
	case err != nil:
		s.now = reply
		s.failedFast++
		s.logf(start, "gateway: error from orders (%v)", err)
	default:
		s.now = reply
		s.ok++
		s.logf(start, "gateway: 200 to the client, %v after the request came in", s.now.Sub(start).Round(time.Millisecond))
	}
}

// callDB is one attempt of the orders service: send, let the database
// work, wait for the reply or for the attempt's deadline.
func (s *sim) callDB(ctx context.Context, start, giveUp time.Time, latency time.Duration) error {
	attemptEnd, _ := ctx.Deadline()
	s.logf(start, "orders: attempt, its deadline in %v", attemptEnd.Sub(s.now))
	dbStart := s.now.Add(hop)
	dbWork, cut := latency, false
	if s.propagate {
		header, err := deadline.Header(ctx, s.now)
		if err != nil {
			return err
		}
		dbBudget, _, _ := deadline.Server{Margin: 2 * hop}.Budget(header)
		if dbWork > dbBudget {
			dbWork, cut = max(dbBudget, 0), true
		}
	}
	dbEnd := dbStart.Add(dbWork)
	s.dbCalls++
	s.dbBusy += dbWork
	// Work after the caller stopped waiting (this attempt's deadline, or
	// the gateway's) is work nobody will use.
	abandoned := attemptEnd
	if giveUp.Before(abandoned) {
		abandoned = giveUp
	}
	if dbEnd.After(abandoned) {
		s.dbOrphan += dbEnd.Sub(maxTime(dbStart, abandoned))
	}

	reply := dbEnd.Add(hop)
	if reply.After(attemptEnd) {
		s.now = attemptEnd
		s.logf(start, "orders: attempt timed out; the database is still busy for another %v", dbEnd.Sub(attemptEnd))
		return context.DeadlineExceeded
	}
	s.now = reply
	if cut {
		s.logf(start, "orders: the database stopped at its deadline after %v: DEADLINE_EXCEEDED", dbWork)
		return context.DeadlineExceeded
	}
	s.logf(start, "orders: the database answered after %v", dbWork.Round(time.Millisecond))
	return nil
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func (s *sim) report(name string) {
	fmt.Printf("   %-27s %4d %12d %12d %9d %8v %10v\n", name, s.ok, s.failedFast, s.timedOut, s.dbCalls,
		s.dbBusy.Round(time.Second), s.dbOrphan.Round(time.Second))
}
