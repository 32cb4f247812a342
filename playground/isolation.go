package playground

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"syscall"
)

// The runner's layers of the jail, around the ones playground/jail applies
// from inside the program (seccomp, resource limits). A program that
// breaks Go's memory safety with a data race can make any system call the
// filter allows, so each layer holds against raw system calls:
//
//   - a uid per running program (when the server is root): programs
//     running at the same time cannot signal or trace each other, or the
//     server, and the jail's RLIMIT_NPROC bounds each one's threads;
//   - new network, IPC, UTS and PID namespaces: no network, and no other
//     process to see;
//   - a cgroup per run (where the server may make them): tasks and memory
//     capped even for what the rlimits do not count (see cgroup.go).
//
// A server that is not root runs each program in a new user namespace,
// as a run uid that exists only there (mapped onto the server's), with
// the same namespaces. Where the kernel refuses that too, programs would
// share the server's uid and see its processes: the playground then
// refuses to run them.

// Limits of playground/jail the runner relies on (jail is not imported
// here: its init would lock down the server).
const (
	jailThreads   = 64      // jail.Threads
	jailDataBytes = 1 << 30 // jail.DataBytes
)

// jailMode is what the kernel lets the runner do.
type jailMode struct {
	namespaces uintptr     // clone flags for new namespaces
	uids       uidPool     // a uid per run; nil: programs run as the server's uid
	userns     bool        // run uids exist in a new user namespace, mapped onto the server's
	cgroups    *cgroupTree // a cgroup per run, or nil
	layers     []string    // the layers in force, for Layers
	refused    error       // why no program may run here, or nil
	degraded   string      // why the jail is weaker than designed, or ""
}

// rootNamespaces are the namespaces every run gets.
const rootNamespaces = syscall.CLONE_NEWNET | syscall.CLONE_NEWIPC | syscall.CLONE_NEWUTS | syscall.CLONE_NEWPID

// probeJail finds out which isolation this machine permits, by starting
// /bin/true with it.
func probeJail() jailMode {
	m := jailMode{uids: runUIDs, layers: []string{"seccomp", "rlimit cpu data fsize nofile"}}
	var missing []string
	uids := fmt.Sprintf("uid %d-%d", firstRunUID, firstRunUID+runUIDCount-1)
	if os.Geteuid() != 0 {
		m.userns, uids = true, "userns "+uids+" (the server's uid outside)"
		missing = append(missing, "not root: each run has a uid of its own only inside a user namespace")
	}
	flags := uintptr(rootNamespaces)
	if m.userns {
		flags |= syscall.CLONE_NEWUSER
	}
	switch err := m.try(flags, nil); {
	case err == nil:
		m.namespaces = flags
		m.layers = append(m.layers, uids, fmt.Sprintf("rlimit nproc %d", jailThreads), "netns pidns ipcns utsns")
	case m.userns:
		m.uids, m.userns = nil, false
		m.refused = fmt.Errorf("playground: refusing to run programs: the server is not root and cannot make user namespaces (%v), so programs would share its uid and see its processes", err)
		missing = append(missing, m.refused.Error())
	default:
		m.layers = append(m.layers, uids, fmt.Sprintf("rlimit nproc %d", jailThreads))
		missing = append(missing, "no new namespaces ("+err.Error()+")")
	}
	if err := m.probeCgroups(); err != nil {
		missing = append(missing, "no cgroup per run ("+err.Error()+")")
	}
	m.degraded = strings.Join(missing, "; ")
	return m
}

// probeCgroups sets up the cgroups and starts /bin/true in one (unless
// no program may run at all).
func (m *jailMode) probeCgroups() error {
	if m.refused != nil {
		return nil
	}
	t, err := probeCgroups()
	if err != nil {
		return err
	}
	cg, err := t.create()
	if err != nil {
		return err
	}
	err = m.try(m.namespaces, cg)
	cg.remove()
	if err != nil {
		return err
	}
	m.cgroups = t
	m.layers = append(m.layers, t.String())
	return nil
}

// try starts /bin/true as a run would be, with flags for namespaces.
func (m *jailMode) try(flags uintptr, cg *runCgroup) error {
	saved := m.namespaces
	m.namespaces = flags
	defer func() { m.namespaces = saved }()
	cmd := exec.Command("/bin/true")
	if err := m.start(cmd, firstRunUID, cg); err != nil {
		return err
	}
	return cmd.Wait()
}

// Layers lists the jail's layers in force on this machine, for /readyz;
// those missing are in Status's "degraded" detail.
func (s *Service) Layers() []string { return slices.Clone(s.jail.layers) }

// attr is how the runner starts a program as uid (ignored without a uid
// pool) in cg (or none).
func (m *jailMode) attr(uid int, cg *runCgroup) *syscall.SysProcAttr {
	a := &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL, Cloneflags: m.namespaces}
	switch {
	case m.uids == nil:
	case m.userns:
		a.UidMappings = []syscall.SysProcIDMap{{ContainerID: uid, HostID: os.Getuid(), Size: 1}}
		a.GidMappings = []syscall.SysProcIDMap{{ContainerID: uid, HostID: os.Getgid(), Size: 1}}
	default:
		a.Credential = &syscall.Credential{Uid: uint32(uid), Gid: uint32(uid)}
	}
	if cg != nil && cg.fd >= 0 {
		a.UseCgroupFD, a.CgroupFD = true, cg.fd
	}
	return a
}

// runJail is one run's share of the jail, held from before its program
// starts until it has been waited for: its uid and its cgroup.
type runJail struct {
	mode *jailMode
	uid  int
	cg   *runCgroup
}

// enter takes a uid and makes a cgroup for one run.
func (m *jailMode) enter(ctx context.Context) (*runJail, error) {
	if m.refused != nil {
		return nil, m.refused
	}
	r := &runJail{mode: m, uid: -1}
	if m.uids != nil {
		uid, err := m.uids.take(ctx)
		if err != nil {
			return nil, err
		}
		r.uid = uid
	}
	if m.cgroups != nil {
		cg, err := m.cgroups.create()
		if err != nil {
			r.leave()
			return nil, err
		}
		r.cg = cg
	}
	return r, nil
}

// start starts cmd in the run's jail.
func (r *runJail) start(cmd *exec.Cmd) error { return r.mode.start(cmd, r.uid, r.cg) }

// start starts cmd as uid in cg (or none). Should the program start but
// the thread that forked it fail to leave its v1 cgroup, the program is
// killed and the run fails.
func (m *jailMode) start(cmd *exec.Cmd, uid int, cg *runCgroup) error {
	cmd.SysProcAttr = m.attr(uid, cg)
	if cg == nil {
		return cmd.Start()
	}
	err := cg.start(cmd.Start)
	if err != nil && cmd.Process != nil {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		cmd.Wait()
	}
	return err
}

// leave removes the run's cgroup and gives back its uid.
func (r *runJail) leave() {
	if r.cg != nil {
		r.cg.remove()
	}
	if r.uid >= 0 {
		r.mode.uids.give(r.uid)
	}
}

// Jail reports the jail's layers for /readyz: those in force and, after
// "missing:", those this machine does not permit (see Status, which is
// "degraded" then).
func (s *Service) Jail() JailReport { return JailReport{s} }

// JailReport is a Service's jail, as a readiness check.
type JailReport struct{ s *Service }

// Status is always ready: a missing layer degrades the playground, and
// the playground's own Status says so.
func (r JailReport) Status() (bool, string) {
	if r.s.goBin == "" {
		return true, "none: the playground is disabled"
	}
	detail := strings.Join(r.s.Layers(), "; ")
	if r.s.jail.degraded != "" {
		detail += "; missing: " + r.s.jail.degraded
	}
	return true, detail
}
