package tests

import (
	"flag"
	"os"
	"path"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/lamport-kb/lamport/content"
)

var update = flag.Bool("update", false, "rewrite each demo's pinned output (TestDemoOutput)")

// TestDemoOutput pins every demo's full output: go run prints exactly the
// demo's output.golden, so a change in a pattern package that changes what
// its demo narrates shows up here. Run with -update to accept a change you
// meant. The conformance test then checks the playground against the same
// file.
func TestDemoOutput(t *testing.T) {
	for _, p := range mustLibrary(t).Patterns {
		if p.Demo == nil {
			continue
		}
		t.Run(p.Slug, func(t *testing.T) {
			t.Parallel()
			dir := path.Join("content", path.Dir(p.Demo.Path))
			got := goRun(t, "..", "./"+dir)
			golden := filepath.Join("..", dir, content.DemoOutputFile)
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if diff := cmp.Diff(p.Demo.Output, got); diff != "" {
				t.Errorf("go run %s differs from %s (-pinned +now); rerun with -update if you meant it:\n%s", dir, content.DemoOutputFile, diff)
			}
		})
	}
}
