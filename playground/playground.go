// Package playground compiles and runs readers' Go programs against this
// project's real packages, in a jail.
//
// A Service checks a program (size, syntax, an import allowlist, no
// //go:linkname or //go:embed), builds it with the real Go toolchain in a
// workspace laid out from the module's source bundle (lamport.Source: the
// allowlist of our packages and the warm-up both derive from it, see
// Importable), offline (GOPROXY=off, CGO_ENABLED=0, -trimpath), under a
// build timeout and per-process limits on the compiler and linker (CPU,
// memory, file size; a build killed by one is Limit "build" and never
// cached), and links playground/jail into it: resource limits and a
// seccomp filter applied before any user code runs.
//
// The binary runs as a child process (isolation.go): empty environment,
// empty working directory, its own process group killed as a whole at the
// deadline and with the server, a uid of its own per concurrent run (so
// runs cannot signal each other) with RLIMIT_NPROC, a cgroup per run with
// pids and memory caps where the kernel offers them, new network, IPC, UTS
// and PID namespaces where permitted. Layers lists what is in force; a
// missing layer is reported by Status as "degraded". Output is capped
// while it streams, in bytes and in events, in real and in fake time
// (output.go). Which limit stopped a run comes from the runner's own
// observation (deadline, caps, exit signal, CPU time, peak memory), never
// from the program's output.
//
// Warm (StartWarm at server start) fills the build cache with every
// importable package, real time first, then runs the jail's self-check;
// until then Run answers *WarmingError with an estimate and Status says
// "warming". Fake time is warmed next.
//
// Responses have the Go playground's shape: {Errors, Events[{Message,
// Kind, Delay}], Status}, plus build and run times, and Runs: the
// workflow runs the program's engines reported when it closed them, read
// from a pipe on its fd 3 under a byte bound, checked against the
// engine's bounds and with timelines drawn by the server (runs.go). Successful results are
// cached by source in an LRU bounded by bytes; at most MaxConcurrent
// programs build or run at once, a few more wait in a queue for at most
// QueueWait, and the rest get ErrBusy (the site answers 429). Format runs
// gofmt in a child process under its own limits and slots.
//
// Runner is the interface the site depends on, so that tests can use a
// fake and runners can later move to other machines; it is declared here,
// next to its only production implementation, because both the site and
// the tests consume it.
package playground

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Runner runs a program.
type Runner interface {
	Run(ctx context.Context, req Request) (*Response, error)
}

// Request is a program to run.
type Request struct {
	Source string `json:"body"`
	// FakeTime runs the program on a simulated clock, as the Go playground
	// does: the runtime is built with the faketime tag, so when every
	// goroutine is blocked the clock jumps to the next timer. Sleeps,
	// timeouts and backoff finish at once, events carry the simulated
	// delays, a program blocked with no timer pending is reported as a
	// deadlock at once, and time starts at 2009-11-10 23:00:00 UTC.
	FakeTime bool `json:"fakeTime,omitempty"`
}

// Event is a piece of output, with the time since the previous one.
type Event struct {
	Message string        `json:"Message"`
	Kind    string        `json:"Kind"` // "stdout" or "stderr"
	Delay   time.Duration `json:"Delay"`
}

// Response is the outcome of a run, in the Go playground's shape.
type Response struct {
	Errors    string        `json:"Errors"` // build errors, prog.go:L:C: message
	Events    []Event       `json:"Events"`
	Status    int           `json:"Status"` // the program's exit status
	BuildTime time.Duration `json:"BuildTime"`
	RunTime   time.Duration `json:"RunTime"`
	Cached    bool          `json:"Cached"`
	Limit     string        `json:"Limit,omitempty"` // the limit that stopped the run: "time", "output", "memory", "cpu"
	Runs      *Runs         `json:"Runs,omitempty"`  // the workflow runs the program's engines reported; nil: none
}

// ErrBusy is returned when too many runs are waiting.
var ErrBusy = errors.New("playground: too many programs running; try again in a moment")

// WarmingError is returned by Run while Warm is filling the build cache:
// a build now would wait for the same packages, so the reader is told how
// long to wait instead.
type WarmingError struct {
	Remaining time.Duration // estimated time until the playground is ready
}

func (e *WarmingError) Error() string {
	return fmt.Sprintf("the playground is warming up (about %d s)", e.Seconds())
}

// Seconds is Remaining in whole seconds, at least 1.
func (e *WarmingError) Seconds() int { return max(1, int((e.Remaining+time.Second-1)/time.Second)) }

// ErrUnavailable is returned when the server has no Go toolchain.
var ErrUnavailable = errors.New("playground unavailable: no Go toolchain on this server")

// Config configures a Service.
type Config struct {
	WorkDir       string        // workspace and runs live here; absolute
	GoCache       string        // the build cache, absolute; default the go command's own (Go's cache is safe to share)
	Module        fs.FS         // go.mod, go.sum and the packages programs may import, as in the repository (lamport.Source)
	BuildTimeout  time.Duration // default 60 s (a cold build of the engine is slow)
	RunTimeout    time.Duration // default 5 s
	MaxOutput     int           // combined stdout+stderr bytes; default 1 MiB
	MaxConcurrent int           // default 2
	Queue         int           // runs that may wait for a slot; default 8
	QueueWait     time.Duration // how long a run waits for a slot before ErrBusy; default 30 s, so queue + build + run fit the server's write timeout
	Logger        *slog.Logger
}

func (c *Config) defaults() {
	if c.BuildTimeout <= 0 {
		c.BuildTimeout = 60 * time.Second
	}
	if c.RunTimeout <= 0 {
		c.RunTimeout = 5 * time.Second
	}
	if c.MaxOutput <= 0 {
		c.MaxOutput = 1 << 20
	}
	if c.MaxConcurrent <= 0 {
		c.MaxConcurrent = 2
	}
	if c.Queue < 0 {
		c.Queue = 0
	} else if c.Queue == 0 {
		c.Queue = 8
	}
	if c.QueueWait <= 0 {
		c.QueueWait = 30 * time.Second
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
}

// Service is the playground. It is safe for concurrent use.
type Service struct {
	cfg     Config
	goBin   string
	ws      *workspace
	jail    jailMode
	ours    map[string]bool // this module's packages programs may import
	imports []string        // the same, sorted: what Warm compiles
	slots   chan struct{}   // running or building
	waiting chan struct{}   // queued
	format  formatter       // gofmt for Format, with its own slots

	mu    sync.Mutex
	cache *resultCache // guarded by mu
	warm  warmState    // guarded by mu
}

// New prepares the workspace. Without a Go toolchain it returns a Service
// whose Run fails with ErrUnavailable, so the rest of the site works.
func New(cfg Config) (*Service, error) {
	cfg.defaults()
	s := &Service{cfg: cfg, slots: make(chan struct{}, cfg.MaxConcurrent),
		waiting: make(chan struct{}, cfg.MaxConcurrent+cfg.Queue), cache: newResultCache(cacheBytes)}
	goBin, err := exec.LookPath("go")
	if err != nil {
		return s, nil
	}
	s.goBin = goBin
	if !filepath.IsAbs(cfg.WorkDir) || cfg.GoCache != "" && !filepath.IsAbs(cfg.GoCache) {
		return nil, fmt.Errorf("playground: WorkDir %q and GoCache %q must be absolute paths (the go command refuses a relative cache)", cfg.WorkDir, cfg.GoCache)
	}
	if s.imports, err = Importable(cfg.Module); err != nil {
		return nil, err
	}
	s.ours = make(map[string]bool)
	for _, p := range s.imports {
		s.ours[p] = true
	}
	if s.ws, err = newWorkspace(cfg, goBin); err != nil {
		return nil, err
	}
	s.jail = probeJail()
	if s.jail.degraded != "" {
		cfg.Logger.Warn("playground jail degraded", "reason", s.jail.degraded)
	}
	return s, nil
}

// Run checks, builds and runs a program.
func (s *Service) Run(ctx context.Context, req Request) (*Response, error) {
	if s.goBin == "" {
		return nil, ErrUnavailable
	}
	if err := checkSource(req.Source, s.ours); err != nil {
		return &Response{Errors: err.Error(), Status: 2}, nil
	}
	if err := s.warming(req); err != nil {
		return nil, err
	}
	key := s.cacheKey(req)
	if r := s.cached(key); r != nil {
		return r, nil
	}
	release, err := s.acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	resp, err := s.buildAndRun(ctx, req)
	if err == nil && resp.Limit == "" {
		s.store(key, resp)
	}
	return resp, err
}

// acquire waits for a slot, or fails at once when the queue is full.
func (s *Service) acquire(ctx context.Context) (func(), error) {
	select {
	case s.waiting <- struct{}{}:
	default:
		return nil, ErrBusy
	}
	wait := time.NewTimer(s.cfg.QueueWait)
	defer wait.Stop()
	select {
	case s.slots <- struct{}{}:
		return func() { <-s.slots; <-s.waiting }, nil
	case <-wait.C:
		<-s.waiting
		return nil, ErrBusy
	case <-ctx.Done():
		<-s.waiting
		return nil, ctx.Err()
	}
}

// cacheKey identifies a result: the toolchain, the limits, the clock and
// the source.
func (s *Service) cacheKey(req Request) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%v\x00%v\x00%d\x00%t\x00", s.ws.goVersion, jailVersion,
		s.cfg.RunTimeout, s.cfg.BuildTimeout, s.cfg.MaxOutput, req.FakeTime)
	h.Write([]byte(req.Source))
	return hex.EncodeToString(h.Sum(nil))
}

// jailVersion names the jail's limits and filter, part of the cache key.
const jailVersion = "jail-v4 seccomp, soft CPU limit"

func (s *Service) cached(key string) *Response {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r := s.cache.get(key); r != nil {
		c := *r
		c.Cached = true
		return &c
	}
	return nil
}

func (s *Service) store(key string, r *Response) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cache.put(key, r)
}

// Output is the program's output: every event's text, in order.
func (r *Response) Output() string {
	var b strings.Builder
	for _, e := range r.Events {
		b.WriteString(e.Message)
	}
	return b.String()
}

// Queued is how many runs wait for a slot now.
func (s *Service) Queued() int { return max(len(s.waiting)-len(s.slots), 0) }

// Running is how many runs build or run now.
func (s *Service) Running() int { return len(s.slots) }
