package engine

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sync"
	"time"
)

// Messages: Send stores a message for a run under a topic; the workflow
// takes messages one at a time with Recv, oldest first. A message is
// received by the event that records it, in one transaction (the message
// is marked with the event's number), so it is received once and its
// payload is in the run's history: a message sent before a crash is
// received after it, and a replay receives the same messages as the
// first execution. Recv's timeout is a durable timer, recorded before
// waiting, so it survives a restart and a replay that timed out times out
// again at the same step.
//
// A Recv in this process wakes as soon as a message is committed here;
// one sent by another process is found by polling (from 5 ms up to a
// second between reads). A run parked at a long Recv (see
// Options.ParkAfter) is woken by a Send for recovery to take it.

// forever is the wake-up time of a Recv without a timeout.
var forever = time.Unix(0, math.MaxInt64)

// The message writes.
const (
	sendMessage = `INSERT OR IGNORE INTO engine_messages (run_id, topic, payload, key, sent)
		SELECT ?1, ?2, ?3, ?4, ?5 WHERE EXISTS (SELECT 1 FROM engine_runs WHERE id = ?1 AND status IN ('running', 'attention', 'enqueued'))`
	// wakeParked lets recovery take a parked run at once.
	wakeParked     = `UPDATE engine_runs SET wake = NULL WHERE id = ? AND owner IS NULL AND wake IS NOT NULL`
	pendingMessage = `SELECT 1 FROM engine_messages WHERE run_id = ? AND topic = ? AND received IS NULL LIMIT 1`
	nextMessage    = `SELECT id, payload FROM engine_messages WHERE run_id = ? AND topic = ? AND received IS NULL ORDER BY id LIMIT 1`
	takeMessage    = `UPDATE engine_messages SET received = ? WHERE id = ?`
)

// Send sends payload to run runID under topic, for the run's Recv. It
// returns once the message is durable. The run must exist (it may still
// wait in its queue) and not have ended: a run ID the database does not
// have is ErrNoRun, as in DBOS, rather than a message kept for a run that
// may never start (a mistyped ID). To send to a run that may not exist
// yet, starting it if not, use SendStart. Sending the same payload twice
// sends two messages; SendOnce does not.
func (e *Engine) Send(ctx context.Context, runID, topic string, payload []byte) error {
	return e.send(ctx, runID, topic, "", payload)
}

// SendOnce is Send with an idempotency key: of the sends to runID with
// one key, only the first stores a message, so a sender that retries
// after an unclear failure delivers once.
func (e *Engine) SendOnce(ctx context.Context, key, runID, topic string, payload []byte) error {
	return e.send(ctx, runID, topic, key, payload)
}

func (e *Engine) send(ctx context.Context, runID, topic, key string, payload []byte) error {
	if err := e.known(ctx, runID); err != nil { // a read: a missing run takes no write lock
		return err
	}
	err := e.durably(ctx, func() error {
		return e.w.do(ctx, func(tx *sql.Tx) error {
			stored, err := store(tx, runID, topic, key, payload, e.opts.Now())
			if err != nil || stored {
				return err
			}
			return e.explainUnsent(tx, runID, key)
		})
	})
	if err != nil {
		return unavailable(err)
	}
	e.signals.notify(runID)
	return nil
}

// store writes a message, and wakes the run if it is parked. It reports
// false when the run cannot receive it (missing or ended) or key was used.
func store(tx *sql.Tx, runID, topic, key string, payload []byte, now time.Time) (bool, error) {
	res, err := tx.Exec(sendMessage, runID, topic, payload, sql.NullString{String: key, Valid: key != ""}, now.UnixNano())
	if err != nil {
		return false, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return false, nil
	}
	_, err = tx.Exec(wakeParked, runID)
	return err == nil, err
}

// explainUnsent says why a message was not stored: nil when its key was
// used already (it was sent), ErrNoRun or an ended run otherwise.
func (e *Engine) explainUnsent(tx *sql.Tx, runID, key string) error {
	var status string
	err := tx.QueryRow(`SELECT status FROM engine_runs WHERE id = ?`, runID).Scan(&status)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("%w: %s", ErrNoRun, runID)
	case err != nil:
		return err
	case status != statusRunning && status != statusAttention && status != statusEnqueued:
		return fmt.Errorf("engine: run %s has ended (%s): it receives no more messages", runID, status)
	}
	return nil // a retried SendOnce
}

// Send, in a workflow, sends payload to run runID under topic as a step
// named "send:" + topic: the message and the step's record commit
// together, so the message is sent once however often the workflow is
// replayed. A run that cannot receive it (missing or ended) makes it a
// failed step.
func Send(c *Context, runID, topic string, payload []byte) error {
	name := "send:" + topic
	n := c.step
	c.step++
	_, done, err := c.begin(n, name, false)
	if err != nil || done != nil {
		return cmp.Or(err, done.stepError())
	}
	key := fmt.Sprintf("%s/%d/%s", c.run.id, n, name)
	var stored bool
	_, err = c.recordWith(event{stepSeq: n, step: name, kind: kindDone, attempt: 1},
		func(tx *sql.Tx, ev *event) (bool, error) {
			var err error
			stored, err = store(tx, runID, topic, key, payload, c.engine.opts.Now())
			ev.result, ev.failed, ev.errMsg = []byte("true"), false, ""
			if !stored {
				ev.result, ev.failed, ev.errMsg = nil, true, fmt.Sprintf("run %s does not exist or has ended", runID)
			}
			return err == nil, err
		})
	switch {
	case err != nil:
		return err
	case !stored:
		return &StepError{Step: name, Attempts: 1, Msg: fmt.Sprintf("run %s does not exist or has ended", runID)}
	}
	c.engine.signals.notify(runID)
	return nil
}

// received is the recorded result of a Recv.
type received struct {
	Payload []byte `json:"payload,omitempty"`
	Timeout bool   `json:"timeout,omitempty"`
}

// Recv waits for the next message sent to this run under topic (see
// Engine.Send), for at most timeout by the workflow clock (0 or less: no
// limit), and returns its payload, or ok false if the timeout passed
// first. It is a step named "recv:" + topic, replayed like any other.
// Cancellation ends the wait.
func Recv(c *Context, topic string, timeout time.Duration) (payload []byte, ok bool, err error) {
	name := "recv:" + topic
	n := c.step
	c.step++
	past, done, err := c.begin(n, name, false)
	if err != nil {
		return nil, false, err
	}
	if done != nil {
		return decodeReceived(c, n, name, done)
	}
	wake := forever
	if t := last(past, kindTimer); t != nil {
		wake = t.wake
	} else if timeout > 0 {
		wake = c.engine.opts.Now().Add(timeout)
		if err := c.record(event{stepSeq: n, step: name, kind: kindTimer, wake: wake}); err != nil {
			return nil, false, err
		}
	}
	for delay := 5 * time.Millisecond; ; delay = min(2*delay, time.Second) {
		payload, ok, done, err := c.tryReceive(n, name, topic, wake, delay)
		if done {
			return payload, ok, err
		}
	}
}

// tryReceive is one round of Recv: it receives a pending message, records
// the timeout once wake has passed, or waits (for up to delay) for a
// message. done reports that Recv returns (payload, ok, err).
func (c *Context) tryReceive(n int, name, topic string, wake time.Time, delay time.Duration) (payload []byte, ok, done bool, err error) {
	signal, stop := c.engine.signals.wait(c.run.id)
	defer stop()
	if got, err := c.receive(n, name, topic); err != nil || got != nil {
		return payloadOf(got), got != nil, true, err
	}
	if !c.engine.opts.Now().Before(wake) {
		err := c.record(event{stepSeq: n, step: name, kind: kindDone, attempt: 1, result: []byte(`{"timeout":true}`)})
		return nil, false, true, err
	}
	if err := c.awaitMessage(topic, wake, delay, signal); err != nil {
		return nil, false, true, c.interrupted(n, name, err)
	}
	return nil, false, false, nil
}

func payloadOf(r *received) []byte {
	if r == nil {
		return nil
	}
	return r.Payload
}

func decodeReceived(c *Context, n int, name string, done *event) ([]byte, bool, error) {
	r, err := decode[received](done)
	if err != nil {
		return nil, false, c.halt(&NonDeterminismError{RunID: c.run.id, Seq: n, Expected: name, Got: name, Reason: err.Error()})
	}
	return r.Payload, !r.Timeout && !done.failed, done.stepError()
}

// receive takes the oldest pending message of topic, if any, recording it
// as step n's result in the transaction that marks it received.
func (c *Context) receive(n int, name, topic string) (*received, error) {
	var pending int
	err := c.engine.db.QueryRowContext(c, pendingMessage, c.run.id, topic).Scan(&pending)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, unavailable(err)
	}
	var got *received
	ok, err := c.recordWith(event{stepSeq: n, step: name, kind: kindDone, attempt: 1},
		func(tx *sql.Tx, ev *event) (bool, error) {
			var id int64
			got = &received{}
			err := tx.QueryRow(nextMessage, c.run.id, topic).Scan(&id, &got.Payload)
			if errors.Is(err, sql.ErrNoRows) {
				return false, nil
			}
			if err != nil {
				return false, err
			}
			if _, err := tx.Exec(takeMessage, ev.seq, id); err != nil {
				return false, err
			}
			ev.result, err = json.Marshal(got)
			return err == nil, err
		})
	if !ok {
		got = nil
	}
	return got, err
}

// awaitMessage waits until a message may have arrived (signal, or delay
// passed, for messages from other processes), the timeout at wake, the
// run's deadline or its cancellation (errInterrupted). A run resumed by
// recovery parks instead of a long wait; a Send wakes it.
func (c *Context) awaitMessage(topic string, wake time.Time, delay time.Duration, signal <-chan struct{}) error {
	now := c.engine.opts.Now()
	until := wake
	if dl := c.run.deadline; !dl.IsZero() && dl.Before(until) {
		until = dl
	}
	if c.park && until.Sub(now) > c.engine.opts.ParkAfter {
		return c.halt(&parked{wake: until, topic: topic, recv: true})
	}
	ctx, stop := context.WithCancel(c.cancel.waits)
	defer stop()
	go func() {
		select {
		case <-signal:
			stop()
		case <-ctx.Done():
		}
	}()
	c.engine.opts.Sleep(ctx, min(delay, until.Sub(now)))
	if c.Err() != nil {
		return c.Err()
	}
	if c.cancelReason() != "" {
		return errInterrupted
	}
	return nil
}

// signals wake the waits of this process when a run gets a message or
// publishes a value: wait returns a channel that the next notify of the
// run closes, and a function to call when done waiting, so that a run
// nobody waits for any more is forgotten.
type signals struct {
	mu sync.Mutex
	m  map[string]*signal
}

type signal struct {
	ch      chan struct{}
	waiters int
}

func (s *signals) wait(runID string) (<-chan struct{}, func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = make(map[string]*signal)
	}
	sig, ok := s.m[runID]
	if !ok {
		sig = &signal{ch: make(chan struct{})}
		s.m[runID] = sig
	}
	sig.waiters++
	return sig.ch, func() { s.done(runID, sig) }
}

func (s *signals) done(runID string, sig *signal) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sig.waiters--; sig.waiters == 0 && s.m[runID] == sig {
		delete(s.m, runID)
	}
}

func (s *signals) notify(runID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sig, ok := s.m[runID]; ok {
		close(sig.ch)
		delete(s.m, runID)
	}
}

// len is how many runs have waiters, for tests.
func (s *signals) len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.m)
}
