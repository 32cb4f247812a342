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
