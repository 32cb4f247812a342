package jail

import (
	"errors"
	"fmt"
	"syscall"
)

// Probe is one attempt, from inside the jail, to do what the jail forbids.
type Probe struct {
	Name    string // what was tried
	Blocked bool   // the jail stopped it
	Detail  string // the error or value seen
}

func (p Probe) String() string {
	verdict := "blocked"
	if !p.Blocked {
		verdict = "ALLOWED"
	}
	return fmt.Sprintf("%-8s %s (%s)", p.Name, verdict, p.Detail)
}

// SelfCheck tries each forbidden operation and reports what happened. A
// process in a working jail gets Blocked for every probe; "uid" is
// blocked when the program runs as one of the playground's run uids, and
// "nproc" when its threads are limited.
func SelfCheck() []Probe {
	return []Probe{
		denied("openat", func() error { _, err := syscall.Open("/etc/hostname", syscall.O_RDONLY, 0); return err }),
		denied("socket", func() error { _, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0); return err }),
		denied("execve", func() error { return syscall.Exec("/bin/true", []string{"true"}, nil) }),
		denied("fork", fork),
		denied("ptrace", func() error {
			return errno(syscall.RawSyscall(syscall.SYS_PTRACE, syscall.PTRACE_TRACEME, 0, 0))
		}),
		denied("mount", func() error { return syscall.Mount("none", "/", "tmpfs", 0, "") }),
		denied("unshare", func() error { return syscall.Unshare(syscall.CLONE_NEWUSER | syscall.CLONE_NEWNET) }),
		denied("setuid", func() error { return syscall.Setuid(0) }),
		denied("uname", func() error { var u syscall.Utsname; return syscall.Uname(&u) }),
		denied("setown", fcntlPipe(syscall.F_SETOWN, uintptr(syscall.Getpid()))),
		denied("setsig", fcntlPipe(syscall.F_SETSIG, uintptr(syscall.SIGKILL))),
		denied("o_async", fcntlPipe(syscall.F_SETFL, syscall.O_ASYNC|syscall.O_NONBLOCK)),
		{Name: "uid", Blocked: RunUID(syscall.Getuid()), Detail: fmt.Sprintf("uid %d", syscall.Getuid())},
		nproc(),
		{Name: "env", Blocked: len(syscall.Environ()) == 0, Detail: fmt.Sprintf("%d variables", len(syscall.Environ()))},
	}
}

// denied runs try and reports it blocked when it failed with EPERM, the
// filter's answer.
func denied(name string, try func() error) Probe {
	err := try()
	if err == nil {
		return Probe{Name: name, Detail: "succeeded"}
	}
	return Probe{Name: name, Blocked: errors.Is(err, syscall.EPERM), Detail: err.Error()}
}

func errno(_, _ uintptr, e syscall.Errno) error {
	if e != 0 {
		return e
	}
	return nil
}

// fcntlPipe returns a probe that makes a pipe and tries fcntl(cmd, arg) on
// its read end: what a program would do to have the kernel signal another
// process when the pipe becomes readable.
func fcntlPipe(cmd int, arg uintptr) func() error {
	return func() error {
		var p [2]int
		if err := syscall.Pipe2(p[:], syscall.O_CLOEXEC); err != nil {
			return fmt.Errorf("pipe2: %w", err)
		}
		defer syscall.Close(p[0])
		defer syscall.Close(p[1])
		return errno(syscall.Syscall(syscall.SYS_FCNTL, uintptr(p[0]), uintptr(cmd), arg))
	}
}

// nproc reports the thread limit (RLIMIT_NPROC) in force.
func nproc() Probe {
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(rlimitNPROC, &rl); err != nil {
		return Probe{Name: "nproc", Detail: err.Error()}
	}
	if rl.Max == ^uint64(0) {
		return Probe{Name: "nproc", Detail: "unlimited"}
	}
	return Probe{Name: "nproc", Blocked: rl.Max <= Threads, Detail: fmt.Sprintf("%d threads", rl.Max)}
}

// fork tries fork(2); should the jail let it through, the child exits at
// once.
func fork() error {
	pid, _, e := syscall.RawSyscall(syscall.SYS_FORK, 0, 0, 0)
	if e == 0 && pid == 0 {
		syscall.RawSyscall(syscall.SYS_EXIT_GROUP, 0, 0, 0)
	}
	return errno(pid, 0, e)
}
