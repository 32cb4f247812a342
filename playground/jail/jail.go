// Package jail locks down the process it is linked into, before any user
// code runs. The playground's builder links it into every program it
// builds; its init
//
//   - applies resource limits: CPU time, data segment (heap and private
//     mappings), no file writes, a few file descriptors, no core dumps,
//     and, when the program runs as one of the playground's run uids, a
//     few threads;
//   - caps the Go stack and GOMAXPROCS, and sets a soft memory limit for
//     the collector;
//   - installs a seccomp filter that allows only the system calls the Go
//     runtime needs to compute, print and schedule goroutines, and fails
//     every other call with EPERM: no open, socket, exec, fork, ptrace,
//     mount, unshare or setuid (see filter.go).
//
// Package initialisation order guarantees that this init runs before the
// user's: the builder makes the user's main package import jail, and a
// package's imports are initialised before the package itself. If the
// filter cannot be installed the program stops before main: the jail
// fails closed.
//
// SelfCheck lets a program report, from inside, how the jail holds; the
// sandbox tests and the server's start-up check use it.
package jail

import (
	"runtime"
	"runtime/debug"
	"syscall"
)

// Limits applied by init. The runner's wall-clock timeout and output cap
// live outside the process.
const (
	CPUSeconds = 5
	DataBytes  = 1 << 30   // RLIMIT_DATA: heap and private mappings (not the address space, which Go reserves freely)
	SoftMemory = 128 << 20 // GC target: the heap is collected hard before this
	MaxStack   = 64 << 20
	OpenFiles  = 16
	Threads    = 64 // RLIMIT_NPROC on a run uid: the runtime needs GOMAXPROCS + a few
	MaxProcs   = 8  // GOMAXPROCS at most, so that Threads holds on a machine with many cores
)

// The playground runs each concurrent program as its own uid, one of
// UIDs from FirstUID on (its gid is the same number). RLIMIT_NPROC counts
// every task of the real uid, so on a run uid it bounds this run's
// threads (a server that is not root gives each run a run uid inside a
// user namespace, where it is counted apart from the server's); on any
// other uid it would count the server's tasks too, and the jail leaves it
// alone.
const (
	FirstUID = 90000
	UIDs     = 32
)

func init() {
	// SIGXCPU at the soft limit, which the Go runtime ignores, then the
	// kernel's SIGKILL at the hard limit a second later; the runner tells
	// it from other kills by the CPU time the process used.
	limitSoft(syscall.RLIMIT_CPU, CPUSeconds, CPUSeconds+1)
	limit(syscall.RLIMIT_DATA, DataBytes)
	limit(syscall.RLIMIT_FSIZE, 0)
	limit(syscall.RLIMIT_NOFILE, OpenFiles)
	limit(syscall.RLIMIT_CORE, 0)
	if RunUID(syscall.Getuid()) {
		limit(rlimitNPROC, Threads)
	}
	if runtime.GOMAXPROCS(0) > MaxProcs {
		runtime.GOMAXPROCS(MaxProcs)
	}
	debug.SetMaxStack(MaxStack)
	debug.SetMemoryLimit(SoftMemory)
	if err := installFilter(); err != nil {
		panic("jail: seccomp: " + err.Error())
	}
}

// RunUID reports whether uid is one of the playground's run uids.
func RunUID(uid int) bool { return uid >= FirstUID && uid < FirstUID+UIDs }

// limit lowers a resource limit; a failure is fatal, since running without
// the limit is not allowed.
func limit(resource int, value uint64) { limitSoft(resource, value, value) }

func limitSoft(resource int, soft, hard uint64) {
	rl := syscall.Rlimit{Cur: soft, Max: hard}
	if err := syscall.Setrlimit(resource, &rl); err != nil {
		panic("jail: setrlimit: " + err.Error())
	}
}
