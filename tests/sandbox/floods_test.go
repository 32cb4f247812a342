package sandbox

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lamport-kb/lamport/playground"
)

// maxOutput is TestMain's output cap; eventCost is playground's cost of an
// event in that budget (about an empty event's JSON).
const (
	maxOutput = 64 << 10
	eventCost = 48
)

// TestOutputFloods: floods of output, on the fake clock and in real time,
// are stopped by the output limit (or the deadline) with a response of
// about the cap in bytes and in events, and the server allocates about
// the cap while reading them, not the flood.
func TestOutputFloods(t *testing.T) {
	tests := []struct {
		name, body, limit string
		fake              bool
	}{
		{"a million one-byte writes", `for range 1_000_000 { fmt.Print("x") }`, "output", true},
		{"one 300 MB write", `fmt.Print(strings.Repeat("x", 300<<20))`, "output", true},
		{"empty writes a millisecond apart", `for { fmt.Print(""); time.Sleep(time.Millisecond) }`, "time", true},
		{"alternating streams", `for { fmt.Print("x"); print("y") }`, "output", true},
		{"alternating streams in real time", `for { fmt.Print("x"); print("y") }`, "output", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := "package main\n\nimport (\n\t\"fmt\"\n\t\"strings\"\n\t\"time\"\n)\n\nvar _ = strings.Repeat\nvar _ = time.Sleep\n\nfunc main() {\n\t" + tt.body + "\n}\n"
			var r *playground.Response
			svc := patient // stopped by the output cap, however busy the machine
			if tt.limit == "time" {
				svc = service
			}
			alloc := allocated(func() {
				r = runOn(t, svc, playground.Request{Source: src, FakeTime: tt.fake}, 2*time.Minute)
			})
			js, _ := json.Marshal(r)
			t.Logf("limit %q, %d events, %d bytes of output, %d bytes of JSON, %d bytes allocated", r.Limit, len(r.Events), len(r.Output()), len(js), alloc)
			if r.Limit != tt.limit {
				t.Errorf("limit %q, want %q (errors %.200q)", r.Limit, tt.limit, r.Errors)
			}
			if len(r.Output()) > maxOutput || len(r.Events) > maxOutput/eventCost || len(js) > 2*maxOutput {
				t.Errorf("%d bytes of output in %d events, %d bytes of JSON: the cap is %d bytes", len(r.Output()), len(r.Events), len(js), maxOutput)
			}
			if alloc > 256*maxOutput {
				t.Errorf("the server allocated %d bytes for %d bytes of output", alloc, len(r.Output()))
			}
		})
	}
}

// allocated is the bytes this process (the server) allocated while f ran.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestLimitsNotFromOutput: a program that prints the runtime's
// out-of-memory messages, and even crashes with status 2 as the runtime
// does, was stopped by no limit.
func TestLimitsNotFromOutput(t *testing.T) {
	tests := []struct {
		name, body string
		status     int
	}{
		{"prints out of memory", `println("runtime: cannot allocate memory")`, 0},
		{"forges the runtime's crash", `println("fatal error: runtime: out of memory"); panic("out of memory")`, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := run(t, "package main\n\nfunc main() {\n\t"+tt.body+"\n}\n", 60*time.Second)
			if r.Limit != "" || r.Status != tt.status {
				t.Errorf("limit %q, status %d; want no limit, status %d (output %.200q)", r.Limit, r.Status, tt.status, r.Output())
			}
		})
	}
}

// TestCompileBomb: a program whose compilation needs gigabytes is stopped
// by the build's memory limit, reported as a build limit without the
// compiler's crash dump, and not cached.
func TestCompileBomb(t *testing.T) {
	if service == nil {
		t.Skip("no Go toolchain")
	}
	play, err := playground.New(testConfig(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	// Readers' builds, once the cache is warm, get the lower memory limit.
	if err := play.Warm(context.Background()); err != nil {
		t.Fatal(err)
	}
	src := "package main\n\nvar a = [1 << 27]int{1<<27 - 1: 1}\n\nfunc main() { println(a[0]) }\n"
	for i := range 2 {
		r, err := play.Run(context.Background(), playground.Request{Source: src})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("run %d: limit %q, build %v, errors %q", i, r.Limit, r.BuildTime, r.Errors)
		if r.Limit != "build" || r.Status == 0 || r.Cached || strings.Contains(r.Errors, "goroutine") {
			t.Errorf("run %d: limit %q, status %d, cached %v, errors %.300q; want an uncached build limit", i, r.Limit, r.Status, r.Cached, r.Errors)
		}
	}
}

// TestServerDeathKillsBuild starts a long build (a cold build cache) from
// a helper process, kills the helper with SIGKILL, and expects every
// process of the build, the go command, compilers and linker, to die with
// it instead of running on as orphans.
func TestServerDeathKillsBuild(t *testing.T) {
	if dir := os.Getenv("SANDBOX_BUILD_DIR"); dir != "" {
		cfg := testConfig(filepath.Join(dir, "work"))
		cfg.GoCache = filepath.Join(dir, "gocache")
		play, err := playground.New(cfg)
		if err == nil {
			play.Run(context.Background(), playground.Request{Source: "package main\n\nfunc main() {}\n"})
		}
		return
	}
	if service == nil {
		t.Skip("no Go toolchain")
	}
	dir := t.TempDir()
	cache := filepath.Join(dir, "gocache")
	helper := exec.Command(os.Args[0], "-test.run=^TestServerDeathKillsBuild$")
	helper.Env = append(os.Environ(), "SANDBOX_BUILD_DIR="+dir)
	if err := helper.Start(); err != nil {
		t.Fatal(err)
	}
	for end := time.Now().Add(90 * time.Second); !compiling(buildProcesses(cache)); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(end) {
			helper.Process.Kill()
			t.Fatal("the build never started a compiler")
		}
	}
	helper.Process.Kill()
	helper.Wait()
	var left []string
	for end := time.Now().Add(5 * time.Second); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
		if left = buildProcesses(cache); len(left) == 0 {
			return
		}
	}
	t.Errorf("5 s after the server died, its build still runs: %v", left)
	for _, p := range left { // leave the machine as we found it
		pid, _ := strconv.Atoi(strings.Fields(p)[0])
		syscall.Kill(pid, syscall.SIGKILL)
	}
}

// buildProcesses lists "pid command" for every process whose environment
// names cache as its GOCACHE: the processes of one playground's builds.
func buildProcesses(cache string) []string {
	var found []string
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		env, err := os.ReadFile("/proc/" + e.Name() + "/environ")
		if err != nil || !bytes.Contains(append([]byte{0}, env...), []byte("\x00GOCACHE="+cache+"\x00")) {
			continue
		}
		exe, _ := os.Readlink("/proc/" + e.Name() + "/exe")
		found = append(found, e.Name()+" "+filepath.Base(exe))
	}
	return found
}

func compiling(procs []string) bool {
	for _, p := range procs {
		if strings.HasSuffix(p, " compile") {
			return true
		}
	}
	return false
}
