package playground

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// Formatted is the outcome of Format, in the Go playground's /fmt shape.
type Formatted struct {
	Body  string `json:"Body"`            // the formatted program, or the program as sent
	Error string `json:"Error"`           // syntax errors, prog.go:L:C: message, one a line
	Limit string `json:"Limit,omitempty"` // the limit that stopped gofmt: "time", "cpu", "output" or "memory"
}

// formatLimits bound one gofmt. go/format cannot be stopped once started,
// and some small inputs take it minutes and gigabytes (a 60 KB chain of
// 1+1+…: 23 s of CPU; 3,000 nested closures: 195 s and 27 MB of output),
// so Format runs the toolchain's gofmt as a child process under them.
type formatLimits struct {
	cpu     int           // seconds of CPU (RLIMIT_CPU); a 64 KB program takes ~20 ms
	memory  uint64        // bytes of heap and stacks (RLIMIT_DATA: Go reserves, but does not use, far more address space)
	timeout time.Duration // wall clock, for a start on a busy machine
	output  int           // bytes of formatted program: indentation can multiply a deeply nested one
}

var defaultFormatLimits = formatLimits{cpu: 2, memory: 256 << 20, timeout: 5 * time.Second, output: 4 * MaxSource}

// Formats at once and waiting: gofmt runs on one core (GOMAXPROCS=1) at a
// lower priority (formatNice), so hostile formats take at most
// formatSlots cores, for formatLimits.cpu seconds each, and only the time
// pages and runs leave.
const (
	formatSlots = 2
	formatQueue = 4
)

// formatter runs gofmt for a Service; it is set up on first use.
type formatter struct {
	once    sync.Once
	gofmt   string // the toolchain's gofmt, or "" without one
	limits  formatLimits
	slots   chan struct{}
	waiting chan struct{}
}

func (f *formatter) setup(goBin string) {
	f.once.Do(func() {
		f.slots, f.waiting = make(chan struct{}, formatSlots), make(chan struct{}, formatSlots+formatQueue)
		if f.limits == (formatLimits{}) {
			f.limits = defaultFormatLimits
		}
		if goBin == "" {
			return
		}
		if root, err := exec.Command(goBin, "env", "GOROOT").Output(); err == nil {
			f.gofmt = filepath.Join(strings.TrimSpace(string(root)), "bin", "gofmt")
		}
	})
}

// Format formats a program as gofmt does. Syntax errors come back in
// Error, like the compiler's; a format stopped by a limit comes back with
// Limit set and the program unchanged. Format returns ErrBusy when too
// many formats are waiting, ErrUnavailable without a Go toolchain, and
// the context's error when ctx ends first.
func (s *Service) Format(ctx context.Context, src string) (*Formatted, error) {
	if len(src) > MaxSource {
		return &Formatted{Body: src, Error: fmt.Sprintf("program too large: %d bytes (the limit is %d)", len(src), MaxSource)}, nil
	}
	s.format.setup(s.goBin)
	if s.format.gofmt == "" {
		return nil, ErrUnavailable
	}
	select {
	case s.format.waiting <- struct{}{}:
	default:
		return nil, ErrBusy
	}
	defer func() { <-s.format.waiting }()
	select {
	case s.format.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-s.format.slots }()
	return gofmt(ctx, s.format.gofmt, src, s.format.limits)
}

// gofmt runs bin on src under the limits: its own process group, killed
// at the deadline, when the output passes the cap, or with the server;
// CPU and memory capped by rlimits set before it reads any input.
func gofmt(ctx context.Context, bin, src string, lim formatLimits) (*Formatted, error) {
	run, cancel := context.WithTimeout(ctx, lim.timeout)
	defer cancel()
	stdout := &cappedBuffer{max: lim.output, cancel: cancel}
	stderr := &cappedBuffer{max: 64 << 10}
	cmd := exec.Command(bin)
	cmd.Dir, cmd.Env = "/", []string{"GOMAXPROCS=1"}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("playground: gofmt: %w", err)
	}
	pid := cmd.Process.Pid
	// gofmt blocks reading stdin until it has the program, so limits set
	// now hold for all the work the program can cause.
	if err := limitProcess(pid, lim); err != nil {
		syscall.Kill(-pid, syscall.SIGKILL)
		cmd.Wait()
		return nil, err
	}
	go func() {
		io.WriteString(stdin, src) // fails only when gofmt is gone: Wait reports why
		stdin.Close()
	}()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var werr error
	select {
	case werr = <-done:
	case <-run.Done():
		syscall.Kill(-pid, syscall.SIGKILL)
		werr = <-done
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	return formatResult(src, stdout, stderr, run, werr, cmd.ProcessState, lim)
}

// formatNice lowers gofmt's scheduling priority, so that a flood of
// formats yields the CPU to pages and runs.
const formatNice = 10

// limitProcess caps the CPU time and memory of process pid and lowers its
// priority.
func limitProcess(pid int, lim formatLimits) error {
	if err := unix.Setpriority(unix.PRIO_PROCESS, pid, formatNice); err != nil {
		return fmt.Errorf("playground: renicing gofmt: %w", err)
	}
	cpu := uint64(lim.cpu)
	// Soft and hard limits are equal: the kernel kills at once (the Go
	// runtime ignores the SIGXCPU a lower soft limit would send).
	for res, v := range map[int]uint64{unix.RLIMIT_CPU: cpu, unix.RLIMIT_DATA: lim.memory, unix.RLIMIT_CORE: 0} {
		if err := unix.Prlimit(pid, res, &unix.Rlimit{Cur: v, Max: v}, nil); err != nil {
			return fmt.Errorf("playground: limiting gofmt: %w", err)
		}
	}
	return nil
}

// gofmtPrefix starts every message of gofmt's own (it reads "<standard
// input>"); a crash of its runtime starts otherwise, and a program cannot
// change that.
const gofmtPrefix = "<standard input>:"

// formatResult reads what gofmt did from what the server observed: the
// output cap, the deadline, the kernel's CPU kill, a runtime crash under
// the memory limit, or gofmt's own exit.
func formatResult(src string, stdout, stderr *cappedBuffer, run context.Context, err error, ps *os.ProcessState, lim formatLimits) (*Formatted, error) {
	errText := stderr.String()
	var exit *exec.ExitError
	switch {
	case stdout.cut:
		return &Formatted{Body: src, Limit: "output"}, nil
	case errors.Is(run.Err(), context.DeadlineExceeded):
		return &Formatted{Body: src, Limit: "time"}, nil
	case err == nil:
		return &Formatted{Body: stdout.String()}, nil
	case !errors.As(err, &exit):
		return nil, fmt.Errorf("playground: gofmt: %w", err)
	case killedByCPULimit(ps, errText, lim):
		return &Formatted{Body: src, Limit: "cpu"}, nil
	case strings.HasPrefix(errText, gofmtPrefix):
		return &Formatted{Body: src, Error: strings.TrimSpace(strings.ReplaceAll(errText, gofmtPrefix, "prog.go:"))}, nil
	case killedBy(ps, syscall.SIGKILL) || strings.HasPrefix(errText, "fatal error:") ||
		strings.HasPrefix(errText, "runtime:") || strings.HasPrefix(errText, "SIGSEGV"):
		// The runtime's crash when an allocation fails at RLIMIT_DATA
		// (or the OOM killer's SIGKILL).
		return &Formatted{Body: src, Limit: "memory"}, nil
	}
	first, _, _ := strings.Cut(errText, "\n")
	return nil, fmt.Errorf("playground: gofmt: %v: %s", err, first)
}

// killedByCPULimit reports the kernel's kill at RLIMIT_CPU (the deadline
// did not pass). rusage can count well under the kernel's timer on a busy
// machine (the CPU limit is per process, its threads' time is summed at
// exit), so a SIGKILL after at least half the limit, with nothing written
// to stderr, is the CPU limit: a runtime that fails an allocation at
// RLIMIT_DATA says so on stderr before it dies, and the OOM killer does
// not wait for CPU seconds.
func killedByCPULimit(ps *os.ProcessState, errText string, lim formatLimits) bool {
	if !killedBy(ps, syscall.SIGKILL) {
		return false
	}
	limit, used := time.Duration(lim.cpu)*time.Second, cpuTime(ps)
	return used >= limit*9/10 || (errText == "" && used >= limit/2)
}

func killedBy(ps *os.ProcessState, sig syscall.Signal) bool {
	ws, ok := ps.Sys().(syscall.WaitStatus)
	return ok && ws.Signaled() && ws.Signal() == sig
}

// cappedBuffer keeps up to max bytes; past them it drops the rest, marks
// itself cut and calls cancel (when set), so the writer is stopped.
type cappedBuffer struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	max    int
	cut    bool
	cancel func()
}

func (b *cappedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if room := b.max - b.buf.Len(); len(p) > room {
		b.buf.Write(p[:max(room, 0)])
		if !b.cut && b.cancel != nil {
			b.cancel()
		}
		b.cut = true
		return len(p), nil
	}
	b.buf.Write(p)
	return len(p), nil
}

func (b *cappedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
