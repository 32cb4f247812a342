// Command loadtest measures how many requests per second the site serves for
// one pattern page, side by side with Go's http.FileServer serving the same
// page saved as a static file: the physical limit for our server on this
// machine. It also reports the bytes a reader downloads for that page
// (HTML + CSS + our JS, gzipped) before any diagram or math library loads.
//
//	go run ./bench/loadtest [-d 10s] [-c 32] [-path /en/patterns/circuit-breaker]
//
// Both servers run in this process, one after the other; the load comes
// from wrk (Debian package wrk) in a separate process, over loopback.
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"time"

	"github.com/lamport-kb/lamport/bench/internal/measure"
	"github.com/lamport-kb/lamport/site"
	"github.com/lamport-kb/lamport/static"
)

func main() {
	duration := flag.Duration("d", 10*time.Second, "wrk duration per server")
	conns := flag.Int("c", 32, "wrk connections")
	path := flag.String("path", "/en/patterns/circuit-breaker", "page to load")
	flag.Parse()
	if err := run(*duration, *conns, *path); err != nil {
		log.Fatal(err)
	}
}

func run(duration time.Duration, conns int, path string) error {
	if _, err := exec.LookPath("wrk"); err != nil {
		return fmt.Errorf("wrk not found: apt-get install wrk")
	}
	tmp, err := os.MkdirTemp("", "lamport-load")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	handler, assets, err := measure.Site(tmp, site.Config{})
	if err != nil {
		return err
	}
	siteURL, err := measure.Serve(handler)
	if err != nil {
		return err
	}
	page, err := get(siteURL + path)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(tmp, "page.html"), page, 0o644); err != nil {
		return err
	}
	fileURL, err := measure.Serve(http.FileServer(http.Dir(tmp)))
	if err != nil {
		return err
	}
	gz, err := gzippedSize(siteURL + path)
	if err != nil {
		return err
	}
	reportBytes(gz, len(page), assets)
	fmt.Printf("\nload: wrk -t2 -c%d -d%v, GOMAXPROCS=%d, %d CPUs\n", conns, duration, runtime.GOMAXPROCS(0), runtime.NumCPU())
	for _, gz := range []bool{false, true} {
		ours, err := measure.Wrk(siteURL+path, duration, conns, gz)
		if err != nil {
			return err
		}
		files, err := measure.Wrk(fileURL+"/page.html", duration, conns, gz)
		if err != nil {
			return err
		}
		fmt.Printf("gzip=%-5v  lamport %8.0f req/s   http.FileServer %8.0f req/s   ratio %.2f\n", gz, ours, files, ours/files)
	}
	return nil
}

func get(url string) ([]byte, error) {
	resp, err := http.Get(url)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return nil, fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return io.ReadAll(resp.Body)
}

// gzippedSize is the number of bytes the server sends for url to a client
// that accepts gzip.
func gzippedSize(url string) (int, error) {
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if resp.Header.Get("Content-Encoding") != "gzip" {
		return 0, fmt.Errorf("%s: response not gzipped", url)
	}
	return len(body), err
}

// reportBytes prints what a first visit downloads before any lazy chunk.
func reportBytes(html, plain int, assets *static.Assets) {
	css := assets.Size("site.css", true)
	js := 0
	for _, m := range assets.ModuleGraph("js/site.js") {
		js += assets.Size(m, true)
	}
	fmt.Printf("bytes (gzip): HTML %d + CSS %d + JS %d = %d (%.1f KB); uncompressed HTML %d\n",
		html, css, js, html+css+js, float64(html+css+js)/1024, plain)
}
