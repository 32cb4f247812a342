// Package chaos tests the workflow engine the way DBOS tests its own: several
// executor processes share one SQLite file while the test kills them with
// SIGKILL, holds the database's write lock past their busy timeout, fills
// the disk (ENOSPC on a small tmpfs, when the test may mount one) and lowers
// their file-size limit (RLIMIT_FSIZE, so writes fail with EFBIG). Every
// workflow's steps call an external ledger, served by the test process,
// that applies each idempotency key once and counts every request, and
// every workflow waits for a message that the test process sends it
// (SendOnce, or SendStart, which starts the run if no executor has yet;
// retried through the same faults).
//
// In the end every run must be done exactly once in effect: each recorded
// step recorded once, each key applied once, its message stored once and
// received once, the run's output made of the ledger's responses and the
// message, and no run failed or set aside because of a transient fault. The default size suits `make test`; a deep run:
//
//	LAMPORT_SEEDS=20 go test ./tests/chaos -run Chaos -v   # 20 times the workflows
//	LAMPORT_SEED=7 go test ./tests/chaos -run Chaos -v     # another fault schedule
package chaos

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/lamport-kb/lamport/engine"
	"github.com/lamport-kb/lamport/internal/proptest"
	_ "modernc.org/sqlite"
)

// The size of the default run: workflows (times LAMPORT_SEEDS), executor
// processes, and how long faults are injected before the executors are
// left to finish.
const (
	defaultRuns = 1000
	executors   = 3
	faultPhase  = 40 * time.Second
)

// steps are the ledger steps of a workflow, in order; "notify[0]" and
// "notify[1]" are one Parallel step.
var steps = []string{"reserve", "charge", "notify[0]", "notify[1]", "ship"}

// The child's environment.
const (
	envChild  = "CHAOS_EXECUTOR"
	envDB     = "CHAOS_DB"
	envLedger = "CHAOS_LEDGER"
	envRuns   = "CHAOS_RUNS"
	envSeed   = "CHAOS_SEED"
)

func TestChaos(t *testing.T) {
	if id := os.Getenv(envChild); id != "" {
		os.Exit(child(id))
	}
	if testing.Short() {
		t.Skip("the chaos suite runs processes for about half a minute")
	}
	seed := uint64(1)
	if s := os.Getenv("LAMPORT_SEED"); s != "" {
		var err error
		if seed, err = strconv.ParseUint(s, 10, 64); err != nil {
			t.Fatalf("LAMPORT_SEED=%q: %v", s, err)
		}
	}
	runs := proptest.Schedules(defaultRuns)
	dir, tmpfs := dataDir(t)
	db := filepath.Join(dir, "engine.db")
	prepare(t, db)
	l := newLedger()
	srv := httptest.NewServer(l)
	defer srv.Close()

	c := &cluster{t: t, db: db, ledger: srv.URL, runs: runs, rng: rand.New(rand.NewPCG(seed, 0xc4a05))}
	start := time.Now()
	for i := range executors {
		c.start(fmt.Sprintf("executor-%d", i))
	}
	sent := make(chan int, 1)
	go func() { sent <- sendAll(db, runs) }()
	f := c.inject(faultPhase, tmpfs, dir)
	c.finish(3 * time.Minute)
	took := time.Since(start)
	sendRetries := <-sent

	v := verify(t, db, l, runs)
	t.Logf("chaos (seed %d, %s): %d workflows, %d executor processes (%d starts) in %v", seed, where(tmpfs), runs, executors, c.starts, took.Round(time.Millisecond))
	t.Logf("faults injected: %d kill -9, %d write locks past the busy timeout, %d disk-full periods (ENOSPC), %d file-size limits (EFBIG)",
		f.kills, f.locks, f.full, l.faults("fsize"))
	t.Logf("the storage faults reached the runs: %d Run calls returned ErrUnavailable (the run left running, resumed later); %d sends failed with ErrUnavailable and were retried", l.faults("unavailable"), sendRetries)
	t.Logf("outcome: %d done, %d not done; %d duplicate step records, %d keys applied twice or unexpected, %d messages not stored and received exactly once; %d requests re-sent after a crash (absorbed by their keys); %d takeovers",
		v.done, runs-v.done, v.dupSteps, v.dupKeys, v.dupMessages, v.resent, v.takeovers)
}

// sendAll sends each run its "paid" message from this process (see
// send), retrying a send that meets a storage fault (a retry may store
// what the failed attempt stored: the key keeps it once) or finds the run
// not started yet; it returns how many sends failed for a storage fault.
func sendAll(db string, runs int) int {
	opts := engine.Options{Durability: engine.Normal, ExecutorID: "sender", BusyTimeout: 200 * time.Millisecond,
		StorageRetry: engine.RetryPolicy{MaxAttempts: 2, Initial: 20 * time.Millisecond}}
	e, err := engine.Open(db, opts)
	for err != nil { // a fault during Open: try again
		time.Sleep(50 * time.Millisecond)
		e, err = engine.Open(db, opts)
	}
	defer e.Close()
	faults := 0
	for pending := allRuns(runs); len(pending) > 0; time.Sleep(10 * time.Millisecond) {
		var again []string
		for _, id := range pending {
			err := send(e, id)
			if errors.Is(err, engine.ErrUnavailable) {
				faults++
			}
			if err != nil {
				again = append(again, id)
			}
		}
		pending = again
	}
	return faults
}

// send sends run id its "paid" message once, under a key of its own:
// with SendOnce to odd runs, which fails until an executor has started
// the run, and with SendStart to even ones, which creates the run if no
// executor has yet (this process has no workflows: an executor's Run or
// recovery executes it).
func send(e *engine.Engine, id string) error {
	payload := []byte("paid:" + id)
	var n int
	fmt.Sscanf(id, "order-%d", &n)
	if n%2 == 1 {
		return e.SendOnce(context.Background(), "paid/"+id, id, "paid", payload)
	}
	return e.SendStart(context.Background(), "order", id, nil, engine.Message{Topic: "paid", Payload: payload, Key: "paid/" + id})
}

// where names the data directory's kind for the report.
func where(tmpfs bool) string {
	if tmpfs {
		return "on a 32 MiB tmpfs"
	}
	return "on the test's temporary directory, no ENOSPC (mounting a tmpfs needs root)"
}

// dataDir is a small tmpfs of its own when the test may mount one (so the
// disk can be filled), else a temporary directory.
func dataDir(t *testing.T) (string, bool) {
	dir := t.TempDir()
	if os.Geteuid() != 0 {
		return dir, false
	}
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size=32m"); err != nil {
		t.Logf("no tmpfs (%v): the disk-full faults are skipped", err)
		return dir, false
	}
	t.Cleanup(func() { syscall.Unmount(dir, syscall.MNT_DETACH) })
	return dir, true
}

// prepare creates the database, so the executors start on its schema.
func prepare(t *testing.T, path string) {
	e, err := engine.Open(path, engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	e.Close()
}

// ledger is the external system: it applies each idempotency key once,
// answers a repeated key with its first response, and counts requests.
type ledger struct {
	mu       sync.Mutex
	applied  map[string]string // key → response
	requests map[string]int
	injected map[string]int // faults the executors report
}

func newLedger() *ledger {
	return &ledger{applied: map[string]string{}, requests: map[string]int{}, injected: map[string]int{}}
}

func (l *ledger) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if kind := r.URL.Query().Get("fault"); kind != "" {
		l.injected[kind]++
		return
	}
	key := r.URL.Query().Get("key")
	l.requests[key]++
	resp, ok := l.applied[key]
	if !ok {
		resp = strconv.Itoa(len(l.applied) + 1)
		l.applied[key] = resp
	}
	io.WriteString(w, resp)
}

func (l *ledger) faults(kind string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.injected[kind]
}

// cluster runs the executor processes.
type cluster struct {
	t      *testing.T
	db     string
	ledger string
	runs   int
	rng    *rand.Rand

	mu     sync.Mutex
	procs  map[string]*exec.Cmd // live executors by ID
	exited map[string]chan error
	starts int
}

func (c *cluster) start(id string) {
	cmd := exec.Command(os.Args[0], "-test.run=^TestChaos$")
	cmd.Env = append(os.Environ(), envChild+"="+id, envDB+"="+c.db, envLedger+"="+c.ledger,
		envRuns+"="+strconv.Itoa(c.runs), envSeed+"="+strconv.FormatUint(c.rng.Uint64(), 10))
	cmd.Stderr = &prefixed{t: c.t, id: id}
	if err := cmd.Start(); err != nil {
		c.t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.procs == nil {
		c.procs, c.exited = map[string]*exec.Cmd{}, map[string]chan error{}
	}
	c.procs[id], c.exited[id] = cmd, done
	c.starts++
}

// faultCount is what inject did.
type faultCount struct{ kills, locks, full int }

// inject kills, locks and fills for phase, at random moments drawn from
// the seed, and restarts killed executors, half of them under a new ID
// (whose runs then wait for their leases to lapse).
func (c *cluster) inject(phase time.Duration, tmpfs bool, dir string) faultCount {
	var f faultCount
	lock, err := sql.Open("sqlite", "file:"+c.db+"?_txlock=immediate&_pragma=busy_timeout(10000)")
	if err != nil {
		c.t.Fatal(err)
	}
	defer lock.Close()
	for end := time.Now().Add(phase); time.Now().Before(end) && !c.finished(); {
		time.Sleep(time.Duration(50+c.rng.IntN(250)) * time.Millisecond)
		switch k := c.rng.IntN(10); {
		case k < 4:
			if c.kill() {
				f.kills++
			}
		case k < 7:
			if hold(lock, time.Duration(250+c.rng.IntN(750))*time.Millisecond) == nil {
				f.locks++
			}
		case tmpfs:
			if fill(dir, time.Duration(100+c.rng.IntN(400))*time.Millisecond) == nil {
				f.full++
			}
		}
		c.restartExited()
	}
	return f
}

// kill sends SIGKILL to a random live executor and restarts it shortly
// after; it reports whether it killed one.
func (c *cluster) kill() bool {
	c.mu.Lock()
	var ids []string
	for id := range c.procs {
		ids = append(ids, id)
	}
	c.mu.Unlock()
	if len(ids) == 0 {
		return false
	}
	id := ids[c.rng.IntN(len(ids))]
	c.mu.Lock()
	cmd, done := c.procs[id], c.exited[id]
	delete(c.procs, id)
	delete(c.exited, id)
	c.mu.Unlock()
	cmd.Process.Kill()
	<-done
	time.Sleep(time.Duration(20+c.rng.IntN(200)) * time.Millisecond)
	if c.rng.IntN(2) == 0 {
		base, _, _ := strings.Cut(id, ".")
		id = fmt.Sprintf("%s.%d", base, c.starts) // a new executor in its place
	}
	c.start(id)
	return true
}

// restartExited restarts executors that exited with an error (an Open that
// met a fault): a supervisor would.
func (c *cluster) restartExited() {
	c.mu.Lock()
	var failed []string
	for id, done := range c.exited {
		select {
		case err := <-done:
			if err != nil {
				failed = append(failed, id)
			} else {
				done <- nil // finished: keep the result for finish
			}
		default:
		}
	}
	for _, id := range failed {
		delete(c.procs, id)
		delete(c.exited, id)
	}
	c.mu.Unlock()
	for _, id := range failed {
		c.start(id)
	}
}

// finished reports whether every executor exited on its own, having seen
// every run done.
func (c *cluster) finished() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, done := range c.exited {
		select {
		case err := <-done:
			done <- err // keep it for the next look
			if err != nil {
				return false
			}
		default:
			return false
		}
	}
	return len(c.exited) > 0
}

// finish waits until every executor exited on its own, restarting those
// that fail; it gives up after limit.
func (c *cluster) finish(limit time.Duration) {
	for deadline := time.Now().Add(limit); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		c.restartExited()
		if c.finished() {
			return
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, cmd := range c.procs {
		cmd.Process.Kill()
	}
	c.t.Errorf("the executors did not finish within %v", limit)
}

// hold takes the database's write lock for d, as another process would.
func hold(db *sql.DB, d time.Duration) error {
	tx, err := db.Begin()
	if err != nil {
		return err
	}
	time.Sleep(d)
	return tx.Rollback()
}

// fill fills the file system under dir until ENOSPC, keeps it full for d,
// then frees the space.
func fill(dir string, d time.Duration) error {
	path := filepath.Join(dir, "filler")
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer os.Remove(path)
	defer f.Close()
	chunk := make([]byte, 256<<10)
	for {
		if _, err := f.Write(chunk); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				return err
			}
			break
		}
	}
	time.Sleep(d)
	return nil
}

// prefixed passes a child's stderr to the test log, line by line.
type prefixed struct {
	t  *testing.T
	id string
	mu sync.Mutex
}

func (p *prefixed) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, line := range strings.Split(strings.TrimRight(string(b), "\n"), "\n") {
		p.t.Logf("%s: %s", p.id, line)
	}
	return len(b), nil
}

// checked is what verify found.
type checked struct {
	done, dupSteps, dupKeys, dupMessages, resent, takeovers int
}

// verify reads the database and the ledger after the executors are gone.
func verify(t *testing.T, path string, l *ledger, runs int) checked {
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var v checked
	statuses := map[string]int{}
	rows, err := db.Query(`SELECT status, count(*), sum(recoveries) FROM engine_runs GROUP BY status`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var st string
		var n, rec int
		rows.Scan(&st, &n, &rec)
		statuses[st] = n
		v.takeovers += rec
	}
	rows.Close()
	v.done = statuses["done"]
	if v.done != runs || len(statuses) != 1 {
		t.Errorf("runs by status %v; want all %d done", statuses, runs)
	}
	for i := range runs {
		checkRun(t, db, l, fmt.Sprint("order-", i), &v)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.applied) != runs*len(steps) {
		t.Errorf("the ledger applied %d keys; want %d (%d runs × %d steps)", len(l.applied), runs*len(steps), runs, len(steps))
		v.dupKeys += max(0, len(l.applied)-runs*len(steps))
	}
	for _, n := range l.requests {
		v.resent += n - 1
	}
	return v
}

// checkRun checks one run's log against the ledger: each step recorded
// once, under its expected key, with the ledger's response, and the
// output made of those responses.
func checkRun(t *testing.T, db *sql.DB, l *ledger, id string, v *checked) {
	rows, err := db.Query(`SELECT step_seq, step, result FROM engine_events WHERE run_id = ? AND kind = 'done' AND step NOT IN ('settle', 'recv:paid') ORDER BY step_seq`, id)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	seen := map[string]int{}
	var results []string
	for rows.Next() {
		var n int
		var step, result string
		rows.Scan(&n, &step, &result)
		seen[step]++
		key := fmt.Sprintf("%s/%d/%s", id, n, step)
		l.mu.Lock()
		resp, ok := l.applied[key]
		l.mu.Unlock()
		if want := strconv.Quote(resp); !ok || result != want {
			t.Errorf("%s: step %s recorded %s, the ledger applied key %s as %q (%v)", id, step, result, key, resp, ok)
			v.dupKeys++
		}
		results = append(results, resp)
	}
	for _, s := range steps {
		if seen[s] != 1 {
			t.Errorf("%s: step %s recorded %d times", id, s, seen[s])
			v.dupSteps += max(0, seen[s]-1)
		}
	}
	results = append(results, checkMessage(t, db, id, v))
	var out string
	db.QueryRow(`SELECT coalesce(output, '') FROM engine_runs WHERE id = ?`, id).Scan(&out)
	if want := strings.Join(results, ","); out != want {
		t.Errorf("%s: output %q, want %q", id, out, want)
	}
}

// checkMessage checks that run id's message was stored once and received
// once, by the run's one recv event, and returns its payload.
func checkMessage(t *testing.T, db *sql.DB, id string, v *checked) string {
	var stored, receivedBy int
	db.QueryRow(`SELECT count(*), coalesce(max(received), -1) FROM engine_messages WHERE run_id = ?`, id).Scan(&stored, &receivedBy)
	var recvs, seq int
	var result []byte
	db.QueryRow(`SELECT count(*), coalesce(max(seq), -2), max(result) FROM engine_events WHERE run_id = ? AND step = 'recv:paid' AND kind = 'done'`, id).
		Scan(&recvs, &seq, &result)
	var got struct{ Payload []byte }
	json.Unmarshal(result, &got)
	if stored != 1 || recvs != 1 || receivedBy != seq || string(got.Payload) != "paid:"+id {
		t.Errorf("%s: message stored %d times, received by event %d, %d recv events (the last %d: %s)", id, stored, receivedBy, recvs, seq, result)
		v.dupMessages++
	}
	return string(got.Payload)
}

// The executor process.

// child runs every workflow to its end on the shared database while the
// parent injects faults, and injects file-size limits on itself; it exits
// 0 once it has seen every run done, 2 if it could not open the database.
func child(id string) int {
	seed, _ := strconv.ParseUint(os.Getenv(envSeed), 10, 64)
	runs, _ := strconv.Atoi(os.Getenv(envRuns))
	ledger := os.Getenv(envLedger)
	e, err := engine.Open(os.Getenv(envDB), engine.Options{
		Durability: engine.Normal, ExecutorID: id,
		Lease: 400 * time.Millisecond, RecoverEvery: 100 * time.Millisecond, ParkAfter: 10 * time.Millisecond,
		BusyTimeout: 200 * time.Millisecond, MaxRecoveries: 1000,
		StorageRetry: engine.RetryPolicy{MaxAttempts: 5, Initial: 20 * time.Millisecond, Max: 200 * time.Millisecond},
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "open:", err)
		return 2
	}
	e.Register("order", order(ledger))
	go limitFileSize(os.Getenv(envDB), ledger, rand.New(rand.NewPCG(seed, 1)))
	rng := rand.New(rand.NewPCG(seed, 2))
	for pending := allRuns(runs); len(pending) > 0; {
		rng.Shuffle(len(pending), func(i, j int) { pending[i], pending[j] = pending[j], pending[i] })
		pending = pass(e, ledger, pending)
	}
	// Stay until the end: a run another executor finishes must not be left
	// to nobody if that executor is killed before its end is committed.
	e.Close()
	return 0
}

func allRuns(n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprint("order-", i)
	}
	return ids
}

// pass runs every pending ID, eight at a time, and returns those that did
// not end done (a storage fault, a run still owned elsewhere).
func pass(e *engine.Engine, ledger string, ids []string) []string {
	var mu sync.Mutex
	var again []string
	sem := make(chan struct{}, 8)
	var wg sync.WaitGroup
	for _, id := range ids {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_, err := e.Run(ctx, "order", id, nil)
			var re *engine.RunError
			if errors.As(err, &re) || errors.Is(err, engine.ErrAttention) {
				fmt.Fprintln(os.Stderr, "run ended badly:", err)
				return // the parent's check reports it
			}
			if errors.Is(err, engine.ErrUnavailable) {
				report(ledger, "unavailable")
			}
			if err != nil {
				mu.Lock()
				again = append(again, id)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return again
}

// order is the chaos workflow: two ledger steps, a durable timer, a
// parallel pair and a last ledger step; its output joins the responses.
func order(ledger string) engine.Workflow {
	retry := engine.StepOptions{Retry: engine.RetryPolicy{MaxAttempts: 50, Initial: 10 * time.Millisecond, Max: 100 * time.Millisecond}}
	call := func(ctx context.Context, key string) (string, error) { return apply(ctx, ledger, key) }
	return func(c *engine.Context, _ []byte) ([]byte, error) {
		var out []string
		for _, name := range []string{"reserve", "charge"} {
			v, err := engine.StepWith(c, name, retry, call)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		if err := engine.Sleep(c, "settle", 30*time.Millisecond); err != nil {
			return nil, err
		}
		paid, _, err := engine.Recv(c, "paid", 0) // from the test process, whenever it gets through
		if err != nil {
			return nil, err
		}
		vs, err := engine.Parallel(c, "notify", 2, retry, func(ctx context.Context, _ int, key string) (string, error) {
			return apply(ctx, ledger, key)
		})
		if err != nil {
			return nil, err
		}
		v, err := engine.StepWith(c, "ship", retry, call)
		if err != nil {
			return nil, err
		}
		return []byte(strings.Join(append(append(out, vs...), v, string(paid)), ",")), nil
	}
}

// apply asks the ledger to apply key.
func apply(ctx context.Context, ledger, key string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ledger+"/apply?key="+url.QueryEscape(key), nil)
	if err != nil {
		return "", err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return string(b), err
}

// limitFileSize now and then lowers this process's RLIMIT_FSIZE to the
// size of the database's WAL, so appends to it fail with EFBIG, and
// restores it after a moment.
func limitFileSize(db, ledger string, rng *rand.Rand) {
	var orig syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_FSIZE, &orig); err != nil {
		return
	}
	for {
		time.Sleep(time.Duration(200+rng.IntN(800)) * time.Millisecond)
		st, err := os.Stat(db + "-wal")
		if err != nil {
			continue
		}
		lim := orig
		lim.Cur = uint64(max(st.Size(), 1))
		if syscall.Setrlimit(syscall.RLIMIT_FSIZE, &lim) != nil {
			continue
		}
		report(ledger, "fsize")
		time.Sleep(time.Duration(50+rng.IntN(400)) * time.Millisecond)
		syscall.Setrlimit(syscall.RLIMIT_FSIZE, &orig)
	}
}

// report tells the test process about a fault, for its tally.
func report(ledger, kind string) {
	if resp, err := http.Post(ledger+"/?fault="+kind, "text/plain", nil); err == nil {
		resp.Body.Close()
	}
}
