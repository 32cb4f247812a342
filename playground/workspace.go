package playground

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/mod/modfile"
)

// workspace is a Go module "play" that requires this module, replaced by a
// copy of its sources under lamport/. Each build gets its own package
// directory in it; the build cache is shared and warmed at start-up.
type workspace struct {
	dir       string
	env       []string
	goBin     string
	goVersion string      // the toolchain, part of result cache keys
	warmed    atomic.Bool // every importable package is in the build cache
	next      atomic.Int64
	cfg       Config
}

func newWorkspace(cfg Config, goBin string) (*workspace, error) {
	dir := filepath.Join(cfg.WorkDir, "workspace")
	// A server killed mid-build leaves package directories and the go
	// command's temporary files here, and run directories in the temp dir.
	if err := os.RemoveAll(dir); err != nil {
		return nil, err
	}
	if n := sweepRuns(os.TempDir(), time.Now().Add(-staleRun)); n > 0 {
		cfg.Logger.Info("playground: removed stale run directories", "count", n)
	}
	if err := layOut(dir, cfg); err != nil {
		return nil, err
	}
	ws := &workspace{dir: dir, goBin: goBin, cfg: cfg}
	goenv, err := exec.Command(goBin, "env", "GOMODCACHE", "GOVERSION", "GOCACHE").Output()
	if err != nil {
		return nil, fmt.Errorf("playground: go env: %w", err)
	}
	var modcache, goCache string
	if lines := strings.Split(strings.TrimSpace(string(goenv)), "\n"); len(lines) == 3 {
		modcache, ws.goVersion, goCache = lines[0], lines[1], lines[2]
	}
	ws.env = []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + cfg.WorkDir,
		"GOCACHE=" + buildCache(cfg, goCache),
		"GOMODCACHE=" + modcache,
		"GOTMPDIR=" + filepath.Join(dir, "tmp"),
		"GOPROXY=off", "GOFLAGS=-mod=readonly", "CGO_ENABLED=0", "GOTOOLCHAIN=local",
		"GOTELEMETRY=off", "GOENV=off", "GOWORK=off",
	}
	return ws, nil
}

// buildCache is the cache builds use: Config.GoCache, else the go
// command's own (goCache, from go env). Building the server the way make
// does (-trimpath, CGO_ENABLED=0, the playground's flags) has filled that
// one with the standard library and every dependency compiled exactly as
// the playground compiles them, so the warm-up finds them there. Without
// one (no HOME, GOCACHE=off) it is WorkDir/gocache.
func buildCache(cfg Config, goCache string) string {
	if cfg.GoCache != "" {
		return cfg.GoCache
	}
	if filepath.IsAbs(goCache) {
		return goCache
	}
	return filepath.Join(cfg.WorkDir, "gocache")
}

// layOut writes the workspace module to dir, with this module's copy under
// lamport/ and an empty tmp/ for the go command's temporary files.
func layOut(dir string, cfg Config) error {
	mod := filepath.Join(dir, "lamport")
	if err := os.MkdirAll(mod, 0o755); err != nil {
		return err
	}
	if err := os.Mkdir(filepath.Join(dir, "tmp"), 0o755); err != nil {
		return err
	}
	if err := writeModule(mod, cfg); err != nil {
		return err
	}
	moduleGoMod, err := fs.ReadFile(cfg.Module, "go.mod")
	if err != nil {
		return fmt.Errorf("playground: the module bundle: %w", err)
	}
	gomod, err := workspaceGoMod(moduleGoMod)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), gomod, 0o644); err != nil {
		return err
	}
	return copyFile(cfg.Module, "go.sum", filepath.Join(dir, "go.sum"))
}

// staleRun is the age past which a run directory (lamport-run-*, made by
// Service.run in the temp dir, where the unprivileged user can reach it)
// belongs to no run: runs last seconds (Config.RunTimeout), so an older
// one was left by a server killed mid-run, this one or another.
const staleRun = 10 * time.Minute

// sweepRuns removes the run directories in tmp last modified before
// before, and returns how many it removed.
func sweepRuns(tmp string, before time.Time) int {
	dirs, _ := filepath.Glob(filepath.Join(tmp, "lamport-run-*"))
	n := 0
	for _, d := range dirs {
		fi, err := os.Lstat(d)
		if err == nil && fi.IsDir() && fi.ModTime().Before(before) && os.RemoveAll(d) == nil {
			n++
		}
	}
	return n
}

// workspaceGoMod is the go.mod of the workspace module "play": it
// requires this module, replaced by its copy under lamport/, and every
// module this module requires, at the same versions, so that the module
// graph is complete and builds run with -mod=readonly (no go.mod update to
// check on every build).
func workspaceGoMod(moduleGoMod []byte) ([]byte, error) {
	f, err := modfile.Parse("go.mod", moduleGoMod, nil)
	if err != nil {
		return nil, fmt.Errorf("playground: the module's go.mod: %w", err)
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "module play\n\ngo %s\n\nrequire (\n\t%s v0.0.0\n", f.Go.Version, f.Module.Mod.Path)
	for _, r := range f.Require {
		fmt.Fprintf(&b, "\t%s %s\n", r.Mod.Path, r.Mod.Version)
	}
	fmt.Fprintf(&b, ")\n\nreplace %s => ./lamport\n", f.Module.Mod.Path)
	return b.Bytes(), nil
}

// writeModule lays the module bundle's go.mod, go.sum and sources (no
// tests) out under dir.
func writeModule(dir string, cfg Config) error {
	return fs.WalkDir(cfg.Module, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(path, "_test.go") || !moduleFile(path) {
			return err
		}
		dst := filepath.Join(dir, path)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		return copyFile(cfg.Module, path, dst)
	})
}

// moduleFile reports whether a file of the bundle belongs in the workspace.
func moduleFile(path string) bool {
	return path == "go.mod" || path == "go.sum" || strings.HasSuffix(path, ".go") || strings.HasSuffix(path, ".sql")
}

func copyFile(fsys fs.FS, path, dst string) error {
	data, err := fs.ReadFile(fsys, path)
	if err != nil {
		return err
	}
	return os.WriteFile(dst, data, 0o644)
}

// jailImport makes every program initialise the jail before its own code.
const jailImport = "package main\n\nimport _ \"github.com/lamport-kb/lamport/playground/jail\"\n"

// warmTimeout bounds the warm-up build: trusted code, but a cold build of
// modernc.org/sqlite takes minutes on a small machine.
const warmTimeout = 15 * time.Minute

// warm builds a program that imports every allowed package of this module,
// so the first reader's build finds a warm cache.
func (ws *workspace) warm(ctx context.Context, imports []string, tags string) error {
	var b strings.Builder
	b.WriteString("package main\n\nimport (\n")
	for _, imp := range imports {
		fmt.Fprintf(&b, "\t_ %q\n", imp)
	}
	b.WriteString(")\n\nfunc main() {}\n")
	bin, errs, _, err := ws.build(ctx, b.String(), tags, warmTimeout)
	if err == nil && errs != "" {
		err = errors.New(errs)
	}
	if bin != "" {
		os.RemoveAll(filepath.Dir(bin))
	}
	return err
}
