package sandbox

import (
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lamport-kb/lamport/playground"
)

// The jail's layers as a program meets them through Run. Attacks that need
// raw system calls (a thread bomb, fcntl signals, killing another run) are
// in playground/layers_test.go: the import allowlist keeps package syscall
// out of programs here, though a data race would not.

// selfCheckSource prints the jail's probes, one a line, then waits for
// wait, so that two runs overlap.
func selfCheckSource(wait time.Duration) string {
	return fmt.Sprintf(`package main

import (
	"fmt"
	"time"

	"github.com/lamport-kb/lamport/playground/jail"
)

func main() {
	for _, p := range jail.SelfCheck() {
		fmt.Println(p)
	}
	time.Sleep(%d)
}
`, wait)
}

var uidProbe = regexp.MustCompile(`(?m)^uid +(blocked|ALLOWED) \(uid (\d+)\)$`)

// TestRunsHaveTheirOwnUIDs: two programs running at once run as two
// different uids, neither the server's, so that neither can signal the
// other or the server, even without a PID namespace.
func TestRunsHaveTheirOwnUIDs(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("the server is not root: runs have uids of their own only inside user namespaces")
	}
	outs := make(chan *playground.Response, 2)
	for i := range 2 {
		src := selfCheckSource(time.Second) + strings.Repeat("\n", i) // not the cached result of the other
		go func() { outs <- runRequest(t, playground.Request{Source: src}, 120*time.Second) }()
	}
	seen := map[string]bool{}
	for range 2 {
		r := <-outs
		m := uidProbe.FindStringSubmatch(r.Output())
		if m == nil || m[1] != "blocked" {
			t.Fatalf("status %d, output %q; want a run uid", r.Status, r.Output())
		}
		if uid, _ := strconv.Atoi(m[2]); uid == os.Getuid() {
			t.Errorf("the program runs as the server's uid %d", uid)
		}
		seen[m[2]] = true
	}
	if len(seen) != 2 {
		t.Errorf("two programs running at once shared uid %v", seen)
	}
}

// TestSelfCheckLayers: from inside the jail, the host's uname and every
// fcntl that arms a signal fail with EPERM, and, when the server is root,
// the thread limit is in force.
func TestSelfCheckLayers(t *testing.T) {
	r := run(t, selfCheckSource(0), 120*time.Second)
	out := r.Output()
	probes := []string{"uname", "setown", "setsig", "o_async"}
	if os.Geteuid() == 0 {
		probes = append(probes, "uid", "nproc")
	}
	for _, probe := range probes {
		if !regexp.MustCompile(`(?m)^` + probe + ` +blocked `).MatchString(out) {
			t.Errorf("%s not blocked:\n%s", probe, out)
		}
	}
}

// TestLayersReported: Layers names the layers in force and Status's
// degraded detail the ones missing: every layer is in one or the other.
func TestLayersReported(t *testing.T) {
	if service == nil {
		t.Skip("no Go toolchain")
	}
	layers := strings.Join(service.Layers(), "; ")
	_, status := service.Status()
	t.Logf("layers: %s\nstatus: %s", layers, status)
	for _, layer := range []struct{ on, off string }{
		{"seccomp", "-"},
		{"rlimit nproc 64", "not root"},
		{"pidns", "no new namespaces"},
		{"cgroup v", "no cgroup per run"},
	} {
		if !strings.Contains(layers, layer.on) && !strings.Contains(status, layer.off) {
			t.Errorf("%q is neither in Layers nor in Status's %q", layer.on, status)
		}
	}
	if os.Geteuid() == 0 && !strings.Contains(layers, "uid 90000-90031") {
		t.Errorf("the server is root but Layers has no run uids: %s", layers)
	}
}
