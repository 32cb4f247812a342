package playground

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// limitHit names the limit that stopped the program, if any. It goes by
// what the runner saw for itself, never by what the program printed (a
// program may print "out of memory" or forge the runtime's traceback):
//
//   - "output": the output budget ran out and the runner killed the run;
//   - "time": the wall-clock deadline fired and the runner killed the
//     program (one that exited by itself as the deadline passed, say
//     with the runtime's crash report on a loaded machine, did not run
//     into it);
//   - "cpu": the program was killed after using the jail's CPU seconds;
//   - "memory": the program failed after its resident memory (the
//     kernel's peak RSS in the process's rusage) reached half the jail's
//     data limit.
//
// Memory has a blind spot: a single allocation the kernel refuses at once
// (make([]byte, 8<<30)) kills a Go program with exit status 2 before any
// of it is resident, and from outside that looks like any other fatal
// error. Such a run reports no limit; its stderr shows the runtime's own
// "fatal error: runtime: out of memory".
func limitHit(ctx context.Context, out *output, err error, cpu time.Duration) string {
	var exit *exec.ExitError
	switch {
	case out.truncated():
		return "output"
	case errors.Is(ctx.Err(), context.DeadlineExceeded) && !exitedByItself(err):
		return "time"
	case !errors.As(err, &exit):
		return ""
	case cpu >= jailCPU:
		// The runtime ignores SIGXCPU at the soft limit; the kernel's
		// SIGKILL at the hard limit ends it.
		return "cpu"
	case peakRSS(exit.ProcessState) >= jailData/2:
		return "memory"
	}
	return ""
}

// exitedByItself reports whether the program ended with an exit status
// of its own (err is nil or an exit code), not by a signal.
func exitedByItself(err error) bool {
	if err == nil {
		return true
	}
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		return false
	}
	ws, ok := exit.Sys().(syscall.WaitStatus)
	return ok && ws.Exited()
}

// jailCPU and jailData are playground/jail's CPUSeconds and DataBytes
// (jail is not imported here: its init would lock down the server).
const (
	jailCPU  = 5 * time.Second
	jailData = 1 << 30
)

func cpuTime(ps *os.ProcessState) time.Duration {
	if ps == nil {
		return 0
	}
	return ps.UserTime() + ps.SystemTime()
}

// peakRSS is the largest resident set of the process, or of any
// descendant it waited for, in bytes.
func peakRSS(ps *os.ProcessState) int64 {
	if ps == nil {
		return 0
	}
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		return ru.Maxrss << 10 // Linux reports kilobytes
	}
	return 0
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
