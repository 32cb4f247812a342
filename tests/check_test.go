package tests

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/lamport-kb/lamport/content"
)

// TestContentClean requires the shipped content to load with no problem
// and no warning (no stale translation).
func TestContentClean(t *testing.T) {
	l := mustLibrary(t)
	for _, w := range l.Warnings {
		t.Errorf("%s:%d: %s", w.File, w.Line, w.Msg)
	}
	if len(l.Patterns) < 3 {
		t.Errorf("only %d patterns", len(l.Patterns))
	}
}

// TestCheckCommand runs the real `lamport check` on broken copies of the
// content and expects exit status 1 with file:line for each problem.
func TestCheckCommand(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "lamport")
	if out, err := exec.Command("go", "build", "-o", bin, "../cmd/lamport").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	tests := []struct {
		name   string
		mutate func(t *testing.T, dir string)
		want   string // regexp matched against the output
	}{
		{"clean", func(*testing.T, string) {}, `^ok: \d+ patterns`},
		{"broken link", replaceIn("patterns/circuitbreaker/en.md", "## Definition {#definition}", "## Definition {#definition}\n\nSee [[no-such-pattern]]."),
			`patterns/circuitbreaker/en\.md:\d+: .*no-such-pattern`},
		{"broken section link", replaceIn("patterns/ratelimit/en.md", "## Definition {#definition}", "## Definition {#definition}\n\nSee [[circuit-breaker#nowhere]]."),
			`patterns/ratelimit/en\.md:\d+: .*nowhere`},
		{"missing section", removeSection("patterns/retry/zh.md", "faq"),
			`patterns/retry/zh\.md:\d+: .*faq`},
		{"broken link in a path", replaceIn("paths/resilience/zh.md", "[[backpressure|背压]]", "[[no-such-pattern|背压]]"),
			`paths/resilience/zh\.md:8: link \[\[no-such-pattern\]\]: unknown pattern "no-such-pattern"`},
		{"unknown relation", replaceIn("patterns/circuitbreaker/pattern.yaml", "combines-with: [", "combines-with: [no-such-slug, "),
			`patterns/circuitbreaker/pattern\.yaml:\d+: .*no-such-slug`},
		{"missing translation", removeFile("patterns/ratelimit/zh.md"),
			`patterns/ratelimit/zh\.md(:\d+)?: .*`},
		{"edited diagram", replaceIn("patterns/circuitbreaker/en.md", "[*] --> Closed\n", "[*] --> Closed: start\n"),
			"patterns/circuitbreaker/en\\.md:143: diagram not rendered: patterns/circuitbreaker/rendered/[0-9a-f]{16}\\.svg is missing .*: run `lamport render`"},
		{"stale formula", staleArtifact("patterns/retry/zh.md", content.Formula),
			"patterns/retry/zh\\.md:\\d+: formula rendering is stale: .* was drawn by mermaid@0\\.1 katex@0\\.1 render\\.js@0, the renderer is now .*: run `lamport render`"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := copyContent(t)
			tt.mutate(t, dir)
			out, err := exec.Command(bin, "check", "--content", dir).CombinedOutput()
			text := strings.ReplaceAll(string(out), dir+"/", "")
			if tt.name == "clean" {
				if err != nil {
					t.Fatalf("check failed on clean content: %v\n%s", err, text)
				}
			} else if code := exitCode(err); code != 1 {
				t.Fatalf("exit status %d, want 1\n%s", code, text)
			}
			if !regexp.MustCompile(`(?m)` + tt.want).MatchString(text) {
				t.Errorf("output does not match %s:\n%s", tt.want, text)
			}
		})
	}
}

func exitCode(err error) int {
	if e, ok := err.(*exec.ExitError); ok {
		return e.ExitCode()
	}
	if err != nil {
		return -1
	}
	return 0
}

// copyContent writes the embedded content into a temporary directory.
func copyContent(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	err := fs.WalkDir(content.FS(), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(content.FS(), path)
		if err != nil {
			return err
		}
		dst := filepath.Join(dir, path)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		return os.WriteFile(dst, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

func replaceIn(file, old, new string) func(*testing.T, string) {
	return func(t *testing.T, dir string) {
		path := filepath.Join(dir, file)
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), old) {
			t.Fatalf("%s does not contain %q", file, old)
		}
		os.WriteFile(path, []byte(strings.Replace(string(b), old, new, 1)), 0o644)
	}
}

// removeSection deletes the H2 section with the given id from a Markdown file.
func removeSection(file, id string) func(*testing.T, string) {
	return func(t *testing.T, dir string) {
		path := filepath.Join(dir, file)
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(string(b), "\n")
		var out []string
		skipping := false
		for _, l := range lines {
			if strings.HasPrefix(l, "## ") {
				skipping = strings.Contains(l, "{#"+id+"}")
			}
			if !skipping {
				out = append(out, l)
			}
		}
		if len(out) == len(lines) {
			t.Fatalf("%s has no section %s", file, id)
		}
		os.WriteFile(path, []byte(strings.Join(out, "\n")), 0o644)
	}
}

// staleArtifact rewrites the first artifact of a page's figures of one
// kind as another renderer's.
func staleArtifact(page string, kind content.FigureKind) func(*testing.T, string) {
	return func(t *testing.T, dir string) {
		figs, err := content.Figures(os.DirFS(dir))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range figs {
			if f.File == page && f.Kind == kind {
				path := filepath.Join(dir, f.Artifact())
				b, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				_, body, _ := strings.Cut(string(b), "\n")
				os.WriteFile(path, []byte("<!-- lamport-figure mermaid@0.1 katex@0.1 render.js@0 -->\n"+body), 0o644)
				return
			}
		}
		t.Fatalf("%s has no %s", page, kind)
	}
}

func removeFile(file string) func(*testing.T, string) {
	return func(t *testing.T, dir string) {
		if err := os.Remove(filepath.Join(dir, file)); err != nil {
			t.Fatal(err)
		}
	}
}
