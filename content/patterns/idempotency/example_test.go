package idempotency_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/lamport-kb/lamport/content/patterns/idempotency"
)

func Example() {
	charges := 0
	charge := func(context.Context) (string, error) {
		charges++
		return fmt.Sprintf("ch_%d", charges), nil
	}
	r := idempotency.New[string](idempotency.Options{Retention: 24 * time.Hour})
	ctx := context.Background()

	// The client sends the request, loses the response, and retries with the same key.
	for range 3 {
		id, outcome, err := r.Do(ctx, "order-1001", "amount=4200", charge)
		fmt.Println(id, outcome, err)
	}
	// The same key with another amount is a client bug, not a retry.
	_, _, err := r.Do(ctx, "order-1001", "amount=9900", charge)
	fmt.Println(err)
	fmt.Println("charges:", charges)
	// Output:
	// ch_1 executed <nil>
	// ch_1 replayed <nil>
	// ch_1 replayed <nil>
	// idempotency: key reused with a different request
	// charges: 1
}

func ExampleOptions_replay() {
	declined := errors.New("card declined")
	r := idempotency.New[string](idempotency.Options{
		Replay: func(err error) bool { return errors.Is(err, declined) }, // definitive: replay it
	})
	ctx := context.Background()
	attempts := 0
	pay := func(context.Context) (string, error) {
		attempts++
		if attempts == 1 {
			return "", errors.New("gateway timeout") // transient: the key is released
		}
		return "", declined
	}
	for range 3 {
		_, outcome, err := r.Do(ctx, "order-7", "", pay)
		fmt.Println(outcome, err)
	}
	fmt.Println("attempts:", attempts)
	// Output:
	// executed gateway timeout
	// executed card declined
	// replayed card declined
	// attempts: 2
}

func ExampleWindow() {
	// The processed ids live in the same state as the balance, so one commit saves both.
	type account struct {
		balance int
		seen    *idempotency.Window
	}
	acct := account{seen: idempotency.NewWindow(time.Hour)}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, msg := range []struct {
		id     string
		amount int
	}{{"m1", 10}, {"m2", 5}, {"m1", 10}} { // m1 is redelivered
		if acct.seen.Add(msg.id, now) {
			acct.balance += msg.amount
		} else {
			fmt.Println("duplicate", msg.id, "skipped")
		}
	}
	fmt.Println("balance:", acct.balance)
	// Output:
	// duplicate m1 skipped
	// balance: 15
}
