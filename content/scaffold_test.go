package content

import (
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
	lib, err := Load(os.DirFS(dir))
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
