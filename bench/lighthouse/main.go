// Command lighthouse runs Lighthouse 12 (npm, pinned in bench/lighthouse/package.json)
// with its default mobile preset on pattern pages with diagrams and math,
// served by the real site in this process, in Debian's Chromium, and prints
// for each run the four category scores, the timings, the page's total
// transfer size (the total-byte-weight audit: compressed bytes of every
// request), its DOM size, the main thread's style and layout time, and the
// machine's load average as the run started (the 2-core VM is shared, and
// a busy machine costs points).
//
//	go run ./bench/lighthouse [-path /en/patterns/rate-limiting[,/zh/patterns/raft...]] [-runs 3] [-json report.json]
//
// make lighthouse runs it; it is not part of make test.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/lamport-kb/lamport/bench/internal/measure"
	"github.com/lamport-kb/lamport/site"
)

func main() {
	paths := flag.String("path", "/en/patterns/rate-limiting", "pages to audit, comma-separated: pattern pages with diagrams and math")
	runs := flag.Int("runs", 1, "runs of each page")
	out := flag.String("json", "", "also keep Lighthouse's JSON report of the last run in this file")
	flag.Parse()
	if err := run(strings.Split(*paths, ","), *runs, *out); err != nil {
		log.Fatal(err)
	}
}

// report is the part of Lighthouse's JSON result printed.
type report struct {
	Categories map[string]struct {
		Title string
		Score float64
	}
	Audits map[string]struct {
		Title        string
		Score        *float64
		NumericValue float64
		DisplayValue string
		Details      json.RawMessage // audits' details differ in shape
	}
}

// styleLayout is the main thread's style and layout time in ms, from the
// mainthread-work-breakdown audit.
func (r report) styleLayout() float64 {
	var d struct {
		Items []struct {
			Group    string
			Duration float64
		}
	}
	if json.Unmarshal(r.Audits["mainthread-work-breakdown"].Details, &d) != nil {
		return 0
	}
	for _, item := range d.Items {
		if item.Group == "styleLayout" {
			return item.Duration
		}
	}
	return 0
}

func run(paths []string, runs int, keep string) error {
	tmp, err := os.MkdirTemp("", "lamport-lighthouse")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	handler, _, err := measure.Site(tmp, site.Config{})
	if err != nil {
		return err
	}
	base, err := measure.Serve(handler)
	if err != nil {
		return err
	}
	chrome, err := exec.LookPath("chromium")
	if err != nil {
		return fmt.Errorf("chromium not found: apt-get install chromium")
	}
	for _, path := range paths {
		for i := 1; i <= runs; i++ {
			load := loadAverage()
			data, err := lighthouse(chrome, base+path, filepath.Join(tmp, "report.json"))
			if err != nil {
				return err
			}
			if keep != "" {
				if err := os.WriteFile(keep, data, 0o644); err != nil {
					return err
				}
			}
			var r report
			if err := json.Unmarshal(data, &r); err != nil {
				return err
			}
			print(path, i, load, r)
		}
	}
	return nil
}

// lighthouse audits url once and returns the JSON report.
func lighthouse(chrome, url, file string) ([]byte, error) {
	cmd := exec.Command(filepath.Join("bench", "lighthouse", "node_modules", ".bin", "lighthouse"), url,
		"--output=json", "--output-path="+file, "--quiet",
		"--chrome-flags=--headless=new --no-sandbox --disable-gpu")
	cmd.Env = append(os.Environ(), "CHROME_PATH="+chrome)
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("lighthouse (npm ci in bench/lighthouse installs it; make lighthouse runs it): %w", err)
	}
	return os.ReadFile(file)
}

// loadAverage is the machine's 1-minute load average, as /proc/loadavg
// has it ("?" elsewhere).
func loadAverage() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	return strings.Fields(string(data))[0]
}

func print(path string, run int, load string, r report) {
	fmt.Printf("Lighthouse 12, mobile preset, %s, run %d, load average %s\n", path, run, load)
	for _, id := range []string{"performance", "accessibility", "best-practices", "seo"} {
		fmt.Printf("  %-15s %3.0f\n", r.Categories[id].Title, r.Categories[id].Score*100)
	}
	for _, id := range []string{"first-contentful-paint", "largest-contentful-paint", "total-blocking-time", "cumulative-layout-shift", "speed-index"} {
		fmt.Printf("  %-26s %s\n", r.Audits[id].Title, r.Audits[id].DisplayValue)
	}
	fmt.Printf("  total transfer size      %.0f bytes (%s)\n", r.Audits["total-byte-weight"].NumericValue, r.Audits["total-byte-weight"].DisplayValue)
	fmt.Printf("  DOM elements             %.0f\n", r.Audits["dom-size"].NumericValue)
	fmt.Printf("  style and layout         %.0f ms of main-thread time\n", r.styleLayout())
	for id, a := range r.Audits {
		if a.Score != nil && *a.Score < 0.9 && a.DisplayValue != "" {
			fmt.Printf("  to look at: %s (%s): %s\n", id, a.Title, a.DisplayValue)
		}
	}
}
