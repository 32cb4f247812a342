package loadshed_test

import (
	"fmt"
	"time"

	"github.com/lamport-kb/lamport/content/patterns/loadshed"
)

func Example() {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s := loadshed.New(loadshed.Options{InitialLimit: 4, Now: func() time.Time { return now }})

	var admitted []*loadshed.Token
	for _, p := range []loadshed.Priority{loadshed.Sheddable, loadshed.Sheddable, loadshed.Sheddable, loadshed.Critical, loadshed.CriticalPlus, loadshed.CriticalPlus} {
		tok, err := s.Allow(loadshed.Request{Priority: p})
		if err != nil {
			fmt.Println(p, "shed:", err)
			continue
		}
		fmt.Println(p, "admitted")
		admitted = append(admitted, tok)
	}
	for _, tok := range admitted {
		tok.Done()
	}
	fmt.Println("in flight:", s.Stats().InFlight)
	// Output:
	// SHEDDABLE admitted
	// SHEDDABLE admitted
	// SHEDDABLE shed: loadshed: concurrency limit reached
	// CRITICAL admitted
	// CRITICAL_PLUS admitted
	// CRITICAL_PLUS shed: loadshed: concurrency limit reached
	// in flight: 0
}

func ExampleAIMD() {
	a := &loadshed.AIMD{Timeout: 100 * time.Millisecond}
	limit := 20
	limit = a.Next(limit, loadshed.Sample{RTT: 30 * time.Millisecond, InFlight: 15})
	fmt.Println("fast, busy:", limit)
	limit = a.Next(limit, loadshed.Sample{RTT: 250 * time.Millisecond, InFlight: 21})
	fmt.Println("slow:", limit)
	limit = a.Next(limit, loadshed.Sample{Dropped: true})
	fmt.Println("dropped:", limit)
	// Output:
	// fast, busy: 21
	// slow: 18
	// dropped: 16
}

func ExampleRequest_arrived() {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s := loadshed.New(loadshed.Options{Now: func() time.Time { return now }}) // 100 ms queue interval

	_, err := s.Allow(loadshed.Request{Arrived: now.Add(-30 * time.Millisecond)})
	fmt.Println("queued 30 ms:", err)
	_, err = s.Allow(loadshed.Request{Arrived: now.Add(-300 * time.Millisecond)})
	fmt.Println("queued 300 ms:", err)
	// Output:
	// queued 30 ms: <nil>
	// queued 300 ms: loadshed: request waited in the queue too long
}
