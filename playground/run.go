package playground

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"syscall"
	"time"
)

// fakeTimeTag builds the runtime with the simulated clock (Request.FakeTime).
const fakeTimeTag = "faketime"

// buildAndRun builds src and runs it under the limits.
func (s *Service) buildAndRun(ctx context.Context, req Request) (*Response, error) {
	start := time.Now()
	tags := ""
	if req.FakeTime {
		tags = fakeTimeTag
	}
	bin, compileErrs, limit, err := s.ws.build(ctx, req.Source, tags, s.cfg.BuildTimeout)
	resp := &Response{BuildTime: time.Since(start), Limit: limit}
	if err != nil {
		return nil, err
	}
	if compileErrs != "" {
		resp.Errors, resp.Status = compileErrs, 2
		return resp, nil
	}
	defer os.RemoveAll(filepath.Dir(bin))
	return s.run(ctx, bin, req.FakeTime, resp)
}

// run executes the binary in an empty directory with an empty environment,
// as a uid and in a cgroup of its own (see isolation.go), and kills its
// whole process group at the deadline or when the output cap is reached.
func (s *Service) run(ctx context.Context, bin string, fake bool, resp *Response) (*Response, error) {
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
	if err := linkOrCopy(bin, prog); err != nil {
		return nil, err
	}
	os.Chmod(dir, 0o755)
	ctx, cancel := context.WithTimeout(ctx, s.cfg.RunTimeout)
	defer cancel()
	out := newOutput(s.cfg.MaxOutput, fake, cancel)
	cmd := exec.Command(prog)
	cmd.Dir, cmd.Env = work, []string{}
	cmd.Stdout, cmd.Stderr = out.writer("stdout"), out.writer("stderr")
	reports, err := openReports()
	if err != nil {
		return nil, err
	}
	cmd.ExtraFiles = []*os.File{reports.w} // fd 3: the engine's reports (runs.go)
	jail, err := s.jail.enter(ctx)
	if err != nil {
		reports.started()
		return nil, err
	}
	defer jail.leave()
	start := time.Now()
	err = jail.start(cmd)
	reports.started()
	if err != nil {
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
	resp.Events = namePaths(out.events(), out.truncated())
	resp.Status = exitStatus(werr)
	resp.Limit = limitHit(ctx, out, werr, cpuTime(cmd.ProcessState))
	resp.Runs = reports.runs(resp.Limit != "")
	return resp, nil
}

// namePaths rewrites the build's package directory in tracebacks
// (play/p12/prog.go) as prog.go. When the output cap cut the last event,
// a path it cut in half is dropped from its end.
func namePaths(evs []Event, cut bool) []Event {
	for i := range evs {
		evs[i].Message = progPath.ReplaceAllString(evs[i].Message, "prog.go")
	}
	if n := len(evs); cut && n > 0 {
		evs[n-1].Message = halfPath.ReplaceAllString(evs[n-1].Message, "")
	}
	return evs
}

// halfPath matches the start of a package directory path at the end of
// a message.
var halfPath = regexp.MustCompile(`play/p\d*(/(p(r(o(g(\.(go?)?)?)?)?)?)?)?$`)

// linkOrCopy hard-links the binary into the run directory, or copies it
// when the two are on different file systems.
func linkOrCopy(from, to string) error {
	if os.Link(from, to) == nil {
		return nil
	}
	data, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	return os.WriteFile(to, data, 0o755)
}
