package tests

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lamport-kb/lamport/playground"
)

// TestFirstRun starts the real binary the way `make run` does, on a fresh
// clone: built with make's flags, working directory the repository root,
// a relative and empty data directory, the go command's own build cache.
// /readyz must say the playground is warming (and a run must be refused
// with that message) until the warm-up has finished, then ready; a
// pattern's demo must then run through /api/run with the output `go run`
// gives, and once fake time is warm, the engine demo must run in fake time
// with its timeline.
func TestFirstRun(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the server and warms a playground")
	}
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no Go toolchain")
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	bin := buildServer(t, root)
	data := filepath.Join("data", fmt.Sprintf("firstrun-test-%d", os.Getpid())) // relative, like ./data
	t.Cleanup(func() { os.RemoveAll(filepath.Join(root, data)) })
	base := startServer(t, root, bin, "--addr", "127.0.0.1:0", "--data", data)

	first := readyz(t, base)
	if first.status != http.StatusServiceUnavailable || !strings.HasPrefix(first.Checks["playground"], "warming") {
		t.Errorf("first /readyz: %d %v, want 503 with the playground warming", first.status, first.Checks)
	}
	demo := mustLibrary(t).Pattern("circuit-breaker").Demo.Source
	if status, body := runDemo(t, base, demo, false); status != http.StatusOK {
		// The warm-up may have finished in between; otherwise the run
		// must be refused with the warming message.
		if status != http.StatusServiceUnavailable || !strings.Contains(body, "warming up") {
			t.Errorf("a run while warming: %d %s, want 503 with the warming message", status, body)
		}
	}

	waitReady(t, base, func(play string) bool { return !strings.HasPrefix(play, "warming") })
	if jail := readyz(t, base).Checks["jail"]; !strings.Contains(jail, "seccomp") {
		t.Errorf("/readyz jail %q: want the layers in force, seccomp among them", jail)
	}
	status, body := runDemo(t, base, demo, false)
	var resp playground.Response
	if err := json.Unmarshal([]byte(body), &resp); status != http.StatusOK || err != nil {
		t.Fatalf("/api/run: %d %s", status, body)
	}
	if want := goRun(t, root, "./content/patterns/circuitbreaker/demo"); resp.Errors != "" || resp.Output() != want {
		t.Errorf("the demo through /api/run (errors %q):\n%s\nwant (go run):\n%s", resp.Errors, resp.Output(), want)
	}

	waitReady(t, base, func(play string) bool { return !strings.Contains(play, "warming") })
	engineDemo := mustLibrary(t).Pattern("durable-execution").Demo.Source
	status, body = runDemo(t, base, engineDemo, true)
	if err := json.Unmarshal([]byte(body), &resp); status != http.StatusOK || err != nil {
		t.Fatalf("/api/run in fake time: %d %s", status, body)
	}
	if resp.Status != 0 || !strings.Contains(resp.Output(), "IMAGE:") {
		t.Errorf("the engine demo in fake time: status %d, errors %q, output:\n%.2000s", resp.Status, resp.Errors, resp.Output())
	}
}

// buildServer builds the command as make does (see the Makefile's
// BUILDFLAGS): the playground's warm-up relies on those flags to find the
// standard library and the dependencies already in the go command's cache.
func buildServer(t *testing.T, root string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "lamport")
	cmd := exec.Command("go", "build", "-trimpath", "-o", bin, "./cmd/lamport")
	cmd.Dir, cmd.Env = root, append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// serving is the server's start-up log line with the address it bound.
var serving = regexp.MustCompile(`msg=serving addr=(\S+)`)

// startServer runs bin in dir with args, waits for it to listen and
// returns its base URL. The server is stopped with SIGTERM when the test
// ends; its log is printed if the test failed.
func startServer(t *testing.T, dir, bin string, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"serve"}, args...)...)
	cmd.Dir = dir
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	addr := make(chan string, 1)
	copied := make(chan struct{})
	go func() {
		defer close(copied)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			log.WriteString(sc.Text() + "\n")
			if m := serving.FindStringSubmatch(sc.Text()); m != nil {
				addr <- m[1]
			}
		}
	}()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
		<-copied
		if t.Failed() {
			t.Logf("server log:\n%s", log.String())
		}
	})
	select {
	case a := <-addr:
		return "http://" + a
	case <-copied:
		t.Fatalf("the server exited before listening")
	case <-time.After(2 * time.Minute):
		t.Fatalf("the server did not listen within 2 minutes")
	}
	return ""
}

type readiness struct {
	status int
	Ready  bool              `json:"ready"`
	Checks map[string]string `json:"checks"`
}

func readyz(t *testing.T, base string) readiness {
	t.Helper()
	resp, err := http.Get(base + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	r := readiness{status: resp.StatusCode}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		t.Fatalf("/readyz: %v", err)
	}
	if r.Ready != (r.status == http.StatusOK) {
		t.Errorf("/readyz: ready %v with status %d", r.Ready, r.status)
	}
	return r
}

// waitReady polls /readyz until done accepts the playground's detail. A
// failed warm-up fails the test at once, with the reason /readyz gives.
func waitReady(t *testing.T, base string, done func(play string) bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Minute) // a cold cache on a busy 2-core machine
	for {
		r := readyz(t, base)
		play := r.Checks["playground"]
		switch {
		case strings.HasPrefix(play, "failed"):
			t.Fatalf("the playground's warm-up failed: %s", play)
		case done(play):
			if !r.Ready {
				t.Fatalf("/readyz not ready with the playground %q: %v", play, r.Checks)
			}
			return
		case r.Ready && strings.HasPrefix(play, "warming"):
			t.Fatalf("/readyz ready while the playground is %q", play)
		case time.Now().After(deadline):
			t.Fatalf("the playground is still %q", play)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// runDemo posts src to /api/run as play.js does.
func runDemo(t *testing.T, base, src string, fake bool) (int, string) {
	t.Helper()
	req, _ := json.Marshal(playground.Request{Source: src, FakeTime: fake})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	hreq, _ := http.NewRequestWithContext(ctx, http.MethodPost, base+"/api/run", bytes.NewReader(req))
	hreq.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(hreq)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// goRun is the output of `go run pkg` in dir.
func goRun(t *testing.T, dir, pkg string) string {
	t.Helper()
	cmd := exec.Command("go", "run", pkg)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go run %s: %v", pkg, err)
	}
	return string(out)
}
