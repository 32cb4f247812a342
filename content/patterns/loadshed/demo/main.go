// Demo: a service with 4 CPU cores spends 50 ms of CPU on each request, so
// it can finish 80 requests per second. Its callers give up after 500 ms.
// From t=1s to t=4s they send 200 requests per second, 30% of them batch
// traffic (SHEDDABLE) and the rest user traffic (CRITICAL).
//
// Two copies of the service see the same traffic. The first accepts
// everything: the cores are shared among ever more requests, every one of
// them slows down, and soon none finishes before its caller has left. The
// second puts a loadshed.Shedder in front, whose AIMD limit treats a
// response slower than 150 ms as a loss: it refuses the excess at once,
// batch first, and the requests it accepts still finish on time.
//
// Time is simulated in 10 ms steps, so the program finishes at once and
// prints the same story on every run. Change the load or the options and
// run it again.
package main

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/lamport-kb/lamport/content/patterns/loadshed"
)

const (
	tick     = 10 * time.Millisecond
	cores    = 4
	work     = 50 * time.Millisecond // CPU time per request
	patience = 500 * time.Millisecond
	duration = 6 * time.Second
)

// request is one call in flight on a server.
type request struct {
	arrived time.Time
	done    time.Duration // CPU time received so far
	tok     *loadshed.Token
}

// server shares its cores equally among the requests in flight
// (processor sharing) and counts the outcomes.
type server struct {
	shed     *loadshed.Shedder // nil: accept everything
	inFlight []*request
	onTime   int // finished within the caller's patience
	late     int // finished after the caller had given up: wasted work
	refused  map[loadshed.Priority]int
}

func (s *server) arrive(now time.Time, p loadshed.Priority) {
	r := &request{arrived: now}
	if s.shed != nil {
		tok, err := s.shed.Allow(loadshed.Request{Priority: p, Arrived: now})
		if err != nil {
			s.refused[p]++
			return
		}
		r.tok = tok
	}
	s.inFlight = append(s.inFlight, r)
}

// step gives every request its share of the cores for one tick and
// finishes those that have had all the CPU time they need.
func (s *server) step(now time.Time) {
	share := tick
	if n := len(s.inFlight); n > cores {
		share = tick * cores / time.Duration(n)
	}
	running := s.inFlight[:0]
	for _, r := range s.inFlight {
		r.done += share
		if r.done < work {
			running = append(running, r)
			continue
		}
		if now.Sub(r.arrived) <= patience {
			s.onTime++
		} else {
			s.late++
		}
		if r.tok != nil {
			r.tok.Done()
		}
	}
	s.inFlight = running
}

// rate is the offered load, in requests per second, at elapsed time t.
func rate(t time.Duration) float64 {
	if t >= time.Second && t < 4*time.Second {
		return 200
	}
	return 40
}

func main() {
	start := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	now := start
	rng := rand.New(rand.NewPCG(2026, 12))

	plain := &server{}
	guarded := &server{refused: map[loadshed.Priority]int{}, shed: loadshed.New(loadshed.Options{
		InitialLimit: 10,
		Algorithm:    &loadshed.AIMD{Timeout: 150 * time.Millisecond},
		Now:          func() time.Time { return now },
	})}

	offered := map[loadshed.Priority]int{}
	fmt.Println("    t  offered │ no shedding: in flight  on time  late │ shedding: limit  in flight  refused  on time  late")
	for t := time.Duration(0); t < duration; t += tick {
		perTick := rate(t) * tick.Seconds()
		n := int(perTick)
		if rng.Float64() < perTick-float64(n) {
			n++
		}
		for range n {
			p := loadshed.Critical
			if rng.Float64() < 0.3 {
				p = loadshed.Sheddable
			}
			offered[p]++
			plain.arrive(now, p)
			guarded.arrive(now, p)
		}
		now = now.Add(tick)
		plain.step(now)
		guarded.step(now)
		if (t+tick)%(500*time.Millisecond) == 0 {
			report(t+tick, offered, plain, guarded)
		}
	}
	summary(offered, plain, guarded)
}

func report(t time.Duration, offered map[loadshed.Priority]int, plain, guarded *server) {
	st := guarded.shed.Stats()
	fmt.Printf("%5.1fs  %7d │ %22d  %7d  %4d │ %15d  %9d  %7d  %7d  %4d\n",
		t.Seconds(), offered[loadshed.Critical]+offered[loadshed.Sheddable],
		len(plain.inFlight), plain.onTime, plain.late,
		st.Limit, st.InFlight, guarded.refused[loadshed.Critical]+guarded.refused[loadshed.Sheddable],
		guarded.onTime, guarded.late)
}

func summary(offered map[loadshed.Priority]int, plain, guarded *server) {
	total := offered[loadshed.Critical] + offered[loadshed.Sheddable]
	fmt.Printf("\n%d requests offered in %v, the service can finish %d per second.\n", total, duration, int(time.Second/work)*cores)
	fmt.Printf("No shedding: %d answered on time, %d answered after the caller gave up, %d still running at the end.\n",
		plain.onTime, plain.late, len(plain.inFlight))
	fmt.Printf("Shedding:    %d answered on time, %d late; refused %d of %d batch and %d of %d user requests at once.\n",
		guarded.onTime, guarded.late,
		guarded.refused[loadshed.Sheddable], offered[loadshed.Sheddable],
		guarded.refused[loadshed.Critical], offered[loadshed.Critical])
}
