package jail

import (
	"errors"
	"syscall"
	"unsafe"

	"github.com/lamport-kb/lamport/playground/jail/internal/pid"
)

//go:generate go run ./gen

// Constants of prctl(2) and seccomp(2) that package syscall lacks.
const (
	prSetNoNewPrivs      = 38
	seccompSetModeFilter = 1
	seccompFilterTSync   = 1
)

// installFilter installs the seccomp program (generated from
// internal/policy into filter_linux_amd64.go) on every thread of the
// process, after setting no_new_privs, which an unprivileged process
// needs to install a filter.
func installFilter() error {
	if len(program) == 0 {
		return errors.New("no filter for this architecture: the jail has one for linux/amd64")
	}
	prog := pid.Patch(program, selfPID, uint32(syscall.Getpid()))
	if _, _, e := syscall.RawSyscall6(syscall.SYS_PRCTL, prSetNoNewPrivs, 1, 0, 0, 0, 0); e != 0 {
		return e
	}
	fprog := syscall.SockFprog{Len: uint16(len(prog)), Filter: &prog[0]}
	r, _, e := syscall.RawSyscall(sysSeccomp, seccompSetModeFilter, seccompFilterTSync, uintptr(unsafe.Pointer(&fprog)))
	if e != 0 {
		return e
	}
	if r != 0 { // TSYNC names a thread it could not synchronise
		return errors.New("a thread could not take the filter")
	}
	return nil
}
