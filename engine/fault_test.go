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

// ledger is an external system that applies each idempotency key once,
// and counts how often it was asked.
type ledger struct {
	mu      sync.Mutex
	applied map[string]int // key → amount applied
	asked   map[string]int
}

func newLedger() *ledger { return &ledger{applied: map[string]int{}, asked: map[string]int{}} }

func (l *ledger) apply(key string, amount int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.asked[key]++
	if _, done := l.applied[key]; !done {
		l.applied[key] = amount
	}
}

// transfer has side effects in three steps, a retried flaky step and a
// durable timer, so every kind of event boundary occurs.
func transfer(l *ledger, flakyCalls *int) Workflow {
	return func(c *Context, _ []byte) ([]byte, error) {
		var total int
		for _, acct := range []string{"debit", "credit", "fee"} {
			v, err := Step(c, acct, func(ctx context.Context, key string) (int, error) {
				l.apply(key, len(acct))
				return len(acct), nil
			})
			if err != nil {
				return nil, err
			}
			total += v
		}
		if _, err := StepWith(c, "notify", StepOptions{Retry: RetryPolicy{MaxAttempts: 3, Initial: time.Second, NoJitter: true}},
			flaky(1, flakyCalls, errors.New("smtp busy"))); err != nil {
			return nil, err
		}
		if err := Sleep(c, "settle", time.Hour); err != nil {
			return nil, err
		}
		return []byte(fmt.Sprint(total)), nil
	}
}

// TestCrashAtEveryPoint runs the workflow once per event boundary with a
// crash injected there, then recovers in a fresh engine on the same file.
// The final output and the ledger must equal the crash-free run's, and no
// idempotency key may be applied twice.
func TestCrashAtEveryPoint(t *testing.T) {
	want, base, boundaries := runCrash(t, -1)
	wantLedger := base.applied
	if boundaries < 12 {
		t.Fatalf("only %d event boundaries seen", boundaries)
	}
	for k := 0; k < boundaries; k++ {
		got, gotLedger, _ := runCrash(t, k)
		if got != want {
			t.Errorf("crash at boundary %d: output %q, want %q", k, got, want)
		}
		if diff := cmp.Diff(wantLedger, gotLedger.applied); diff != "" {
			t.Errorf("crash at boundary %d: ledger (-want +got):\n%s", k, diff)
		}
		// At-least-once delivery: only the step whose effect happened but
		// whose record was lost (a crash after the effect or before the
		// commit) sends its key a second time; the ledger applied it once.
		for key, n := range gotLedger.asked {
			lost := (strings.HasPrefix(gotLedger.crashedAt, string(FaultAfterEffect)) || strings.HasPrefix(gotLedger.crashedAt, string(FaultBeforeCommit))) &&
				strings.HasSuffix(key, "/"+strings.Fields(gotLedger.crashedAt)[1])
			if n > 2 || (n == 2 && !lost) {
				t.Errorf("crash at boundary %d (%s): key %s was sent %d times", k, gotLedger.crashedAt, key, n)
			}
		}
	}
	t.Logf("%d crash points checked", boundaries)
}

type crashLedger struct {
	*ledger
	crashedAt string
}

// runCrash crashes at the k-th event boundary (k < 0: never), recovers in
// a fresh engine, and returns the output, the ledger and the number of
// boundaries seen.
func runCrash(t *testing.T, k int) (string, *crashLedger, int) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "e.db")
	l := &crashLedger{ledger: newLedger()}
	clock := newFakeClock()
	seen := 0
	opts := clock.options()
	opts.Fault = func(p FaultPoint, runID, step string) error {
		seen++
		if seen-1 == k {
			l.crashedAt = string(p) + " " + step
			return errors.New("boom")
		}
		return nil
	}
	flakyCalls := 0
	e := mustOpen(t, path, opts)
	e.Register("transfer", transfer(l.ledger, &flakyCalls))
	out, err := e.Run(context.Background(), "transfer", "tx-1", nil)
	if k < 0 {
		if err != nil {
			t.Fatal(err)
		}
		return string(out), l, seen
	}
	if !errors.Is(err, ErrCrashed) {
		t.Fatalf("crash at boundary %d: err = %v, want ErrCrashed", k, err)
	}
	e.Close()
	opts.Fault = nil
	again := mustOpen(t, path, opts)
	again.Register("transfer", transfer(l.ledger, &flakyCalls))
	if _, err := again.Recover(context.Background()); err != nil {
		t.Fatalf("recover after crash at %d (%s): %v", k, l.crashedAt, err)
	}
	out, err = again.Run(context.Background(), "transfer", "tx-1", nil)
	if err != nil {
		t.Fatal(err)
	}
	return string(out), l, seen
}
