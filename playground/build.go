package playground

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// build compiles src and returns the binary's path, or the compiler's
// errors with paths reduced to prog.go. limit is "build" when the build
// was stopped by its timeout or resource limits rather than by errors in
// the program; such a result must not be cached.
func (ws *workspace) build(ctx context.Context, src, tags string, timeout time.Duration) (bin, compileErrs, limit string, err error) {
	pkg, err := ws.writePackage(src)
	if err != nil {
		return "", "", "", err
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	bin = filepath.Join(pkg, "prog")
	memory := ws.buildMemory()
	cmd := ws.command(ctx, memory, "build", "-trimpath", "-buildvcs=false", "-ldflags=-s -w", "-tags="+withRunsTag(tags), "-o", bin, ".")
	cmd.Dir = pkg
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := runLocked(cmd); err != nil {
		os.RemoveAll(pkg)
		var exit *exec.ExitError
		switch {
		case ctx.Err() != nil && parentDone(ctx):
			return "", "", "", ctx.Err()
		case ctx.Err() != nil:
			return "", fmt.Sprintf("prog.go: build stopped: it took longer than %v", timeout), "build", nil
		case !errors.As(err, &exit):
			return "", "", "", err
		case exit.ExitCode() == scriptFailed:
			return "", "", "", fmt.Errorf("playground: limiting the build: %s", out.Bytes())
		case buildStopped(peakRSS(exit.ProcessState), cpuTime(exit.ProcessState), out.String(), memory):
			return "", "prog.go: build stopped: the compiler or linker exceeded the playground's CPU, memory or file size limit", "build", nil
		}
		return "", compilerErrors(out.String()), "", nil
	}
	return bin, "", "", nil
}

// withRunsTag adds runsTag to a build's tags: every program the
// playground builds reports its engines' runs (runs.go).
func withRunsTag(tags string) string {
	if tags == "" {
		return runsTag
	}
	return tags + "," + runsTag
}

// writePackage writes src, and the file that links the jail in, to a
// fresh package directory.
func (ws *workspace) writePackage(src string) (string, error) {
	pkg := filepath.Join(ws.dir, fmt.Sprintf("p%d", ws.next.Add(1)))
	if err := os.MkdirAll(pkg, 0o755); err != nil {
		return "", err
	}
	err := os.WriteFile(filepath.Join(pkg, "prog.go"), []byte(src), 0o644)
	if err == nil {
		err = os.WriteFile(filepath.Join(pkg, "zz_jail.go"), []byte(jailImport), 0o644)
	}
	if err != nil {
		os.RemoveAll(pkg)
		return "", err
	}
	return pkg, nil
}

// Limits on the go command and, since children inherit them, on each
// compiler and the linker it starts. They bound what a hostile program
// can make the toolchain do (huge constants, giant array literals, deep
// nesting) beyond the build timeout.
const (
	buildCPU      = 120     // seconds per process
	buildFileSize = 1 << 30 // largest file written (objects, the binary)

	// readerMemory bounds the heap of each process of a reader's build,
	// which compiles one small package and links. Measured on the demos
	// (GOGC=400): a build peaks at 55 MB resident, 150 MB when it links
	// the engine and SQLite. A compile bomb ([1 << 27]int{...}) stops at
	// once.
	readerMemory = 512 << 20

	// coldMemory bounds a build before the cache is warm, which may
	// compile modernc.org/sqlite: measured on a cold cache, its compiler
	// maps 850 MB at most (peak RSS 790 MB).
	coldMemory = 2 << 30
)

// buildMemory is the memory limit for the next build.
func (ws *workspace) buildMemory() int64 {
	if ws.warmed.Load() {
		return readerMemory
	}
	return coldMemory
}

// buildScript runs the go command ("$@") under the build's limits, as the
// child of a shell that kills the build's whole process group when the
// server dies. The server starts the shell with a parent-death signal
// (SIGTERM), which the trap turns into SIGKILL for the group: the go
// command, and the compilers and linker it started, which a parent-death
// signal on the go command alone would leave running. Setting the limits
// here, before the go command starts, binds every process of the build.
const buildScript = `trap 'kill -KILL 0' TERM
ulimit -t %d && ulimit -d %d && ulimit -f %d && ulimit -c 0 || exit %d
"$@" &
wait $!
`

// scriptFailed is buildScript's exit status when it could not set the
// limits.
const scriptFailed = 125

// command is the go command with args, under the build's limits, in its
// own process group, which is killed as a whole when ctx ends or the
// server dies.
func (ws *workspace) command(ctx context.Context, memory int64, args ...string) *exec.Cmd {
	script := fmt.Sprintf(buildScript, buildCPU, memory>>10, buildFileSize/512, scriptFailed)
	cmd := exec.CommandContext(ctx, "/bin/sh", append([]string{"-c", script, "sh", ws.goBin}, args...)...)
	cmd.Env = ws.buildEnv(memory)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = time.Second
	return cmd
}

// runLocked runs cmd from a locked OS thread: the kernel sends the
// parent-death signal when the thread that started the child exits, not
// the process, so the thread must outlive the child.
func runLocked(cmd *exec.Cmd) error {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	return cmd.Run()
}

// buildEnv is the go command's environment. The collector of each tool
// works harder as its heap nears the memory limit (GOMEMLIMIT), instead
// of failing at it. Once the cache is warm, a build compiles one small
// package and links: there the compiler and linker run about 5% faster
// with a lazier garbage collector (GOGC=400), and their heaps stay small.
// Before, a build may compile modernc.org/sqlite, whose compiler heap
// must not grow 4× past its live size.
func (ws *workspace) buildEnv(memory int64) []string {
	env := append(slices.Clone(ws.env), "GOMEMLIMIT="+strconv.FormatInt(memory/4*3, 10))
	if !ws.warmed.Load() {
		return env
	}
	return append(env, "GOGC=400")
}

// parentDone tells a caller's cancellation from the build timeout.
func parentDone(ctx context.Context) bool {
	return errors.Is(context.Cause(ctx), context.Canceled)
}

// buildStopped tells a failed build that its limits stopped from one with
// errors in the program. The go command's report of a tool killed by a
// signal, a runtime crash as the first line of a tool's output, or a file
// too large are proof. The runner's own evidence, the shell's rusage over
// every process of the build (a peak RSS of half the memory limit, or the
// CPU seconds of one process), counts only when the compiler reported no
// error in prog.go: a module with many packages makes the go command
// itself big, and a build that ends in the program's own diagnostics was
// not stopped. The program's own text reaches the output only inside a
// diagnostic, which starts with a position: a raw string can put a
// crash-like line after it, never first.
func buildStopped(rss int64, cpu time.Duration, out string, memory int64) bool {
	if toolKilled.MatchString(out) || toolCrashed.MatchString(out) || toolFileLimit.MatchString(out) {
		return true
	}
	return !diagnostic.MatchString(out) && (rss >= memory/2 || cpu >= buildCPU*time.Second)
}

// diagnostic matches the compiler's or the linker's report of an error
// in the program.
var diagnostic = regexp.MustCompile(`(?m)^(\./|play/p\d+/)?prog\.go:\d+(:\d+)?: `)

var (
	// toolKilled matches the go command's line for a compiler, assembler
	// or linker killed by a signal (SIGKILL, SIGXCPU).
	toolKilled = regexp.MustCompile(`(?m)^\S+: \S*/(compile|link|asm): signal: `)
	// toolCrashed matches a Go runtime crash as the first line of a tool's
	// output, after the go command's "# package" header: out of memory
	// under the limit, or a stack overflow.
	toolCrashed = regexp.MustCompile(`(?m)^# \S+\n(fatal error: |runtime: |SIG[A-Z]+: )`)
	// toolFileLimit matches a tool's report that the file size limit
	// stopped its output (EFBIG: Go ignores SIGXFSZ).
	toolFileLimit = regexp.MustCompile(`(?m)^(compile|link|asm): .*: file too large$`)
)

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
