package playground

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// warmPhase is where the start-up warm-up of one clock mode stands.
type warmPhase int

const (
	warmIdle    warmPhase = iota // Warm has not been called: builds run as they come
	warmRunning                  // filling the build cache; Run answers WarmingError
	warmDone                     // the cache is warm (real time: and the jail checked itself)
	warmFailed                   // the warm-up failed; Status says why
)

// warmState is the warm-up's progress and what it found. Real time is
// warmed first and makes the playground ready; fake time, an option, is
// warmed after it.
type warmState struct {
	real, fake warmClock
	err        string // why the warm-up failed
	selfCheck  string // what the jail's self-check found allowed, or ""
}

// warmClock is the warm-up of one clock mode.
type warmClock struct {
	phase    warmPhase
	started  time.Time
	estimate time.Duration // how long it is expected to take
}

// fail records a failed warm-up: of fake time alone when real time was
// already warm (the playground still runs real-time programs), else of
// both.
func (w *warmState) fail(err error) {
	w.err = err.Error()
	if w.real.phase != warmDone {
		w.real.phase = warmFailed
	}
	w.fake.phase = warmFailed
}

func (c warmClock) remaining() *WarmingError {
	return &WarmingError{Remaining: max(c.estimate-time.Since(c.started), time.Second)}
}

// Status reports readiness for /readyz: "warming: about N s left" (not
// ready) until real time is warm and the jail has checked itself,
// "failed: why" (not ready) when that failed, "degraded: what" (ready)
// when the jail lacks a layer, else "ok"; while fake time is still
// warming, the detail says so.
func (s *Service) Status() (bool, string) {
	if s.goBin == "" {
		return true, "disabled: " + ErrUnavailable.Error()
	}
	s.mu.Lock()
	w := s.warm
	s.mu.Unlock()
	switch {
	case w.real.phase == warmFailed:
		return false, "failed: " + w.err
	case w.real.phase == warmRunning:
		return false, fmt.Sprintf("warming: about %d s left", w.real.remaining().Seconds())
	}
	detail := "ok"
	weak := w.selfCheck
	if s.jail.degraded != "" {
		weak = strings.TrimPrefix(weak+"; "+s.jail.degraded, "; ")
	}
	if weak != "" {
		detail = "degraded: " + weak
	}
	switch w.fake.phase {
	case warmRunning:
		detail += fmt.Sprintf("; fake time warming: about %d s left", w.fake.remaining().Seconds())
	case warmFailed:
		detail += "; fake time warm-up failed: " + w.err
	}
	return true, detail
}

// warming returns a *WarmingError while the clock mode req needs is
// warming.
func (s *Service) warming(req Request) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.warm.real
	if req.FakeTime && c.phase != warmRunning {
		c = s.warm.fake
	}
	if c.phase != warmRunning {
		return nil
	}
	return c.remaining()
}

// Warm builds a program that imports every package of this module that
// programs may import (see Importable), filling the build cache so that readers' first
// builds are fast: in real time, then runs the jail's self-check (from
// then on the playground is ready), then in fake time. While a clock mode
// warms, Run answers *WarmingError for it. Warm returns when both modes
// are warm.
func (s *Service) Warm(ctx context.Context) error {
	return <-s.StartWarm(ctx)
}

// StartWarm is Warm in the background: Status says "warming" as soon as
// it returns, and the channel delivers Warm's result. The server calls it
// before it starts accepting requests.
func (s *Service) StartWarm(ctx context.Context) <-chan error {
	done := make(chan error, 1)
	if s.goBin == "" {
		done <- ErrUnavailable
		return done
	}
	start, last := time.Now(), s.lastWarmUp()
	s.update(func(w *warmState) {
		w.real = warmClock{warmRunning, start, last.real}
		w.fake = warmClock{warmRunning, start, last.real + last.fake}
	})
	go func() {
		took, err := s.warmUp(ctx, s.imports)
		if err != nil {
			s.update(func(w *warmState) { w.fail(err) })
		} else {
			s.saveWarmUp(took)
		}
		done <- err
	}()
	return done
}

// warmUp warms real time, checks the jail, then warms fake time, and
// returns how long each clock mode took.
func (s *Service) warmUp(ctx context.Context, imports []string) (warmTimes, error) {
	var took warmTimes
	start := time.Now()
	if err := s.ws.warm(ctx, imports, ""); err != nil {
		return took, err
	}
	problem, err := s.selfCheck(ctx)
	if err != nil {
		return took, err
	}
	took.real = time.Since(start)
	s.cfg.Logger.Info("playground ready", "warm-up", took.real.Round(time.Millisecond))
	if problem != "" {
		s.cfg.Logger.Warn("playground jail self-check", "problem", problem)
	}
	s.update(func(w *warmState) {
		w.selfCheck, w.real.phase = problem, warmDone
		w.fake.started, w.fake.estimate = time.Now(), w.fake.estimate-took.real
	})
	start = time.Now()
	if err := s.ws.warm(ctx, imports, fakeTimeTag); err != nil {
		return took, err
	}
	took.fake = time.Since(start)
	s.ws.warmed.Store(true) // builds may now use a lazier collector (buildEnv)
	s.cfg.Logger.Info("playground fake time ready", "warm-up", took.fake.Round(time.Millisecond))
	s.update(func(w *warmState) { w.fake.phase = warmDone })
	return took, nil
}

func (s *Service) update(f func(*warmState)) {
	s.mu.Lock()
	f(&s.warm)
	s.mu.Unlock()
}

// warmTimes is how long each clock mode's warm-up took.
type warmTimes struct{ real, fake time.Duration }

// Estimates for a work directory that has never been warmed, on a 2-core
// VM, when the server was built as `make` builds it (the go command's
// cache then holds the standard library and modernc.org/sqlite compiled
// as the playground compiles them, so real time only compiles this
// module's packages) and fake time recompiles everything with the
// faketime runtime; see README, "The playground".
var coldWarmUp = warmTimes{real: 20 * time.Second, fake: 60 * time.Second}

// warmUpFile records the last warm-up's durations (ms, real and fake) in
// the work directory, so the next start-up's estimate fits this machine
// and this cache.
func (s *Service) warmUpFile() string { return filepath.Join(s.cfg.WorkDir, "warm-up-ms") }

func (s *Service) lastWarmUp() warmTimes {
	b, err := os.ReadFile(s.warmUpFile())
	if err != nil {
		return coldWarmUp
	}
	var real, fake int64
	if n, _ := fmt.Sscan(string(b), &real, &fake); n != 2 || real <= 0 || fake <= 0 {
		return coldWarmUp
	}
	return warmTimes{time.Duration(real) * time.Millisecond, time.Duration(fake) * time.Millisecond}
}

func (s *Service) saveWarmUp(t warmTimes) {
	os.WriteFile(s.warmUpFile(), fmt.Appendf(nil, "%d %d\n", t.real.Milliseconds(), t.fake.Milliseconds()), 0o644)
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
