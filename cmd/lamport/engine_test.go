package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lamport-kb/lamport/engine"
)

// orderFlow reserves, waits a second (a durable timer), then ships;
// input "fail" fails the shipping for good.
func orderFlow(c *engine.Context, input []byte) ([]byte, error) {
	if _, err := engine.Step(c, "reserve", func(context.Context, string) (string, error) { return "R-1", nil }); err != nil {
		return nil, err
	}
	if err := engine.Sleep(c, "cool-off", time.Second); err != nil {
		return nil, err
	}
	_, err := engine.Step(c, "ship", func(context.Context, string) (bool, error) {
		if string(input) == "fail" {
			return false, engine.Permanent(errors.New("address unknown"))
		}
		return true, nil
	})
	return []byte("shipped"), err
}

// engineDB makes a real engine database with a done, a failed, an
// unfinished (crashed) and a run marked for attention, and returns its path.
func engineDB(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "runs.db")
	e, err := engine.Open(path, engine.Options{ExecutorID: "w1", MaxRecoveries: 1})
	if err != nil {
		t.Fatal(err)
	}
	e.Register("order", orderFlow)
	e.Register("stuck", func(*engine.Context, []byte) ([]byte, error) { panic("bad code") })
	e.Run(ctx, "order", "order-1", nil)
	e.Run(ctx, "order", "order-2", []byte("fail"))
	e.Run(ctx, "stuck", "stuck", nil) // panics: left for recovery, twice, then marked
	for range 2 {
		e.Recover(ctx)
	}
	if err := e.Enqueue(ctx, "nightly", "order", "queued-1", nil); err != nil { // no executor serves "nightly"
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	crash := func(p engine.FaultPoint, _, step string) error {
		if step == "cool-off" && p == engine.FaultAfterCommit {
			return errors.New("kill -9")
		}
		return nil
	}
	crashing, err := engine.Open(path, engine.Options{ExecutorID: "w1", Fault: crash})
	if err != nil {
		t.Fatal(err)
	}
	crashing.Register("order", orderFlow)
	if _, err := crashing.Run(ctx, "order", "order-3", nil); !errors.Is(err, engine.ErrCrashed) {
		t.Fatal(err)
	}
	if err := crashing.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func cli(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := run(context.Background(), args, &out, io.Discard)
	return out.String(), err
}

func TestEngineCommand(t *testing.T) {
	db := engineDB(t)
	out, err := cli(t, "engine", "list", "--db", db)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"ID  ", "order-1   order", "done", "order-2", "failed", "ship: address unknown", "order-3", "running", "stuck", "attention", "queued-1", "enqueued", "5 runs"} {
		if !strings.Contains(out, want) {
			t.Errorf("list: no %q in\n%s", want, out)
		}
	}
	if out, _ := cli(t, "engine", "list", "--db", db, "--status", "failed"); !strings.Contains(out, "order-2") || strings.Contains(out, "order-1") {
		t.Errorf("list --status failed:\n%s", out)
	}

	out, err = cli(t, "engine", "inspect", "order-1", "--db", db)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"status    done", "history", "cool-off  timer", "wake ", `"R-1"`, "timeline", "reserve  |█", "·", "in all"} {
		if !strings.Contains(out, want) {
			t.Errorf("inspect: no %q in\n%s", want, out)
		}
	}

	if out, err = cli(t, "engine", "cancel", "--db", db, "order-3"); err != nil || !strings.Contains(out, "cancellation requested") {
		t.Fatalf("cancel: %q, %v", out, err)
	}
	if out, _ := cli(t, "engine", "inspect", "--db", db, "order-3"); !strings.Contains(out, "cancelled requested") {
		t.Errorf("inspect after cancel:\n%s", out)
	}
	recoverAll(t, db)
	if out, _ := cli(t, "engine", "list", "--db", db, "--status", "cancelled"); !strings.Contains(out, "order-3") {
		t.Errorf("the cancelled run did not end cancelled once recovered:\n%s", out)
	}
	if out, _ := cli(t, "engine", "inspect", "--db", db, "queued-1"); !strings.Contains(out, "queue     nightly") || !strings.Contains(out, "no events recorded") {
		t.Errorf("inspect of a queued run:\n%s", out)
	}
	if _, err := cli(t, "engine", "cancel", "--db", db, "queued-1"); err != nil {
		t.Fatal(err)
	}
	if out, err = cli(t, "engine", "resume", "--db", db, "stuck"); err != nil || !strings.Contains(out, "runnable again") {
		t.Fatalf("resume: %q, %v", out, err)
	}
	if out, _ := cli(t, "engine", "list", "--db", db, "--status", "attention"); !strings.Contains(out, "0 runs") {
		t.Errorf("still marked after resume:\n%s", out)
	}
}

// recoverAll recovers the runs of db with the order workflow, as a server would.
func recoverAll(t *testing.T, db string) {
	t.Helper()
	e, err := engine.Open(db, engine.Options{ExecutorID: "w2", Lease: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	e.Register("order", orderFlow)
	time.Sleep(5 * time.Millisecond) // w1's leases lapse
	if _, err := e.Recover(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestEngineCommandErrors(t *testing.T) {
	db := engineDB(t)
	notEngine := filepath.Join(t.TempDir(), "notes.txt")
	os.WriteFile(notEngine, []byte("not a database at all, just some text in a file"), 0o644)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"engine", "list"}, "--db FILE is required"},
		{[]string{"engine", "list", "--db", filepath.Join(t.TempDir(), "typo.db")}, "no such file"},
		{[]string{"engine", "list", "--db", notEngine}, "not a SQLite database"},
		{[]string{"engine", "list", "--db", db, "--status", "finished"}, "want one of enqueued, running, done, failed, cancelled, attention"},
		{[]string{"engine", "list", "--db", db, "--since", "yesterday"}, `--since: "yesterday" is neither`},
		{[]string{"engine", "inspect", "--db", db, "nobody"}, "no such run: nobody"},
		{[]string{"engine", "inspect", "--db", db}, "want one run ID"},
		{[]string{"engine", "cancel", "--db", db, "order-1"}, "already ended (done)"},
		{[]string{"engine", "resume", "--db", db, "order-1"}, "does not need attention"},
		{[]string{"engine", "purge", "--db", db}, `unknown engine command "purge"`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args[1:], " "), func(t *testing.T) {
			_, err := cli(t, tt.args...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(db), "typo.db")); err == nil {
		t.Error("a mistyped --db path was created")
	}
}
