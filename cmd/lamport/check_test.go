package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCheck runs `lamport check` on the one-pattern fixture, as it is and
// with problems that content and the graph find, each at file:line.
func TestCheck(t *testing.T) {
	tests := []struct {
		name   string
		change func(t *testing.T, dir string)
		want   string // a line of the output
		fails  bool
	}{
		{"the fixture", func(*testing.T, string) {}, "ok: 1 patterns, 2 languages, 1 relations, 0 warnings", false},
		{"an unknown relation (content)", func(t *testing.T, dir string) {
			replaceIn(t, filepath.Join(dir, "patterns/sample/pattern.yaml"), "combines-with: [planned-thing]", "combines-with: [ghost]")
		}, `DIR/patterns/sample/pattern.yaml:5: combines-with: unknown slug "ghost" (not in catalog.yaml)`, true},
		{"a cycle in requires (graph)", requireEachOther,
			"DIR/patterns/sample/pattern.yaml:5: requires forms a cycle: sample → planned-thing → sample (requires must not loop: drop or retype one of its edges)", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.CopyFS(dir, os.DirFS("../../content/testdata/site")); err != nil {
				t.Fatal(err)
			}
			tt.change(t, dir)
			var out bytes.Buffer
			err := check(Config{ContentDir: dir}, &out)
			var exit exitError
			if tt.fails != errors.As(err, &exit) || !tt.fails && err != nil {
				t.Errorf("check: %v", err)
			}
			want := strings.ReplaceAll(tt.want, "DIR", shortPath(dir))
			if !strings.Contains(out.String(), want+"\n") {
				t.Errorf("output:\n%s\nwant the line:\n%s", out.String(), want)
			}
		})
	}
}

// requireEachOther writes the catalog's planned pattern as a copy of the
// sample and makes the two require each other.
func requireEachOther(t *testing.T, dir string) {
	t.Helper()
	sample, other := filepath.Join(dir, "patterns/sample"), filepath.Join(dir, "patterns/plannedthing")
	if err := os.CopyFS(other, os.DirFS(sample)); err != nil {
		t.Fatal(err)
	}
	replaceIn(t, filepath.Join(sample, "pattern.yaml"), "combines-with: [planned-thing]", "requires: [planned-thing]")
	yml := filepath.Join(other, "pattern.yaml")
	replaceIn(t, yml, "slug: sample", "slug: planned-thing")
	replaceIn(t, yml, "difficulty: 1", "difficulty: 2")
	replaceIn(t, yml, "combines-with: [planned-thing]", "requires: [sample]")
}

func replaceIn(t *testing.T, file, old, new string) {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil || !strings.Contains(string(b), old) {
		t.Fatalf("%s has no %q (%v)", file, old, err)
	}
	if err := os.WriteFile(file, []byte(strings.Replace(string(b), old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}
