// Package playground compiles and runs readers' Go programs against this
// project's real packages, in a jail.
//
// A Service checks a program (size, syntax, an import allowlist, no
// //go:linkname or //go:embed), builds it with the real Go toolchain in a
// prepared workspace whose go.mod resolves this module's packages offline
// (GOPROXY=off, CGO_ENABLED=0, -trimpath), links playground/jail into it
// (resource limits applied before any user code runs), and runs the binary
// as a child process: empty environment, empty working directory, its own
// process group killed as a whole at the deadline, an unprivileged user
// when the server is root, new network, IPC, UTS and PID namespaces where
// the kernel allows (a weaker jail is reported by Status), and one cap on
// the combined output.
//
// Responses have the Go playground's shape: {Errors, Events[{Message,
// Kind, Delay}], Status}, plus build and run times. Successful results are
// cached by source; at most MaxConcurrent programs build or run at once,
// a few more wait in a queue, and the rest get ErrBusy (the site answers
// 429).
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
}

// ErrBusy is returned when too many runs are waiting.
var ErrBusy = errors.New("playground: too many programs running; try again in a moment")

// ErrUnavailable is returned when the server has no Go toolchain.
var ErrUnavailable = errors.New("playground unavailable: no Go toolchain on this server")

// Source is a tree of this module's files to lay out in the workspace, at
// Dir (relative to the module root), for example the content FS at
// "content" and the engine's embedded source at "playground/engine".
type Source struct {
	Dir string
	FS  fs.FS
}

// Config configures a Service.
type Config struct {
	WorkDir       string        // workspace, build cache and runs live here
	GoCache       string        // the build cache; default WorkDir/gocache (Go's cache is safe to share)
	GoMod, GoSum  []byte        // the module's go.mod and go.sum
	Sources       []Source      // the module's packages that programs may import
	BuildTimeout  time.Duration // default 60 s (a cold build of the engine is slow)
	RunTimeout    time.Duration // default 5 s
	MaxOutput     int           // combined stdout+stderr bytes; default 1 MiB
	MaxConcurrent int           // default 2
	Queue         int           // runs that may wait for a slot; default 8
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
	slots   chan struct{} // running or building
	waiting chan struct{} // queued

	mu        sync.Mutex
	cache     map[string]*Response
	selfCheck string // what the jail's self-check found allowed, or ""
}

// New prepares the workspace. Without a Go toolchain it returns a Service
// whose Run fails with ErrUnavailable, so the rest of the site works.
func New(cfg Config) (*Service, error) {
	cfg.defaults()
	s := &Service{cfg: cfg, slots: make(chan struct{}, cfg.MaxConcurrent),
		waiting: make(chan struct{}, cfg.MaxConcurrent+cfg.Queue), cache: make(map[string]*Response)}
	goBin, err := exec.LookPath("go")
	if err != nil {
		return s, nil
	}
	s.goBin = goBin
	if s.ws, err = newWorkspace(cfg, goBin); err != nil {
		return nil, err
	}
	s.jail = probeJail()
	if s.jail.degraded != "" {
		cfg.Logger.Warn("playground jail degraded", "reason", s.jail.degraded)
	}
	return s, nil
}

// Status reports readiness for /readyz.
func (s *Service) Status() (bool, string) {
	switch {
	case s.goBin == "":
		return true, "disabled: " + ErrUnavailable.Error()
	}
	s.mu.Lock()
	weak := s.selfCheck
	s.mu.Unlock()
	if s.jail.degraded != "" {
		weak = strings.TrimPrefix(weak+"; "+s.jail.degraded, "; ")
	}
	if weak != "" {
		return true, "ok, jail degraded: " + weak
	}
	return true, "ok"
}

// Run checks, builds and runs a program.
func (s *Service) Run(ctx context.Context, req Request) (*Response, error) {
	if s.goBin == "" {
		return nil, ErrUnavailable
	}
	if err := checkSource(req.Source); err != nil {
		return &Response{Errors: err.Error(), Status: 2}, nil
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
	select {
	case s.slots <- struct{}{}:
		return func() { <-s.slots; <-s.waiting }, nil
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
	if r := s.cache[key]; r != nil {
		c := *r
		c.Cached = true
		return &c
	}
	return nil
}

func (s *Service) store(key string, r *Response) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.cache) > 4096 {
		clear(s.cache)
	}
	s.cache[key] = r
}

// Warm builds a program that imports every package of this module that
// programs may import, in real and in fake time, filling the build cache
// so that readers' first builds are fast; then it runs the jail's
// self-check and records any weakness for Status. The server calls it in
// the background at start-up.
func (s *Service) Warm(ctx context.Context, imports []string) (time.Duration, error) {
	if s.goBin == "" {
		return 0, ErrUnavailable
	}
	release, err := s.acquire(ctx)
	if err != nil {
		return 0, err
	}
	defer release()
	start := time.Now()
	for _, tags := range []string{"", fakeTimeTag} {
		if err := s.ws.warm(ctx, imports, tags); err != nil {
			return time.Since(start), err
		}
	}
	took := time.Since(start)
	s.ws.warmed.Store(true)
	s.recordSelfCheck(ctx)
	return took, nil
}

// selfCheckSource prints the jail's probes, one a line.
const selfCheckSource = `package main

import (
	"fmt"

	"github.com/lamport-kb/lamport/playground/jail"
)

func main() {
	for _, p := range jail.SelfCheck() {
		fmt.Println(p)
	}
}
`

// recordSelfCheck runs the jail's self-check and keeps what it found
// allowed, for Status and the log.
func (s *Service) recordSelfCheck(ctx context.Context) {
	var problem string
	resp, err := s.buildAndRun(ctx, Request{Source: selfCheckSource})
	switch {
	case err != nil:
		problem = "self-check failed: " + err.Error()
	case resp.Status != 0 || resp.Errors != "":
		problem = fmt.Sprintf("self-check failed (status %d): %s%s", resp.Status, resp.Errors, resp.Output())
	default:
		for _, line := range strings.Split(resp.Output(), "\n") {
			if strings.Contains(line, "ALLOWED") {
				problem += strings.Join(strings.Fields(line), " ") + "; "
			}
		}
	}
	s.mu.Lock()
	s.selfCheck = strings.TrimSuffix(problem, "; ")
	s.mu.Unlock()
	if problem != "" {
		s.cfg.Logger.Warn("playground jail self-check", "problem", problem)
	}
}

// Output is the program's output: every event's text, in order.
func (r *Response) Output() string {
	var b strings.Builder
	for _, e := range r.Events {
		b.WriteString(e.Message)
	}
	return b.String()
}
