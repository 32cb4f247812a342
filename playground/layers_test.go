package playground

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lamport-kb/lamport"
)

// These tests run programs that import syscall, as a program that breaks
// Go's memory safety with a data race could make the same calls: they go
// through the real build and run (buildAndRun), past the import allowlist
// that Run applies first. Each layer of the jail must hold on its own.

// newLayerService is a playground that can build programs against the
// jail, sharing the tests' build cache.
func newLayerService(t *testing.T) *Service {
	t.Helper()
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no Go toolchain")
	}
	s, err := New(Config{
		WorkDir: t.TempDir(), Module: lamport.Source(),
		BuildTimeout: 10 * time.Minute,
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// runRaw builds and runs src in mode, skipping the import check.
func runRaw(t *testing.T, s *Service, mode jailMode, src string) *Response {
	t.Helper()
	s.jail = mode
	r, err := s.buildAndRun(context.Background(), Request{Source: src})
	if err != nil {
		t.Fatal(err)
	}
	if r.Errors != "" {
		t.Fatalf("build: %s", r.Errors)
	}
	return r
}

// threadBomb blocks a thread in nanosleep per goroutine, so the runtime
// starts another for the next: 3,000 threads unless a limit stops it.
const threadBomb = `package main

import (
	"fmt"
	"syscall"
	"time"
)

func main() {
	for i := 0; i < 3000; i++ {
		go syscall.Nanosleep(&syscall.Timespec{Sec: 60}, nil)
	}
	time.Sleep(3 * time.Second)
	fmt.Println("3000 threads and no limit")
}
`

var threadsHad = regexp.MustCompile(`failed to create new OS thread \(have (\d+) already; errno=11\)`)

// TestThreadBomb: the bomb is stopped by the thread limit, RLIMIT_NPROC
// on a run uid or pids.max in a run's cgroup, each alone; it fails at
// once with the runtime's report, instead of running into the time limit
// with thousands of threads.
func TestThreadBomb(t *testing.T) {
	s := newLayerService(t)
	probed := s.jail
	tests := []struct {
		name string
		mode jailMode
	}{
		{"rlimit nproc on a run uid", jailMode{namespaces: probed.namespaces, uids: runUIDs}},
		{"cgroup pids.max, as root", jailMode{namespaces: probed.namespaces, cgroups: probed.cgroups}},
		{"every layer", probed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.mode.uids == nil && (tt.mode.cgroups == nil || os.Geteuid() != 0) {
				t.Skip("no cgroup per run here, or not root: " + probed.degraded)
			}
			if tt.mode.uids != nil && os.Geteuid() != 0 && !tt.mode.userns {
				t.Skip("not root: no run uids")
			}
			r := runRaw(t, s, tt.mode, threadBomb)
			m := threadsHad.FindStringSubmatch(r.Output())
			if m == nil || r.Status != 2 || r.Limit != "" {
				t.Fatalf("status %d, limit %q, output %.300q; want the runtime's failure to make a thread", r.Status, r.Limit, r.Output())
			}
			if n, _ := strconv.Atoi(m[1]); n > jailThreads+1 { // the runtime counts the thread it failed to start
				t.Errorf("the program had %d threads, over the limit of %d", n, jailThreads)
			}
			t.Logf("stopped with %s threads after %v", m[1], r.RunTime)
		})
	}
}

// fcntlSignal asks the kernel to send SIGKILL to the victim when the
// pipe becomes readable, then makes it readable.
const fcntlSignal = `package main

import (
	"fmt"
	"syscall"
	"time"
)

func main() {
	var p [2]int
	if err := syscall.Pipe2(p[:], 0); err != nil {
		panic(err)
	}
	try := func(name string, cmd, arg uintptr) {
		_, _, e := syscall.Syscall(syscall.SYS_FCNTL, uintptr(p[0]), cmd, arg)
		if e != 0 {
			fmt.Printf("%s: %v\n", name, e)
		} else {
			fmt.Printf("%s: ok\n", name)
		}
	}
	try("F_SETOWN", syscall.F_SETOWN, VICTIM)
	try("F_SETSIG", syscall.F_SETSIG, uintptr(syscall.SIGKILL))
	try("F_SETFL O_ASYNC", syscall.F_SETFL, syscall.O_ASYNC|syscall.O_NONBLOCK)
	try("F_SETOWN high bits", 1<<32|syscall.F_SETOWN, VICTIM)
	syscall.Write(p[1], []byte("x"))
	time.Sleep(100 * time.Millisecond)
	try("F_SETFL", syscall.F_SETFL, syscall.O_NONBLOCK)
}
`

// TestFcntlCannotSignal runs the fcntl attack in a jail with no PID
// namespace, against a process of the program's own uid (what the
// server is to its programs when it is not root): the signal-arming
// commands fail with EPERM and the victim lives; plain F_SETFL, which
// the runtime needs, still works.
func TestFcntlCannotSignal(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("the test starts its victim as a run uid")
	}
	s := newLayerService(t)
	uid := firstRunUID + runUIDCount - 1 // the pool is not drawn from while this test runs
	victim := exec.Command("sleep", "30")
	victim.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(uid)}}
	if err := victim.Start(); err != nil {
		t.Fatal(err)
	}
	died := make(chan error, 1)
	go func() { died <- victim.Wait() }()
	defer victim.Process.Kill()
	src := strings.ReplaceAll(fcntlSignal, "VICTIM", strconv.Itoa(victim.Process.Pid))
	r := runRaw(t, s, jailMode{uids: newUIDPool(uid, 1)}, src)
	want := "F_SETOWN: operation not permitted\nF_SETSIG: operation not permitted\n" +
		"F_SETFL O_ASYNC: operation not permitted\nF_SETOWN high bits: operation not permitted\nF_SETFL: ok\n"
	if r.Output() != want {
		t.Errorf("output %q, want %q", r.Output(), want)
	}
	select {
	case err := <-died:
		t.Errorf("the victim died: %v", err)
	case <-time.After(200 * time.Millisecond):
	}
}

// killOther tries to kill another run's program, by pid and as every
// process it may signal.
const killOther = `package main

import (
	"fmt"
	"syscall"
)

func main() {
	pid := uintptr(OTHER)
	for _, c := range []struct {
		name string
		call func() syscall.Errno
	}{
		{"kill", func() syscall.Errno { _, _, e := syscall.RawSyscall(syscall.SYS_KILL, pid, 9, 0); return e }},
		{"tgkill", func() syscall.Errno { _, _, e := syscall.RawSyscall(syscall.SYS_TGKILL, pid, pid, 9); return e }},
		{"kill -1", func() syscall.Errno { _, _, e := syscall.RawSyscall(syscall.SYS_KILL, ^uintptr(0), 9, 0); return e }},
	} {
		fmt.Printf("%s: %v\n", c.name, c.call())
	}
}
`

// TestRunsCannotSignalEachOther: while one program runs, another tries to
// kill it with raw system calls; every call fails and the first program
// finishes.
func TestRunsCannotSignalEachOther(t *testing.T) {
	s := newLayerService(t)
	mode := s.jail
	if mode.refused != nil {
		t.Skip(mode.refused)
	}
	// Build the victim first so that it starts at once.
	victimSrc := "package main\n\nimport (\"fmt\"; \"time\")\n\nfunc main() { time.Sleep(3 * time.Second); fmt.Println(\"survived\") }\n"
	runRaw(t, s, mode, victimSrc)
	done := make(chan *Response, 1)
	go func() {
		r, _ := s.buildAndRun(context.Background(), Request{Source: victimSrc})
		done <- r
	}()
	pid := 0
	for end := time.Now().Add(30 * time.Second); pid == 0 && time.Now().Before(end); time.Sleep(10 * time.Millisecond) {
		pid = runningProgram()
	}
	if pid == 0 {
		t.Fatal("the victim never started")
	}
	r := runRaw(t, s, mode, strings.ReplaceAll(killOther, "OTHER", strconv.Itoa(pid)))
	want := "kill: operation not permitted\ntgkill: operation not permitted\nkill -1: operation not permitted\n"
	if r.Output() != want {
		t.Errorf("the attacker's output %q, want %q", r.Output(), want)
	}
	if v := <-done; v == nil || v.Output() != "survived\n" {
		t.Errorf("the victim: %+v", v)
	}
}

// runningProgram returns the pid of a playground program this process
// started, or 0.
func runningProgram() int {
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		exe, err := os.Readlink("/proc/" + e.Name() + "/exe")
		if err != nil || !strings.Contains(exe, "lamport-run-") {
			continue
		}
		status, _ := os.ReadFile("/proc/" + e.Name() + "/status")
		if strings.Contains(string(status), fmt.Sprintf("\nPPid:\t%d\n", os.Getpid())) {
			pid, _ := strconv.Atoi(e.Name())
			return pid
		}
	}
	return 0
}

// TestRunJailGivesBack: a run's uid and cgroup are given back when it
// ends, so that runs beyond the pool's size still get them and no cgroup
// is left behind.
func TestRunJailGivesBack(t *testing.T) {
	s := newLayerService(t)
	if s.jail.refused != nil {
		t.Skip(s.jail.refused)
	}
	for i := 0; i < 2*runUIDCount; i++ {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		r, err := s.jail.enter(ctx)
		cancel()
		if err != nil {
			t.Fatalf("run %d: %v", i, err)
		}
		cmd := exec.Command("/bin/true")
		if err := r.start(cmd); err != nil {
			t.Fatal(err)
		}
		cmd.Wait()
		r.leave()
		if r.cg == nil {
			continue
		}
		for _, dir := range r.cg.dirs {
			if _, err := os.Stat(dir); err == nil {
				t.Fatalf("run %d left its cgroup %s", i, dir)
			}
		}
	}
}

// TestUserNamespaceRun: the jail of a server that is not root, here
// tried as root: the program runs as a run uid inside a user namespace,
// as pid 1 of its own PID namespace.
func TestUserNamespaceRun(t *testing.T) {
	s := newLayerService(t)
	mode := jailMode{namespaces: rootNamespaces | syscall.CLONE_NEWUSER, uids: runUIDs, userns: true}
	if err := mode.try(mode.namespaces, nil); err != nil {
		t.Skip("no user namespaces here: ", err)
	}
	src := "package main\n\nimport (\"fmt\"; \"syscall\")\n\nfunc main() { fmt.Println(syscall.Getuid(), syscall.Getgid(), syscall.Getpid()) }\n"
	r := runRaw(t, s, mode, src)
	var uid, gid, pid int
	if _, err := fmt.Sscan(r.Output(), &uid, &gid, &pid); err != nil || uid < firstRunUID || uid >= firstRunUID+runUIDCount || gid != uid || pid != 1 {
		t.Errorf("status %d, output %q; want a run uid and gid, pid 1", r.Status, r.Output())
	}
}

// TestStaleCgroupsSwept: the run cgroups of a server that was killed are
// removed when the next one starts; a live server's are kept.
func TestStaleCgroupsSwept(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs cgroups the test may make")
	}
	tree, err := probeCgroups()
	if err != nil {
		t.Skip("no cgroup per run here: ", err)
	}
	gone := exec.Command("/bin/true")
	if err := gone.Run(); err != nil {
		t.Fatal(err)
	}
	var stale, live []string
	for _, p := range tree.parents {
		stale = append(stale, filepath.Join(p.dir, fmt.Sprintf("run-%d-1", gone.Process.Pid)))
		live = append(live, filepath.Join(p.dir, fmt.Sprintf("run-%d-999999", os.Getpid())))
	}
	for _, dir := range append(stale, live...) {
		if err := mkdirCgroup(dir); err != nil {
			t.Fatal(err)
		}
	}
	defer (&runCgroup{dirs: live, fd: -1}).remove()
	if _, err := probeCgroups(); err != nil {
		t.Fatal(err)
	}
	for _, dir := range stale {
		if _, err := os.Stat(dir); err == nil {
			t.Errorf("%s was left", dir)
			syscall.Rmdir(dir)
		}
	}
	for _, dir := range live {
		if _, err := os.Stat(dir); err != nil {
			t.Errorf("a live server's %s was swept", dir)
		}
	}
}
