package eventsourcing_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/lamport-kb/lamport/content/patterns/eventsourcing"
	"github.com/lamport-kb/lamport/internal/proptest"
)

var ctx = context.Background()

func TestAppendExpectedVersion(t *testing.T) {
	tests := []struct {
		name     string
		existing int
		expected int64
		want     int64 // new version, or -1 for a conflict
	}{
		{"new stream, NoStream", 0, eventsourcing.NoStream, 2},
		{"new stream, Any", 0, eventsourcing.Any, 2},
		{"existing, NoStream", 3, eventsourcing.NoStream, -1},
		{"existing, exact", 3, 3, 5},
		{"existing, stale", 3, 2, -1},
		{"existing, ahead", 3, 4, -1},
		{"existing, Any", 3, eventsourcing.Any, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s eventsourcing.MemoryStore
			for range tt.existing {
				if _, err := s.Append(ctx, "a", eventsourcing.Any, money("Deposited", 1)); err != nil {
					t.Fatal(err)
				}
			}
			got, err := s.Append(ctx, "a", tt.expected, money("Deposited", 1), money("Deposited", 2))
			if tt.want < 0 {
				var ce *eventsourcing.ConflictError
				if !errors.As(err, &ce) || !errors.Is(err, eventsourcing.ErrConflict) {
					t.Fatalf("err = %v, want a ConflictError", err)
				}
				want := eventsourcing.ConflictError{Stream: "a", Expected: tt.expected, Actual: int64(tt.existing)}
				if diff := cmp.Diff(want, *ce); diff != "" {
					t.Errorf("conflict (-want +got):\n%s", diff)
				}
				if v := s.Version("a"); v != int64(tt.existing) {
					t.Errorf("version after a failed append = %d, want %d", v, tt.existing)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("Append = %d, %v, want %d", got, err, tt.want)
			}
		})
	}
}

// TestStaleExpectedVersionFails: of k writers that all read version v, exactly one
// appends; every other gets a ConflictError naming the version it lost to, and a
// stale expected version never changes the stream.
func TestStaleExpectedVersionFails(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for trial := range proptest.Seeds(200) {
		var s eventsourcing.MemoryStore
		v := int64(r.IntN(5))
		for range v {
			s.Append(ctx, "x", eventsourcing.Any, money("Deposited", 1))
		}
		k, per := 2+r.IntN(6), 1+r.IntN(3)
		var wg sync.WaitGroup
		errs := make([]error, k)
		for i := range k {
			wg.Go(func() {
				batch := make([]eventsourcing.EventData, per)
				for j := range batch {
					batch[j] = money("Deposited", int64(i))
				}
				_, errs[i] = s.Append(ctx, "x", v, batch...)
			})
		}
		wg.Wait()
		wins := 0
		for _, err := range errs {
			var ce *eventsourcing.ConflictError
			switch {
			case err == nil:
				wins++
			case errors.As(err, &ce) && ce.Actual == v+int64(per):
			default:
				t.Fatalf("trial %d: unexpected error %v", trial, err)
			}
		}
		if wins != 1 || s.Version("x") != v+int64(per) {
			t.Fatalf("trial %d: %d winners, version %d, want 1 and %d", trial, wins, s.Version("x"), v+int64(per))
		}
		stale := r.Int64N(v + int64(per))
		if _, err := s.Append(ctx, "x", stale, money("Deposited", 9)); !errors.Is(err, eventsourcing.ErrConflict) {
			t.Fatalf("trial %d: stale expected %d appended: %v", trial, stale, err)
		}
		if s.Version("x") != v+int64(per) {
			t.Fatalf("trial %d: a stale append changed the stream", trial)
		}
	}
}

// TestStreamNumbersContiguous: under concurrent appends to several streams, global
// positions are 1..n in ReadAll order and each stream's numbers are 1..len.
func TestStreamNumbersContiguous(t *testing.T) {
	var s eventsourcing.MemoryStore
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for i := range 50 {
				s.Append(ctx, fmt.Sprint("s", (w+i)%3), eventsourcing.Any, money("Deposited", 1), money("Withdrawn", 1))
			}
		})
	}
	wg.Wait()
	all, err := s.ReadAll(ctx, 0, 0)
	if err != nil || len(all) != 800 {
		t.Fatalf("ReadAll = %d events, %v", len(all), err)
	}
	next := map[string]int64{}
	for i, e := range all {
		next[e.Stream]++
		if e.Position != int64(i)+1 || e.Number != next[e.Stream] {
			t.Fatalf("event %d: position %d number %d, want %d and %d", i, e.Position, e.Number, i+1, next[e.Stream])
		}
	}
	for i := range 3 {
		ev, _ := s.Load(ctx, fmt.Sprint("s", i), 0)
		for j, e := range ev {
			if e.Number != int64(j)+1 {
				t.Fatalf("stream s%d event %d numbered %d", i, j, e.Number)
			}
		}
	}
}

// randomHistory runs n random commands against repo and returns the live state
// Update reported after each successful one.
func randomHistory(t *testing.T, r *rand.Rand, repo *eventsourcing.Repository[account], stream string, n int) account {
	t.Helper()
	var live account
	for range n {
		cmd := deposit(r.Int64N(1000))
		if r.IntN(3) == 0 {
			cmd = withdraw(r.Int64N(1500))
		}
		s, _, err := repo.Update(ctx, stream, cmd)
		if errors.Is(err, errInsufficient) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		live = s
	}
	return live
}

// TestReplayEqualsLive: the state a fresh process rebuilds from the store equals
// the state the writer held after applying each event live.
func TestReplayEqualsLive(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for trial := range proptest.Seeds(100) {
		store := &eventsourcing.MemoryStore{}
		writer := newRepo(store)
		writer.Snapshots, writer.SnapshotEvery = &eventsourcing.MemorySnapshots[account]{}, 1+int64(r.IntN(5))
		live := randomHistory(t, r, writer, "acc", r.IntN(60))
		replayed, _, err := newRepo(store).Replay(ctx, "acc")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(live, replayed); diff != "" {
			t.Fatalf("trial %d: replay differs from live (-live +replay):\n%s", trial, diff)
		}
	}
}

// TestSnapshotEqualsFullReplay: for every k, the snapshot taken after k events plus
// the replay of the tail equals the replay of the whole stream.
func TestSnapshotEqualsFullReplay(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for trial := range proptest.Seeds(40) {
		store := &eventsourcing.MemoryStore{}
		randomHistory(t, r, newRepo(store), "acc", 1+r.IntN(30))
		full, n, err := newRepo(store).Replay(ctx, "acc")
		if err != nil {
			t.Fatal(err)
		}
		events, _ := store.Load(ctx, "acc", 0)
		for k := int64(0); k <= n; k++ {
			prefix, err := eventsourcing.Replay(account{}, upcastAll(t, events[:k]), evolve)
			if err != nil {
				t.Fatal(err)
			}
			repo := newRepo(store)
			repo.Snapshots = &eventsourcing.MemorySnapshots[account]{}
			repo.Snapshots.Save(ctx, "acc", eventsourcing.Snapshot[account]{Version: k, State: prefix})
			got, v, err := repo.Load(ctx, "acc")
			if err != nil || v != n {
				t.Fatalf("Load = version %d, %v, want %d", v, err, n)
			}
			if diff := cmp.Diff(full, got); diff != "" {
				t.Fatalf("trial %d, snapshot at %d (-full +snapshot):\n%s", trial, k, diff)
			}
		}
	}
}

func upcastAll(t *testing.T, events []eventsourcing.Event) []eventsourcing.Event {
	out := make([]eventsourcing.Event, len(events))
	for i, e := range events {
		var err error
		if out[i], err = upcasters.Upcast(e); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// TestUpcastEquivalence: a history stored in the old schema, read through the
// upcaster, gives the same state as the same history stored in the new schema.
func TestUpcastEquivalence(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for trial := range proptest.Seeds(100) {
		oldStore, newStore := &eventsourcing.MemoryStore{}, &eventsourcing.MemoryStore{}
		oldStore.Append(ctx, "acc", eventsourcing.NoStream, opened("ann"))
		newStore.Append(ctx, "acc", eventsourcing.NoStream, opened("ann"))
		for range r.IntN(40) {
			euros := r.Int64N(100)
			oldStore.Append(ctx, "acc", eventsourcing.Any, depositV1(euros))
			newStore.Append(ctx, "acc", eventsourcing.Any, money("Deposited", euros*100))
		}
		a, _, err1 := newRepo(oldStore).Replay(ctx, "acc")
		b, _, err2 := newRepo(newStore).Replay(ctx, "acc")
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		if diff := cmp.Diff(b, a); diff != "" {
			t.Fatalf("trial %d (-new schema +upcast):\n%s", trial, diff)
		}
	}
	noUp := newRepo(&eventsourcing.MemoryStore{})
	noUp.Upcasters = nil
	noUp.Store.Append(ctx, "acc", eventsourcing.Any, depositV1(1))
	if _, _, err := noUp.Replay(ctx, "acc"); err == nil {
		t.Fatal("a v1 event replayed without its upcaster")
	}
}

type balances map[string]int64

func projector(store eventsourcing.Store, model balances) *eventsourcing.Projector {
	return &eventsourcing.Projector{
		Store: store, Upcasters: upcasters, BatchSize: 7,
		Handle: func(e eventsourcing.Event) error {
			s, err := evolve(account{}, e)
			model[e.Stream] += s.Balance
			return err
		},
		Reset: func() { clear(model) },
	}
}

// TestRebuildEqualsLive: a read model kept up to date event by event equals the
// same read model rebuilt from position zero, and its checkpoint is the log's end.
func TestRebuildEqualsLive(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	for trial := range proptest.Seeds(50) {
		store := &eventsourcing.MemoryStore{}
		live := balances{}
		p := projector(store, live)
		for range r.IntN(80) {
			stream := fmt.Sprint("acc-", r.IntN(4))
			d := money("Deposited", r.Int64N(100))
			if r.IntN(4) == 0 {
				d = depositV1(r.Int64N(10))
			}
			store.Append(ctx, stream, eventsourcing.Any, d)
			if r.IntN(2) == 0 {
				if _, err := p.CatchUp(ctx); err != nil {
					t.Fatal(err)
				}
			}
		}
		p.CatchUp(ctx)
		snapshot := maps.Clone(live)
		rebuilt := balances{}
		q := projector(store, rebuilt)
		n, err := q.Rebuild(ctx)
		if err != nil {
			t.Fatal(err)
		}
		all, _ := store.ReadAll(ctx, 0, 0)
		if diff := cmp.Diff(snapshot, rebuilt); diff != "" || n != len(all) || p.Checkpoint() != int64(len(all)) {
			t.Fatalf("trial %d: rebuilt %d of %d, checkpoint %d (-live +rebuilt):\n%s", trial, n, len(all), p.Checkpoint(), diff)
		}
		if _, err := p.Rebuild(ctx); err != nil || cmp.Diff(snapshot, live) != "" {
			t.Fatalf("trial %d: Rebuild in place changed the model: %v", trial, err)
		}
	}
}

func TestProjectorResumesAfterError(t *testing.T) {
	store := &eventsourcing.MemoryStore{}
	for i := range 5 {
		store.Append(ctx, "a", eventsourcing.Any, money("Deposited", int64(i)))
	}
	fail, seen := true, 0
	p := &eventsourcing.Projector{Store: store, Handle: func(e eventsourcing.Event) error {
		if e.Number == 3 && fail {
			fail = false
			return errors.New("read model down")
		}
		seen++
		return nil
	}}
	if n, err := p.CatchUp(ctx); err == nil || n != 2 || p.Checkpoint() != 2 {
		t.Fatalf("first CatchUp = %d, %v, checkpoint %d", n, err, p.Checkpoint())
	}
	if n, err := p.CatchUp(ctx); err != nil || n != 3 || seen != 5 {
		t.Fatalf("second CatchUp = %d, %v, seen %d", n, err, seen)
	}
	p.Upcasters = eventsourcing.Upcasters{{Type: "Deposited", Schema: 2}: func(e eventsourcing.Event) (eventsourcing.Event, error) {
		return e, errors.New("bad")
	}}
	if _, err := p.Rebuild(ctx); err == nil {
		t.Fatal("upcaster error not returned")
	}
}

// racer is a Store that lets another writer append to the stream just before
// the first Append of each Update, deterministically.
type racer struct {
	eventsourcing.Store
	races int
}

func (r *racer) Append(ctx context.Context, stream string, expected int64, events ...eventsourcing.EventData) (int64, error) {
	if r.races > 0 {
		r.races--
		r.Store.Append(ctx, stream, eventsourcing.Any, money("Deposited", 100))
	}
	return r.Store.Append(ctx, stream, expected, events...)
}

func TestUpdateRetriesOnConflict(t *testing.T) {
	tests := []struct {
		races, retries int
		wantErr        bool
		wantBalance    int64
	}{
		{races: 1, retries: 0, wantErr: true},
		{races: 1, retries: 1, wantBalance: 105},
		{races: 3, retries: 2, wantErr: true},
		{races: 3, retries: 3, wantBalance: 305},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("races=%d,retries=%d", tt.races, tt.retries), func(t *testing.T) {
			store := &eventsourcing.MemoryStore{}
			store.Append(ctx, "a", eventsourcing.NoStream, opened("ann"))
			repo := newRepo(&racer{Store: store, races: tt.races})
			repo.Retries = tt.retries
			s, _, err := repo.Update(ctx, "a", deposit(5))
			if tt.wantErr {
				if !errors.Is(err, eventsourcing.ErrConflict) {
					t.Fatalf("err = %v, want a conflict", err)
				}
				return
			}
			if err != nil || s.Balance != tt.wantBalance {
				t.Fatalf("Update = balance %d, %v, want %d", s.Balance, err, tt.wantBalance)
			}
		})
	}
}

func TestUpdateWithoutEvents(t *testing.T) {
	repo := newRepo(&eventsourcing.MemoryStore{})
	_, v, err := repo.Update(ctx, "a", func(account) ([]eventsourcing.EventData, error) { return nil, nil })
	if err != nil || v != 0 {
		t.Fatalf("Update = %d, %v", v, err)
	}
	if _, _, err := repo.Update(ctx, "a", withdraw(1)); !errors.Is(err, errInsufficient) {
		t.Fatalf("decide error lost: %v", err)
	}
}

func TestInitialAndEvolveErrors(t *testing.T) {
	store := &eventsourcing.MemoryStore{}
	store.Append(ctx, "a", eventsourcing.Any, eventsourcing.EventData{Type: "Closed"})
	repo := newRepo(store)
	repo.Initial = func() account { return account{Owner: "nobody"} }
	if s, _, err := repo.Replay(ctx, "b"); err != nil || s.Owner != "nobody" {
		t.Fatalf("Initial not used: %+v, %v", s, err)
	}
	if _, _, err := repo.Load(ctx, "a"); err == nil {
		t.Fatal("evolve error not returned by Load")
	}
	if _, _, err := repo.Update(ctx, "a", deposit(1)); err == nil {
		t.Fatal("evolve error not returned by Update")
	}
}

type failingSnapshots struct {
	eventsourcing.MemorySnapshots[account]
}

func (*failingSnapshots) Save(context.Context, string, eventsourcing.Snapshot[account]) error {
	return errors.New("disk full")
}

func TestSnapshotsTakenAndKeptNewest(t *testing.T) {
	store := &eventsourcing.MemoryStore{}
	snaps := &eventsourcing.MemorySnapshots[account]{}
	repo := newRepo(store)
	repo.Snapshots, repo.SnapshotEvery = snaps, 3
	for range 7 {
		repo.Update(ctx, "a", deposit(10))
	}
	// Loads happen at versions 0, 2, 3, ..., 7: snapshots at 3 and 6
	// (open + 5 deposits of 10).
	snap, ok, _ := snaps.Latest(ctx, "a")
	if !ok || snap.Version != 6 || snap.State.Balance != 50 {
		t.Fatalf("latest snapshot = %+v, %v", snap, ok)
	}
	snaps.Save(ctx, "a", eventsourcing.Snapshot[account]{Version: 2})
	if snap, _, _ := snaps.Latest(ctx, "a"); snap.Version != 6 {
		t.Fatal("an older snapshot replaced a newer one")
	}
	repo.Snapshots = &failingSnapshots{}
	if _, _, err := repo.Load(ctx, "a"); err == nil {
		t.Fatal("snapshot save error lost")
	}
}

func TestUpcasterChainAndLoop(t *testing.T) {
	chain := eventsourcing.Upcasters{
		{Type: "A", Schema: 1}: func(e eventsourcing.Event) (eventsourcing.Event, error) { e.Schema = 2; return e, nil },
		{Type: "A", Schema: 2}: func(e eventsourcing.Event) (eventsourcing.Event, error) { e.Type = "B"; return e, nil },
	}
	got, err := chain.Upcast(eventsourcing.Event{Type: "A", Schema: 1})
	if err != nil || got.Type != "B" || got.Schema != 2 {
		t.Fatalf("chain = %+v, %v", got, err)
	}
	loop := eventsourcing.Upcasters{
		{Type: "A", Schema: 1}: func(e eventsourcing.Event) (eventsourcing.Event, error) { return e, nil },
	}
	if _, err := loop.Upcast(eventsourcing.Event{Type: "A", Schema: 1}); err == nil {
		t.Fatal("loop not detected")
	}
	if _, err := upcasters.Upcast(eventsourcing.Event{Type: "Deposited", Schema: 1, Data: []byte("{")}); err == nil {
		t.Fatal("upcaster error lost")
	}
}

func TestReadsAreCopiesAndBounded(t *testing.T) {
	var s eventsourcing.MemoryStore
	data := []byte(`{"cents":1}`)
	s.Append(ctx, "a", eventsourcing.Any, eventsourcing.EventData{Type: "Deposited", Schema: 2, Data: data})
	s.Append(ctx, "a", eventsourcing.Any, money("Deposited", 2), money("Deposited", 3))
	data[0] = 'X'
	ev, _ := s.Load(ctx, "a", -1)
	ev[1].Data[0] = 'Y'
	again, _ := s.Load(ctx, "a", 0)
	if again[0].Data[0] != '{' || again[1].Data[0] != '{' {
		t.Fatal("the store shares event bytes with its callers")
	}
	if tail, _ := s.Load(ctx, "a", 3); tail != nil {
		t.Fatalf("Load past the end = %v", tail)
	}
	if page, _ := s.ReadAll(ctx, -5, 2); len(page) != 2 || page[1].Position != 2 {
		t.Fatalf("ReadAll page = %+v", page)
	}
}

func TestCanceledContext(t *testing.T) {
	c, cancel := context.WithCancel(ctx)
	cancel()
	var s eventsourcing.MemoryStore
	if _, err := s.Append(c, "a", eventsourcing.Any); !errors.Is(err, context.Canceled) {
		t.Error("Append ignored ctx")
	}
	if _, err := s.Load(c, "a", 0); !errors.Is(err, context.Canceled) {
		t.Error("Load ignored ctx")
	}
	if _, err := s.ReadAll(c, 0, 0); !errors.Is(err, context.Canceled) {
		t.Error("ReadAll ignored ctx")
	}
	repo := newRepo(&s)
	if _, _, err := repo.Replay(c, "a"); err == nil {
		t.Error("Replay ignored ctx")
	}
	if _, _, err := repo.Update(c, "a", deposit(1)); err == nil {
		t.Error("Update ignored ctx")
	}
}

func TestRecordedTime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var s eventsourcing.MemoryStore
		time.Sleep(90 * time.Second)
		s.Append(ctx, "a", eventsourcing.Any, money("Deposited", 1))
		ev, _ := s.Load(ctx, "a", 0)
		if !ev[0].Recorded.Equal(time.Now()) {
			t.Fatalf("Recorded = %v, want %v", ev[0].Recorded, time.Now())
		}
	})
	at := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	s := eventsourcing.MemoryStore{Now: func() time.Time { return at }}
	s.Append(ctx, "a", eventsourcing.Any, money("Deposited", 1))
	if ev, _ := s.Load(ctx, "a", 0); !ev[0].Recorded.Equal(at) {
		t.Fatal("injected Now ignored")
	}
}

func TestVault(t *testing.T) {
	v := eventsourcing.Vault{Rand: rand.NewChaCha8([32]byte{1})}
	sealed, err := v.Seal("ann", []byte("ann@example.org"))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := v.Open("ann", sealed); err != nil || string(got) != "ann@example.org" {
		t.Fatalf("Open = %q, %v", got, err)
	}
	if _, err := v.Open("bob", sealed); !errors.Is(err, eventsourcing.ErrShredded) {
		t.Fatalf("Open for a subject without a key = %v", err)
	}
	v.Seal("bob", nil)
	if _, err := v.Open("bob", sealed); err == nil {
		t.Fatal("bob's key opened ann's data")
	}
	if _, err := v.Open("ann", sealed[:3]); err == nil {
		t.Fatal("short data opened")
	}
	v.Forget("ann")
	if _, err := v.Open("ann", sealed); !errors.Is(err, eventsourcing.ErrShredded) {
		t.Fatalf("Open after Forget = %v", err)
	}
	if _, err := v.Seal("ann", []byte("x")); !errors.Is(err, eventsourcing.ErrShredded) {
		t.Fatalf("Seal after Forget = %v", err)
	}
	var fresh eventsourcing.Vault
	fresh.Forget("x")
	if b, err := fresh.Seal("y", []byte("hi")); err != nil || len(b) == 0 {
		t.Fatalf("default rand: %v", err)
	}
	broken := eventsourcing.Vault{Rand: &shortReader{n: 32}}
	if _, err := broken.Seal("z", nil); err == nil {
		t.Fatal("nonce read error lost")
	}
	if _, err := (&eventsourcing.Vault{Rand: &shortReader{}}).Seal("z", nil); err == nil {
		t.Fatal("key read error lost")
	}
}

type shortReader struct{ n int }

func (r *shortReader) Read(p []byte) (int, error) {
	if r.n == 0 {
		return 0, errors.New("no entropy")
	}
	n := min(len(p), r.n)
	r.n -= n
	return n, nil
}

func BenchmarkAppend(b *testing.B) {
	var s eventsourcing.MemoryStore
	d := money("Deposited", 1)
	for b.Loop() {
		s.Append(ctx, "a", eventsourcing.Any, d)
	}
}

func benchLoad(b *testing.B, every int64) {
	store := &eventsourcing.MemoryStore{}
	for range 10_000 {
		store.Append(ctx, "a", eventsourcing.Any, money("Deposited", 1))
	}
	repo := newRepo(store)
	if every > 0 {
		repo.Snapshots, repo.SnapshotEvery = &eventsourcing.MemorySnapshots[account]{}, every
		repo.Load(ctx, "a")
	}
	for b.Loop() {
		repo.Load(ctx, "a")
	}
}

func BenchmarkLoadFullReplay10k(b *testing.B) { benchLoad(b, 0) }
func BenchmarkLoadSnapshot10k(b *testing.B)   { benchLoad(b, 100) }
