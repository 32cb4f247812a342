package cqrs_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/lamport-kb/lamport/content/patterns/cqrs"
)

// Stock is the write model's state: units on hand per item, never negative.
type Stock map[string]int

// Moved is the event: units added (> 0) or taken (< 0).
type Moved struct {
	Item  string
	Delta int
}

func decideStock(s Stock, c Moved) ([]Moved, error) {
	if s[c.Item]+c.Delta < 0 {
		return nil, errors.New("not enough " + c.Item)
	}
	return []Moved{c}, nil
}

func evolveStock(s Stock, e Moved) Stock { s[e.Item] += e.Delta; return s }

func Example() {
	log := cqrs.NewLog[Moved](cqrs.Options{})
	model := cqrs.NewModel(log, Stock{}, decideStock, evolveStock)
	onHand := cqrs.NewProjection(log, func() map[string]int { return map[string]int{} },
		func(v map[string]int, e cqrs.Event[Moved]) map[string]int {
			v[e.Data.Item] += e.Data.Delta
			return v
		})

	model.Handle(Moved{"apple", 5})
	_, err := model.Handle(Moved{"apple", -7}) // the write side keeps the invariant
	fmt.Println("refused:", err)
	token, _ := model.Handle(Moved{"apple", -2})

	onHand.Query(context.Background(), 0, func(v map[string]int, pos uint64) {
		fmt.Println("stale read at", pos, "apples:", v["apple"])
	})
	onHand.CatchUp(0) // in production: go onHand.Run(ctx, 100)
	onHand.Query(context.Background(), token, func(v map[string]int, pos uint64) {
		fmt.Println("read at", pos, "apples:", v["apple"])
	})
	// Output:
	// refused: not enough apple
	// stale read at 0 apples: 0
	// read at 2 apples: 3
}

func ExampleProjection_Query() {
	log := cqrs.NewLog[Moved](cqrs.Options{})
	model := cqrs.NewModel(log, Stock{}, decideStock, evolveStock)
	count := cqrs.NewProjection(log, func() int { return 0 },
		func(n int, _ cqrs.Event[Moved]) int { return n + 1 })

	token, _ := model.Handle(Moved{"pear", 1})
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // do not wait: answer now or say the view is behind
	err := count.Query(ctx, token, func(n int, _ uint64) { fmt.Println(n) })
	fmt.Println(errors.Is(err, cqrs.ErrBehind), err)
	// Output:
	// true cqrs: projection behind the requested position: at 0, want 1: context canceled
}

func ExampleProjection_Rebuild() {
	log := cqrs.NewLog[Moved](cqrs.Options{})
	model := cqrs.NewModel(log, Stock{}, decideStock, evolveStock)
	model.Handle(Moved{"fig", 4})
	model.Handle(Moved{"fig", -3})

	// Version 1 of the view forgot that stock can go down.
	added := func(n int, e cqrs.Event[Moved]) int { return n + max(e.Data.Delta, 0) }
	figs := cqrs.NewProjection(log, func() int { return 0 }, added)
	figs.CatchUp(0)
	show := func(label string) {
		figs.Query(context.Background(), 0, func(n int, pos uint64) { fmt.Println(label, n, "at", pos) })
	}
	show("v1:")

	// Version 2 folds the whole log again and swaps the result in.
	net := func(n int, e cqrs.Event[Moved]) int { return n + e.Data.Delta }
	figs.Rebuild(context.Background(), net)
	show("v2:")
	// Output:
	// v1: 4 at 2
	// v2: 1 at 2
}
