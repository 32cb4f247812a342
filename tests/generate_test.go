package tests

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestTemplGenerated fails when a committed *_templ.go differs from what
// `templ generate` makes of its .templ source: generated code is committed,
// so it must be current.
func TestTemplGenerated(t *testing.T) {
	sources, _ := filepath.Glob("../site/view/*.templ")
	if len(sources) == 0 {
		t.Fatal("no .templ files found")
	}
	tmp := t.TempDir()
	for _, src := range sources {
		b, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(tmp, filepath.Base(src)), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command("go", "tool", "templ", "generate", "-path", tmp)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("templ generate: %v\n%s", err, out)
	}
	for _, src := range sources {
		name := filepath.Base(src[:len(src)-len(".templ")]) + "_templ.go"
		want, err := os.ReadFile(filepath.Join(tmp, name))
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join("../site/view", name))
		if err != nil {
			t.Fatalf("%s is missing: run make generate", name)
		}
		if string(got) != string(want) {
			t.Errorf("site/view/%s is stale: run `make generate` and commit", name)
		}
	}
}
