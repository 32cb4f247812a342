package hedge_test

import (
	"context"
	"fmt"
	"time"

	"github.com/lamport-kb/lamport/content/patterns/hedge"
)

func Example() {
	replicas := []string{"a", "b"}
	h := hedge.New[string](hedge.Policy{MaxAttempts: 2, Delay: time.Millisecond}, hedge.Options{})
	v, err := h.Do(context.Background(), func(ctx context.Context, attempt int) (string, error) {
		if replicas[attempt] == "a" { // replica a is stuck
			<-ctx.Done() // Do cancels it once b has answered
			return "", ctx.Err()
		}
		return "answer from " + replicas[attempt], nil
	})
	fmt.Println(v, err)
	fmt.Printf("%+v\n", h.Stats())
	// Output:
	// answer from b <nil>
	// {Calls:1 Hedges:1 Refused:0 HedgeWins:1}
}

func ExampleReplay() {
	p := hedge.Policy{MaxAttempts: 3, Delay: 20 * time.Millisecond}
	r := hedge.Replay(p, nil, []hedge.Outcome{
		{Latency: 250 * time.Millisecond}, // a slow replica
		{Latency: 90 * time.Millisecond},  // another slow one
		{Latency: 10 * time.Millisecond},  // a fast one
	})
	fmt.Println("starts:", r.Starts)
	fmt.Println("winner:", r.Winner, "after", r.Latency)
	// Output:
	// starts: [0s 20ms 40ms]
	// winner: 2 after 50ms
}

func ExampleNewBudget() {
	b := hedge.NewBudget(0.1, 1) // one hedge per ten calls, bursts of one
	p := hedge.Policy{MaxAttempts: 2, Delay: 10 * time.Millisecond}
	slow := []hedge.Outcome{{Latency: time.Second}, {Latency: 5 * time.Millisecond}}
	for i := range 12 {
		r := hedge.Replay(p, b, slow)
		fmt.Print(len(r.Starts) - 1)
		if i == 11 {
			fmt.Println()
		}
	}
	// Output:
	// 100000000010
}

func ExamplePercentile() {
	var samples []time.Duration
	for i := 1; i <= 100; i++ {
		samples = append(samples, time.Duration(i)*time.Millisecond)
	}
	fmt.Println(hedge.Percentile(samples, 0.95), hedge.Percentile(samples, 0.99))
	// Output:
	// 95ms 99ms
}
