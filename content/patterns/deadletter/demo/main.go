// Demo: a payments consumer works through eight messages. One (pay-3) has
// a corrupt body and can never succeed; another (pay-6) hits a flaky
// database twice before it goes through; the consumer crashes while holding
// pay-5, so its lease runs out. Watch pay-3 go to the back of the queue
// after each failure, so the others keep flowing, and reach the dead-letter
// queue on its fourth attempt with its history. Then the bug is fixed and
// the dead letter is redriven.
//
// The clock is simulated, so the program finishes at once and prints the
// same story every time. Change MaxAttempts or the failures and run again.
package main

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/lamport-kb/lamport/content/patterns/deadletter"
)

func main() {
	start := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	now := start
	at := func() string { return fmt.Sprintf("%4s", now.Sub(start)) }

	alerts := 0
	q := deadletter.New(deadletter.Options{
		Name:        "payments",
		MaxAttempts: 4,
		Visibility:  10 * time.Second,
		Now:         func() time.Time { return now },
		OnDeadLetter: func(l deadletter.Letter) {
			alerts++
			fmt.Printf("%s  ── ALERT: %s moved to the DLQ (%s, %d attempts), last error: %s\n",
				at(), l.ID, l.Reason, l.Attempts, l.Errors[len(l.Errors)-1])
		},
	})
	for i := 1; i <= 8; i++ {
		body := fmt.Sprintf(`{"amount":%d}`, 10*i)
		if i == 3 {
			body = `{"amount":3` // truncated in transit
		}
		q.Send(deadletter.Message{ID: fmt.Sprintf("pay-%d", i), Body: body})
	}

	fixed, crashed, flaky := false, false, 0
	handler := func(d deadletter.Delivery) error {
		switch {
		case !fixed && !strings.HasSuffix(d.Body, "}"):
			return errors.New("unexpected end of JSON input")
		case d.ID == "pay-6" && flaky < 2:
			flaky++
			return errors.New("database: connection reset")
		}
		return nil
	}

	received := 0
	for {
		d, ok := q.Receive()
		if !ok {
			if s := q.Stats(); s.InFlight > 0 {
				fmt.Printf("%s  queue empty, %d message in flight: wait\n", at(), s.InFlight)
				now = now.Add(10 * time.Second)
				continue
			}
			break
		}
		received++
		if d.ID == "pay-5" && !crashed {
			crashed = true
			fmt.Printf("%s  %s attempt %d: the consumer crashes holding it\n", at(), d.ID, d.Attempt)
			now = now.Add(time.Second)
			continue
		}
		if err := handler(d); err != nil {
			q.Nack(d, err)
			fmt.Printf("%s  %s attempt %d failed: %v\n", at(), d.ID, d.Attempt, err)
		} else {
			q.Ack(d)
			fmt.Printf("%s  %s attempt %d ok\n", at(), d.ID, d.Attempt)
		}
		now = now.Add(time.Second)
	}

	s := q.Stats()
	fmt.Printf("\n%d deliveries for %d messages: %d processed, %d in the DLQ, %d alert(s).\n",
		received, s.Sent, s.Acked, s.Dead, alerts)
	for _, l := range q.DeadLetters() {
		fmt.Printf("DLQ %s from %q: %d attempts between %s and %s\n",
			l.ID, l.Source, l.Attempts, l.FirstSeen.Format("15:04:05"), l.DeadAt.Format("15:04:05"))
		for i, e := range l.Errors {
			fmt.Printf("    attempt %d: %s\n", i+1, e)
		}
	}

	fixed = true
	fmt.Printf("\n%s  the parser is fixed: redrive %d letter(s)\n", at(), q.Redrive(10, nil))
	for q.Handle(func(d deadletter.Delivery) error {
		err := handler(d)
		fmt.Printf("%s  %s attempt %d after redrive: error=%v\n", at(), d.ID, d.Attempt, err)
		now = now.Add(time.Second)
		return err
	}) {
	}
	s = q.Stats()
	fmt.Printf("\nsent %d, processed %d, dead %d, lost %d.\n", s.Sent, s.Acked, s.Dead, s.Sent-s.Acked-s.Dead-s.Ready-s.InFlight)
}
