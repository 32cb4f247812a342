package playground

import (
	"bufio"
	"cmp"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

// Each run gets a control group of its own, under a "lamport-runs" group
// made beneath the server's own cgroup, with a cap on its tasks (threads)
// and on its memory; it is removed when the run ends. The cap on tasks
// holds even for a program running as root (RLIMIT_NPROC does not bind
// root), and the memory cap counts what RLIMIT_DATA does not (page tables,
// kernel stacks, pipe buffers).
//
// cgroup v2 is preferred: the runner starts the program inside its group
// (clone3 with CLONE_INTO_CGROUP). v1, which has no such flag (on a v1 or
// hybrid host, pids and memory are in v1 hierarchies), moves single
// threads: the runner forks from a thread it has moved into the run's
// groups, and moves the thread back once the program has started. Either
// way the program is born in its groups: moving it in after exec would
// let it make threads first (a thread bomb reached 117 of them so on a
// loaded machine), and a cgroup's pids.max does not bind tasks that move
// in.

// Run cgroup limits. cgroupMemory sits above the jail's RLIMIT_DATA so that
// a program that allocates too much meets the data limit first, and the
// runtime's "out of memory" report with it.
const (
	cgroupTasks  = jailThreads
	cgroupMemory = jailDataBytes + 64<<20
	cgroupRuns   = "lamport-runs"
)

// cgroupTree is where runs' cgroups are made: the lamport-runs group in
// each hierarchy used (one for v2; pids and memory for v1).
type cgroupTree struct {
	v2      bool
	parents []cgroupParent
	next    atomic.Int64
}

// cgroupParent is a lamport-runs group and the limits to write in each
// run's group under it.
type cgroupParent struct {
	dir    string
	limits []cgroupLimit
}

type cgroupLimit struct {
	file, value string
	optional    bool // absent on some kernels (swap accounting off)
}

// runCgroup is one run's group, in each hierarchy.
type runCgroup struct {
	dirs []string
	fd   int // v2: the group's directory, for CLONE_INTO_CGROUP; else -1
}

// probeCgroups finds the server's cgroups and prepares lamport-runs under
// them, in v2 when its pids and memory controllers are there, else in v1.
func probeCgroups() (*cgroupTree, error) {
	mounts, err := cgroupMounts()
	if err != nil {
		return nil, err
	}
	own, err := ownCgroups()
	if err != nil {
		return nil, err
	}
	t, err := cgroupV2(mounts, own)
	if err != nil {
		t, err = cgroupV1(mounts, own, err)
	}
	if err != nil {
		return nil, err
	}
	t.sweep()
	return t, nil
}

var (
	taskLimit   = strconv.Itoa(cgroupTasks)
	memoryLimit = strconv.Itoa(cgroupMemory)
)

// cgroupV2 enables the pids and memory controllers for children of the
// server's cgroup dir and makes lamport-runs under it. v2 lets a cgroup
// pass controllers to its children only when it holds no process itself,
// so when the server's holds the server, the server moves into a leaf of
// its own, lamport-server, beside lamport-runs.
func cgroupV2(mounts map[string]cgroupMount, cgroups map[string]string) (*cgroupTree, error) {
	own, err := cgroupDir(mounts, cgroups, "")
	if err != nil {
		return nil, err
	}
	ctrl, err := os.ReadFile(filepath.Join(own, "cgroup.controllers"))
	if err != nil {
		return nil, err
	}
	if f := strings.Fields(string(ctrl)); !slices.Contains(f, "pids") || !slices.Contains(f, "memory") {
		return nil, fmt.Errorf("cgroup v2 %s has no pids and memory controllers", own)
	}
	err = enableControllers(own)
	if errors.Is(err, syscall.EBUSY) { // processes in own: move the server into a leaf first
		leaf := filepath.Join(own, "lamport-server")
		if err := mkdirCgroup(leaf); err != nil {
			return nil, err
		}
		if err := writeCgroup(leaf, "cgroup.procs", strconv.Itoa(os.Getpid())); err != nil {
			return nil, err
		}
		err = enableControllers(own)
	}
	if err != nil {
		return nil, err
	}
	runs := filepath.Join(own, cgroupRuns)
	if err := mkdirCgroup(runs); err != nil {
		return nil, err
	}
	if err := enableControllers(runs); err != nil {
		return nil, err
	}
	if err := limitAllRuns(runs); err != nil {
		return nil, err
	}
	return &cgroupTree{v2: true, parents: []cgroupParent{{dir: runs, limits: []cgroupLimit{
		{file: "pids.max", value: taskLimit},
		{file: "memory.max", value: memoryLimit},
		{file: "memory.swap.max", value: "0", optional: true},
	}}}}, nil
}

// cgroupV1 makes lamport-runs in the v1 pids and memory hierarchies;
// v2err says why v2 would not do.
func cgroupV1(mounts map[string]cgroupMount, own map[string]string, v2err error) (*cgroupTree, error) {
	pids, err := cgroupDir(mounts, own, "pids")
	if err != nil {
		return nil, fmt.Errorf("%v; %w", v2err, err) // one line, for Status
	}
	memory, err := cgroupDir(mounts, own, "memory")
	if err != nil {
		return nil, fmt.Errorf("%v; %w", v2err, err)
	}
	t := &cgroupTree{parents: []cgroupParent{
		{dir: filepath.Join(pids, cgroupRuns), limits: []cgroupLimit{{file: "pids.max", value: taskLimit}}},
		{dir: filepath.Join(memory, cgroupRuns), limits: []cgroupLimit{
			{file: "memory.limit_in_bytes", value: memoryLimit},
			{file: "memory.memsw.limit_in_bytes", value: memoryLimit, optional: true},
		}},
	}}
	for _, p := range t.parents {
		if err := mkdirCgroup(p.dir); err != nil {
			return nil, err
		}
	}
	if err := limitAllRuns(t.parents[0].dir); err != nil {
		return nil, err
	}
	return t, nil
}

// limitAllRuns caps the tasks of every run together, whatever the
// number of slots.
func limitAllRuns(runs string) error {
	return writeCgroup(runs, "pids.max", strconv.Itoa(runUIDCount*cgroupTasks))
}

// sweep removes the run groups that a killed server left behind: those
// named for a process that is gone (a live server's groups may be empty
// for a moment, between their making and their program's start).
func (t *cgroupTree) sweep() {
	for _, p := range t.parents {
		groups, _ := filepath.Glob(filepath.Join(p.dir, "run-*-*"))
		for _, dir := range groups {
			pid, err := strconv.Atoi(strings.Split(filepath.Base(dir), "-")[1])
			if err == nil && syscall.Kill(pid, 0) == syscall.ESRCH {
				syscall.Rmdir(dir) // fails, harmlessly, for a group still in use
			}
		}
	}
}

// String names the layer for Layers.
func (t *cgroupTree) String() string {
	version := "v1"
	if t.v2 {
		version = "v2"
	}
	return fmt.Sprintf("cgroup %s pids.max %d, memory %d MiB", version, cgroupTasks, cgroupMemory>>20)
}

// create makes a run's group in every hierarchy and writes its limits.
func (t *cgroupTree) create() (*runCgroup, error) {
	name := fmt.Sprintf("run-%d-%d", os.Getpid(), t.next.Add(1))
	c := &runCgroup{fd: -1}
	for _, p := range t.parents {
		dir := filepath.Join(p.dir, name)
		if err := mkdirCgroup(dir); err != nil {
			c.remove()
			return nil, err
		}
		c.dirs = append(c.dirs, dir)
		for _, l := range p.limits {
			if err := writeCgroup(dir, l.file, l.value); err != nil && !(l.optional && errors.Is(err, os.ErrNotExist)) {
				c.remove()
				return nil, err
			}
		}
	}
	if t.v2 {
		fd, err := syscall.Open(c.dirs[0], syscall.O_DIRECTORY|syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
		if err != nil {
			c.remove()
			return nil, fmt.Errorf("cgroup %s: %w", c.dirs[0], err)
		}
		c.fd = fd
	}
	return c, nil
}

// start runs start (which starts the program) so that the program is
// born in the group. In v1 it runs on a thread moved into the group for
// the fork: the thread moves back to the server's groups afterwards (it
// must live on, since the program's parent-death signal fires when the
// thread that forked it ends). Should that fail, start reports the error
// with the thread still locked, and the runtime discards the thread when
// the caller's goroutine ends.
func (c *runCgroup) start(start func() error) error {
	if c.fd >= 0 {
		return start()
	}
	runtime.LockOSThread()
	tid := strconv.Itoa(syscall.Gettid())
	moved := 0
	var err error
	for _, dir := range c.dirs {
		if err = writeCgroup(dir, "tasks", tid); err != nil {
			break
		}
		moved++
	}
	if err == nil {
		err = start()
	}
	for _, dir := range c.dirs[:moved] {
		if berr := writeCgroup(filepath.Dir(filepath.Dir(dir)), "tasks", tid); berr != nil {
			return errors.Join(err, berr)
		}
	}
	runtime.UnlockOSThread()
	return err
}

// remove deletes the group once its program has been waited for. The
// kernel may take a moment to see a killed run's last thread leave, so
// a busy group is retried briefly.
func (c *runCgroup) remove() {
	if c.fd >= 0 {
		syscall.Close(c.fd)
	}
	for _, dir := range c.dirs {
		for try := 0; syscall.Rmdir(dir) == syscall.EBUSY && try < 20; try++ {
			time.Sleep(5 * time.Millisecond)
		}
	}
}

func enableControllers(dir string) error {
	return writeCgroup(dir, "cgroup.subtree_control", "+pids +memory")
}

func mkdirCgroup(dir string) error {
	if err := os.Mkdir(dir, 0o755); err != nil && !errors.Is(err, os.ErrExist) {
		return err
	}
	return nil
}

// writeCgroup writes one value to a cgroup's control file (which exists
// already: cgroupfs makes them with the group).
func writeCgroup(dir, file, value string) error {
	f, err := os.OpenFile(filepath.Join(dir, file), os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	_, err = f.WriteString(value)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("cgroup %s/%s: %w", dir, file, err)
	}
	return nil
}

// cgroupMount is where a cgroup hierarchy is mounted, and which of its
// groups the mount shows at its top.
type cgroupMount struct{ root, point string }

// cgroupMounts reads /proc/self/mountinfo for the cgroup2 mount (key "")
// and the v1 mounts, keyed by controller.
func cgroupMounts() (map[string]cgroupMount, error) {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	mounts := make(map[string]cgroupMount)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// id parent dev root point options [optional...] - fstype source superoptions
		pre, post, ok := strings.Cut(sc.Text(), " - ")
		fields, fs := strings.Fields(pre), strings.Fields(post)
		if !ok || len(fields) < 5 || len(fs) < 3 {
			continue
		}
		m := cgroupMount{root: fields[3], point: fields[4]}
		switch fs[0] {
		case "cgroup2":
			mounts[""] = m
		case "cgroup":
			for _, opt := range strings.Split(fs[2], ",") {
				mounts[opt] = m
			}
		}
	}
	return mounts, sc.Err()
}

// ownCgroups reads /proc/self/cgroup: the server's group in each
// hierarchy, keyed by controller ("" for v2).
func ownCgroups() (map[string]string, error) {
	b, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return nil, err
	}
	own := make(map[string]string)
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 {
			continue
		}
		for _, c := range strings.Split(parts[1], ",") {
			own[c] = parts[2]
		}
	}
	return own, nil
}

// cgroupDir is the directory of the server's group in the hierarchy of
// controller key.
func cgroupDir(mounts map[string]cgroupMount, own map[string]string, key string) (string, error) {
	m, ok := mounts[key]
	path, mine := own[key]
	name := cmp.Or(key, "v2")
	if !ok || !mine {
		return "", fmt.Errorf("no cgroup %s hierarchy", name)
	}
	rel, ok := strings.CutPrefix(path, strings.TrimSuffix(m.root, "/"))
	if !ok {
		return "", fmt.Errorf("cgroup %s: the server's group %s is outside the mount", name, path)
	}
	return filepath.Join(m.point, rel), nil
}
