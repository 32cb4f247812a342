// The eventsourcing demo: a bank account kept as events. Two tellers race on the
// same version, a fresh process replays the history, a snapshot shortens the
// replay, an old event schema is upcast, a read model is rebuilt and a customer's
// e-mail is crypto-shredded.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	es "github.com/lamport-kb/lamport/content/patterns/eventsourcing"
)

type account struct {
	Balance int64 // cents
	Email   []byte
}

type payload struct {
	Cents int64  `json:"cents,omitempty"`
	Euros int64  `json:"euros,omitempty"` // schema 1 of Deposited
	Email []byte `json:"email,omitempty"` // sealed by the vault
}

var applied int // events passed to evolve, counted for the summary

func evolve(s account, e es.Event) (account, error) {
	applied++
	var p payload
	if err := json.Unmarshal(e.Data, &p); err != nil {
		return s, err
	}
	switch e.Type {
	case "Opened":
		s.Email = p.Email
	case "Deposited":
		s.Balance += p.Cents
	case "Withdrawn":
		s.Balance -= p.Cents
	}
	return s, nil
}

func event(typ string, p payload) es.EventData {
	b, _ := json.Marshal(p)
	schema := 1
	if typ == "Deposited" {
		schema = 2 // euros became cents
	}
	return es.EventData{Type: typ, Schema: schema, Data: b}
}

func withdraw(cents int64) func(account) ([]es.EventData, error) {
	return func(s account) ([]es.EventData, error) {
		if s.Balance < cents {
			return nil, fmt.Errorf("balance %d < %d", s.Balance, cents)
		}
		return []es.EventData{event("Withdrawn", payload{Cents: cents})}, nil
	}
}

var upcasters = es.Upcasters{{Type: "Deposited", Schema: 1}: func(e es.Event) (es.Event, error) {
	var p payload
	err := json.Unmarshal(e.Data, &p)
	e.Data, _ = json.Marshal(payload{Cents: p.Euros * 100})
	e.Schema = 2
	return e, err
}}

func main() {
	ctx := context.Background()
	now := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	store := &es.MemoryStore{Now: func() time.Time { now = now.Add(time.Minute); return now }}
	vault := &es.Vault{Rand: rand.NewChaCha8([32]byte{42})}
	repo := &es.Repository[account]{Store: store, Evolve: evolve, Upcasters: upcasters}

	fmt.Println("1. Open the account and record what happens to it")
	email, _ := vault.Seal("ann", []byte("ann@example.org"))
	store.Append(ctx, "acc-ann", es.NoStream, event("Opened", payload{Email: email}))
	old, _ := json.Marshal(payload{Euros: 20}) // written by last year's code
	store.Append(ctx, "acc-ann", 1, es.EventData{Type: "Deposited", Schema: 1, Data: old})
	v, _ := store.Append(ctx, "acc-ann", 2, event("Deposited", payload{Cents: 5000}))
	printStream(ctx, store, "acc-ann")

	fmt.Println("2. Two tellers both read version", v, "and withdraw 60.00")
	s, _, _ := repo.Load(ctx, "acc-ann")
	first, _ := withdraw(6000)(s)
	second, _ := withdraw(6000)(s)
	_, err1 := store.Append(ctx, "acc-ann", v, first...)
	_, err2 := store.Append(ctx, "acc-ann", v, second...)
	fmt.Printf("   teller A: %v\n   teller B: %v\n", errText(err1), errText(err2))
	_, _, err := repo.Update(ctx, "acc-ann", withdraw(6000))
	fmt.Println("   teller B reloads and decides again:", errText(err))

	fmt.Println("3. A new process replays the stream from nothing")
	for range 96 {
		store.Append(ctx, "acc-ann", es.Any, event("Deposited", payload{Cents: 100}))
	}
	applied = 0
	full, version, _ := repo.Replay(ctx, "acc-ann")
	fullCount := applied
	fmt.Printf("   %d events applied, balance %s at version %d\n", fullCount, euros(full.Balance), version)

	fmt.Println("4. With a snapshot every 50 events")
	repo.Snapshots, repo.SnapshotEvery = &es.MemorySnapshots[account]{}, 50
	repo.Load(ctx, "acc-ann") // takes the snapshot
	store.Append(ctx, "acc-ann", es.Any, event("Deposited", payload{Cents: 100}))
	applied = 0
	snap, version, _ := repo.Load(ctx, "acc-ann")
	snapCount := applied
	replayed, _, _ := repo.Replay(ctx, "acc-ann")
	fmt.Printf("   %d event applied after the snapshot, balance %s at version %d, same as a full replay: %v\n",
		snapCount, euros(snap.Balance), version, snap.Balance == replayed.Balance)

	fmt.Println("5. A read model of balances, built from the global log")
	model := map[string]int64{}
	proj := &es.Projector{Store: store, Upcasters: upcasters, Reset: func() { clear(model) },
		Handle: func(e es.Event) error {
			s, err := evolve(account{}, e)
			model[e.Stream] += s.Balance
			return err
		}}
	n, _ := proj.CatchUp(ctx)
	store.Append(ctx, "acc-bob", es.NoStream, event("Deposited", payload{Cents: 700}))
	m, _ := proj.CatchUp(ctx)
	fmt.Printf("   handled %d then %d events, checkpoint %d: ann %s, bob %s\n",
		n, m, proj.Checkpoint(), euros(model["acc-ann"]), euros(model["acc-bob"]))
	r, _ := proj.Rebuild(ctx)
	fmt.Printf("   rebuilt from position 0: %d events, ann %s, bob %s\n", r, euros(model["acc-ann"]), euros(model["acc-bob"]))

	fmt.Println("6. Ann asks to be forgotten: shred her key, keep the log")
	before, _ := vault.Open("ann", full.Email)
	vault.Forget("ann")
	_, err = vault.Open("ann", full.Email)
	fmt.Printf("   e-mail before: %s, after: %v\n", before, err)
	all, _ := store.ReadAll(ctx, 0, 0)
	fmt.Printf("Summary: %d events in the log, %d conflict(s) caught, %d vs %d events applied to load ann (full vs snapshot).\n",
		len(all), count(err1, err2), fullCount, snapCount)
}

func printStream(ctx context.Context, store es.Store, stream string) {
	events, _ := store.Load(ctx, stream, 0)
	for _, e := range events {
		fmt.Printf("   %s #%d %s v%d at %s: %s\n", e.Stream, e.Number, e.Type, e.Schema, e.Recorded.Format("15:04"), short(e.Data))
	}
}

func short(b []byte) string {
	if len(b) > 40 {
		return string(b[:37]) + "..."
	}
	return string(b)
}

func errText(err error) string {
	if err == nil {
		return "appended"
	}
	return err.Error()
}

func count(errs ...error) int {
	n := 0
	for _, err := range errs {
		if errors.Is(err, es.ErrConflict) {
			n++
		}
	}
	return n
}

func euros(cents int64) string { return fmt.Sprintf("%d.%02d", cents/100, cents%100) }
