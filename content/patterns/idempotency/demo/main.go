// Demo: a payment service behind an at-least-once queue. Each message carries
// a payment id; the queue redelivers a message until the consumer acknowledges
// it, and the consumer crashes now and then. Three consumers save their work
// in three orders: the balance then the processed id, the id then the balance,
// and both in one atomic commit. Only the last one ends with the right
// balance. Then an HTTP-style Receiver answers a client that retries with an
// idempotency key, one retry arriving while the first attempt still runs.
//
// The randomness is seeded and the clock is simulated, so the program prints
// the same story on every run. Change the seed or the crash rate and run it again.
package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/lamport-kb/lamport/content/patterns/idempotency"
)

const (
	payments  = 12
	crashRate = 5 // one step in crashRate crashes
	seed      = 3
)

var start = time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)

// store is what survives a crash: the balance and the processed ids.
type store struct {
	balance int
	seen    *idempotency.Window
}

func main() {
	fmt.Println("== 1. An at-least-once queue, a consumer that crashes ==")
	for _, order := range []string{"balance, then id", "id, then balance", "one atomic commit"} {
		consume(order)
	}
	fmt.Println()
	fmt.Println("== 2. An API with idempotency keys ==")
	api()
}

// consume delivers the payments to a consumer that saves in the given order
// and prints what went wrong.
func consume(order string) {
	rng := rand.New(rand.NewPCG(seed, 0))
	crash := func() bool { return rng.IntN(crashRate) == 0 }
	s := store{seen: idempotency.NewWindow(time.Hour)}
	want, deliveries, crashes, doubled, lost := 0, 0, 0, 0, 0
	for i := 0; i < payments; {
		id, amount := fmt.Sprintf("pay-%02d", i), 10*(1+i%3)
		now := start.Add(time.Duration(deliveries) * time.Second)
		deliveries++
		before := s.balance
		dup := s.seen.Seen(id, now)
		crashed := false
		switch order {
		case "balance, then id":
			if !dup {
				s.balance += amount
				if crashed = crash(); !crashed {
					s.seen.Add(id, now)
				}
			}
		case "id, then balance":
			if !dup {
				s.seen.Add(id, now)
				if crashed = crash(); !crashed {
					s.balance += amount
				}
			}
		case "one atomic commit":
			next := store{balance: s.balance, seen: s.seen.Clone()}
			if next.seen.Add(id, now) {
				next.balance += amount
			}
			if crashed = crash(); !crashed {
				s = next
			}
		}
		switch {
		case dup && s.balance == before:
			// a redelivery, skipped
		case crashed && s.balance != before:
			doubled++ // saved the money, lost the id: the redelivery pays again
			fmt.Printf("  %-18s %s: crash after the balance, before the id\n", order, id)
		case crashed && s.seen.Seen(id, now):
			lost++ // saved the id, lost the money: the redelivery is skipped
			fmt.Printf("  %-18s %s: crash after the id, before the balance\n", order, id)
		case crashed:
			fmt.Printf("  %-18s %s: crash before the commit: nothing saved, the queue redelivers\n", order, id)
		}
		if crashed {
			crashes++
			continue // restart; the queue redelivers the message
		}
		if crash() { // a crash before the acknowledgement: redelivered although done
			fmt.Printf("  %-18s %s: crash before the acknowledgement: redelivered\n", order, id)
			crashes++
			continue
		}
		want += amount
		i++
	}
	verdict := "correct"
	if s.balance != want {
		verdict = fmt.Sprintf("wrong by %+d", s.balance-want)
	}
	fmt.Printf("%-18s %d deliveries, %d crashes, %d paid twice, %d lost: balance %d, expected %d (%s)\n",
		order+":", deliveries, crashes, doubled, lost, s.balance, want, verdict)
}

// api shows the Receiver in front of a payment provider: a retry after a lost
// response, a retry while the first attempt runs, a reused key, and expiry.
func api() {
	now := start
	charges := 0
	r := idempotency.New[string](idempotency.Options{
		Retention: 24 * time.Hour,
		Lease:     30 * time.Second,
		Now:       func() time.Time { return now },
	})
	ctx := context.Background()
	var retryWhileRunning string
	charge := func(context.Context) (string, error) {
		charges++
		if charges == 1 { // the client times out and retries while the provider still works
			_, _, err := r.Do(ctx, "order-1001", "amount=4200", func(context.Context) (string, error) { return "", nil })
			retryWhileRunning = err.Error()
		}
		now = now.Add(2 * time.Second) // the provider takes 2 s
		return fmt.Sprintf("ch_%d", charges), nil
	}
	show := func(label, key, fp string) {
		id, outcome, err := r.Do(ctx, key, fp, charge)
		at := now.Sub(start).Round(time.Second)
		switch {
		case err != nil:
			fmt.Printf("  %8s  %-26s -> %v\n", at, label, err)
		default:
			fmt.Printf("  %8s  %-26s -> %s (%s)\n", at, label, id, outcome)
		}
	}
	show("POST, key order-1001", "order-1001", "amount=4200")
	fmt.Printf("  %8s  %-26s -> %s\n", "", "(a retry meanwhile)", retryWhileRunning)
	now = now.Add(5 * time.Second)
	show("retry: response was lost", "order-1001", "amount=4200")
	show("same key, amount changed", "order-1001", "amount=9900")
	now = now.Add(24 * time.Hour)
	show("retry a day later", "order-1001", "amount=4200")

	s := r.Stats()
	fmt.Printf("\n%d requests: %d executed, %d replayed, %d refused in progress, %d mismatched; %d charges at the provider.\n",
		s.Executed+s.Replayed+s.InProgress+s.Mismatched, s.Executed, s.Replayed, s.InProgress, s.Mismatched, charges)
	if charges > 1 {
		fmt.Println("The retry a day later came after the 24 h retention: it charged again. Retention must outlast the client's retries.")
	}
}
