package eventsourcing_test

import (
	"fmt"

	"github.com/lamport-kb/lamport/content/patterns/eventsourcing"
)

func ExampleRepository() {
	store := &eventsourcing.MemoryStore{}
	repo := &eventsourcing.Repository[account]{Store: store, Evolve: evolve}
	repo.Update(ctx, "acc-1", deposit(500))
	s, v, err := repo.Update(ctx, "acc-1", withdraw(200))
	fmt.Println(s.Balance, v, err)
	_, _, err = repo.Update(ctx, "acc-1", withdraw(1000))
	fmt.Println(err)
	// Output:
	// 300 3 <nil>
	// insufficient funds
}

func ExampleMemoryStore_Append() {
	var store eventsourcing.MemoryStore
	v, _ := store.Append(ctx, "acc-1", eventsourcing.NoStream, opened("ann"))
	_, err := store.Append(ctx, "acc-1", eventsourcing.NoStream, opened("bob"))
	fmt.Println(v, err)
	// Output:
	// 1 eventsourcing: stream "acc-1" is at version 1, expected 0
}

func ExampleProjector() {
	store := &eventsourcing.MemoryStore{}
	store.Append(ctx, "acc-1", eventsourcing.Any, money("Deposited", 300))
	store.Append(ctx, "acc-2", eventsourcing.Any, money("Deposited", 50))
	total := int64(0)
	p := &eventsourcing.Projector{Store: store, Handle: func(e eventsourcing.Event) error {
		s, err := evolve(account{}, e)
		total += s.Balance
		return err
	}, Reset: func() { total = 0 }}
	n, _ := p.CatchUp(ctx)
	fmt.Println(n, total, p.Checkpoint())
	n, _ = p.Rebuild(ctx)
	fmt.Println(n, total)
	// Output:
	// 2 350 2
	// 2 350
}

func ExampleVault() {
	var v eventsourcing.Vault
	sealed, _ := v.Seal("ann", []byte("ann@example.org"))
	plain, _ := v.Open("ann", sealed)
	fmt.Println(string(plain))
	v.Forget("ann")
	_, err := v.Open("ann", sealed)
	fmt.Println(err)
	// Output:
	// ann@example.org
	// eventsourcing: key shredded
}
