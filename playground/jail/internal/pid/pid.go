// Package pid puts a process's pid into the jail's seccomp program. The
// program is assembled before the pid is known (internal/policy), with a
// marker constant where the rules "only this process" compare a system
// call's argument; the jail patches its own pid in when it installs the
// program. The package imports only syscall, since every playground
// program links it; it lives apart from the jail so that it can be tested
// without the jail's init locking the test down.
package pid

import "syscall"

// Patch returns a copy of prog with pid in place of every marker constant.
func Patch(prog []syscall.SockFilter, marker, pid uint32) []syscall.SockFilter {
	out := append([]syscall.SockFilter(nil), prog...)
	for i := range out {
		if out[i].K == marker {
			out[i].K = pid
		}
	}
	return out
}
