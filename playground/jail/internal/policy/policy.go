// Package policy is the jail's seccomp policy, assembled into a BPF
// program with github.com/elastic/go-seccomp-bpf. The jail does not import
// it: playground/jail/gen writes the assembled program into the jail's
// source (filter_linux_amd64.go), so that every user program links only
// the syscall package to install it, not the assembler and its tables.
package policy

import (
	"bytes"
	"fmt"
	"go/format"
	"syscall"

	seccomp "github.com/elastic/go-seccomp-bpf"
	"golang.org/x/net/bpf"
)

// SelfPID stands for the process's own pid in the program; the jail
// patches it in when it installs the filter (the pid is only known then,
// and inside a new PID namespace it is 1).
const SelfPID = 0x7ffffff0

// Allowed are the system calls a jailed Go program may make once the jail's
// init has run: memory, threads and signals for the runtime, the
// netpoller, time, and reads and writes on descriptors it already holds
// (stdout, stderr, the runtime's pipes and eventfds). Everything else fails
// with EPERM. Opening files is not here: the program starts with every
// descriptor it will ever need. Neither is uname: it tells the host's name
// and kernel, and on linux/amd64 only os.Hostname and the net and file-copy
// paths ask for it, none of which a program can import.
var Allowed = []string{
	// descriptors already open
	"read", "write", "readv", "writev", "pread64", "pwrite64", "close", "fstat", "lseek", "dup", "dup3",
	"pipe2", "eventfd2", "epoll_create1", "epoll_ctl", "epoll_wait", "epoll_pwait", "ppoll", "pselect6", "poll",
	// memory
	"mmap", "munmap", "mprotect", "madvise", "mremap", "brk", "mincore",
	// threads, scheduling and signals
	"futex", "sched_yield", "sched_getaffinity", "set_robust_list", "rseq", "gettid", "getpid", "getppid",
	"rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "sigaltstack", "restart_syscall",
	"exit", "exit_group",
	// time
	"clock_gettime", "clock_getres", "clock_nanosleep", "nanosleep", "gettimeofday", "time",
	"timer_create", "timer_settime", "timer_gettime", "timer_delete", "setitimer", "getitimer",
	// harmless facts about the process
	"getrandom", "getuid", "geteuid", "getgid", "getegid", "getrlimit", "getrusage",
}

// Policy allows the calls above; clone only for new threads (the flags the
// runtime uses include CLONE_THREAD, fork-like clones do not); kill and
// tgkill only of this process (the runtime signals its own threads to
// preempt them), so a program cannot signal another reader's run that
// shares its uid; prlimit64 only on itself; fcntl only for what the
// runtime and package os ask (see fcntlRules). The default is EPERM.
func Policy() seccomp.Policy {
	return seccomp.Policy{
		DefaultAction: seccomp.ActionErrno,
		Syscalls: []seccomp.SyscallGroup{{
			Action: seccomp.ActionAllow,
			Names:  Allowed,
			NamesWithCondtions: append([]seccomp.NameWithConditions{
				{Name: "clone", Conditions: []seccomp.Condition{
					{Argument: 0, Operation: seccomp.BitsSet, Value: syscall.CLONE_THREAD},
				}},
				onlyArg0("kill", SelfPID),
				onlyArg0("tgkill", SelfPID),
				onlyArg0("prlimit64", 0),
			}, fcntlRules()...),
		}},
	}
}

// fcntlRules allow the fcntl commands Go asks for on linux/amd64: the
// runtime's F_GETFD check of fds 0-2 and F_SETFD close-on-exec, F_GETFL to
// tell a non-blocking descriptor (os.NewFile) and F_SETFL to make one
// (syscall.SetNonblock), F_DUPFD_CLOEXEC to duplicate one (internal/poll).
// F_SETFL may not set O_ASYNC, and F_SETOWN, F_SETSIG, F_SETLEASE and
// F_NOTIFY are refused: with them a program chooses a process, any process
// its uid may signal, to receive a signal of its choosing (SIGKILL) when a
// descriptor becomes ready. The command is compared in all 64 bits, so a
// high bit the kernel would ignore makes the call fail, not pass.
func fcntlRules() []seccomp.NameWithConditions {
	rules := []seccomp.NameWithConditions{{Name: "fcntl", Conditions: []seccomp.Condition{
		{Argument: 1, Operation: seccomp.Equal, Value: syscall.F_SETFL},
		{Argument: 2, Operation: seccomp.BitsNotSet, Value: syscall.O_ASYNC},
	}}}
	for _, cmd := range []uint64{syscall.F_GETFD, syscall.F_SETFD, syscall.F_GETFL, syscall.F_DUPFD_CLOEXEC} {
		rules = append(rules, seccomp.NameWithConditions{Name: "fcntl", Conditions: []seccomp.Condition{
			{Argument: 1, Operation: seccomp.Equal, Value: cmd},
		}})
	}
	return rules
}

// onlyArg0 allows a call whose first argument is v.
func onlyArg0(name string, v uint64) seccomp.NameWithConditions {
	return seccomp.NameWithConditions{Name: name, Conditions: []seccomp.Condition{
		{Argument: 0, Operation: seccomp.Equal, Value: v},
	}}
}

// Program assembles the policy for the machine's architecture.
func Program() ([]bpf.RawInstruction, error) {
	p := Policy()
	insts, err := p.Assemble()
	if err != nil {
		return nil, err
	}
	return bpf.Assemble(insts)
}

// GoFile is filter_linux_amd64.go: the program as a Go table for the
// syscall package, with SelfPID as the constant selfPID.
func GoFile() ([]byte, error) {
	prog, err := Program()
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.WriteString("// Code generated by playground/jail/gen from internal/policy; DO NOT EDIT.\n\npackage jail\n\nimport \"syscall\"\n\n")
	fmt.Fprintf(&b, "// selfPID marks the constants to replace with the process's pid.\nconst selfPID = %#x\n\n", SelfPID)
	b.WriteString("// program is the seccomp filter, for linux/amd64.\nvar program = []syscall.SockFilter{\n")
	for _, in := range prog {
		fmt.Fprintf(&b, "\t{Code: %#04x, Jt: %d, Jf: %d, K: %#x},\n", in.Op, in.Jt, in.Jf, in.K)
	}
	b.WriteString("}\n")
	return format.Source(b.Bytes())
}
