package eventsourcing_test

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/lamport-kb/lamport/content/patterns/eventsourcing"
)

// The tests' domain: a bank account. Amounts are cents (schema 2); schema 1 of
// Deposited stored whole euros in "euros".

type account struct {
	Open    bool
	Owner   string
	Balance int64
	Events  int
}

type amount struct {
	Cents int64 `json:"cents"`
}

var errInsufficient = errors.New("insufficient funds")

func evolve(s account, e eventsourcing.Event) (account, error) {
	s.Events++
	switch e.Type {
	case "Opened":
		var v struct{ Owner string }
		if err := json.Unmarshal(e.Data, &v); err != nil {
			return s, err
		}
		s.Open, s.Owner = true, v.Owner
	case "Deposited", "Withdrawn":
		if e.Schema != 2 {
			return s, fmt.Errorf("schema %d not upcast", e.Schema)
		}
		var a amount
		if err := json.Unmarshal(e.Data, &a); err != nil {
			return s, err
		}
		if e.Type == "Withdrawn" {
			a.Cents = -a.Cents
		}
		s.Balance += a.Cents
	default:
		return s, fmt.Errorf("unknown event %q", e.Type)
	}
	return s, nil
}

func opened(owner string) eventsourcing.EventData {
	b, _ := json.Marshal(struct{ Owner string }{owner})
	return eventsourcing.EventData{Type: "Opened", Schema: 1, Data: b}
}

func money(typ string, cents int64) eventsourcing.EventData {
	b, _ := json.Marshal(amount{cents})
	return eventsourcing.EventData{Type: typ, Schema: 2, Data: b}
}

// depositV1 is the old schema: whole euros.
func depositV1(euros int64) eventsourcing.EventData {
	b, _ := json.Marshal(struct {
		Euros int64 `json:"euros"`
	}{euros})
	return eventsourcing.EventData{Type: "Deposited", Schema: 1, Data: b}
}

var upcasters = eventsourcing.Upcasters{
	{Type: "Deposited", Schema: 1}: func(e eventsourcing.Event) (eventsourcing.Event, error) {
		var v struct {
			Euros int64 `json:"euros"`
		}
		if err := json.Unmarshal(e.Data, &v); err != nil {
			return e, err
		}
		e.Data, _ = json.Marshal(amount{v.Euros * 100})
		e.Schema = 2
		return e, nil
	},
}

func withdraw(cents int64) func(account) ([]eventsourcing.EventData, error) {
	return func(s account) ([]eventsourcing.EventData, error) {
		if s.Balance < cents {
			return nil, errInsufficient
		}
		return []eventsourcing.EventData{money("Withdrawn", cents)}, nil
	}
}

func deposit(cents int64) func(account) ([]eventsourcing.EventData, error) {
	return func(s account) ([]eventsourcing.EventData, error) {
		if !s.Open {
			return []eventsourcing.EventData{opened("anon"), money("Deposited", cents)}, nil
		}
		return []eventsourcing.EventData{money("Deposited", cents)}, nil
	}
}

func newRepo(store eventsourcing.Store) *eventsourcing.Repository[account] {
	return &eventsourcing.Repository[account]{Store: store, Evolve: evolve, Upcasters: upcasters}
}
