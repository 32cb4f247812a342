package deadletter_test

import (
	"errors"
	"fmt"
	"strings"

	"github.com/lamport-kb/lamport/content/patterns/deadletter"
)

func Example() {
	q := deadletter.New(deadletter.Options{
		Name:        "orders",
		MaxAttempts: 3,
		OnDeadLetter: func(l deadletter.Letter) {
			fmt.Printf("ALERT %s dead-lettered from %s after %d attempts: %s\n",
				l.ID, l.Source, l.Attempts, l.Errors[len(l.Errors)-1])
		},
	})
	q.Send(deadletter.Message{ID: "o-1", Body: `{"sku":"A7"}`})
	q.Send(deadletter.Message{ID: "o-2", Body: `{"sku":`}) // truncated: poison
	q.Send(deadletter.Message{ID: "o-3", Body: `{"sku":"B2"}`})

	for q.Handle(func(d deadletter.Delivery) error {
		if !strings.HasSuffix(d.Body, "}") {
			return errors.New("unexpected end of JSON input")
		}
		fmt.Printf("processed %s (attempt %d)\n", d.ID, d.Attempt)
		return nil
	}) {
	}
	fmt.Printf("%+v\n", q.Stats())
	// Output:
	// processed o-1 (attempt 1)
	// processed o-3 (attempt 1)
	// ALERT o-2 dead-lettered from orders after 3 attempts: unexpected end of JSON input
	// {Sent:3 Acked:2 Ready:0 InFlight:0 Dead:1 Redriven:0}
}

func ExampleQueue_Redrive() {
	q := deadletter.New(deadletter.Options{MaxAttempts: 2})
	q.Send(deadletter.Message{ID: "p-1"})
	fixed := false
	handler := func(d deadletter.Delivery) error {
		if !fixed {
			return errors.New("schema v2 unknown")
		}
		fmt.Printf("processed %s on attempt %d\n", d.ID, d.Attempt)
		return nil
	}
	for q.Handle(handler) {
	}
	fmt.Println("dead:", len(q.DeadLetters()))

	fixed = true // deploy the fix, then redrive
	fmt.Println("redriven:", q.Redrive(10, nil))
	for q.Handle(handler) {
	}
	fmt.Println("dead:", len(q.DeadLetters()))
	// Output:
	// dead: 1
	// redriven: 1
	// processed p-1 on attempt 1
	// dead: 0
}

func ExamplePermanent() {
	q := deadletter.New(deadletter.Options{MaxAttempts: 5})
	q.Send(deadletter.Message{ID: "u-9"})
	q.Handle(func(deadletter.Delivery) error {
		return deadletter.Permanent(errors.New("user u-9 was deleted"))
	})
	l := q.DeadLetters()[0]
	fmt.Println(l.ID, l.Reason, l.Attempts, l.Errors)
	// Output:
	// u-9 rejected 1 [permanent: user u-9 was deleted]
}
