// Package sandbox tests the playground with real builds and real child
// processes: programs that misbehave are stopped by the limit meant for
// them, within a bounded time, and the server process is unharmed.
package sandbox

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lamport-kb/lamport"
	"github.com/lamport-kb/lamport/playground"
)

// service stops programs after 2 s of wall-clock time, for the tests of
// that limit; patient allows a minute, for programs that must be stopped
// by another limit (memory, output, stack) even on a busy machine.
var service, patient *playground.Service

// TestMain prepares one playground (and warms its build cache) for every
// test in the package.
func TestMain(m *testing.M) {
	if _, err := exec.LookPath("go"); err != nil {
		os.Exit(m.Run()) // each test skips
	}
	dir, err := os.MkdirTemp("", "sandbox-test")
	if err != nil {
		panic(err)
	}
	cfg := testConfig(dir)
	cfg.RunTimeout, cfg.MaxOutput = 2*time.Second, 64<<10
	service, err = playground.New(cfg)
	if err != nil {
		panic(err)
	}
	cfg = testConfig(filepath.Join(dir, "patient"))
	cfg.RunTimeout, cfg.MaxOutput = time.Minute, 64<<10
	if patient, err = playground.New(cfg); err != nil {
		panic(err)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// testConfig is a playground over this module's sources in dir, building
// in the go command's own cache, like the server and the other test
// playgrounds.
func testConfig(dir string) playground.Config {
	return playground.Config{
		WorkDir: dir, Module: lamport.Source(),
		BuildTimeout: 10 * time.Minute, // a cold cache builds modernc.org/sqlite
	}
}

// run runs src in real time and checks it answered within bound.
func run(t *testing.T, src string, bound time.Duration) *playground.Response {
	t.Helper()
	return runRequest(t, playground.Request{Source: src}, bound)
}

// runFake runs src on the simulated clock.
func runFake(t *testing.T, src string, bound time.Duration) *playground.Response {
	t.Helper()
	return runRequest(t, playground.Request{Source: src, FakeTime: true}, bound)
}

func runRequest(t *testing.T, req playground.Request, bound time.Duration) *playground.Response {
	t.Helper()
	if service == nil {
		t.Skip("no Go toolchain: the sandbox tests need `go` on PATH")
	}
	return runOn(t, service, req, bound)
}

// runOn runs req on svc. bound guards against a hang, not a slow machine:
// the tests assert which limit stopped a program, never how fast.
func runOn(t *testing.T, svc *playground.Service, req playground.Request, bound time.Duration) *playground.Response {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), max(bound, 2*time.Minute))
	defer cancel()
	resp, err := svc.Run(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func TestHelloWorld(t *testing.T) {
	r := run(t, "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"hello, 世界\") }\n", 90*time.Second)
	if r.Status != 0 || r.Output() != "hello, 世界\n" || r.Errors != "" {
		t.Errorf("response %+v", r)
	}
	again := run(t, "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"hello, 世界\") }\n", 100*time.Millisecond)
	if !again.Cached {
		t.Error("the second identical run was not served from the cache")
	}
}

func TestLimits(t *testing.T) {
	tests := []struct {
		name   string
		src    string
		limit  string
		bound  time.Duration
		status func(int) bool
	}{
		{"infinite loop", "package main\n\nfunc main() { for {} }\n", "time", 30 * time.Second, func(s int) bool { return s != 0 }},
		{"goroutines spin", "package main\n\nfunc main() { for i := 0; i < 8; i++ { go func() { for {} }() }; select {} }\n", "time", 30 * time.Second, func(s int) bool { return s != 0 }},
		{"output flood", "package main\n\nimport \"fmt\"\n\nfunc main() { for { fmt.Println(\"spam spam spam spam\") } }\n", "output", 30 * time.Second, func(s int) bool { return s != 0 }},
		{"sleep an hour", "package main\n\nimport \"time\"\n\nfunc main() { time.Sleep(time.Hour) }\n", "time", 30 * time.Second, func(s int) bool { return s != 0 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := run(t, tt.src, tt.bound)
			if r.Limit != tt.limit || !tt.status(r.Status) {
				t.Errorf("limit %q, status %d; want limit %q; output %.300q", r.Limit, r.Status, tt.limit, r.Output())
			}
			if len(r.Output()) > 64<<10 {
				t.Errorf("output of %d bytes passed the 64 KiB cap", len(r.Output()))
			}
		})
	}
}

func TestRejectedBeforeBuilding(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"os", "package main\n\nimport \"os\"\n\nfunc main() { os.Exit(1) }\n", `prog.go:3:8: import "os" is not allowed`},
		{"net", "package main\n\nimport \"net\"\n\nfunc main() { net.Dial(\"tcp\", \"x:1\") }\n", `import "net" is not allowed`},
		{"unsafe", "package main\n\nimport \"unsafe\"\n\nfunc main() { _ = unsafe.Sizeof(0) }\n", `import "unsafe" is not allowed`},
		{"cgo", "package main\n\nimport \"C\"\n\nfunc main() {}\n", `import "C" is not allowed`},
		{"linkname", "package main\n\nimport _ \"strings\"\n\n//go:linkname x runtime.x\nvar x int\n\nfunc main() {}\n", "//go:linkname directive is not allowed"},
		{"syntax", "package main\n\nfunc main() { fmt.Println(\"x\" }\n", "prog.go:3:"},
		{"too big", "package main\n\nfunc main() {}\n//" + strings.Repeat("x", 70000) + "\n", "program too large"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := run(t, tt.src, time.Second)
			if !strings.Contains(r.Errors, tt.want) || len(r.Events) != 0 {
				t.Errorf("errors %q, want %q", r.Errors, tt.want)
			}
		})
	}
}

func TestTypeErrorsLikeGo(t *testing.T) {
	r := run(t, "package main\n\nfunc main() {\n\tx := 1\n\ty = 2\n}\n", 60*time.Second)
	for _, want := range []string{"prog.go:4:2: declared and not used: x", "prog.go:5:2: undefined: y"} {
		if !strings.Contains(r.Errors, want) {
			t.Errorf("errors %q lack %q", r.Errors, want)
		}
	}
}

func TestPanicHasNoHostPaths(t *testing.T) {
	r := run(t, "package main\n\nfunc main() { var m map[string]int; m[\"a\"] = 1 }\n", 60*time.Second)
	out := r.Output()
	if r.Status == 0 || !strings.Contains(out, "assignment to entry in nil map") || strings.Contains(out, os.TempDir()) {
		t.Errorf("status %d, output %q", r.Status, out)
	}
}

// TestJailSelfCheck runs a program that tries, from inside the jail,
// everything the jail forbids: opening a file, a socket, exec, fork,
// ptrace, mount, unshare and setuid must fail with EPERM; the environment
// is empty; and when the server is root the program is not.
func TestJailSelfCheck(t *testing.T) {
	src := `package main

import (
	"fmt"

	"github.com/lamport-kb/lamport/playground/jail"
)

func main() {
	for _, p := range jail.SelfCheck() {
		fmt.Println(p)
	}
}
`
	r := run(t, src, 60*time.Second)
	out := r.Output()
	if r.Status != 0 {
		t.Fatalf("status %d, output %q", r.Status, out)
	}
	for _, probe := range []string{"openat", "socket", "execve", "fork", "ptrace", "mount", "unshare", "setuid", "env"} {
		if !strings.Contains(out, probe+strings.Repeat(" ", 9-len(probe))+"blocked") {
			t.Errorf("%s not blocked:\n%s", probe, out)
		}
	}
	uidBlocked := strings.Contains(out, "uid      blocked")
	if os.Geteuid() == 0 && !uidBlocked {
		t.Errorf("server is root and so is the program:\n%s", out)
	}
	t.Logf("inside the jail:\n%s", out)
	ok, detail := service.Status()
	t.Logf("jail: %v %s", ok, detail)
}

// TestMemoryBombs: a program whose resident memory reaches the jail's
// limit is stopped, and reported as stopped by it. A single allocation the
// kernel refuses before any of it is resident leaves the runner no evidence
// of its own (see limitHit): it is a plain fatal error, status 2.
func TestMemoryBombs(t *testing.T) {
	tests := []struct{ name, src, limit string }{
		{"allocation loop", "package main\n\nfunc main() { var keep [][]byte; for { b := make([]byte, 64<<20); for i := 0; i < len(b); i += 4096 { b[i] = 1 }; keep = append(keep, b) } }\n", "memory"},
		{"one huge make", "package main\n\nimport \"fmt\"\n\nfunc main() { b := make([]byte, 8<<30); b[len(b)-1] = 1; fmt.Println(len(b)) }\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runOn(t, patient, playground.Request{Source: tt.src}, 2*time.Minute)
			if r.Status == 0 || r.Limit != tt.limit || !strings.Contains(r.Output(), "out of memory") {
				t.Errorf("status %d, limit %q, output %.200q; want a memory stop (limit %q)", r.Status, r.Limit, r.Output(), tt.limit)
			}
		})
	}
}

// TestBusy: with one slot and a queue of one, a third concurrent program
// is refused at once with ErrBusy (the site's 429), and no child beyond
// the slot runs.
func TestBusy(t *testing.T) {
	if service == nil {
		t.Skip("no Go toolchain")
	}
	cfg := testConfig(t.TempDir())
	cfg.MaxConcurrent, cfg.Queue, cfg.RunTimeout = 1, 1, 3*time.Second
	small, err := playground.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	slow := "package main\n\nimport \"time\"\n\nfunc main() { time.Sleep(2 * time.Second) }\n"
	errs := make(chan error, 3)
	for i := range 3 {
		go func() {
			_, err := small.Run(context.Background(), playground.Request{Source: slow + strings.Repeat(" ", i)})
			errs <- err
		}()
		time.Sleep(50 * time.Millisecond)
	}
	busy := 0
	for range 3 {
		if err := <-errs; errors.Is(err, playground.ErrBusy) {
			busy++
		} else if err != nil {
			t.Errorf("unexpected error: %v", err)
		}
	}
	if busy != 1 {
		t.Errorf("%d runs refused, want exactly 1", busy)
	}
}

// TestParentDeathKillsChild runs a long program from a helper process,
// kills the helper with SIGKILL, and expects the program to die with it
// (Pdeathsig), instead of living on as an orphan.
func TestParentDeathKillsChild(t *testing.T) {
	if os.Getenv("SANDBOX_PARENT") != "" {
		service.Run(context.Background(), playground.Request{Source: "package main\n\nimport \"time\"\n\nfunc main() { time.Sleep(time.Minute) }\n"})
		return
	}
	if service == nil {
		t.Skip("no Go toolchain")
	}
	helper := exec.Command(os.Args[0], "-test.run=^TestParentDeathKillsChild$")
	helper.Env = append(os.Environ(), "SANDBOX_PARENT=1")
	if err := helper.Start(); err != nil {
		t.Fatal(err)
	}
	var pid int
	deadline := time.Now().Add(90 * time.Second)
	for pid == 0 && time.Now().Before(deadline) {
		pid = findProgram(helper.Process.Pid)
		time.Sleep(50 * time.Millisecond)
	}
	if pid == 0 {
		helper.Process.Kill()
		t.Fatal("the program never started")
	}
	helper.Process.Kill()
	helper.Wait()
	for end := time.Now().Add(3 * time.Second); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		if _, err := os.Stat("/proc/" + strconv.Itoa(pid)); err != nil {
			return // gone
		}
	}
	t.Errorf("program %d outlived its parent by 3 s", pid)
}

// findProgram returns the pid of a running playground program whose
// parent is ppid, or 0.
func findProgram(ppid int) int {
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		exe, err := os.Readlink("/proc/" + e.Name() + "/exe")
		if err != nil || !strings.Contains(exe, "lamport-run-") {
			continue
		}
		status, _ := os.ReadFile("/proc/" + e.Name() + "/status")
		if strings.Contains(string(status), "\nPPid:\t"+strconv.Itoa(ppid)+"\n") {
			return pid
		}
	}
	return 0
}

// TestMoreAbuse: each program is stopped by the limit meant for it (or
// fails to build), and none takes the server down with it. They run with
// a long wall-clock limit, so a busy machine cannot turn a stack or memory
// stop into a timeout.
func TestMoreAbuse(t *testing.T) {
	if service == nil {
		t.Skip("no Go toolchain")
	}
	tests := []struct {
		name, src, want string // want: in the errors or the output
	}{
		{"deep recursion", "package main\n\nfunc f(n int) int { return f(n+1) + 1 }\n\nfunc main() { println(f(0)) }\n", "stack exceeds"},
		{"a million goroutines", "package main\n\nfunc main() { for i := 0; i < 1_000_000; i++ { go func() { select {} }() }; select {} }\n", ""},
		{"a million timers", "package main\n\nimport (\"fmt\"; \"time\")\n\nfunc main() { for i := 0; i < 1_000_000; i++ { time.AfterFunc(time.Hour, func() {}) }; fmt.Println(\"armed\") }\n", ""},
		{"huge global array", "package main\n\nvar big [1 << 40]byte\n\nfunc main() { big[0] = 1 }\n", "symbol too large"},
		{"huge constant", "package main\n\nconst c = 1 << 100000\n\nfunc main() { println(c) }\n", "prog.go:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runOn(t, patient, playground.Request{Source: tt.src}, 2*time.Minute)
			text := r.Errors + r.Output()
			if (tt.want != "" && !strings.Contains(text, tt.want)) || strings.Contains(text, "play/p") {
				t.Errorf("status %d, limit %q, want %q in %.300q", r.Status, r.Limit, tt.want, text)
			}
			if tt.name == "a million timers" && r.Status == 0 && !strings.Contains(text, "armed") {
				t.Errorf("the timers program exited 0 without finishing: %.200q", text)
			}
			t.Logf("status %d, limit %q, %d bytes of output", r.Status, r.Limit, len(text))
		})
	}
	if ok, _ := service.Status(); !ok {
		t.Error("the playground is no longer ready")
	}
}

// TestEngineInSandbox runs the durable workflow engine inside the jail on
// an in-memory database: a run crashes mid-way (injected) and Recover
// resumes it without repeating its completed steps.
func TestEngineInSandbox(t *testing.T) {
	src := `package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/lamport-kb/lamport/engine"
)

func main() {
	crashed := false
	e, err := engine.Open(":memory:", engine.Options{Fault: func(p engine.FaultPoint, run, step string) error {
		if !crashed && p == engine.FaultAfterCommit && step == "reserve" {
			crashed = true
			return errors.New("power cut")
		}
		return nil
	}})
	if err != nil {
		panic(err)
	}
	e.Register("order", func(c *engine.Context, _ []byte) ([]byte, error) {
		for _, s := range []string{"reserve", "charge", "ship"} {
			if _, err := engine.Step(c, s, func(context.Context, string) (string, error) {
				fmt.Println("running", s)
				return s + " done", nil
			}); err != nil {
				return nil, err
			}
		}
		return []byte("delivered"), nil
	})
	_, err = e.Run(context.Background(), "order", "o-1", nil)
	fmt.Println("first attempt:", errors.Is(err, engine.ErrCrashed))
	n, err := e.Recover(context.Background())
	fmt.Println("recovered", n, err)
	out, _ := e.Run(context.Background(), "order", "o-1", nil)
	fmt.Println(string(out))
}
`
	r := run(t, src, 120*time.Second)
	want := "running reserve\nfirst attempt: true\nrunning charge\nrunning ship\nrecovered 1 <nil>\ndelivered\n"
	if r.Errors != "" || r.Output() != want {
		t.Errorf("errors %q, output %q; want %q", r.Errors, r.Output(), want)
	}
}

// TestFakeTime runs programs on the simulated clock: an hour's sleep ends
// at once and is reported as the next event's delay, time starts where the
// Go playground's does, and the output of both streams comes back in the
// order it was written.
func TestFakeTime(t *testing.T) {
	src := `package main

import (
	"fmt"
	"time"
)

func main() {
	start := time.Now()
	fmt.Println("start", start.UTC().Format(time.DateOnly))
	time.Sleep(time.Hour)
	println("warn") // to stderr
	<-time.After(90 * time.Second)
	fmt.Println("slept", time.Since(start))
}
`
	r := runFake(t, src, 60*time.Second)
	if r.Status != 0 || r.Errors != "" {
		t.Fatalf("status %d, errors %q, events %+v", r.Status, r.Errors, r.Events)
	}
	want := []playground.Event{
		{Message: "start 2009-11-10\n", Kind: "stdout"},
		{Message: "warn\n", Kind: "stderr", Delay: time.Hour},
		{Message: "slept 1h1m30s\n", Kind: "stdout", Delay: 90 * time.Second},
	}
	if len(r.Events) != len(want) {
		t.Fatalf("events %+v, want %+v", r.Events, want)
	}
	for i := range want {
		if r.Events[i] != want[i] {
			t.Errorf("event %d = %+v, want %+v", i, r.Events[i], want[i])
		}
	}
	if r.Limit != "" {
		t.Errorf("stopped by the %s limit: an hour of fake time must not take real time", r.Limit)
	}
}

// TestFakeTimeDeadlock: a program waiting forever, with a timer pending,
// runs until the timeout in real time, but on the fake clock the timer
// fires at once and the deadlock that follows is reported at once.
func TestFakeTimeDeadlock(t *testing.T) {
	src := `package main

import "time"

func main() {
	time.AfterFunc(24*time.Hour, func() { println("a day later") })
	select {}
}
`
	r := runFake(t, src, 60*time.Second)
	out := r.Output()
	if r.Status != 2 || !strings.Contains(out, "a day later") || !strings.Contains(out, "all goroutines are asleep - deadlock!") || r.Limit != "" {
		t.Errorf("status %d, limit %q, output %q", r.Status, r.Limit, out)
	}
	real := run(t, src, 60*time.Second)
	if real.Limit != "time" {
		t.Errorf("in real time: limit %q, want time (output %q)", real.Limit, real.Output())
	}
}

// TestEveryForbiddenImport: each package that reaches the host (files,
// network, processes, the runtime's internals, plugins, embedded files,
// template file loading) is refused before anything is built.
func TestEveryForbiddenImport(t *testing.T) {
	forbidden := []string{"os", "os/exec", "os/signal", "os/user", "net", "net/http", "net/rpc", "syscall",
		"unsafe", "reflect", "runtime", "runtime/debug", "runtime/pprof", "plugin", "embed", "C",
		"go/build", "debug/elf", "debug/gosym", "path/filepath", "io/ioutil", "io/fs", "text/template",
		"html/template", "crypto/rand", "internal/poll", "golang.org/x/sys/unix",
		"github.com/lamport-kb/lamport/site", "github.com/lamport-kb/lamport/playground",
		"modernc.org/sqlite"}
	for _, imp := range forbidden {
		src := fmt.Sprintf("package main\n\nimport _ %q\n\nfunc main() {}\n", imp)
		r := run(t, src, 5*time.Second)
		want := fmt.Sprintf("prog.go:3:10: import %q is not allowed in the playground", imp)
		if r.Errors != want || r.Status == 0 || len(r.Events) != 0 {
			t.Errorf("import %q: errors %q, status %d", imp, r.Errors, r.Status)
		}
	}
}

// TestDeepNesting: a deeply nested expression within the size cap is
// refused by the parser or compiled within the build limits; either way
// the answer comes in bounded time and the playground stays ready.
func TestDeepNesting(t *testing.T) {
	depth := 20000
	src := "package main\n\nfunc main() { println(" + strings.Repeat("(", depth) + "1" + strings.Repeat(")", depth) + ") }\n"
	r := run(t, src, 120*time.Second)
	t.Logf("status %d, limit %q, errors %.200q", r.Status, r.Limit, r.Errors)
	if r.Status == 0 && r.Output() != "1\n" {
		t.Errorf("ran with output %q", r.Output())
	}
	if ok, _ := service.Status(); !ok {
		t.Error("the playground is no longer ready")
	}
}

// TestCPULimit: with a wall-clock limit longer than the CPU limit, eight
// spinning goroutines on a two-core machine use up the CPU seconds first
// and the kernel stops the program with SIGXCPU.
func TestCPULimit(t *testing.T) {
	if service == nil {
		t.Skip("no Go toolchain")
	}
	cfg := testConfig(t.TempDir())
	cfg.RunTimeout = 60 * time.Second
	slow, err := playground.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	src := "package main\n\nfunc main() { for i := 0; i < 8; i++ { go func() { for {} }() }; select {} }\n"
	start := time.Now()
	r, err := slow.Run(context.Background(), playground.Request{Source: src})
	if err != nil {
		t.Fatal(err)
	}
	if r.Limit != "cpu" {
		t.Errorf("limit %q, status %d after %v of running, want cpu (%d CPU seconds); output %.300q", r.Limit, r.Status, r.RunTime, jailCPUSeconds, r.Output())
	}
	t.Logf("stopped after %v (run %v)", time.Since(start), r.RunTime)
}

// jailCPUSeconds is playground/jail.CPUSeconds (the jail is not imported:
// its init would lock down this test process).
const jailCPUSeconds = 5
