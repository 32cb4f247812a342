package playground

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/mod/modfile"
	"golang.org/x/sys/unix"
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
	if err := os.RemoveAll(dir); err != nil {
		return nil, err
	}
	mod := filepath.Join(dir, "lamport")
	if err := os.MkdirAll(mod, 0o755); err != nil {
		return nil, err
	}
	if err := writeModule(mod, cfg); err != nil {
		return nil, err
	}
	moduleGoMod, err := fs.ReadFile(cfg.Module, "go.mod")
	if err != nil {
		return nil, fmt.Errorf("playground: the module bundle: %w", err)
	}
	gomod, err := workspaceGoMod(moduleGoMod)
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), gomod, 0o644); err != nil {
		return nil, err
	}
	if err := copyFile(cfg.Module, "go.sum", filepath.Join(dir, "go.sum")); err != nil {
		return nil, err
	}
	ws := &workspace{dir: dir, goBin: goBin, cfg: cfg}
	goenv, err := exec.Command(goBin, "env", "GOMODCACHE", "GOVERSION").Output()
	if err != nil {
		return nil, fmt.Errorf("playground: go env: %w", err)
	}
	modcache, version, _ := strings.Cut(strings.TrimSpace(string(goenv)), "\n")
	ws.goVersion = version
	ws.env = []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + cfg.WorkDir,
		"GOCACHE=" + cmp.Or(cfg.GoCache, filepath.Join(cfg.WorkDir, "gocache")),
		"GOMODCACHE=" + modcache,
		"GOPROXY=off", "GOFLAGS=-mod=readonly", "CGO_ENABLED=0", "GOTOOLCHAIN=local",
		"GOTELEMETRY=off", "GOENV=off", "GOWORK=off",
	}
	return ws, nil
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

// build compiles src and returns the binary's path, or the compiler's
// errors with paths reduced to prog.go. limit is "build" when the build
// was stopped by its timeout or resource limits rather than by errors in
// the program.
func (ws *workspace) build(ctx context.Context, src, tags string, timeout time.Duration) (bin, compileErrs, limit string, err error) {
	pkg := filepath.Join(ws.dir, fmt.Sprintf("p%d", ws.next.Add(1)))
	if err := os.MkdirAll(pkg, 0o755); err != nil {
		return "", "", "", err
	}
	if err := os.WriteFile(filepath.Join(pkg, "prog.go"), []byte(src), 0o644); err != nil {
		return "", "", "", err
	}
	if err := os.WriteFile(filepath.Join(pkg, "zz_jail.go"), []byte(jailImport), 0o644); err != nil {
		return "", "", "", err
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	bin = filepath.Join(pkg, "prog")
	cmd := exec.CommandContext(ctx, ws.goBin, "build", "-trimpath", "-buildvcs=false", "-ldflags=-s -w", "-tags="+tags, "-o", bin, ".")
	cmd.Dir, cmd.Env = pkg, ws.buildEnv()
	// The go command starts compilers and the linker: on timeout or
	// cancellation, kill the whole process group, not just go.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = time.Second
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := startLimited(cmd); err != nil {
		os.RemoveAll(pkg)
		return "", "", "", err
	}
	if err := cmd.Wait(); err != nil {
		os.RemoveAll(pkg)
		var exit *exec.ExitError
		switch {
		case ctx.Err() != nil && parentDone(ctx):
			return "", "", "", ctx.Err()
		case ctx.Err() != nil:
			return "", fmt.Sprintf("prog.go: build stopped: it took longer than %v", timeout), "build", nil
		case toolKilled.MatchString(out.String()):
			return "", "prog.go: build stopped: the compiler exceeded the playground's CPU or memory limit", "build", nil
		case errors.As(err, &exit):
			return "", compilerErrors(out.String()), "", nil
		}
		return "", "", "", err
	}
	return bin, "", "", nil
}

// buildEnv is the go command's environment. Once the cache is warm, a
// build compiles one small package and links: there the compiler and
// linker run about 5% faster with a lazier garbage collector (GOGC=400),
// and their heaps stay small. Before, a build may compile
// modernc.org/sqlite, whose compiler heap must not grow 4× past its
// live size.
func (ws *workspace) buildEnv() []string {
	if !ws.warmed.Load() {
		return ws.env
	}
	return append(slices.Clone(ws.env), "GOGC=400")
}

// parentDone tells a caller's cancellation from the build timeout.
func parentDone(ctx context.Context) bool {
	return errors.Is(context.Cause(ctx), context.Canceled)
}

// toolKilled matches the go command's report of a compiler or linker
// killed by a signal (SIGXCPU, SIGKILL when out of memory).
var toolKilled = regexp.MustCompile(`(?m)(compile|link|asm): signal: |signal: (killed|CPU time limit exceeded)`)

// Limits on the go command and, since children inherit them, on the
// compilers and the linker it starts. They bound what a hostile program
// can make the toolchain do (huge constants, deep nesting, giant arrays)
// beyond the build timeout; a cold build of modernc.org/sqlite needs
// about 2 GiB, hence the generous memory limit.
var buildLimits = []struct {
	resource int
	value    uint64
}{
	{unix.RLIMIT_CPU, 120},       // seconds per process
	{unix.RLIMIT_DATA, 6 << 30},  // bytes of heap per process
	{unix.RLIMIT_FSIZE, 1 << 30}, // largest file written (objects, the binary)
	{unix.RLIMIT_CORE, 0},
}

// startLimited starts cmd and lowers its resource limits at once, before
// the go command has started any compiler (it reads go.mod and plans the
// build first, which takes milliseconds).
func startLimited(cmd *exec.Cmd) error {
	if err := cmd.Start(); err != nil {
		return err
	}
	for _, l := range buildLimits {
		rl := unix.Rlimit{Cur: l.value, Max: l.value}
		if err := unix.Prlimit(cmd.Process.Pid, l.resource, &rl, nil); err != nil {
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			cmd.Wait()
			return fmt.Errorf("playground: limiting the build: %w", err)
		}
	}
	return nil
}

var (
	buildNoise = regexp.MustCompile(`(?m)^# .*\n`)
	progPath   = regexp.MustCompile(`(\./|play/p\d+/)prog\.go`) // compiler and linker spellings
)

// compilerErrors keeps the compiler's and linker's messages, with the file
// as prog.go.
func compilerErrors(out string) string {
	out = buildNoise.ReplaceAllString(out, "")
	out = progPath.ReplaceAllString(out, "prog.go")
	return strings.TrimSpace(out)
}

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
