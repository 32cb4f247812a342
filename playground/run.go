package playground

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// jailMode is what the kernel lets the runner do.
type jailMode struct {
	namespaces uintptr // clone flags for new namespaces
	user       *syscall.Credential
	degraded   string // why the jail is weaker than designed, or ""
}

// nobody is the unprivileged user programs run as when the server is root.
const nobody = 65534

// probeJail finds out which isolation this machine permits, by starting
// /bin/true with it.
func probeJail() jailMode {
	var m jailMode
	var missing []string
	if os.Geteuid() == 0 {
		m.user = &syscall.Credential{Uid: nobody, Gid: nobody}
	} else {
		missing = append(missing, "not root: programs run as the server's user")
	}
	flags := uintptr(syscall.CLONE_NEWNET | syscall.CLONE_NEWIPC | syscall.CLONE_NEWUTS | syscall.CLONE_NEWPID)
	cmd := exec.Command("/bin/true")
	cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: flags, Credential: m.user}
	if err := cmd.Run(); err == nil {
		m.namespaces = flags
	} else {
		missing = append(missing, "no new namespaces ("+err.Error()+")")
	}
	m.degraded = strings.Join(missing, "; ")
	return m
}

// buildAndRun builds src and runs it under the limits.
func (s *Service) buildAndRun(ctx context.Context, src string) (*Response, error) {
	start := time.Now()
	bin, compileErrs, err := s.ws.build(ctx, src)
	resp := &Response{BuildTime: time.Since(start)}
	if err != nil {
		return nil, err
	}
	if compileErrs != "" {
		resp.Errors, resp.Status = compileErrs, 2
		return resp, nil
	}
	defer os.RemoveAll(filepath.Dir(bin))
	return s.run(ctx, bin, resp)
}

// run executes the binary in an empty directory with an empty environment
// and kills its whole process group at the deadline or when the output
// cap is reached.
func (s *Service) run(ctx context.Context, bin string, resp *Response) (*Response, error) {
	// The unprivileged user must reach the binary: it gets a copy in a
	// fresh directory under the system temp dir, and an empty, read-only
	// working directory beside it.
	dir, err := os.MkdirTemp("", "lamport-run-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	work := filepath.Join(dir, "work")
	prog := filepath.Join(dir, "prog")
	if err := os.Mkdir(work, 0o755); err != nil {
		return nil, err
	}
	if err := copyFile(bin, prog); err != nil {
		return nil, err
	}
	os.Chmod(dir, 0o755)
	ctx, cancel := context.WithTimeout(ctx, s.cfg.RunTimeout)
	defer cancel()
	out := &output{max: s.cfg.MaxOutput, start: time.Now()}
	cmd := exec.Command(prog)
	cmd.Dir, cmd.Env = work, []string{}
	cmd.Stdout, cmd.Stderr = out.writer("stdout", cancel), out.writer("stderr", cancel)
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Setpgid:    true,
		Pdeathsig:  syscall.SIGKILL,
		Cloneflags: s.jail.namespaces,
		Credential: s.jail.user,
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var werr error
	select {
	case werr = <-done:
	case <-ctx.Done():
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		werr = <-done
	}
	resp.RunTime = time.Since(start)
	resp.Events = out.events()
	for i := range resp.Events { // tracebacks name the build's package dir
		resp.Events[i].Message = progPath.ReplaceAllString(resp.Events[i].Message, "prog.go")
	}
	resp.Status = exitStatus(werr)
	resp.Limit = limitHit(ctx, out, werr)
	return resp, nil
}

// limitHit names the limit that stopped the program, if any.
func limitHit(ctx context.Context, out *output, err error) string {
	var exit *exec.ExitError
	text := string(out.text())
	switch {
	case strings.Contains(text, "out of memory") || strings.Contains(text, "cannot allocate memory"):
		return "memory"
	case out.truncated():
		return "output"
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return "time"
	case errors.As(err, &exit):
		if ws, ok := exit.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() == syscall.SIGXCPU {
			return "cpu"
		}
	}
	return ""
}

func exitStatus(err error) int {
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		if ws, ok := exit.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return 128 + int(ws.Signal())
		}
		return exit.ExitCode()
	}
	if err != nil {
		return 1
	}
	return 0
}

// output collects stdout and stderr as timed events, up to a shared cap.
type output struct {
	mu    sync.Mutex
	max   int
	n     int
	cut   bool
	start time.Time
	last  time.Time
	evs   []Event
}

type streamWriter struct {
	o      *output
	kind   string
	cancel func()
}

func (o *output) writer(kind string, cancel func()) *streamWriter {
	return &streamWriter{o: o, kind: kind, cancel: cancel}
}

func (w *streamWriter) Write(p []byte) (int, error) {
	written := len(p)
	o := w.o
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.cut {
		return len(p), nil
	}
	if o.n+len(p) > o.max {
		p = p[:o.max-o.n]
		o.cut = true
		w.cancel()
	}
	o.n += len(p)
	now := time.Now()
	if o.last.IsZero() {
		o.last = o.start
	}
	if n := len(o.evs); n > 0 && o.evs[n-1].Kind == w.kind && now.Sub(o.last) < time.Millisecond {
		o.evs[n-1].Message += string(p)
	} else {
		o.evs = append(o.evs, Event{Message: string(p), Kind: w.kind, Delay: now.Sub(o.last)})
	}
	o.last = now
	return written, nil
}

func (o *output) events() []Event {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]Event(nil), o.evs...)
}

func (o *output) truncated() bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.cut
}

func (o *output) text() []byte {
	o.mu.Lock()
	defer o.mu.Unlock()
	var b []byte
	for _, e := range o.evs {
		b = append(b, e.Message...)
	}
	return b
}

func copyFile(from, to string) error {
	data, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	return os.WriteFile(to, data, 0o755)
}
