package outbox

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/lamport-kb/lamport/internal/proptest"
)

var (
	errCrash  = errors.New("crash")
	errBroker = errors.New("broker unavailable")
	t0        = time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
)

func mustOpen(tb testing.TB, path string) *sql.DB {
	tb.Helper()
	db, err := Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	if _, err := db.Exec(`CREATE TABLE IF NOT EXISTS orders (id INTEGER PRIMARY KEY AUTOINCREMENT, aggregate TEXT NOT NULL);
		CREATE TABLE IF NOT EXISTS effects (message_id INTEGER PRIMARY KEY, n INTEGER NOT NULL)`); err != nil {
		tb.Fatal(err)
	}
	return db
}

// place writes a business row and its message in one transaction, and
// commits it unless rollback is set. It returns the message's ID.
func place(tb testing.TB, db *sql.DB, aggregate string, rollback bool) int64 {
	tb.Helper()
	ctx := context.Background()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		tb.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `INSERT INTO orders (aggregate) VALUES (?)`, aggregate); err != nil {
		tb.Fatal(err)
	}
	id, err := Enqueue(ctx, tx, Message{Aggregate: aggregate, Topic: "orders", Payload: []byte(aggregate), Created: t0})
	if err != nil {
		tb.Fatal(err)
	}
	if rollback {
		return 0
	}
	if err := tx.Commit(); err != nil {
		tb.Fatal(err)
	}
	return id
}

func count(tb testing.TB, db *sql.DB, query string, args ...any) int {
	tb.Helper()
	var n int
	if err := db.QueryRow(query, args...).Scan(&n); err != nil {
		tb.Fatal(err)
	}
	return n
}

// broker records what was published, in order, and fails a publish with
// probability fail.
type broker struct {
	mu   sync.Mutex
	log  []Message
	fail float64
	rnd  *rand.Rand
}

func (b *broker) published() []Message {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]Message(nil), b.log...)
}

func (b *broker) publish(_ context.Context, m Message) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.rnd != nil && b.rnd.Float64() < b.fail {
		return errBroker
	}
	b.log = append(b.log, m)
	return nil
}

// run is one randomised history: messages committed (or rolled back)
// between relay passes, a broker that fails, and relays that crash between
// publish and mark. After a crash a new relay, under a new owner, takes
// over once the lease has expired.
type run struct {
	committed []Message // in ID order
	published []Message
	crashes   int
}

// simulated is simulate's run for seed, computed once per test binary:
// several properties are checked over the same histories.
func simulated(t *testing.T, seed uint64) run {
	t.Helper()
	simulations.Lock()
	defer simulations.Unlock()
	r, ok := simulations.runs[seed]
	if !ok {
		r = simulate(t, seed)
		simulations.runs[seed] = r
	}
	return r
}

var simulations = struct {
	sync.Mutex
	runs map[uint64]run
}{runs: map[uint64]run{}}

func simulate(t *testing.T, seed uint64) run {
	t.Helper()
	rnd := rand.New(rand.NewPCG(seed, 1))
	db := mustOpen(t, Memory)
	now := t0
	b := &broker{fail: 0.2, rnd: rnd}
	var r run
	gen := 0
	newRelay := func() *Relay {
		gen++
		return &Relay{DB: db, Publish: b.publish, Owner: fmt.Sprintf("relay-%d", gen),
			Batch: 1 + rnd.IntN(5), Lease: 10 * time.Second, Now: func() time.Time { return now },
			AfterPublish: func(Message) error {
				if rnd.Float64() < 0.1 {
					return errCrash
				}
				return nil
			}}
	}
	relay := newRelay()
	n := 20 + rnd.IntN(30)
	for i := 0; ; i++ {
		if i > 5000 {
			t.Fatalf("seed %d: the outbox never drained", seed)
		}
		for range rnd.IntN(3) {
			if len(r.committed) >= n {
				break
			}
			agg := fmt.Sprintf("agg-%d", rnd.IntN(4))
			if rnd.IntN(5) == 0 {
				place(t, db, agg, true)
				continue
			}
			r.committed = append(r.committed, Message{ID: place(t, db, agg, false), Aggregate: agg})
		}
		_, err := relay.Poll(context.Background())
		switch {
		case errors.Is(err, errCrash):
			r.crashes++
			now = now.Add(relay.Lease) // the dead relay's leases expire
			relay = newRelay()
		case err != nil:
			t.Fatal(err)
		}
		now = now.Add(time.Second)
		backlog, err := relay.Backlog(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if len(r.committed) >= n && backlog.Pending == 0 {
			break
		}
	}
	r.published = b.log
	return r
}

func TestAtomicWithBusinessRow(t *testing.T) {
	for seed := range proptest.Seeds(10) {
		rnd := rand.New(rand.NewPCG(seed, 2))
		db := mustOpen(t, Memory)
		for i := range 30 {
			place(t, db, fmt.Sprintf("agg-%d", i), rnd.IntN(3) == 0)
		}
		// Every committed business row has exactly one message, and every
		// message a committed business row.
		orphans := count(t, db, `SELECT count(*) FROM orders o WHERE NOT EXISTS (SELECT 1 FROM outbox m WHERE m.aggregate = o.aggregate)`)
		ghosts := count(t, db, `SELECT count(*) FROM outbox m WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.aggregate = m.aggregate)`)
		rows, msgs := count(t, db, `SELECT count(*) FROM orders`), count(t, db, `SELECT count(*) FROM outbox`)
		if orphans != 0 || ghosts != 0 || rows != msgs {
			t.Fatalf("seed %d: %d orders without a message, %d messages without an order (%d orders, %d messages)",
				seed, orphans, ghosts, rows, msgs)
		}
	}
}

func TestAtLeastOnceUnderCrashes(t *testing.T) {
	for seed := range proptest.Seeds(12) {
		r := simulated(t, seed)
		seen := map[int64]bool{}
		for _, m := range r.published {
			seen[m.ID] = true
		}
		for _, m := range r.committed {
			if !seen[m.ID] {
				t.Fatalf("seed %d: message %d committed but never published (%d crashes)", seed, m.ID, r.crashes)
			}
		}
		if len(seen) != len(r.committed) {
			t.Fatalf("seed %d: %d distinct messages published, %d committed", seed, len(seen), len(r.committed))
		}
	}
}

func TestDuplicatesBoundedByCrashes(t *testing.T) {
	total := 0
	for seed := range proptest.Seeds(12) {
		r := simulated(t, seed)
		distinct := map[int64]bool{}
		for _, m := range r.published {
			distinct[m.ID] = true
		}
		dups := len(r.published) - len(distinct)
		if dups > r.crashes {
			t.Fatalf("seed %d: %d duplicates from %d crashes", seed, dups, r.crashes)
		}
		total += r.crashes
	}
	if total == 0 {
		t.Fatal("no run crashed: the bound was not exercised")
	}
}

// inOrder reports the first publication of a message that came before
// some earlier message of its aggregate had been published.
func inOrder(committed, published []Message) error {
	byAgg := map[string][]int64{} // each aggregate's IDs in commit order
	for _, m := range committed {
		byAgg[m.Aggregate] = append(byAgg[m.Aggregate], m.ID)
	}
	seen := map[int64]bool{}
	for i, m := range published {
		for _, earlier := range byAgg[m.Aggregate] {
			if earlier >= m.ID {
				break
			}
			if !seen[earlier] {
				return fmt.Errorf("publication %d: message %d of %s before message %d", i, m.ID, m.Aggregate, earlier)
			}
		}
		seen[m.ID] = true
	}
	return nil
}

func TestPerAggregateOrder(t *testing.T) {
	for seed := range proptest.Seeds(12) {
		r := simulated(t, seed)
		if err := inOrder(r.committed, r.published); err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
	}
}

func TestInOrderDetectsReordering(t *testing.T) {
	committed := []Message{{ID: 1, Aggregate: "a"}, {ID: 2, Aggregate: "a"}, {ID: 3, Aggregate: "b"}}
	if err := inOrder(committed, []Message{committed[2], committed[0], committed[1]}); err != nil {
		t.Fatalf("order across aggregates is free: %v", err)
	}
	if err := inOrder(committed, []Message{committed[1], committed[0]}); err == nil {
		t.Fatal("a reordered aggregate passed the check")
	}
}

func TestConcurrentRelaysPublishEachOnce(t *testing.T) {
	db := mustOpen(t, filepath.Join(t.TempDir(), "outbox.db"))
	var committed []Message
	for i := range 120 {
		agg := fmt.Sprintf("agg-%d", i%7)
		committed = append(committed, Message{ID: place(t, db, agg, false), Aggregate: agg})
	}
	b := &broker{}
	var wg sync.WaitGroup
	for i := range 3 {
		wg.Go(func() {
			r := &Relay{DB: db, Publish: b.publish, Owner: fmt.Sprintf("relay-%d", i), Batch: 8, Lease: time.Hour}
			for {
				p, err := r.Poll(context.Background())
				if err != nil {
					t.Error(err)
					return
				}
				left, err := r.Backlog(context.Background())
				if err != nil {
					t.Error(err)
					return
				}
				if p.Claimed == 0 && left.Pending == 0 {
					return
				}
			}
		})
	}
	wg.Wait()
	if len(b.log) != len(committed) {
		t.Fatalf("%d publications of %d messages: without crashes each is published once", len(b.log), len(committed))
	}
	if err := inOrder(committed, b.log); err != nil {
		t.Fatal(err)
	}
}

func TestInboxAppliesOnce(t *testing.T) {
	for seed := range proptest.Seeds(10) {
		rnd := rand.New(rand.NewPCG(seed, 3))
		db := mustOpen(t, Memory)
		const n = 15
		done := map[int64]bool{}
		applied := map[int64]int{}
		for len(done) < n {
			m := Message{ID: 1 + rnd.Int64N(n)} // redeliveries in any order
			fail := rnd.IntN(4) == 0
			ok, err := Receive(context.Background(), db, "shipping", m, func(tx DBTX) error {
				if _, err := tx.ExecContext(context.Background(),
					`INSERT INTO effects (message_id, n) VALUES (?, 1) ON CONFLICT (message_id) DO UPDATE SET n = n + 1`, m.ID); err != nil {
					return err
				}
				if fail {
					return errBroker // the handler fails after its write: both must roll back
				}
				return nil
			})
			switch {
			case fail && (ok || !errors.Is(err, errBroker)) && !done[m.ID]:
				t.Fatalf("seed %d: failing handler: ok=%v err=%v", seed, ok, err)
			case err != nil && !fail:
				t.Fatal(err)
			}
			if ok {
				applied[m.ID]++
				done[m.ID] = true
			}
		}
		for id := int64(1); id <= n; id++ {
			if applied[id] != 1 || count(t, db, `SELECT n FROM effects WHERE message_id = ?`, id) != 1 {
				t.Fatalf("seed %d: message %d applied %d times, effect count %d", seed, id, applied[id],
					count(t, db, `SELECT n FROM effects WHERE message_id = ?`, id))
			}
		}
	}
}

func TestLeaseKeepsOtherRelaysOff(t *testing.T) {
	db := mustOpen(t, Memory)
	a1, b1 := place(t, db, "a", false), place(t, db, "b", false)
	a2 := place(t, db, "a", false)
	now := t0
	clock := func() time.Time { return now }
	var got []int64
	publish := func(_ context.Context, m Message) error { got = append(got, m.ID); return nil }
	dead := &Relay{DB: db, Publish: publish, Owner: "dead", Batch: 1, Lease: 30 * time.Second, Now: clock,
		AfterPublish: func(Message) error { return errCrash }}
	if _, err := dead.Poll(context.Background()); !errors.Is(err, errCrash) {
		t.Fatalf("Poll = %v, want the crash", err)
	}
	next := &Relay{DB: db, Publish: publish, Owner: "next", Lease: 30 * time.Second, Now: clock}
	tests := []struct {
		name    string
		advance time.Duration
		want    Pass
		ids     []int64
	}{
		{"while the lease lives, aggregate a is off limits", 29 * time.Second, Pass{Claimed: 1, Published: 1}, []int64{a1, b1}},
		{"after it expires, a's messages go out again, in order", 2 * time.Second, Pass{Claimed: 2, Published: 2}, []int64{a1, b1, a1, a2}},
		{"nothing left", time.Second, Pass{}, []int64{a1, b1, a1, a2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now = now.Add(tt.advance)
			p, err := next.Poll(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, p); diff != "" {
				t.Errorf("pass (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.ids, got); diff != "" {
				t.Errorf("published (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPublishFailureBlocksOnlyItsAggregate(t *testing.T) {
	db := mustOpen(t, Memory)
	a1, b1, a2 := place(t, db, "a", false), place(t, db, "b", false), place(t, db, "a", false)
	var got []int64
	down := true
	r := &Relay{DB: db, Owner: "r", Now: func() time.Time { return t0 }, Publish: func(_ context.Context, m Message) error {
		if m.Aggregate == "a" && down {
			return errBroker
		}
		got = append(got, m.ID)
		return nil
	}}
	p, err := r.Poll(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(Pass{Claimed: 3, Published: 1, Failed: 1}, p); diff != "" {
		t.Errorf("first pass (-want +got):\n%s", diff)
	}
	b, err := r.Backlog(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(Backlog{Pending: 2, Failing: 1}, b); diff != "" {
		t.Errorf("backlog (-want +got):\n%s", diff)
	}
	down = false
	if _, err := r.Poll(context.Background()); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int64{b1, a1, a2}, got); diff != "" {
		t.Errorf("published (-want +got):\n%s", diff)
	}
	var attempts int
	var lastErr string
	if err := db.QueryRow(`SELECT attempts, last_error FROM outbox WHERE id = ?`, a1).Scan(&attempts, &lastErr); err != nil {
		t.Fatal(err)
	}
	if attempts != 1 || lastErr != errBroker.Error() {
		t.Errorf("a1: attempts %d, last error %q", attempts, lastErr)
	}
}

func TestEnqueueNeedsAggregateAndTopic(t *testing.T) {
	db := mustOpen(t, Memory)
	tests := []Message{{Topic: "t"}, {Aggregate: "a"}}
	for _, m := range tests {
		tx, err := db.Begin()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Enqueue(context.Background(), tx, m); !errors.Is(err, ErrNoAggregate) {
			t.Errorf("Enqueue(%+v) = %v, want ErrNoAggregate", m, err)
		}
		tx.Rollback()
	}
}

func TestRunDrainsThenWaits(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		db := mustOpen(t, Memory)
		b := &broker{}
		r := &Relay{DB: db, Publish: b.publish, Interval: 2 * time.Second} // the real clock: fake in the bubble
		place(t, db, "a", false)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error)
		go func() { done <- r.Run(ctx) }()
		synctest.Wait()
		if n := len(b.published()); n != 1 {
			t.Fatalf("%d published at once, want 1", n)
		}
		time.Sleep(time.Second)
		place(t, db, "a", false)
		time.Sleep(500 * time.Millisecond)
		synctest.Wait()
		if len(b.published()) != 1 {
			t.Fatal("Run polled before its interval was up")
		}
		time.Sleep(time.Second)
		synctest.Wait()
		if n := len(b.published()); n != 2 {
			t.Fatalf("%d published after the interval, want 2", n)
		}
		bl, err := r.Backlog(ctx)
		if err != nil || bl.Pending != 0 {
			t.Fatalf("backlog %+v, %v", bl, err)
		}
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Fatalf("Run = %v, want context.Canceled", err)
		}
	})
}

func TestRunReturnsPassErrors(t *testing.T) {
	db := mustOpen(t, Memory)
	place(t, db, "a", false)
	r := &Relay{DB: db, Publish: (&broker{}).publish, AfterPublish: func(Message) error { return errCrash },
		Sleep: func(context.Context, time.Duration) error { return nil }}
	if err := r.Run(context.Background()); !errors.Is(err, errCrash) {
		t.Fatalf("Run = %v, want the crash", err)
	}
	db.Close()
	if _, err := r.Poll(context.Background()); err == nil {
		t.Fatal("Poll on a closed database succeeded")
	}
	if _, err := r.Backlog(context.Background()); err == nil {
		t.Fatal("Backlog on a closed database succeeded")
	}
	if _, err := Receive(context.Background(), db, "c", Message{ID: 1}, func(DBTX) error { return nil }); err == nil {
		t.Fatal("Receive on a closed database succeeded")
	}
	if _, err := Purge(context.Background(), db, t0); err == nil {
		t.Fatal("Purge on a closed database succeeded")
	}
}

func TestBacklogAgeAndPurge(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		db := mustOpen(t, Memory)
		ctx := context.Background()
		tx, _ := db.Begin()
		if _, err := Enqueue(ctx, tx, Message{Aggregate: "a", Topic: "t"}); err != nil { // Created: now
			t.Fatal(err)
		}
		tx.Commit()
		r := &Relay{DB: db, Publish: (&broker{}).publish}
		time.Sleep(90 * time.Second)
		b, err := r.Backlog(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(Backlog{Pending: 1, OldestAge: 90 * time.Second}, b); diff != "" {
			t.Errorf("backlog (-want +got):\n%s", diff)
		}
		if _, err := r.Poll(ctx); err != nil {
			t.Fatal(err)
		}
		for _, tt := range []struct {
			before time.Time
			want   int64
		}{{time.Now(), 0}, {time.Now().Add(time.Nanosecond), 1}, {time.Now().Add(time.Hour), 0}} {
			n, err := Purge(ctx, db, tt.before)
			if err != nil || n != tt.want {
				t.Errorf("Purge(%v) = %d, %v; want %d", tt.before, n, err, tt.want)
			}
		}
	})
}

func TestOpenFileAndDefaults(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.db")
	db := mustOpen(t, path)
	var mode string
	if err := db.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode = %q, %v; want wal", mode, err)
	}
	if _, err := Open(filepath.Join(t.TempDir(), "missing", "x.db")); err == nil {
		t.Error("Open in a missing directory succeeded")
	}
	var r Relay
	got := []any{r.owner(), r.batch(), r.lease(), r.interval()}
	if diff := cmp.Diff([]any{DefaultOwner, DefaultBatch, DefaultLease, DefaultInterval}, got); diff != "" {
		t.Errorf("defaults (-want +got):\n%s", diff)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := r.sleep(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Errorf("sleep = %v, want context.Canceled", err)
	}
	tx, _ := db.Begin()
	tx.Rollback()
	if _, err := Enqueue(context.Background(), tx, Message{Aggregate: "a", Topic: "t"}); err == nil {
		t.Error("Enqueue on a finished transaction succeeded")
	}
}

func BenchmarkEnqueue(b *testing.B) {
	db := mustOpen(b, Memory)
	for b.Loop() {
		place(b, db, "agg", false)
	}
}

func BenchmarkRelay(b *testing.B) {
	for _, batch := range []int{1, 100} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			db := mustOpen(b, Memory)
			r := &Relay{DB: db, Publish: func(context.Context, Message) error { return nil }, Batch: batch}
			for b.Loop() {
				b.StopTimer()
				for i := range batch {
					place(b, db, fmt.Sprintf("agg-%d", i%10), false)
				}
				b.StartTimer()
				if p, err := r.Poll(context.Background()); err != nil || p.Published != batch {
					b.Fatal(p, err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*batch), "ns/msg")
		})
	}
}
