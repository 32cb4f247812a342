// Demo: three consumers compete for ten jobs on one queue with a 10 s
// visibility timeout. Consumer c2 crashes in the middle of a job, so its
// lease runs out and another consumer gets the message again; one job takes
// longer than the timeout, so it is processed twice; one job is a
// poison message that fails every time and ends in the dead letters after
// three receives; the jobs of one order (key "order-7") run one at a time,
// in order, although three consumers are free.
//
// Time is simulated in steps of one second, so this finishes at once and
// prints the same thing on every run. Change the timeout, MaxReceives or the
// crash and run it again.
package main

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/lamport-kb/lamport/content/patterns/consumers"
)

// worker is one consumer and the job it is working on.
type worker struct {
	name    string
	job     *consumers.Delivery
	left    int  // seconds of work left
	crashed bool // a crashed worker holds its lease and never settles it
}

func main() {
	start := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	now := start
	q := consumers.New(consumers.Options{
		VisibilityTimeout: 10 * time.Second,
		MaxReceives:       3,
		Now:               func() time.Time { return now },
	})
	rng := rand.New(rand.NewPCG(7, 7))

	jobs := []struct{ key, body string }{
		{"order-7", "reserve stock"}, {"", "send email"}, {"order-7", "charge card"},
		{"", "resize photo"}, {"", "corrupt file"}, {"order-7", "ship"},
		{"", "render video"}, {"", "send sms"}, {"", "thumbnail"}, {"", "audit log"},
	}
	for _, j := range jobs {
		q.Send(j.key, j.body)
	}
	workers := []*worker{{name: "c1"}, {name: "c2"}, {name: "c3"}}
	processed := map[uint64]int{} // successful runs per message: > 1 is a duplicate
	var order7 []string

	for sec := 0; sec < 60; sec++ {
		at := fmt.Sprintf("t=%2ds", int(now.Sub(start).Seconds()))
		for _, w := range workers {
			if sec == 4 && w.name == "c2" && w.job != nil {
				w.crashed = true
				fmt.Printf("%s %s CRASHES holding #%d %q (lease ends %s)\n", at, w.name, w.job.ID, w.job.Body, w.job.Deadline.Sub(start))
			}
			if w.crashed {
				continue
			}
			if w.job == nil {
				receive(q, w, rng, at)
				continue
			}
			if w.left--; w.left > 0 {
				continue
			}
			finish(q, w, at, processed, &order7)
			receive(q, w, rng, at)
		}
		now = now.Add(time.Second)
	}

	st := q.Stats()
	duplicates := 0
	for _, n := range processed {
		duplicates += n - 1
	}
	fmt.Println()
	fmt.Printf("sent %d, acked %d, dead-lettered %d, still queued %d\n", st.Sent, st.Acked, st.DeadLettered, st.Ready+st.InFlight)
	fmt.Printf("deliveries %d, of which redeliveries %d; leases ended without an ack: %d expired, %d nacked\n",
		st.Delivered, st.Redelivered, st.Expired, st.Nacked)
	fmt.Printf("extra runs of jobs already done: %d (why handlers must be idempotent)\n", duplicates)
	fmt.Printf("order-7 ran in this order: %v\n", order7)
	for _, d := range q.DeadLetters() {
		fmt.Printf("dead letter: #%d %q after %d receives\n", d.ID, d.Body, d.Attempts)
	}
}

// receive gives an idle worker the next available message, if any.
func receive(q *consumers.Queue, w *worker, rng *rand.Rand, at string) {
	d, ok := q.Receive(w.name)
	if !ok {
		return
	}
	w.job, w.left = &d, 2+rng.IntN(4)
	if d.Body == "render video" {
		w.left = 13 // longer than the visibility timeout
	}
	key := ""
	if d.Key != "" {
		key = " [" + d.Key + "]"
	}
	fmt.Printf("%s %s receives #%d %q%s, attempt %d\n", at, w.name, d.ID, d.Body, key, d.Attempt)
}

// finish settles the worker's job: the poison message fails, others succeed.
func finish(q *consumers.Queue, w *worker, at string, processed map[uint64]int, order7 *[]string) {
	d := w.job
	w.job = nil
	if d.Body == "corrupt file" {
		_ = q.Nack(d.Receipt)
		fmt.Printf("%s %s fails #%d %q: nack\n", at, w.name, d.ID, d.Body)
		return
	}
	processed[d.ID]++ // the side effect happened, whatever the ack says
	if d.Key == "order-7" {
		*order7 = append(*order7, d.Body)
	}
	if err := q.Ack(d.Receipt); err != nil {
		fmt.Printf("%s %s finishes #%d %q but its ack fails: %v\n", at, w.name, d.ID, d.Body, err)
		return
	}
	fmt.Printf("%s %s acks #%d %q\n", at, w.name, d.ID, d.Body)
}
