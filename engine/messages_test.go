package engine

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// inbox is a workflow that receives n messages of topic "in" (each
// within a minute) and returns them joined; a timed-out Recv adds "-".
func inbox(n int) Workflow {
	return func(c *Context, _ []byte) ([]byte, error) {
		var got []string
		for range n {
			p, ok, err := Recv(c, "in", time.Minute)
			if err != nil {
				return nil, err
			}
			if !ok {
				p = []byte("-")
			}
			got = append(got, string(p))
		}
		return []byte(strings.Join(got, ",")), nil
	}
}

// startRun runs wf as id in the background and returns its outcome's channel.
func startRun(e *Engine, name, id string) <-chan string {
	done := make(chan string, 1)
	go func() {
		out, err := e.Run(context.Background(), name, id, nil)
		if err != nil {
			done <- "error: " + err.Error()
			return
		}
		done <- string(out)
	}()
	return done
}

// waitFor polls cond until it holds, for up to 10 s.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in 10 s")
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func exists(e *Engine, id string) func() bool {
	return func() bool { _, ok, _ := e.Status(context.Background(), id); return ok }
}

// TestSendRecv: messages reach a running workflow in the order sent, each
// received once, and the history records their payloads.
func TestSendRecv(t *testing.T) {
	e := mustOpen(t, filepath.Join(t.TempDir(), "e.db"), Options{})
	e.Register("inbox", inbox(3))
	done := startRun(e, "inbox", "r")
	waitFor(t, exists(e, "r"))
	for _, m := range []string{"a", "b", "c"} {
		if err := e.Send(context.Background(), "r", "in", []byte(m)); err != nil {
			t.Fatal(err)
		}
	}
	if got := <-done; got != "a,b,c" {
		t.Fatalf("got %q, want a,b,c", got)
	}
	var pending int
	e.db.QueryRow(`SELECT count(*) FROM engine_messages WHERE received IS NULL`).Scan(&pending)
	if pending != 0 {
		t.Errorf("%d messages still pending", pending)
	}
	if err := e.Send(context.Background(), "r", "in", []byte("late")); err == nil || !strings.Contains(err.Error(), "has ended") {
		t.Errorf("send to an ended run: %v, want an error saying it ended", err)
	}
	if err := e.Send(context.Background(), "nobody", "in", nil); !errors.Is(err, ErrNoRun) {
		t.Errorf("send to a missing run: %v, want ErrNoRun", err)
	}
}

// TestSendOnce: a retried SendOnce stores one message.
func TestSendOnce(t *testing.T) {
	clock := newFakeClock()
	e := mustOpen(t, filepath.Join(t.TempDir(), "e.db"), clock.options())
	e.Register("inbox", inbox(2))
	seed(t, e, "r") // Send needs the run to exist

	for range 3 {
		if err := e.SendOnce(context.Background(), "k1", "r", "in", []byte("once")); err != nil {
			t.Fatal(err)
		}
	}
	out, err := e.Run(context.Background(), "inbox", "r", nil)
	if err != nil || string(out) != "once,-" {
		t.Fatalf("got %q, %v; want once,- (one message, then a timeout)", out, err)
	}
}

// seed creates run id of workflow "inbox" in e's database with no
// history, as if its executor had crashed right after starting it.
func seed(t *testing.T, e *Engine, id string) {
	t.Helper()
	if _, _, err := e.startRun(context.Background(), "inbox", "", id, nil, RunOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := e.release(id, nil); err != nil {
		t.Fatal(err)
	}
}

// TestRecvTimeoutIsDurable: a Recv that timed out times out again on
// replay, even when a message arrived since; the message stays for the
// next Recv.
func TestRecvTimeoutIsDurable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "e.db")
	clock := newFakeClock()
	opts := clock.options()
	recvs := 0
	opts.Fault = func(p FaultPoint, _, step string) error {
		if p == FaultAfterCommit && step == "recv:in" {
			if recvs++; recvs == 2 { // the first Recv's timer, then its timeout
				return errors.New("kill -9")
			}
		}
		return nil
	}
	e := mustOpen(t, path, opts)
	e.Register("inbox", inbox(2))
	if _, err := e.Run(context.Background(), "inbox", "r", nil); !errors.Is(err, ErrCrashed) {
		t.Fatalf("err = %v, want ErrCrashed", err)
	}
	e.Close()

	again := mustOpen(t, path, clock.options())
	again.Register("inbox", inbox(2))
	if err := again.Send(context.Background(), "r", "in", []byte("m")); err != nil {
		t.Fatal(err)
	}
	out, err := again.Run(context.Background(), "inbox", "r", nil)
	if err != nil || string(out) != "-,m" {
		t.Fatalf("got %q, %v; want -,m: the recorded timeout, then the message", out, err)
	}
}

// TestRecvAtEveryCrashPoint crashes a run that receives two messages at
// each of its event boundaries in turn, then recovers it in a fresh
// engine: the output is the crash-free one, every message is received
// exactly once, and none is left over.
func TestRecvAtEveryCrashPoint(t *testing.T) {
	for k := 0; ; k++ {
		out, boundaries, pending := crashRecv(t, k)
		if out != "m1,m2" {
			t.Errorf("crash at boundary %d: output %q, want m1,m2", k, out)
		}
		if pending != 0 {
			t.Errorf("crash at boundary %d: %d messages left unreceived", k, pending)
		}
		if k >= boundaries {
			if boundaries < 6 {
				t.Fatalf("only %d boundaries", boundaries)
			}
			return
		}
	}
}

func crashRecv(t *testing.T, k int) (out string, boundaries, pending int) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "e.db")
	clock := newFakeClock()
	opts := clock.options()
	opts.Fault = func(FaultPoint, string, string) error {
		boundaries++
		if boundaries-1 == k {
			return errors.New("kill -9")
		}
		return nil
	}
	e := mustOpen(t, path, opts)
	e.Register("inbox", inbox(2))
	seed(t, e, "r")
	for _, m := range []string{"m1", "m2"} {
		if err := e.Send(context.Background(), "r", "in", []byte(m)); err != nil {
			t.Fatal(err)
		}
	}
	got, err := e.Run(context.Background(), "inbox", "r", nil)
	if err == nil {
		return string(got), boundaries, countPending(t, e)
	}
	if !errors.Is(err, ErrCrashed) {
		t.Fatal(err)
	}
	e.Close()
	again := mustOpen(t, path, clock.options())
	again.Register("inbox", inbox(2))
	if _, err := again.Recover(context.Background()); err != nil {
		t.Fatal(err)
	}
	got, err = again.Run(context.Background(), "inbox", "r", nil)
	if err != nil {
		t.Fatal(err)
	}
	return string(got), boundaries, countPending(t, again)
}

func countPending(t *testing.T, e *Engine) int {
	t.Helper()
	var n int
	if err := e.db.QueryRow(`SELECT count(*) FROM engine_messages WHERE received IS NULL`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestConcurrentSendersExactlyOnce: 200 messages sent concurrently by
// two engines on one file (the other's found by polling) are each
// received once by a run in the first.
func TestConcurrentSendersExactlyOnce(t *testing.T) {
	const n = 200
	path := filepath.Join(t.TempDir(), "e.db")
	e := mustOpen(t, path, Options{Durability: Normal})
	other := mustOpen(t, path, Options{Durability: Normal})
	e.Register("inbox", inbox(n))
	done := startRun(e, "inbox", "r")
	waitFor(t, exists(e, "r"))
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			via := e
			if i%2 == 1 {
				via = other
			}
			if err := via.Send(context.Background(), "r", "in", []byte(fmt.Sprint(i))); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	got := strings.Split(<-done, ",")
	seen := map[string]int{}
	for _, m := range got {
		seen[m]++
	}
	want := map[string]int{}
	for i := range n {
		want[fmt.Sprint(i)] = 1
	}
	if diff := cmp.Diff(want, seen); diff != "" {
		t.Errorf("messages received (-want +got):\n%s", diff)
	}
}

// TestSendFromWorkflowOnce: a workflow's Send is a step; a crash right
// after it commits, or before, delivers the message exactly once.
func TestSendFromWorkflowOnce(t *testing.T) {
	for _, point := range []FaultPoint{FaultBeforeCommit, FaultAfterCommit} {
		t.Run(string(point), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "e.db")
			clock := newFakeClock()
			sender := func(c *Context, _ []byte) ([]byte, error) {
				if err := Send(c, "r", "in", []byte("hi")); err != nil {
					return nil, err
				}
				return []byte("sent"), Send(c, "missing", "in", nil)
			}
			opts := clock.options()
			opts.Fault = crashAt(point, "send:in")
			e := mustOpen(t, path, opts)
			e.Register("inbox", inbox(2))
			e.Register("sender", sender)
			seed(t, e, "r")
			if _, err := e.Run(context.Background(), "sender", "s", nil); !errors.Is(err, ErrCrashed) {
				t.Fatalf("err = %v, want ErrCrashed", err)
			}
			e.Close()
			again := mustOpen(t, path, clock.options())
			again.Register("inbox", inbox(2))
			again.Register("sender", sender)
			_, err := again.Run(context.Background(), "sender", "s", nil)
			var se *StepError
			if !errors.As(err, &se) || se.Step != "send:in" || !strings.Contains(se.Msg, "missing") {
				t.Fatalf("err = %v, want the failed step sending to a missing run", err)
			}
			out, err := again.Run(context.Background(), "inbox", "r", nil)
			if err != nil || string(out) != "hi,-" {
				t.Fatalf("got %q, %v; want hi,- (the message once)", out, err)
			}
		})
	}
}

// TestParkedRecvWokenBySend: recovery parks a run at a long Recv, with no
// goroutine; a Send wakes it for the recovery loop, which delivers it.
func TestParkedRecvWokenBySend(t *testing.T) {
	path := filepath.Join(t.TempDir(), "e.db")
	e := mustOpen(t, path, Options{ParkAfter: time.Millisecond, RecoverEvery: 5 * time.Millisecond})
	e.Register("inbox", inbox(1))
	seed(t, e, "r")
	waitFor(t, func() bool {
		var wake *int64
		e.db.QueryRow(`SELECT wake FROM engine_runs WHERE id = 'r'`).Scan(&wake)
		return wake != nil
	})
	if err := e.Send(context.Background(), "r", "in", []byte("wake up")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { s, _, _ := e.Status(context.Background(), "r"); return s == statusDone })
	out, err := e.Run(context.Background(), "inbox", "r", nil)
	if err != nil || string(out) != "wake up" {
		t.Fatalf("got %q, %v", out, err)
	}
}

// TestMessagesUnderLock: another process holds the write lock past the
// busy timeout and every storage retry, first when a run is about to
// receive a message, then during a Send. The run is left running (not
// failed) and the Send fails with ErrUnavailable, storing nothing; once
// the lock is gone the run receives its message once.
func TestMessagesUnderLock(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "e.db")
	l := newLocker(t, path)
	opts := storageOptions()
	writes := 0
	opts.Fault = func(p FaultPoint, _, step string) error {
		if p == FaultBeforeCommit && step == "recv:in" {
			if writes++; writes == 2 { // the timer, then the receipt
				l.lock(t)
			}
		}
		return nil
	}
	e := mustOpen(t, path, opts)
	e.Register("inbox", inbox(1))
	seed(t, e, "r")
	if err := e.Send(ctx, "r", "in", []byte("m")); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Run(ctx, "inbox", "r", nil); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("Run under the lock: %v, want ErrUnavailable", err)
	}
	if err := e.Send(ctx, "r", "in", []byte("lost")); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("Send under the lock: %v, want ErrUnavailable", err)
	}
	l.unlock()
	if s, _, _ := e.Status(ctx, "r"); s != statusRunning {
		t.Fatalf("status %q, want running", s)
	}
	out, err := e.Run(ctx, "inbox", "r", nil)
	if err != nil || string(out) != "m" {
		t.Fatalf("after the lock: %q, %v; want m", out, err)
	}
	if n := countPending(t, e); n != 0 {
		t.Errorf("%d messages pending; the failed Send must have stored nothing", n)
	}
}
