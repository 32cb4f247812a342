// Package jail locks down the process it is linked into, before any user
// code runs. The playground's builder links it into every program it
// builds; its init
//
//   - applies resource limits: CPU time, data segment (heap and private
//     mappings), no file writes, a few file descriptors, no core dumps;
//   - caps the Go stack and sets a soft memory limit for the collector;
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
	debug.SetMaxStack(MaxStack)
	debug.SetMemoryLimit(SoftMemory)
	if err := installFilter(); err != nil {
		panic("jail: seccomp: " + err.Error())
	}
}

// limit lowers a resource limit; a failure is fatal, since running without
// the limit is not allowed.
func limit(resource int, value uint64) { limitSoft(resource, value, value) }

func limitSoft(resource int, soft, hard uint64) {
	rl := syscall.Rlimit{Cur: soft, Max: hard}
	if err := syscall.Setrlimit(resource, &rl); err != nil {
		panic("jail: setrlimit: " + err.Error())
	}
}
