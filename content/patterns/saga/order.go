package saga

import (
	"context"
	"errors"
	"fmt"

	"github.com/lamport-kb/lamport/engine"
)

// Order is the input of the order saga.
type Order struct {
	ID     string `json:"id"`
	SKU    string `json:"sku"`
	Qty    int    `json:"qty"`
	Card   string `json:"card"`
	Amount int64  `json:"amount"` // in cents
}

// The business errors of the order participants: no retry can fix them.
var (
	ErrOutOfStock = errors.New("out of stock")
	ErrDeclined   = errors.New("card declined")
	ErrPending    = errors.New("order is pending: a saga holds its semantic lock")
	ErrBusy       = errors.New("service busy") // transient
)

// The states of an order. PENDING is the saga's semantic lock.
const (
	StatePending  = "PENDING"
	StateApproved = "APPROVED"
	StateRejected = "REJECTED"
	StateCanceled = "CANCELED"
)

// OrderServices are the participants of the order saga: in-memory fakes,
// each with its own state and Barrier.
type OrderServices struct {
	Orders    *Orders
	Inventory *Inventory
	Courier   *Courier
	Payments  *Payments
}

// OrderSaga is the saga that places an order: create it (PENDING), reserve
// the stock, book a courier, charge the card (the pivot), approve it.
func OrderSaga(s OrderServices) *Saga[Order] {
	return &Saga[Order]{
		Name: "place-order",
		Steps: []Step[Order]{
			{Name: "create-order", Kind: Compensatable, Action: s.Orders.Create, Compensation: s.Orders.Reject},
			{Name: "reserve-stock", Kind: Compensatable, Action: s.Inventory.Reserve, Compensation: s.Inventory.Release},
			{Name: "book-courier", Kind: Compensatable, Action: s.Courier.Book, Compensation: s.Courier.Cancel},
			{Name: "charge-card", Kind: Pivot, Action: s.Payments.Charge},
			{Name: "approve-order", Kind: Retriable, Action: s.Orders.Approve},
		},
	}
}

// Orders is the order service. An order is PENDING from its creation until
// the saga approves or rejects it; meanwhile Cancel is refused.
type Orders struct {
	Barrier
	// Busy makes Approve fail with ErrBusy this many times first.
	Busy  int
	state map[string]string
}

// Create creates the order, PENDING.
func (o *Orders) Create(_ context.Context, key string, in Order) error {
	return o.Act("create", key, func() (string, error) {
		o.set(in.ID, StatePending)
		return in.ID + " " + StatePending, nil
	})
}

// Reject compensates Create: the order is kept, marked REJECTED.
func (o *Orders) Reject(_ context.Context, key string, in Order) error {
	o.Compensate("reject", key, func() string {
		o.set(in.ID, StateRejected)
		return in.ID + " " + StateRejected
	})
	return nil
}

// Approve ends the saga's semantic lock: the order is APPROVED.
func (o *Orders) Approve(_ context.Context, key string, in Order) error {
	return o.Act("approve", key, func() (string, error) {
		if o.Busy > 0 {
			o.Busy--
			return "", ErrBusy
		}
		o.set(in.ID, StateApproved)
		return in.ID + " " + StateApproved, nil
	})
}

// Cancel is the customer cancelling an order: another transaction on the
// same record, refused with ErrPending while a saga holds it.
func (o *Orders) Cancel(id string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	switch o.state[id] {
	case StatePending:
		return fmt.Errorf("cancel %s: %w", id, ErrPending)
	case StateApproved:
		o.state[id] = StateCanceled
		return nil
	}
	return fmt.Errorf("cancel %s: order is %q", id, o.state[id])
}

// State returns an order's state, "" if it does not exist.
func (o *Orders) State(id string) string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.state[id]
}

// set runs under the Barrier's lock.
func (o *Orders) set(id, state string) {
	if o.state == nil {
		o.state = make(map[string]string)
	}
	o.state[id] = state
}

// Inventory is the stock service. Reserving subtracts and releasing adds:
// commutative updates, so concurrent sagas cannot overwrite each other.
type Inventory struct {
	Barrier
	Stock map[string]int // set before use; read with Level
}

// Reserve takes in.Qty of in.SKU out of stock, or fails for good.
func (v *Inventory) Reserve(_ context.Context, key string, in Order) error {
	return v.Act("reserve", key, func() (string, error) {
		if v.Stock[in.SKU] < in.Qty {
			return "", engine.Permanent(ErrOutOfStock)
		}
		v.Stock[in.SKU] -= in.Qty
		return fmt.Sprintf("%d %s reserved, %d left", in.Qty, in.SKU, v.Stock[in.SKU]), nil
	})
}

// Release compensates Reserve: the quantity goes back.
func (v *Inventory) Release(_ context.Context, key string, in Order) error {
	v.Compensate("release", key, func() string {
		v.Stock[in.SKU] += in.Qty
		return fmt.Sprintf("%d %s released, %d left", in.Qty, in.SKU, v.Stock[in.SKU])
	})
	return nil
}

// Level returns the stock of sku.
func (v *Inventory) Level(sku string) int {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.Stock[sku]
}

// Courier is the delivery service.
type Courier struct {
	Barrier
	booked int
}

// Book books a courier for the order.
func (k *Courier) Book(_ context.Context, key string, in Order) error {
	return k.Act("book", key, func() (string, error) {
		k.booked++
		return "courier booked for " + in.ID, nil
	})
}

// Cancel compensates Book.
func (k *Courier) Cancel(_ context.Context, key string, in Order) error {
	k.Compensate("cancel", key, func() string {
		k.booked--
		return "courier released from " + in.ID
	})
	return nil
}

// Booked returns the number of couriers booked and not cancelled.
func (k *Courier) Booked() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.booked
}

// Payments is the card service. Charging is the pivot: once a card is
// charged, the order goes through.
type Payments struct {
	Barrier
	Declined map[string]bool // cards that are declined
	paid     map[string]int64
}

// Charge charges in.Amount to in.Card, or fails for good if it is declined.
func (p *Payments) Charge(_ context.Context, key string, in Order) error {
	return p.Act("charge", key, func() (string, error) {
		if p.Declined[in.Card] {
			return "", engine.Permanent(ErrDeclined)
		}
		if p.paid == nil {
			p.paid = make(map[string]int64)
		}
		p.paid[in.Card] += in.Amount
		return fmt.Sprintf("card %s charged %d", in.Card, in.Amount), nil
	})
}

// Paid returns the total charged to card.
func (p *Payments) Paid(card string) int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.paid[card]
}
