package playground

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"testing/fstest"
	"time"
)

// TestNewSweepsStaleRuns: a server killed mid-run leaves its run directory
// in the temp dir; the next start removes run directories older than any
// run, and leaves a current run's and other files alone.
func TestNewSweepsStaleRuns(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no Go toolchain")
	}
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	old := time.Now().Add(-time.Hour)
	dirs := map[string]bool{ // name: whether it should survive
		"lamport-run-killed": false,
		"lamport-run-active": true,
		"other-old":          true,
	}
	for name := range dirs {
		dir := filepath.Join(tmp, name)
		if err := os.MkdirAll(filepath.Join(dir, "work"), 0o755); err != nil {
			t.Fatal(err)
		}
		if name != "lamport-run-active" {
			os.Chtimes(dir, old, old)
		}
	}
	_, err := New(Config{WorkDir: t.TempDir(), Module: fstest.MapFS{
		"go.mod": {Data: []byte("module github.com/lamport-kb/lamport\n\ngo 1.24\n")},
		"go.sum": {Data: nil},
	}})
	if err != nil {
		t.Fatal(err)
	}
	for name, keep := range dirs {
		if _, err := os.Stat(filepath.Join(tmp, name)); (err == nil) != keep {
			t.Errorf("%s: exists %v, want %v", name, err == nil, keep)
		}
	}
}

// TestNewRefusesRelativePaths: the go command refuses a relative GOCACHE,
// so New does, at once, instead of every build failing later.
func TestNewRefusesRelativePaths(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no Go toolchain")
	}
	for _, cfg := range []Config{{WorkDir: "data/playground"}, {WorkDir: t.TempDir(), GoCache: "cache"}} {
		if _, err := New(cfg); err == nil {
			t.Errorf("New(%+v) accepted a relative path", cfg)
		}
	}
}

// TestBuildStopped: a build that ends in the program's own diagnostics is
// the program's errors even when the go command used a lot of memory; a
// killed or crashed tool, or rusage at the limits without diagnostics, is
// a stopped build.
func TestBuildStopped(t *testing.T) {
	const mem = 512 << 20
	errs := "# play/p3\n./prog.go:12:18: undefined: undefinedName\n"
	for _, tt := range []struct {
		name string
		rss  int64
		cpu  time.Duration
		out  string
		want bool
	}{
		{"program errors, big go command", 300 << 20, time.Second, errs, false},
		{"program errors, small", 50 << 20, time.Second, errs, false},
		{"no diagnostics, memory at the limit", 300 << 20, time.Second, "# play/p3\n", true},
		{"no diagnostics, CPU at the limit", 50 << 20, buildCPU * time.Second, "", true},
		{"compiler killed", 50 << 20, time.Second, "play/p3: /usr/lib/go/pkg/tool/linux_amd64/compile: signal: killed\n", true},
		{"compiler crashed", 300 << 20, time.Second, "# play/p3\nfatal error: runtime: out of memory\n", true},
		{"linker file limit", 50 << 20, time.Second, "# play/p3\nlink: write prog: file too large\n", true},
	} {
		if got := buildStopped(tt.rss, tt.cpu, tt.out, mem); got != tt.want {
			t.Errorf("%s: buildStopped = %v, want %v", tt.name, got, tt.want)
		}
	}
}
