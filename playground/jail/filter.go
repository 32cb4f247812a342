package jail

import (
	"syscall"

	seccomp "github.com/elastic/go-seccomp-bpf"
)

// allowed are the system calls a jailed Go program may make once init has
// run: memory, threads and signals for the runtime, the netpoller, time,
// and reads and writes on descriptors it already holds (stdout, stderr,
// the runtime's pipes and eventfds). Everything else fails with EPERM.
// Opening files is not here: the program starts with every descriptor it
// will ever need.
var allowed = []string{
	// descriptors already open
	"read", "write", "readv", "writev", "pread64", "pwrite64", "close", "fstat", "lseek", "fcntl", "dup", "dup3",
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
	"getrandom", "uname", "getuid", "geteuid", "getgid", "getegid", "getrlimit", "getrusage",
}

// filter allows the calls above; clone only for new threads (the flags
// the runtime uses include CLONE_THREAD, fork-like clones do not); kill
// and tgkill only of this process (the runtime signals its own threads to
// preempt them), so a program cannot signal another reader's run that
// shares its uid; prlimit64 only on itself.
func filter() seccomp.Filter {
	self := uint64(syscall.Getpid())
	return seccomp.Filter{
		NoNewPrivs: true,
		Flag:       seccomp.FilterFlagTSync, // every thread the runtime has already started
		Policy: seccomp.Policy{
			DefaultAction: seccomp.ActionErrno,
			Syscalls: []seccomp.SyscallGroup{{
				Action: seccomp.ActionAllow,
				Names:  allowed,
				NamesWithCondtions: []seccomp.NameWithConditions{
					{Name: "clone", Conditions: []seccomp.Condition{
						{Argument: 0, Operation: seccomp.BitsSet, Value: syscall.CLONE_THREAD},
					}},
					onlyArg0("kill", self),
					onlyArg0("tgkill", self),
					onlyArg0("prlimit64", 0),
				},
			}},
		},
	}
}

func installFilter() error {
	return seccomp.LoadFilter(filter())
}

// onlyArg0 allows a call whose first argument is v.
func onlyArg0(name string, v uint64) seccomp.NameWithConditions {
	return seccomp.NameWithConditions{Name: name, Conditions: []seccomp.Condition{
		{Argument: 0, Operation: seccomp.Equal, Value: v},
	}}
}
