// Command playload measures the playground end to end, through the site's
// HTTP API with the real Service (real builds, real jailed processes):
//
//  1. latency of the circuit-breaker demo after an edit (never cached),
//     p50 and p90 over -n runs, with the build and run times the playground
//     reports, side by side with `go run` of the same edited programs
//     in this module with the same (warm) build cache;
//
//  2. latency of the same program when cached;
//
//  3. -c clients for -d, each editing and running the demo in a loop from
//     its own loopback address (the per-client rate limit keys on it),
//     backing off on 429: runs/s, status counts (no 5xx allowed), and the
//     server's peak heap and RSS, sampled every 100 ms.
//
//     go run ./bench/playload [-n 20] [-c 20] [-d 60s]
//
// It needs the Go toolchain and runs from the module root (make
// loadtest-play).
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"go/parser"
	"go/token"
	"io"
	"log"
	"maps"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lamport-kb/lamport"
	"github.com/lamport-kb/lamport/bench/internal/measure"
	"github.com/lamport-kb/lamport/content"
	"github.com/lamport-kb/lamport/playground"
	"github.com/lamport-kb/lamport/site"
)

func main() {
	n := flag.Int("n", 20, "runs for the latency figures")
	clients := flag.Int("c", 20, "concurrent clients for the load phase")
	duration := flag.Duration("d", 60*time.Second, "length of the load phase (0 skips it)")
	work := flag.String("work", "", "keep the playground's workspace and build cache here (default: a temporary directory)")
	flag.Parse()
	if err := run(*n, *clients, *duration, *work); err != nil {
		log.Fatal(err)
	}
}

func run(n, clients int, duration time.Duration, work string) error {
	tmp, err := os.MkdirTemp("", "lamport-playload")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if work == "" {
		work = tmp
	}
	lib, err := content.Load(content.FS())
	if err != nil {
		return err
	}
	demo := lib.Pattern("circuit-breaker").Demo
	play, err := newPlayground(work)
	if err != nil {
		return err
	}
	url, err := serveSite(tmp, lib, play)
	if err != nil {
		return err
	}
	start := time.Now()
	if err := play.Warm(context.Background()); err != nil {
		return fmt.Errorf("warm-up: %w", err)
	}
	took := time.Since(start)
	ok, status := play.Status()
	fmt.Printf("machine: %d CPUs, %s; warm-up %v; jail: %v %s\n\n", runtime.NumCPU(), runtime.Version(), took.Round(time.Millisecond), ok, status)

	if err := latency(url, demo.Source, n); err != nil {
		return err
	}
	if err := breakdown(demo.Source, n); err != nil {
		return err
	}
	if duration > 0 {
		return load(url, demo.Source, clients, duration)
	}
	return nil
}

func newPlayground(dir string) (*playground.Service, error) {
	return playground.New(playground.Config{
		WorkDir: filepath.Join(dir, "playground"), Module: lamport.Source(),
	})
}

func serveSite(dir string, lib *content.Library, play *playground.Service) (string, error) {
	s, _, err := measure.Site(dir, site.Config{Runner: play})
	if err != nil {
		return "", err
	}
	return measure.Serve(s)
}

// edit makes the demo a new program, as a reader's edit does: the
// playground's result cache and Go's build cache for the main package
// both miss.
var edits atomic.Int64

func edit(src string) string {
	return src + fmt.Sprintf("\n// edit %d at %d\n", edits.Add(1), time.Now().UnixNano())
}

// result is one POST /api/run.
type result struct {
	status          int
	took            time.Duration
	build, runTime  time.Duration
	cached          bool
	programExitCode int
}

func post(client *http.Client, url, src string) (result, error) {
	body, _ := json.Marshal(playground.Request{Source: src})
	start := time.Now()
	resp, err := client.Post(url+"/api/run", "application/json", bytes.NewReader(body))
	if err != nil {
		return result{}, err
	}
	defer resp.Body.Close()
	var r playground.Response
	data, _ := io.ReadAll(resp.Body)
	res := result{status: resp.StatusCode, took: time.Since(start)}
	if resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal(data, &r); err != nil {
			return res, err
		}
		if r.Errors != "" || r.Status != 0 {
			return res, fmt.Errorf("the demo failed: %s %+v", r.Errors, r.Events)
		}
		res.build, res.runTime, res.cached, res.programExitCode = r.BuildTime, r.RunTime, r.Cached, r.Status
	}
	return res, nil
}

// latency times edited runs through the site and, interleaved with them
// so that both see the same machine, `go run` of the same edited programs
// in this module with the default (warm) build cache; then cached runs.
func latency(url, demo string, n int) error {
	goRun, cleanup, err := goRunner()
	if err != nil {
		return err
	}
	defer cleanup()
	if _, err := goRun(edit(demo)); err != nil { // links this module's packages into the cache
		return err
	}
	var edited, cached, builds, runs, goRuns []time.Duration
	last := ""
	// Each phase from its own address: the site allows a client 30 runs a
	// minute.
	reader, again := clientFrom("127.0.1.1"), clientFrom("127.0.1.2")
	for range n {
		last = edit(demo)
		r, err := post(reader, url, last)
		if err != nil || r.status != 200 || r.cached {
			return fmt.Errorf("edited run: status %d cached %v: %v", r.status, r.cached, err)
		}
		edited, builds, runs = append(edited, r.took), append(builds, r.build), append(runs, r.runTime)
		took, err := goRun(edit(demo))
		if err != nil {
			return err
		}
		goRuns = append(goRuns, took)
	}
	for range n {
		r, err := post(again, url, last)
		if err != nil || !r.cached {
			return fmt.Errorf("cached run: status %d, cached %v: %v", r.status, r.cached, err)
		}
		cached = append(cached, r.took)
	}
	fmt.Printf("circuit-breaker demo, %d runs each, end to end over HTTP\n", n)
	fmt.Printf("  after an edit   p50 %-8v p90 %-8v (build p50 %v, run p50 %v)\n", pct(edited, 50), pct(edited, 90), pct(builds, 50), pct(runs, 50))
	fmt.Printf("  go run, edited  p50 %-8v p90 %v   (interleaved with the runs above)\n", pct(goRuns, 50), pct(goRuns, 90))
	fmt.Printf("  cached          p50 %-8v p90 %v\n\n", pct(cached, 50), pct(cached, 90))
	return nil
}

// moduleTempDir makes a directory inside this module, where a program can
// import the module's packages as the playground's programs do.
func moduleTempDir() (string, error) {
	root, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}").Output()
	if err != nil {
		return "", err
	}
	return os.MkdirTemp(strings.TrimSpace(string(root)), "playload-")
}

// goRunner returns a function that times `go run` of a program placed in
// a directory of this module.
func goRunner() (func(src string) (time.Duration, error), func(), error) {
	dir, err := moduleTempDir()
	if err != nil {
		return nil, nil, err
	}
	run := func(src string) (time.Duration, error) {
		if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(src), 0o644); err != nil {
			return 0, err
		}
		start := time.Now()
		cmd := exec.Command("go", "run", ".")
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			return 0, fmt.Errorf("go run: %v\n%s", err, out)
		}
		return time.Since(start), nil
	}
	return run, func() { os.RemoveAll(dir) }, nil
}

// load runs clients that edit and run the demo in a loop.
func load(url, demo string, clients int, d time.Duration) error {
	var (
		mu       sync.Mutex
		statuses = map[int]int{}
		took     []time.Duration
		errs     []error
	)
	stop := make(chan struct{})
	peak := watchMemory(stop)
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	for i := range clients {
		client := clientFrom(fmt.Sprintf("127.0.0.%d", i+2))
		wg.Go(func() {
			for time.Now().Before(deadline) {
				r, err := post(client, url, edit(demo))
				mu.Lock()
				statuses[r.status]++
				if err != nil {
					errs = append(errs, err)
				} else if r.status == 200 {
					took = append(took, r.took)
				}
				mu.Unlock()
				if r.status == http.StatusTooManyRequests {
					time.Sleep(200*time.Millisecond + rand.N(300*time.Millisecond))
				}
			}
		})
	}
	wg.Wait()
	close(stop)
	heap, rss := peak()
	fmt.Printf("%d clients for %v, each editing and running the demo, backing off on 429\n", clients, d)
	fmt.Printf("  runs completed  %d (%.1f runs/s), latency p50 %v p99 %v\n", len(took), float64(len(took))/d.Seconds(), pct(took, 50), pct(took, 99))
	codes := slices.Sorted(maps.Keys(statuses))
	var parts []string
	five := 0
	for _, c := range codes {
		parts = append(parts, strconv.Itoa(c)+": "+strconv.Itoa(statuses[c]))
		if c >= 500 {
			five += statuses[c]
		}
	}
	fmt.Printf("  statuses        %s\n", strings.Join(parts, ", "))
	fmt.Printf("  server memory   peak heap %.1f MiB, peak RSS %.1f MiB\n", float64(heap)/(1<<20), float64(rss)/(1<<20))
	if five > 0 || len(errs) > 0 {
		return fmt.Errorf("%d responses were 5xx; errors: %v", five, errors.Join(errs...))
	}
	return nil
}

// clientFrom is an HTTP client whose connections come from addr.
func clientFrom(addr string) *http.Client {
	dialer := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(addr)}}
	return &http.Client{Transport: &http.Transport{DialContext: dialer.DialContext}}
}

// watchMemory samples the heap and RSS until stop closes; the returned
// function reports the peaks.
func watchMemory(stop chan struct{}) func() (heap, rss uint64) {
	var maxHeap, maxRSS atomic.Uint64
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			maxHeap.Store(max(maxHeap.Load(), ms.HeapInuse))
			maxRSS.Store(max(maxRSS.Load(), measure.RSS()))
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	return func() (uint64, uint64) { <-done; return maxHeap.Load(), maxRSS.Load() }
}

func pct(d []time.Duration, p int) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	return s[min(len(s)-1, len(s)*p/100)].Round(100 * time.Microsecond)
}

// breakdown builds edited programs with the playground's flags and
// -debug-trace, and reports the median time of each phase of the go
// command: loading packages, checking the build cache, compiling the
// edited package (parse, type-check, code generation), linking. It also
// times go/parser on the source, the playground's own check.
func breakdown(demo string, n int) error {
	dir, err := moduleTempDir()
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	phases := map[string][]time.Duration{}
	for i := range n + 1 {
		src := edit(demo)
		start := time.Now()
		if _, err := parser.ParseFile(token.NewFileSet(), "prog.go", src, parser.SkipObjectResolution); err != nil {
			return err
		}
		parse := time.Since(start)
		if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(src), 0o644); err != nil {
			return err
		}
		trace := filepath.Join(dir, "trace.json")
		cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-debug-trace="+trace, "-o", filepath.Join(dir, "prog"), ".")
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("go build: %v\n%s", err, out)
		}
		spans, err := readTrace(trace)
		if err != nil {
			return err
		}
		if i == 0 {
			continue // the first one fills the cache for -trimpath
		}
		phases["parse (ours)"] = append(phases["parse (ours)"], parse)
		for name, d := range spans {
			phases[name] = append(phases[name], d)
		}
	}
	fmt.Println("where a build after an edit goes (go build -trimpath -ldflags=-s -w, median)")
	for _, name := range []string{"parse (ours)", "whole go build", "load packages", "check the cache", "compile the edited package", "link"} {
		fmt.Printf("  %-28s %v\n", name, pct(phases[name], 50))
	}
	fmt.Println()
	return nil
}

// readTrace sums the go command's trace spans into phases.
func readTrace(path string) (map[string]time.Duration, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var events []struct {
		Name string  `json:"name"`
		Ph   string  `json:"ph"`
		TS   float64 `json:"ts"`
		Dur  float64 `json:"dur"`
		TID  int     `json:"tid"`
	}
	if err := json.Unmarshal(data, &events); err != nil {
		return nil, err
	}
	type key struct {
		name string
		tid  int
	}
	open := map[key][]float64{}
	phases := map[string]time.Duration{}
	us := func(f float64) time.Duration { return time.Duration(f * 1e3) }
	for _, e := range events {
		var dur float64
		switch e.Ph {
		case "X":
			dur = e.Dur
		case "B":
			open[key{e.Name, e.TID}] = append(open[key{e.Name, e.TID}], e.TS)
			continue
		case "E":
			k := key{e.Name, e.TID}
			if len(open[k]) == 0 {
				continue
			}
			dur = e.TS - open[k][len(open[k])-1]
			open[k] = open[k][:len(open[k])-1]
		default:
			continue
		}
		switch {
		case e.Name == "Running build command":
			phases["whole go build"] += us(dur)
		case e.Name == "load.PackagesAndErrors":
			phases["load packages"] += us(dur)
		case strings.HasPrefix(e.Name, "Executing action (build check cache"):
			phases["check the cache"] = max(phases["check the cache"], us(dur)) // they overlap
		case strings.HasPrefix(e.Name, "Executing action (build ") && strings.Contains(e.Name, "playload-"):
			phases["compile the edited package"] += us(dur)
		case strings.HasPrefix(e.Name, "Executing action (link "):
			phases["link"] += us(dur)
		}
	}
	return phases, nil
}
