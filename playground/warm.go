package playground

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// warmPhase is where the start-up warm-up stands.
type warmPhase int

const (
	warmIdle    warmPhase = iota // Warm has not been called: builds run as they come
	warmRunning                  // filling the build cache; Run answers WarmingError
	warmDone                     // the cache is warm and the jail checked itself
	warmFailed                   // the warm-up failed; Status says why
)

// warmState is the warm-up's progress and what it found.
type warmState struct {
	phase     warmPhase
	started   time.Time
	estimate  time.Duration // how long this warm-up is expected to take
	err       string        // why the warm-up failed
	selfCheck string        // what the jail's self-check found allowed, or ""
}

// coldWarmEstimate is the expected warm-up on a machine that has never
// warmed this work directory: measured on a 2-core VM with an empty build
// cache (see README, "The playground").
const coldWarmEstimate = 90 * time.Second

// Status reports readiness for /readyz: "warming: about N s left" (not
// ready) while Warm runs, "failed: why" (not ready) when it failed,
// "degraded: what" (ready) when the jail lacks a layer, else "ok".
func (s *Service) Status() (bool, string) {
	if s.goBin == "" {
		return true, "disabled: " + ErrUnavailable.Error()
	}
	s.mu.Lock()
	w := s.warm
	s.mu.Unlock()
	switch w.phase {
	case warmRunning:
		return false, fmt.Sprintf("warming: about %d s left", remaining(w).Seconds())
	case warmFailed:
		return false, "failed: " + w.err
	}
	weak := w.selfCheck
	if s.jail.degraded != "" {
		weak = strings.TrimPrefix(weak+"; "+s.jail.degraded, "; ")
	}
	if weak != "" {
		return true, "degraded: " + weak
	}
	return true, "ok"
}

// warming returns a *WarmingError while Warm runs.
func (s *Service) warming() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.warm.phase != warmRunning {
		return nil
	}
	return remaining(s.warm)
}

func remaining(w warmState) *WarmingError {
	return &WarmingError{Remaining: max(w.estimate-time.Since(w.started), time.Second)}
}

// Warm builds a program that imports every package of this module that
// programs may import, in real and in fake time, filling the build cache
// so that readers' first builds are fast; then it runs the jail's
// self-check and records any weakness for Status. While it runs, Run
// answers *WarmingError and Status is not ready. The server calls it in
// the background at start-up.
func (s *Service) Warm(ctx context.Context, imports []string) (time.Duration, error) {
	if s.goBin == "" {
		return 0, ErrUnavailable
	}
	s.setWarm(warmState{phase: warmRunning, started: time.Now(), estimate: s.lastWarmUp()})
	took, err := s.warmUp(ctx, imports)
	if err != nil {
		s.setWarm(warmState{phase: warmFailed, err: err.Error()})
		return took, err
	}
	s.saveWarmUp(took)
	return took, nil
}

func (s *Service) warmUp(ctx context.Context, imports []string) (time.Duration, error) {
	start := time.Now()
	for _, tags := range []string{"", fakeTimeTag} {
		if err := s.ws.warm(ctx, imports, tags); err != nil {
			return time.Since(start), err
		}
	}
	took := time.Since(start)
	s.ws.warmed.Store(true)
	problem, err := s.selfCheck(ctx)
	if err != nil {
		return took, err
	}
	s.setWarm(warmState{phase: warmDone, selfCheck: problem})
	if problem != "" {
		s.cfg.Logger.Warn("playground jail self-check", "problem", problem)
	}
	return took, nil
}

func (s *Service) setWarm(w warmState) {
	s.mu.Lock()
	s.warm = w
	s.mu.Unlock()
}

// warmUpFile records the last warm-up's duration in the work directory,
// so the next start-up's estimate fits this machine and this cache.
func (s *Service) warmUpFile() string { return filepath.Join(s.cfg.WorkDir, "warm-up-ms") }

func (s *Service) lastWarmUp() time.Duration {
	b, err := os.ReadFile(s.warmUpFile())
	if err != nil {
		return coldWarmEstimate
	}
	ms, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	if err != nil || ms <= 0 {
		return coldWarmEstimate
	}
	return time.Duration(ms) * time.Millisecond
}

func (s *Service) saveWarmUp(took time.Duration) {
	os.WriteFile(s.warmUpFile(), []byte(strconv.FormatInt(took.Milliseconds(), 10)+"\n"), 0o644)
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

// selfCheck runs the jail's self-check and returns what it found allowed
// ("" when every probe was blocked). An error means the check itself could
// not run: the jail does not work here.
func (s *Service) selfCheck(ctx context.Context) (string, error) {
	resp, err := s.buildAndRun(ctx, Request{Source: selfCheckSource})
	switch {
	case err != nil:
		return "", fmt.Errorf("jail self-check: %w", err)
	case resp.Status != 0 || resp.Errors != "":
		return "", fmt.Errorf("jail self-check (status %d): %s%s", resp.Status, resp.Errors, resp.Output())
	}
	var allowed []string
	for _, line := range strings.Split(resp.Output(), "\n") {
		if strings.Contains(line, "ALLOWED") {
			allowed = append(allowed, strings.Join(strings.Fields(line), " "))
		}
	}
	return strings.Join(allowed, "; "), nil
}
