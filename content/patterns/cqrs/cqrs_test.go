package cqrs_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/lamport-kb/lamport/content/patterns/cqrs"
	"github.com/lamport-kb/lamport/internal/proptest"
)

// The test domain: accounts whose balance must never go negative.
type move struct {
	Account string
	Amount  int // > 0 deposit, < 0 withdrawal
}

var errOverdraft = errors.New("overdraft")

func decide(s map[string]int, c move) ([]move, error) {
	if s[c.Account]+c.Amount < 0 {
		return nil, errOverdraft
	}
	if c.Amount == 0 {
		return nil, nil
	}
	return []move{c}, nil
}

func evolve(s map[string]int, e move) map[string]int {
	s[e.Account] += e.Amount
	return s
}

// view is the read model: balances and the number of moves per account.
type view struct {
	Balance map[string]int
	Moves   map[string]int
}

func newView() *view { return &view{Balance: map[string]int{}, Moves: map[string]int{}} }

func project(v *view, e cqrs.Event[move]) *view {
	v.Balance[e.Data.Account] += e.Data.Amount
	v.Moves[e.Data.Account]++
	return v
}

// fold is the specification: the view of the first n events, computed from scratch.
func fold(events []cqrs.Event[move], apply func(*view, cqrs.Event[move]) *view) *view {
	v := newView()
	for _, e := range events {
		v = apply(v, e)
	}
	return v
}

func newBank() (*cqrs.Log[move], *cqrs.Model[map[string]int, move, move]) {
	log := cqrs.NewLog[move](cqrs.Options{})
	return log, cqrs.NewModel(log, map[string]int{}, decide, evolve)
}

func randomMove(r *rand.Rand) move {
	return move{Account: fmt.Sprintf("acct-%d", r.IntN(4)), Amount: r.IntN(21) - 8}
}

func snapshot(t *testing.T, p *cqrs.Projection[*view, move]) (*view, uint64) {
	t.Helper()
	var got *view
	var pos uint64
	err := p.Query(context.Background(), 0, func(v *view, at uint64) {
		got = &view{Balance: clone(v.Balance), Moves: clone(v.Moves)}
		pos = at
	})
	if err != nil {
		t.Fatal(err)
	}
	return got, pos
}

func clone(m map[string]int) map[string]int {
	c := make(map[string]int, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

// TestFoldEquivalence feeds a projection an at-least-once feed (batches, redeliveries
// of old events, events from the future, catch-ups, rebuilds) and checks after every
// step that the view at position p is the fold of the log's first p events.
func TestFoldEquivalence(t *testing.T) {
	for seed := range proptest.Seeds(200) {
		r := rand.New(rand.NewPCG(seed, 1))
		log, model := newBank()
		for range 60 {
			model.Handle(randomMove(r))
		}
		all := log.Since(0, 0)
		p := cqrs.NewProjection(log, newView, project)
		for step := range 40 {
			pos := p.Position()
			switch r.IntN(5) {
			case 0: // a redelivered window of old and new events
				from := r.IntN(int(pos) + 1)
				to := min(len(all), from+r.IntN(8))
				for _, e := range all[from:to] {
					p.Apply(e)
				}
			case 1: // an event from the future must be refused
				if int(pos)+2 <= len(all) {
					e := all[int(pos)+1+r.IntN(len(all)-int(pos)-1)]
					if ok, err := p.Apply(e); ok || !errors.Is(err, cqrs.ErrGap) {
						t.Fatalf("seed %d: Apply(pos %d) at %d = %v, %v; want ErrGap", seed, e.Pos, pos, ok, err)
					}
				}
			case 2:
				p.CatchUp(r.IntN(10))
			case 3:
				if err := p.Rebuild(context.Background(), nil); err != nil {
					t.Fatal(err)
				}
			case 4:
				model.Handle(randomMove(r))
				all = log.Since(0, 0)
			}
			got, at := snapshot(t, p)
			if at < pos {
				t.Fatalf("seed %d step %d: position went back from %d to %d", seed, step, pos, at)
			}
			if diff := cmp.Diff(fold(all[:at], project), got); diff != "" {
				t.Fatalf("seed %d step %d: view at %d is not the fold of events 1..%d (-want +got):\n%s", seed, step, at, at, diff)
			}
		}
	}
}

// TestReadYourWrites runs writers, each the only writer of its account, against a
// projection that a background goroutine keeps up to date. After each accepted
// command, a query with the command's token must see a view at or past the token
// that holds the writer's own balance exactly.
func TestReadYourWrites(t *testing.T) {
	log, model := newBank()
	p := cqrs.NewProjection(log, newView, project)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- p.Run(ctx, 3) }()

	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(w), 2))
			account, balance := fmt.Sprintf("writer-%d", w), 0
			for range 200 {
				c := move{Account: account, Amount: r.IntN(21) - 8}
				token, err := model.Handle(c)
				if err != nil {
					continue
				}
				balance += c.Amount
				err = p.Query(context.Background(), token, func(v *view, at uint64) {
					if at < token {
						t.Errorf("%s: query with token %d read a view at %d", account, token, at)
					}
					if v.Balance[account] != balance {
						t.Errorf("%s: read %d after writing balance %d (token %d, view at %d)", account, v.Balance[account], balance, token, at)
					}
				})
				if err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Run = %v, want context.Canceled", err)
	}
}

// TestRebuildSwap rebuilds a projection with a new apply function while writers append
// and a runner applies events. The position never moves backwards, and afterwards the
// view is the fold of the log with the new function.
func TestRebuildSwap(t *testing.T) {
	for seed := range proptest.Seeds(20) {
		log, model := newBank()
		r := rand.New(rand.NewPCG(seed, 3))
		for range 300 {
			model.Handle(randomMove(r))
		}
		broken := func(v *view, e cqrs.Event[move]) *view { // forgets withdrawals
			if e.Data.Amount > 0 {
				v.Balance[e.Data.Account] += e.Data.Amount
			}
			v.Moves[e.Data.Account]++
			return v
		}
		p := cqrs.NewProjection(log, newView, broken)
		p.CatchUp(0)
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		wg.Go(func() { p.Run(ctx, 5) })
		wg.Go(func() {
			w := rand.New(rand.NewPCG(seed, 4))
			for range 100 {
				model.Handle(randomMove(w))
			}
		})
		wg.Go(func() { // watch the position
			last := p.Position()
			for ctx.Err() == nil {
				if now := p.Position(); now < last {
					t.Errorf("seed %d: position went back from %d to %d", seed, last, now)
				} else {
					last = now
				}
			}
		})
		if err := p.Rebuild(context.Background(), project); err != nil {
			t.Fatal(err)
		}
		for p.Position() < log.Head() || log.Head() < 300 {
			p.CatchUp(0)
		}
		cancel()
		wg.Wait()
		p.CatchUp(0)
		got, at := snapshot(t, p)
		if diff := cmp.Diff(fold(log.Since(0, int(at)), project), got); diff != "" {
			t.Fatalf("seed %d: rebuilt view at %d is not the fold with the new function (-want +got):\n%s", seed, at, diff)
		}
		model.Read(func(s map[string]int, version uint64) {
			if at == version {
				if diff := cmp.Diff(s, got.Balance); diff != "" {
					t.Errorf("seed %d: read model differs from write model at %d:\n%s", seed, at, diff)
				}
			}
		})
	}
}

func TestLogSince(t *testing.T) {
	log := cqrs.NewLog[int](cqrs.Options{})
	if got := log.Append(); got != 0 {
		t.Errorf("Append() on empty log = %d, want 0", got)
	}
	if got := log.Append(10, 20, 30, 40); got != 4 {
		t.Errorf("Append = %d, want 4", got)
	}
	tests := []struct {
		pos   uint64
		limit int
		want  []int
	}{
		{0, 0, []int{10, 20, 30, 40}},
		{1, 2, []int{20, 30}},
		{3, 5, []int{40}},
		{4, 0, nil},
		{9, 0, nil},
	}
	for _, tt := range tests {
		var got []int
		for _, e := range log.Since(tt.pos, tt.limit) {
			got = append(got, e.Data)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("Since(%d, %d) (-want +got):\n%s", tt.pos, tt.limit, diff)
		}
	}
}

func TestModelNoEvents(t *testing.T) {
	_, model := newBank()
	t1, _ := model.Handle(move{"a", 5})
	t2, err := model.Handle(move{"a", 0})
	if err != nil || t2 != t1 {
		t.Errorf("command with no events: token %d, %v; want %d, nil", t2, err, t1)
	}
	if tok, err := model.Handle(move{"a", -6}); tok != 0 || err == nil {
		t.Errorf("refused command: token %d, %v; want 0, error", tok, err)
	}
}

// TestQueryBehind: a query for a position the projection does not reach in time fails
// with ErrBehind when its deadline passes, without calling fn.
func TestQueryBehind(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		log, model := newBank()
		p := cqrs.NewProjection(log, newView, project)
		token, _ := model.Handle(move{"a", 5})
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		start := time.Now()
		err := p.Query(ctx, token, func(*view, uint64) { t.Error("fn called on a stale view") })
		if !errors.Is(err, cqrs.ErrBehind) || !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Query = %v, want ErrBehind and DeadlineExceeded", err)
		}
		if waited := time.Since(start); waited != 2*time.Second {
			t.Errorf("waited %v, want 2s", waited)
		}
	})
}

// TestQueryWaits: a query waits for the projection to reach the token.
func TestQueryWaits(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		log, model := newBank()
		p := cqrs.NewProjection(log, newView, project)
		token, _ := model.Handle(move{"a", 5})
		go func() {
			time.Sleep(300 * time.Millisecond) // the projector is slow
			p.CatchUp(0)
		}()
		start := time.Now()
		var got int
		if err := p.Query(context.Background(), token, func(v *view, _ uint64) { got = v.Balance["a"] }); err != nil {
			t.Fatal(err)
		}
		if got != 5 || time.Since(start) != 300*time.Millisecond {
			t.Errorf("read %d after %v, want 5 after 300ms", got, time.Since(start))
		}
	})
}

// TestLag measures lag in events and in time, with the default clock under synctest.
func TestLag(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		log, model := newBank()
		p := cqrs.NewProjection(log, newView, project)
		if n, age := p.Lag(); n != 0 || age != 0 {
			t.Errorf("empty: lag %d, %v", n, age)
		}
		model.Handle(move{"a", 5})
		time.Sleep(time.Second)
		model.Handle(move{"a", 1})
		time.Sleep(time.Second)
		model.Handle(move{"a", 1})
		tests := []struct {
			catchUp int
			events  uint64
			age     time.Duration
		}{{0, 3, 2 * time.Second}, {1, 2, time.Second}, {1, 1, 0}, {1, 0, 0}}
		for _, tt := range tests {
			if tt.catchUp > 0 {
				p.CatchUp(tt.catchUp)
			}
			if n, age := p.Lag(); n != tt.events || age != tt.age {
				t.Errorf("at %d: lag %d, %v; want %d, %v", p.Position(), n, age, tt.events, tt.age)
			}
		}
	})
}

func TestInjectedClock(t *testing.T) {
	now := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	log := cqrs.NewLog[move](cqrs.Options{Now: func() time.Time { return now }})
	log.Append(move{"a", 1})
	now = now.Add(90 * time.Second)
	p := cqrs.NewProjection(log, newView, project)
	if n, age := p.Lag(); n != 1 || age != 90*time.Second {
		t.Errorf("lag %d, %v; want 1, 90s", n, age)
	}
	if at := log.Since(0, 1)[0].At; !at.Equal(now.Add(-90 * time.Second)) {
		t.Errorf("event stamped %v", at)
	}
}

func TestRebuildCancelled(t *testing.T) {
	log, model := newBank()
	model.Handle(move{"a", 5})
	p := cqrs.NewProjection(log, newView, project)
	p.CatchUp(0)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := p.Rebuild(ctx, func(v *view, _ cqrs.Event[move]) *view { return v }); !errors.Is(err, context.Canceled) {
		t.Errorf("Rebuild = %v, want context.Canceled", err)
	}
	if got, _ := snapshot(t, p); got.Balance["a"] != 5 || p.Stats().Rebuilds != 0 {
		t.Errorf("cancelled rebuild changed the projection: %+v, %+v", got, p.Stats())
	}
}

func TestLogWait(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		log := cqrs.NewLog[int](cqrs.Options{})
		go func() {
			time.Sleep(time.Second)
			log.Append(1)
		}()
		if err := log.Wait(context.Background(), 0); err != nil || log.Head() != 1 {
			t.Errorf("Wait = %v, head %d", err, log.Head())
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		if err := log.Wait(ctx, 1); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Wait = %v, want DeadlineExceeded", err)
		}
	})
}

func BenchmarkHandle(b *testing.B) {
	_, model := newBank()
	for i := 0; b.Loop(); i++ {
		model.Handle(move{fmt.Sprint(i % 64), 1})
	}
}

func BenchmarkCatchUp(b *testing.B) {
	log, model := newBank()
	for i := range 10_000 {
		model.Handle(move{fmt.Sprint(i % 64), 1})
	}
	for b.Loop() {
		p := cqrs.NewProjection(log, newView, project)
		p.CatchUp(0)
	}
}

func BenchmarkRebuild(b *testing.B) {
	log, model := newBank()
	for i := range 10_000 {
		model.Handle(move{fmt.Sprint(i % 64), 1})
	}
	p := cqrs.NewProjection(log, newView, project)
	for b.Loop() {
		p.Rebuild(context.Background(), nil)
	}
}

func BenchmarkQueryToken(b *testing.B) {
	log, model := newBank()
	p := cqrs.NewProjection(log, newView, project)
	ctx := context.Background()
	for i := 0; b.Loop(); i++ {
		token, _ := model.Handle(move{"a", 1})
		p.CatchUp(0)
		p.Query(ctx, token, func(v *view, _ uint64) { _ = v.Balance["a"] })
	}
}

// TestWriteInvariant checks the write model refuses every command that would make a
// balance negative, appends nothing for it, and never holds a negative balance.
func TestWriteInvariant(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	log, model := newBank()
	shadow := map[string]int{}
	for range 2000 {
		c := randomMove(r)
		head := log.Head()
		_, err := model.Handle(c)
		switch {
		case shadow[c.Account]+c.Amount < 0:
			if !errors.Is(err, errOverdraft) || log.Head() != head {
				t.Fatalf("%v on balance %d: err %v, head %d -> %d; want refused, nothing appended", c, shadow[c.Account], err, head, log.Head())
			}
		case err != nil:
			t.Fatalf("%v refused: %v", c, err)
		default:
			shadow[c.Account] += c.Amount
		}
	}
	model.Read(func(s map[string]int, _ uint64) {
		for a, b := range s {
			if b < 0 {
				t.Errorf("%s has balance %d", a, b)
			}
		}
		if diff := cmp.Diff(shadow, s); diff != "" {
			t.Errorf("state (-want +got):\n%s", diff)
		}
	})
}

func TestApply(t *testing.T) {
	ev := func(pos uint64) cqrs.Event[move] { return cqrs.Event[move]{Pos: pos, Data: move{"a", 1}} }
	tests := []struct {
		name    string
		feed    []uint64
		wantPos uint64
		want    cqrs.Stats
		wantErr bool
	}{
		{"in order", []uint64{1, 2, 3}, 3, cqrs.Stats{Applied: 3}, false},
		{"redelivery", []uint64{1, 2, 1, 2, 3, 3}, 3, cqrs.Stats{Applied: 3, Duplicates: 3}, false},
		{"gap", []uint64{1, 3}, 1, cqrs.Stats{Applied: 1, Gaps: 1}, true},
		{"gap then fill", []uint64{2, 1, 2}, 2, cqrs.Stats{Applied: 2, Gaps: 1}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := cqrs.NewProjection(cqrs.NewLog[move](cqrs.Options{}), newView, project)
			var gotErr bool
			for _, pos := range tt.feed {
				if _, err := p.Apply(ev(pos)); err != nil {
					gotErr = gotErr || errors.Is(err, cqrs.ErrGap)
				}
			}
			if p.Position() != tt.wantPos || gotErr != tt.wantErr {
				t.Errorf("position %d, gap error %v; want %d, %v", p.Position(), gotErr, tt.wantPos, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, p.Stats()); diff != "" {
				t.Errorf("stats (-want +got):\n%s", diff)
			}
		})
	}
}
