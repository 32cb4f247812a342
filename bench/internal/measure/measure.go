// Package measure holds what the load tools under bench/ share: the real
// site over the embedded content, served on loopback; wrk runs; the
// process's resident memory.
package measure

import (
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/lamport-kb/lamport/content"
	"github.com/lamport-kb/lamport/site"
	"github.com/lamport-kb/lamport/static"
)

// Site is the real site over the embedded content, with its search index
// in dataDir and the built front end, logging its access log to nowhere
// (formatted, as the server pays for it).
func Site(dataDir string, cfg site.Config) (*site.Server, *static.Assets, error) {
	st, err := site.Build(content.FS(), content.Options{}, filepath.Join(dataDir, "index"), site.State{})
	if err != nil {
		return nil, nil, err
	}
	assets, err := static.Load()
	if err != nil {
		return nil, nil, err
	}
	if !assets.Built() {
		return nil, nil, fmt.Errorf("front end not built: run make assets")
	}
	cfg.BaseURL, cfg.RepoURL, cfg.Branch = "http://localhost", "https://github.com/lamport-kb/lamport", "main"
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	s, err := site.New(cfg, st, assets, nil)
	return s, assets, err
}

// Serve serves h on a loopback port and returns its base URL.
func Serve(h http.Handler) (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	go http.Serve(l, h)
	return "http://" + l.Addr().String(), nil
}

var reqPerSec = regexp.MustCompile(`Requests/sec:\s+([\d.]+)`)

// Wrk runs wrk (two threads, conns connections, for d) against url and
// returns its requests per second; any non-2xx answer is an error.
func Wrk(url string, d time.Duration, conns int, gzip bool) (float64, error) {
	args := []string{"-t2", fmt.Sprintf("-c%d", conns), "-d" + d.String()}
	if gzip {
		args = append(args, "-H", "Accept-Encoding: gzip")
	}
	out, err := exec.Command("wrk", append(args, url)...).CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("wrk: %v\n%s", err, out)
	}
	m := reqPerSec.FindSubmatch(out)
	if m == nil || strings.Contains(string(out), "Non-2xx") {
		return 0, fmt.Errorf("wrk output unexpected:\n%s", out)
	}
	return strconv.ParseFloat(string(m[1]), 64)
}

// RSS is this process's resident set size in bytes.
func RSS() uint64 {
	data, _ := os.ReadFile("/proc/self/status")
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseUint(f[1], 10, 64)
			return kb << 10
		}
	}
	return 0
}
