// Command lighthouse runs Lighthouse 12 (npm, pinned in bench/lighthouse/package.json)
// with its default mobile preset on a pattern page with diagrams and math,
// served by the real site in this process, in Debian's Chromium, and prints
// the four category scores and the page's total transfer size (the
// total-byte-weight audit: compressed bytes of every request).
//
//	go run ./bench/lighthouse [-path /en/patterns/rate-limiting] [-json report.json]
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

	"github.com/lamport-kb/lamport/bench/internal/measure"
	"github.com/lamport-kb/lamport/site"
)

func main() {
	path := flag.String("path", "/en/patterns/rate-limiting", "page to audit: a pattern page with diagrams and math")
	out := flag.String("json", "", "also keep Lighthouse's JSON report in this file")
	flag.Parse()
	if err := run(*path, *out); err != nil {
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
	}
}

func run(path, keep string) error {
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
	file := filepath.Join(tmp, "report.json")
	cmd := exec.Command(filepath.Join("bench", "lighthouse", "node_modules", ".bin", "lighthouse"), base+path,
		"--output=json", "--output-path="+file, "--quiet",
		"--chrome-flags=--headless=new --no-sandbox --disable-gpu")
	cmd.Env = append(os.Environ(), "CHROME_PATH="+chrome)
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("lighthouse (npm ci in bench/lighthouse installs it; make lighthouse runs it): %w", err)
	}
	data, err := os.ReadFile(file)
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
	print(path, r)
	return nil
}

func print(path string, r report) {
	fmt.Printf("Lighthouse 12, mobile preset, %s\n", path)
	for _, id := range []string{"performance", "accessibility", "best-practices", "seo"} {
		fmt.Printf("  %-15s %3.0f\n", r.Categories[id].Title, r.Categories[id].Score*100)
	}
	for _, id := range []string{"first-contentful-paint", "largest-contentful-paint", "total-blocking-time", "cumulative-layout-shift", "speed-index"} {
		fmt.Printf("  %-26s %s\n", r.Audits[id].Title, r.Audits[id].DisplayValue)
	}
	fmt.Printf("  total transfer size      %.0f bytes (%s)\n", r.Audits["total-byte-weight"].NumericValue, r.Audits["total-byte-weight"].DisplayValue)
	for id, a := range r.Audits {
		if a.Score != nil && *a.Score < 0.9 && a.DisplayValue != "" {
			fmt.Printf("  to look at: %s (%s): %s\n", id, a.Title, a.DisplayValue)
		}
	}
}
