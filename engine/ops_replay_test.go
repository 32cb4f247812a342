package engine

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"
)

// TestReplayOperations: the histories of runs that received messages,
// sent one, published values and started children replay against their
// code without a database, and a changed topic is a non-determinism
// error at its step.
func TestReplayOperations(t *testing.T) {
	ctx := context.Background()
	clock := newFakeClock()
	e := mustOpen(t, filepath.Join(t.TempDir(), "e.db"), clock.options())
	var calls counter
	parent, kid := parentOf(&calls)
	gate := make(chan struct{})
	close(gate)
	sender := func(c *Context, _ []byte) ([]byte, error) { return nil, Send(c, "in", "in", []byte("x")) }
	flows := map[string]Workflow{"inbox": inbox(2), "parent": parent, "kid": kid, "pub": publisher(gate, &calls), "sender": sender}
	for name, wf := range flows {
		e.Register(name, wf)
	}
	seed(t, e, "in")
	for _, r := range [][2]string{{"sender", "s"}, {"inbox", "in"}, {"parent", "p"}, {"pub", "v"}} {
		if _, err := e.Run(ctx, r[0], r[1], nil); err != nil {
			t.Fatalf("%s: %v", r[1], err)
		}
		h, err := e.History(ctx, r[1])
		if err != nil {
			t.Fatal(err)
		}
		if err := Replay(flows[r[0]], h); err != nil {
			t.Errorf("replay of %s: %v", r[1], err)
		}
	}
	h, _ := e.History(ctx, "in")
	renamed := func(c *Context, _ []byte) ([]byte, error) {
		_, _, err := Recv(c, "inbox", time.Minute)
		return nil, err
	}
	var nd *NonDeterminismError
	if err := Replay(renamed, h); !errors.As(err, &nd) || nd.Seq != 0 || nd.Expected != "recv:in" {
		t.Errorf("replay with another topic: %v, want a NonDeterminismError at step 0", err)
	}
}
