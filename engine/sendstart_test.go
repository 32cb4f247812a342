package engine

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestSendStartCreatesTheRun: a message to a run that does not exist yet
// starts it, with the message waiting for its Recv; this engine executes
// it in the background and Await returns its result.
func TestSendStartCreatesTheRun(t *testing.T) {
	ctx := context.Background()
	e := mustOpen(t, filepath.Join(t.TempDir(), "e.db"), Options{})
	e.Register("inbox", inbox(1))
	if err := e.SendStart(ctx, "inbox", "x", nil, Message{Topic: "in", Payload: []byte("hello")}); err != nil {
		t.Fatal(err)
	}
	out, err := e.Await(ctx, "x")
	if err != nil || string(out) != "hello" {
		t.Fatalf("Await = %q, %v; want hello", out, err)
	}
}

// TestSendStartToARunningRun: a run that exists only gets the message:
// it is not started again, and keeps its input.
func TestSendStartToARunningRun(t *testing.T) {
	ctx := context.Background()
	e := mustOpen(t, filepath.Join(t.TempDir(), "e.db"), Options{})
	e.Register("inbox", inbox(2))
	done := startRun(e, "inbox", "x")
	waitFor(t, exists(e, "x"))
	for _, p := range []string{"one", "two"} {
		if err := e.SendStart(ctx, "inbox", "x", []byte("ignored"), Message{Topic: "in", Payload: []byte(p)}); err != nil {
			t.Fatal(err)
		}
	}
	if got := <-done; got != "one,two" {
		t.Errorf("run = %q, want one,two", got)
	}
	if r, _ := loadRun(e.db, "x"); r.input != nil {
		t.Errorf("input %q: SendStart replaced the running run's input", r.input)
	}
}

// TestSendStartWithoutTheWorkflow: an engine that has not registered the
// workflow (a client process) stores the run and its message durably in
// one transaction; an executor that has the workflow runs it after a
// restart, receiving the message once even though the client sent it
// twice under one key.
func TestSendStartWithoutTheWorkflow(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "e.db")
	client, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	m := Message{Topic: "in", Payload: []byte("paid"), Key: "k1"}
	for range 2 {
		if err := client.SendStart(ctx, "inbox", "x", []byte("in"), m); err != nil {
			t.Fatal(err)
		}
	}
	client.Close()

	e := mustOpen(t, path, newFakeClock().options()) // the second Recv times out at once
	e.Register("inbox", inbox(2))
	if n, err := e.Recover(ctx); n != 1 || err != nil {
		t.Fatalf("Recover = %d, %v; want the one run", n, err)
	}
	out, err := e.Await(ctx, "x")
	if err != nil || string(out) != "paid,-" {
		t.Errorf("run = %q, %v; want paid,- (the keyed message once, then a timeout)", out, err)
	}
	var stored int
	e.db.QueryRow(`SELECT count(*) FROM engine_messages WHERE run_id = 'x'`).Scan(&stored)
	if r, _ := loadRun(e.db, "x"); stored != 1 || string(r.input) != "in" {
		t.Errorf("%d messages stored, input %q; want 1, in", stored, r.input)
	}
}

// TestSendStartRefuses: another workflow's run and an ended run get no
// message, and nothing is written.
func TestSendStartRefuses(t *testing.T) {
	ctx := context.Background()
	e := mustOpen(t, filepath.Join(t.TempDir(), "e.db"), Options{})
	e.Register("inbox", inbox(1))
	var calls counter
	e.Register("wf", threeSteps(&calls, nil))
	if _, err := e.Run(ctx, "wf", "ended", nil); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, id, want string }{
		{"inbox", "ended", "belongs to workflow"},
		{"wf", "ended", "has ended"},
	} {
		err := e.SendStart(ctx, tc.name, tc.id, nil, Message{Topic: "in"})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("SendStart(%s, %s) = %v, want %q", tc.name, tc.id, err, tc.want)
		}
	}
	var stored int
	e.db.QueryRow(`SELECT count(*) FROM engine_messages`).Scan(&stored)
	if stored != 0 {
		t.Errorf("%d messages stored by refused sends", stored)
	}
}

// TestSendToUnknownAndQueuedRuns: Send to an ID the database does not
// have is ErrNoRun (as DBOS's NonExistentWorkflowError), and nothing is
// kept for it; a run still in its queue takes the message once started.
func TestSendToUnknownAndQueuedRuns(t *testing.T) {
	ctx := context.Background()
	e := mustOpen(t, filepath.Join(t.TempDir(), "e.db"), Options{})
	e.Register("inbox", inbox(1))
	if err := e.Send(ctx, "nobody", "in", []byte("x")); !errors.Is(err, ErrNoRun) {
		t.Errorf("Send to a missing run = %v, want ErrNoRun", err)
	}
	if err := e.Enqueue(ctx, "later", "inbox", "q", nil); err != nil {
		t.Fatal(err)
	}
	if err := e.Send(ctx, "q", "in", []byte("queued")); err != nil {
		t.Fatalf("Send to a queued run: %v", err)
	}
	if err := e.RegisterQueue(Queue{Name: "later"}); err != nil {
		t.Fatal(err)
	}
	actx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if out, err := e.Await(actx, "q"); err != nil || string(out) != "queued" {
		t.Errorf("queued run = %q, %v; want queued", out, err)
	}
	var stored int
	e.db.QueryRow(`SELECT count(*) FROM engine_messages WHERE run_id = 'nobody'`).Scan(&stored)
	if stored != 0 {
		t.Errorf("%d messages kept for a missing run", stored)
	}
}
