// Command searchload measures what hostile traffic costs the pages:
// cached-page requests per second alone and while 32 clients search as
// fast as they can, then the server's RSS after 5,000 requests for one
// page with distinct query strings.
//
//	go run ./bench/searchload [-d 10s] [-c 32] [-searchers 32]
//
// The query strings come last: they used to fill the page cache, after
// which no page was cached any more.
//
// The site (content, search index, no playground) runs in this process;
// the page load comes from wrk (Debian package wrk) and the searches and
// query strings from a copy of this command started as a separate process,
// so the server's RSS and CPU are its own. The searchers run twice: every
// request from a new loopback address (127.x.y.z, as a botnet: no
// per-client limit applies), then each client from one address.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lamport-kb/lamport/content"
	"github.com/lamport-kb/lamport/search"
	"github.com/lamport-kb/lamport/site"
	"github.com/lamport-kb/lamport/static"
)

func main() {
	duration := flag.Duration("d", 10*time.Second, "duration of each load phase")
	conns := flag.Int("c", 32, "wrk connections for the page")
	searchers := flag.Int("searchers", 32, "concurrent search clients")
	page := flag.String("path", "/en/patterns/circuit-breaker", "cached page to load")
	// The client half, started by the server half.
	client := flag.String("client", "", "internal: run the client half against this URL (search or utm)")
	mode := flag.String("mode", "", "internal: search-spread, search-fixed or utm")
	flag.Parse()
	var err error
	if *client != "" {
		err = runClient(*client, *mode, *searchers, *duration)
	} else {
		err = run(*duration, *conns, *searchers, *page)
	}
	if err != nil {
		log.Fatal(err)
	}
}

func run(d time.Duration, conns, searchers int, page string) error {
	if _, err := exec.LookPath("wrk"); err != nil {
		return fmt.Errorf("wrk not found: apt-get install wrk")
	}
	tmp, err := os.MkdirTemp("", "lamport-searchload")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	h, err := newSite(tmp)
	if err != nil {
		return err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	go http.Serve(l, h)
	base := "http://" + l.Addr().String()
	fmt.Printf("GOMAXPROCS=%d, %d CPUs; wrk -t2 -c%d; %d searchers; %v per phase\n", runtime.GOMAXPROCS(0), runtime.NumCPU(), conns, searchers, d)

	fmt.Printf("RSS at start: %d MB\n", rssMB())
	if err := searchPhases(base, page, d, conns, searchers); err != nil {
		return err
	}
	return rssPhase(base+"/zh/patterns/durable-execution", d)
}

// searchPhases loads the page alone, then with searchers from spread and
// from fixed addresses.
func searchPhases(base, page string, d time.Duration, conns, searchers int) error {
	alone, err := wrk(base+page, d, conns)
	if err != nil {
		return err
	}
	fmt.Printf("page alone:                     %7.0f req/s\n", alone)
	for _, m := range []string{"search-spread", "search-fixed"} {
		var searchOut string
		var searchErr error
		done := make(chan struct{})
		go func() { searchOut, searchErr = child(base, m, searchers, d+2*time.Second); close(done) }()
		time.Sleep(time.Second) // let the searchers ramp up
		loaded, err := wrk(base+page, d, conns)
		<-done
		if err != nil {
			return err
		}
		if searchErr != nil {
			return searchErr
		}
		fmt.Printf("page with %d searchers (%s): %7.0f req/s = %.2f of alone; searches: %s\n", searchers, strings.TrimPrefix(m, "search-"), loaded, loaded/alone, searchOut)
	}
	return nil
}

// rssPhase requests page with 5,000 distinct query strings.
func rssPhase(page string, d time.Duration) error {
	if _, err := child(page, "utm", 1, d); err != nil {
		return err
	}
	runtime.GC()
	before := rssMB()
	out, err := child(page, "utm", 5000, d)
	if err != nil {
		return err
	}
	runtime.GC()
	fmt.Printf("RSS: %d MB before, %d MB after 5,000 distinct ?utm= (%s)\n", before, rssMB(), out)
	return nil
}

func newSite(dir string) (http.Handler, error) {
	lib, err := content.Load(content.FS())
	if err != nil {
		return nil, err
	}
	idx, err := search.Open(filepath.Join(dir, "index"), lib)
	if err != nil {
		return nil, err
	}
	assets, err := static.Load()
	if err != nil {
		return nil, err
	}
	// A real access log, formatted and discarded, as the server pays for it.
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	return site.New(site.Config{BaseURL: "http://localhost", RepoURL: "https://github.com/lamport-kb/lamport", Branch: "main", Logger: logger}, lib, idx, assets, nil)
}

// child runs the client half in a separate process and returns its report.
func child(target, mode string, n int, d time.Duration) (string, error) {
	out, err := exec.Command(os.Args[0], "-client", target, "-mode", mode, "-searchers", fmt.Sprint(n), "-d", d.String()).CombinedOutput()
	return strings.TrimSpace(string(out)), err
}

// rssMB is this process's resident set size.
func rssMB() int {
	b, _ := os.ReadFile("/proc/self/status")
	var kb int
	if m := regexp.MustCompile(`VmRSS:\s+(\d+)`).FindSubmatch(b); m != nil {
		fmt.Sscan(string(m[1]), &kb)
	}
	return kb / 1024
}

var reqPerSec = regexp.MustCompile(`Requests/sec:\s+([\d.]+)`)

func wrk(url string, d time.Duration, conns int) (float64, error) {
	out, err := exec.Command("wrk", "-t2", fmt.Sprintf("-c%d", conns), "-d"+d.String(), "-H", "Accept-Encoding: gzip", url).CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("wrk: %v\n%s", err, out)
	}
	m := reqPerSec.FindSubmatch(out)
	if m == nil || strings.Contains(string(out), "Non-2xx") {
		return 0, fmt.Errorf("wrk output unexpected:\n%s", out)
	}
	var v float64
	fmt.Sscan(string(m[1]), &v)
	return v, nil
}

// queries are what readers type, in both languages, with as-you-type
// prefixes and a typo.
var queries = []string{
	"en:circuit breaker", "en:retry", "en:re", "en:exponentail backoff", "en:token bucket",
	"en:half-open state", "en:ti", "zh:熔断", "zh:限流", "zh:指数退避", "zh:重试预算", "en:idempotency key",
}

func runClient(target, mode string, n int, d time.Duration) error {
	if mode == "utm" {
		return utmFlood(target, n)
	}
	var next atomic.Uint32
	var mu sync.Mutex
	statuses := map[int]int{}
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			fixed := net.IPv4(127, 0, 1, byte(i+1))
			for j := 0; ctx.Err() == nil; j++ {
				ip := fixed
				if mode == "search-spread" {
					k := next.Add(1)
					ip = net.IPv4(127, byte(10+k>>16), byte(k>>8), byte(k))
				}
				q := queries[(i+j)%len(queries)]
				lang, text, _ := strings.Cut(q, ":")
				status := searchOnce(ctx, ip, target+"/"+lang+"/search?q="+url.QueryEscape(text))
				mu.Lock()
				statuses[status]++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	total := 0
	for _, c := range statuses {
		total += c
	}
	fmt.Printf("%.0f/s, by status %v", float64(total)/d.Seconds(), statuses)
	return nil
}

// searchOnce makes one search from source address ip, on a new
// connection, and returns its status (0 for a transport error).
func searchOnce(ctx context.Context, ip net.IP, u string) int {
	dialer := &net.Dialer{LocalAddr: &net.TCPAddr{IP: ip}}
	c := &http.Client{Transport: &http.Transport{DialContext: dialer.DialContext, DisableKeepAlives: true}}
	req, _ := http.NewRequestWithContext(ctx, "GET", u, nil)
	resp, err := c.Do(req)
	if err != nil {
		return 0
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// utmFlood requests the page n times with distinct query strings.
func utmFlood(page string, n int) error {
	for i := range n {
		resp, err := http.Get(fmt.Sprintf("%s?utm=%d", page, i))
		if err != nil {
			return err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			return fmt.Errorf("%s: %s", page, resp.Status)
		}
	}
	fmt.Printf("%d requests", n)
	return nil
}
