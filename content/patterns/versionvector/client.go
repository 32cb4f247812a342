package versionvector

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/lamport-kb/lamport/sim"
)

// Client is the node that makes a Config.Script's writes: at each write's
// At (by its own clock) it sends a Put to the write's replica and waits
// Config.Timeout for the Ack; without one it tries the next replica, up
// to Config.Tries tries in all. Its state is volatile: after a crash it
// makes the writes whose time has not come yet and forgets the rest.
type Client struct {
	cfg      Config
	replicas []sim.NodeID
	tries    map[int]int         // tries sent per request, this boot
	acked    map[int]bool        // requests acknowledged, this boot
	timers   map[int]sim.TimerID // each request's next try
}

// Put asks a replica to add Item to the cart under Key; Req and Try name
// the script's write and the client's try.
type Put struct {
	Req, Try  int
	Key, Item string
}

func (p Put) String() string { return fmt.Sprintf("put %s += %s (try %d)", p.Key, p.Item, p.Try) }

// Ack tells the client that a Put is written, as Dot, on the replica's
// disk.
type Ack struct {
	Req, Try int
	Dot      Dot
}

func (a Ack) String() string { return fmt.Sprintf("ack %v (try %d)", a.Dot, a.Try) }

// Start schedules the writes still to come.
func (c *Client) Start(n *sim.Node) {
	c.tries, c.acked, c.timers = map[int]int{}, map[int]bool{}, map[int]sim.TimerID{}
	elapsed := n.Now().Sub(sim.Epoch)
	for i, w := range c.cfg.Script {
		if w.At >= elapsed {
			c.timers[i] = n.After(w.At-elapsed, "try "+strconv.Itoa(i))
		}
	}
}

// Fire sends a request's next try, unless it is acknowledged or out of
// tries.
func (c *Client) Fire(n *sim.Node, timer string) {
	_, arg, _ := strings.Cut(timer, " ")
	i, _ := strconv.Atoi(arg)
	c.tries[i]++
	w := c.cfg.Script[i]
	to := c.replicas[(int(w.Replica)+c.tries[i]-1)%len(c.replicas)]
	n.Send(to, Put{Req: i, Try: c.tries[i], Key: w.Key, Item: w.Item})
	if c.tries[i] < or(c.cfg.Tries, 3) {
		c.timers[i] = n.After(or(c.cfg.Timeout, 50*time.Millisecond), timer)
	}
}

// Receive records an acknowledgement; a later one for the same write (a
// slow try's) changes nothing.
func (c *Client) Receive(n *sim.Node, _ sim.NodeID, msg any) {
	if a, ok := msg.(Ack); ok && !c.acked[a.Req] {
		c.acked[a.Req] = true
		n.Cancel(c.timers[a.Req])
		n.Note("%s acknowledged as %v", c.cfg.Script[a.Req].Item, a.Dot)
	}
}

// Request is one write of the script as the run made it: the script's
// entry and each try the client sent, in order.
type Request struct {
	Write
	Tries []Try
}

// Try is one Put the client sent, and what became of it.
type Try struct {
	Replica string        // the replica it went to
	Sent    time.Duration // when the client sent it
	Put     sim.Fate      // what became of the Put
	Written *Write        // the write the replica made of it, or nil
	Ack     sim.Fate      // what became of the Ack (InFlight while none was sent)
	AckAt   time.Duration // when the Ack reached the client
}

// Acked returns the try that the client saw acknowledged, or nil.
func (r Request) Acked() *Try {
	for i := range r.Tries {
		if r.Tries[i].Ack == sim.Delivered {
			return &r.Tries[i]
		}
	}
	return nil
}

// Fate says in a few words what became of the write: acknowledged (after
// how many tries), or never.
func (r Request) Fate() string {
	t := r.Acked()
	switch {
	case len(r.Tries) == 0:
		return "never sent: the client was down"
	case t == nil:
		return fmt.Sprintf("never acknowledged, after %s", count(len(r.Tries), "try", "tries"))
	case len(r.Tries) == 1:
		return fmt.Sprintf("acknowledged by %s at %v", t.Replica, t.AckAt)
	}
	return fmt.Sprintf("acknowledged by %s at %v, after %s", t.Replica, t.AckAt, count(len(r.Tries), "try", "tries"))
}

// String says what became of one try.
func (t Try) String() string {
	at := fmt.Sprintf("to %s at %v: ", t.Replica, t.Sent)
	switch {
	case t.Put == sim.Dead:
		return at + t.Replica + " was down"
	case t.Put.Dropped():
		return at + "the request was " + t.Put.String()
	case t.Put == sim.InFlight:
		return at + "still on the wire at the end"
	case t.Written == nil:
		return at + t.Replica + " took it but wrote nothing (it crashed, or the run ended, first)"
	case t.Ack == sim.Delivered:
		return at + fmt.Sprintf("written as %v, acknowledged at %v", t.Written.Dot, t.AckAt)
	case t.Ack == sim.InFlight:
		return at + fmt.Sprintf("written as %v, the acknowledgement still on the wire", t.Written.Dot)
	}
	return at + fmt.Sprintf("written as %v, but the acknowledgement was %v", t.Written.Dot, t.Ack)
}

func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// Requests returns what became of each write of the script, from the
// run's messages and history.
func (h *History) Requests(s *sim.Sim) []Request {
	reqs := make([]Request, len(h.script))
	for i, w := range h.script {
		reqs[i].Write = w
	}
	acks := map[[2]int]*sim.Message{}
	for _, m := range s.Messages() {
		if a, ok := m.Payload.(Ack); ok && (acks[[2]int{a.Req, a.Try}] == nil || m.Fate == sim.Delivered) {
			acks[[2]int{a.Req, a.Try}] = m
		}
	}
	for _, m := range s.Messages() {
		p, ok := m.Payload.(Put)
		if !ok || m.Copy {
			continue
		}
		t := Try{Replica: s.Name(m.To), Sent: m.Sent, Put: m.Fate, Written: h.written(p)}
		if a := acks[[2]int{p.Req, p.Try}]; a != nil {
			t.Ack, t.AckAt = a.Fate, a.Arrive
		}
		reqs[p.Req].Tries = append(reqs[p.Req].Tries, t)
	}
	return reqs
}

// written returns the write a Put made, or nil.
func (h *History) written(p Put) *Write {
	for i, w := range h.Writes {
		if w.Req == p.Req && w.Try == p.Try {
			return &h.Writes[i]
		}
	}
	return nil
}
