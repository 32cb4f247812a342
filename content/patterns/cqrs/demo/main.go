// The cqrs demo: a bank's write model keeps balances non-negative, a read model of
// balances follows it from the event log, lags, is read with and without a version
// token, survives a redelivering feed, and is rebuilt after a bug fix.
package main

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/lamport-kb/lamport/content/patterns/cqrs"
)

// Move is both the command and the event: money into (> 0) or out of (< 0) an account.
type Move struct {
	Account string
	Amount  int
}

var errOverdraft = errors.New("overdraft refused")

func decide(balances map[string]int, c Move) ([]Move, error) {
	if balances[c.Account]+c.Amount < 0 {
		return nil, errOverdraft
	}
	return []Move{c}, nil
}

func evolve(balances map[string]int, e Move) map[string]int {
	balances[e.Account] += e.Amount
	return balances
}

// buggyApply is version 1 of the read model: it forgets withdrawals.
func buggyApply(v map[string]int, e cqrs.Event[Move]) map[string]int {
	if e.Data.Amount > 0 {
		v[e.Data.Account] += e.Data.Amount
	}
	return v
}

// fixedApply is version 2.
func fixedApply(v map[string]int, e cqrs.Event[Move]) map[string]int {
	v[e.Data.Account] += e.Data.Amount
	return v
}

func main() {
	now := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	log := cqrs.NewLog[Move](cqrs.Options{Now: func() time.Time { return now }})
	bank := cqrs.NewModel(log, map[string]int{}, decide, evolve)
	balances := cqrs.NewProjection(log, func() map[string]int { return map[string]int{} }, buggyApply)
	ctx := context.Background()

	fmt.Println("1. The write side decides commands and keeps balances >= 0")
	accepted, refused := 0, 0
	var token uint64
	for _, c := range []Move{{"alice", 100}, {"bob", 40}, {"alice", -30}, {"bob", -90}, {"carol", 25}, {"alice", -50}} {
		now = now.Add(200 * time.Millisecond)
		t, err := bank.Handle(c)
		if err != nil {
			refused++
			fmt.Printf("   %-6s %+4d  %v\n", c.Account, c.Amount, err)
			continue
		}
		accepted++
		token = t
		fmt.Printf("   %-6s %+4d  ok, token %d\n", c.Account, c.Amount, t)
	}

	fmt.Println("2. The read model has not applied anything yet")
	events, age := balances.Lag()
	fmt.Printf("   lag: %d events, oldest appended %v ago\n", events, age)
	balances.Query(ctx, 0, func(v map[string]int, pos uint64) {
		fmt.Printf("   plain read at position %d: alice=%d (stale)\n", pos, v["alice"])
	})
	noWait, cancel := context.WithCancel(ctx)
	cancel()
	err := balances.Query(noWait, token, func(map[string]int, uint64) {})
	fmt.Printf("   read with token %d: %v\n", token, err)
	bank.Read(func(s map[string]int, version uint64) {
		fmt.Printf("   fallback to the write model at version %d: alice=%d\n", version, s["alice"])
	})

	fmt.Println("3. The projector catches up, two events per batch")
	maxLag := events
	for {
		now = now.Add(300 * time.Millisecond)
		n := balances.CatchUp(2)
		if n == 0 {
			break
		}
		events, age = balances.Lag()
		maxLag = max(maxLag, events)
		fmt.Printf("   applied %d, position %d, lag %d events / %v\n", n, balances.Position(), events, age)
	}
	var truth int
	bank.Read(func(s map[string]int, _ uint64) { truth = s["alice"] })
	balances.Query(ctx, token, func(v map[string]int, pos uint64) {
		fmt.Printf("   read with token %d at position %d: alice=%d (the write model says %d: see step 5)\n", token, pos, v["alice"], truth)
	})

	fmt.Println("4. The feed redelivers events 2..4 and sends one from the future")
	for _, e := range log.Since(1, 3) {
		ok, _ := balances.Apply(e)
		fmt.Printf("   event %d applied again? %v\n", e.Pos, ok)
	}
	for _, c := range []Move{{"bob", 5}, {"carol", 5}} {
		if _, err := bank.Handle(c); err == nil {
			accepted++
		}
	}
	future := log.Since(log.Head()-1, 1)[0]
	_, err = balances.Apply(future)
	fmt.Printf("   event %d: %v\n", future.Pos, err)
	balances.CatchUp(0)

	fmt.Println("5. The read model disagrees with the write model: version 1 forgot withdrawals")
	fmt.Printf("   accounts that differ: %v\n", diff(bank, balances))
	if err := balances.Rebuild(ctx, fixedApply); err != nil {
		fmt.Println("   rebuild failed:", err)
		return
	}
	fmt.Printf("   rebuilt from position 0 to %d with version 2; accounts that differ: %v\n", balances.Position(), diff(bank, balances))

	s := balances.Stats()
	fmt.Printf("Summary: %d commands accepted, %d refused, %d events in the log; max lag %d events; "+
		"%d redeliveries skipped, %d gap(s) refused, %d rebuild(s), %d events folded in all\n",
		accepted, refused, log.Head(), maxLag, s.Duplicates, s.Gaps, s.Rebuilds, s.Applied)
}

// diff returns the accounts whose balance differs between the write and read models.
func diff(bank *cqrs.Model[map[string]int, Move, Move], view *cqrs.Projection[map[string]int, Move]) []string {
	var out []string
	bank.Read(func(s map[string]int, _ uint64) {
		view.Query(context.Background(), 0, func(v map[string]int, _ uint64) {
			for _, a := range slices.Sorted(maps.Keys(s)) {
				if s[a] != v[a] {
					out = append(out, fmt.Sprintf("%s %d vs %d", a, s[a], v[a]))
				}
			}
		})
	})
	if out == nil {
		return []string{"none"}
	}
	return out
}
