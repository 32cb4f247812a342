package content

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// mustContentDir writes a content tree with the real catalog into a
// temporary directory.
func mustContentDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	catalog, err := os.ReadFile(catalogFile)
	if err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(filepath.Join(dir, "patterns"), 0o755)
	if err := os.WriteFile(filepath.Join(dir, catalogFile), catalog, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestScaffoldLoads(t *testing.T) {
	dir := mustContentDir(t)
	if err := Scaffold(dir, "bulkhead"); err != nil {
		t.Fatal(err)
	}
	// Its placeholder diagram is not rendered yet: an author previews it
	// (AllowMissing), and check asks for `lamport render` and nothing else.
	_, err := Load(os.DirFS(dir))
	var problems Problems
	if !errors.As(err, &problems) {
		t.Fatalf("Load of an unrendered scaffold: %v, want its figures' problems", err)
	}
	for _, p := range problems {
		if !strings.Contains(p.Msg, "run `lamport render`") {
			t.Errorf("a fresh scaffold has a problem: %v", p)
		}
	}
	lib, err := LoadWith(os.DirFS(dir), Options{AllowMissing: true})
	if err != nil {
		t.Fatalf("a scaffolded pattern does not load:\n%v", err)
	}
	p := lib.Pattern("bulkhead")
	if p == nil || len(p.Docs["zh"].Sections) != len(SectionIDs) || p.Demo == nil {
		t.Fatalf("scaffolded pattern incomplete: %+v", p)
	}
	if !strings.Contains(p.Docs["en"].Sections[4].HTML, "code-include") {
		t.Error("the implementation section does not include the package's code")
	}
	for _, w := range lib.Warnings {
		if strings.Contains(w.Msg, "stale") {
			t.Errorf("a fresh scaffold has a stale translation: %v", w)
		}
	}
	if len(lib.Warnings) == 0 {
		t.Error("TODOs were not reported")
	}
	if err := Scaffold(dir, "bulkhead"); err == nil {
		t.Error("Scaffold overwrote an existing folder")
	}
	if err := Scaffold(dir, "no-such-thing"); err == nil {
		t.Error("Scaffold accepted a slug outside the catalog")
	}
}

// TestStamp: after the English text changes, the translation is stale
// until Stamp records the new hashes; then it is current again, and the
// rest of zh.md is unchanged.
func TestStamp(t *testing.T) {
	dir := mustContentDir(t)
	if err := Scaffold(dir, "bulkhead"); err != nil {
		t.Fatal(err)
	}
	en := filepath.Join(dir, "patterns", "bulkhead", "en.md")
	zh := filepath.Join(dir, "patterns", "bulkhead", "zh.md")
	b, _ := os.ReadFile(en)
	os.WriteFile(en, []byte(strings.Replace(string(b), "{#faq}\n", "{#faq}\n\nA new question.\n", 1)), 0o644)
	if n := staleWarnings(t, dir); n != 1 {
		t.Fatalf("%d stale sections after editing the English FAQ, want 1", n)
	}
	before, _ := os.ReadFile(zh)
	if err := Stamp(dir, "bulkhead"); err != nil {
		t.Fatal(err)
	}
	if n := staleWarnings(t, dir); n != 0 {
		t.Errorf("%d stale sections after Stamp", n)
	}
	after, _ := os.ReadFile(zh)
	_, bodyBefore, _, _ := splitFrontMatter(before)
	_, bodyAfter, _, _ := splitFrontMatter(after)
	if string(bodyBefore) != string(bodyAfter) {
		t.Error("Stamp changed the translation's body")
	}
	if err := Stamp(dir, "no-such-thing"); err == nil {
		t.Error("Stamp of an unknown slug succeeded")
	}
}

func staleWarnings(t *testing.T, dir string) int {
	t.Helper()
	lib, err := LoadWith(os.DirFS(dir), Options{AllowMissing: true})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, w := range lib.Warnings {
		if strings.Contains(w.Msg, "stale translation") {
			n++
		}
	}
	return n
}
