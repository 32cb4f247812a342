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
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lamport-kb/lamport/bench/internal/measure"
	"github.com/lamport-kb/lamport/site"
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
	h, _, err := measure.Site(tmp, site.Config{})
	if err != nil {
		return err
	}
	base, err := measure.Serve(h)
	if err != nil {
		return err
	}
	fmt.Printf("GOMAXPROCS=%d, %d CPUs; wrk -t2 -c%d; %d searchers; %v per phase\n", runtime.GOMAXPROCS(0), runtime.NumCPU(), conns, searchers, d)

	fmt.Printf("RSS at start: %d MB\n", int(measure.RSS()>>20))
	if err := searchPhases(base, page, d, conns, searchers); err != nil {
		return err
	}
	return rssPhase(base+"/zh/patterns/durable-execution", d)
}

// searchPhases loads the page alone, then with searchers from spread and
// from fixed addresses.
func searchPhases(base, page string, d time.Duration, conns, searchers int) error {
	alone, err := measure.Wrk(base+page, d, conns, true)
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
		loaded, err := measure.Wrk(base+page, d, conns, true)
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
	before := int(measure.RSS() >> 20)
	out, err := child(page, "utm", 5000, d)
	if err != nil {
		return err
	}
	runtime.GC()
	fmt.Printf("RSS: %d MB before, %d MB after 5,000 distinct ?utm= (%s)\n", before, int(measure.RSS()>>20), out)
	return nil
}

// child runs the client half in a separate process and returns its report.
func child(target, mode string, n int, d time.Duration) (string, error) {
	out, err := exec.Command(os.Args[0], "-client", target, "-mode", mode, "-searchers", fmt.Sprint(n), "-d", d.String()).CombinedOutput()
	return strings.TrimSpace(string(out)), err
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
