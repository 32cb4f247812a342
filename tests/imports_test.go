package tests

import (
	"encoding/json"
	"io"
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/lamport-kb/lamport"

// allowed is the design's import table (DESIGN.md §1): which of our
// packages each package may import. Keys and values are paths relative to
// the module ("" is the module root); a trailing "/..." matches a subtree.
// Every package must match a key: a new package is added here, with its
// imports, on purpose.
var allowed = map[string][]string{
	"":                                {}, // the source bundle
	"content":                         {"i18n"},
	"content/patterns/...":            {"engine", "sim", "sim/simtest", "playground/picture", "internal/proptest"}, // demos draw pictures; tests size explorations
	"engine":                          {"internal/sqlitedb", "internal/proptest"},
	"engine/telemetry":                {"engine"}, // not for the playground: its dependencies are not in the workspace
	"sim":                             {},
	"sim/simtest":                     {"sim", "internal/proptest"},
	"internal/proptest":               {},
	"store":                           {"internal/sqlitedb"},
	"internal/sqlitedb":               {},
	"playground/jail":                 {"playground/jail/internal/pid"},
	"playground/jail/internal/pid":    {},
	"playground/jail/internal/policy": {},
	"playground/jail/gen":             {"playground/jail/internal/policy"},
	"playground/picture":              {},
	"i18n":                            {},
	"static":                          {},
	"static/build":                    {},
	"figure":                          {"content", "i18n"}, // draws the content's figures at generate time
	"search":                          {"content", "i18n"}, // languages come from i18n alone
	"graph":                           {"content", "i18n"},
	"playground":                      {"", "engine"}, // its tests build against the source bundle; it reads the engine's reports of a program's runs
	"site/view":                       {"content", "graph", "i18n", "static"},
	"site":                            {"content", "i18n", "static", "search", "graph", "playground", "store", "site/view", "engine"},          // engine: the types of a program's runs
	"cmd/lamport":                     {"", "content", "i18n", "static", "search", "graph", "playground", "store", "site", "figure", "engine"}, // engine: the `lamport engine` subcommand
	"tests/...":                       {"..."},
	"bench/...":                       {"..."}, // load and comparison tools
}

// domain packages render no HTTP: they never import net/http or templ.
var domain = []string{"content", "search", "graph", "i18n", "engine", "sim", "store", "content/patterns/..."}

func TestImportGraph(t *testing.T) {
	for _, p := range listPackages(t) {
		rel := strings.TrimPrefix(strings.TrimPrefix(p.ImportPath, module), "/")
		if !listed(rel) {
			t.Errorf("%s is not in the import table: add it, with what it may import", rel)
		}
		for _, imp := range append(p.Imports, p.TestImports...) {
			if imp != module && !strings.HasPrefix(imp, module+"/") {
				continue
			}
			dep := strings.TrimPrefix(strings.TrimPrefix(imp, module), "/")
			if dep == rel || strings.HasSuffix(p.ImportPath, "_test") || isDemoOf(rel, dep) {
				continue
			}
			if !mayImport(rel, dep) {
				t.Errorf("%s imports %s, which the import table does not allow", rel, dep)
			}
		}
		if matchAny(rel, domain) {
			for _, imp := range p.Imports {
				if imp == "net/http" || strings.HasPrefix(imp, "github.com/a-h/templ") {
					t.Errorf("domain package %s imports %s", rel, imp)
				}
			}
		}
	}
}

// isDemoOf reports whether pkg is the demo program of the pattern dep.
func isDemoOf(pkg, dep string) bool {
	return strings.HasPrefix(dep, "content/patterns/") && pkg == dep+"/demo"
}

// listed reports whether a key of the table matches pkg.
func listed(pkg string) bool {
	for pattern := range allowed {
		if match(pattern, pkg) {
			return true
		}
	}
	return false
}

func mayImport(pkg, dep string) bool {
	for pattern, deps := range allowed {
		if match(pattern, pkg) {
			return matchAny(dep, deps)
		}
	}
	return false
}

func matchAny(pkg string, patterns []string) bool {
	for _, p := range patterns {
		if match(p, pkg) {
			return true
		}
	}
	return false
}

func match(pattern, pkg string) bool {
	if pattern == "..." {
		return true
	}
	if prefix, ok := strings.CutSuffix(pattern, "/..."); ok {
		return pkg == prefix || strings.HasPrefix(pkg, prefix+"/")
	}
	return pattern == pkg
}

type goPackage struct {
	ImportPath  string
	Imports     []string
	TestImports []string
}

func listPackages(t *testing.T) []goPackage {
	t.Helper()
	cmd := exec.Command("go", "list", "-json", module+"/...")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Skipf("go list unavailable: %v", err)
	}
	var pkgs []goPackage
	dec := json.NewDecoder(out)
	for {
		var p goPackage
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	if len(pkgs) < 8 {
		t.Fatalf("go list found only %d packages", len(pkgs))
	}
	return pkgs
}

func TestMatch(t *testing.T) {
	for _, tt := range []struct {
		pattern, pkg string
		want         bool
	}{
		{"content/patterns/...", "content/patterns/retry", true},
		{"content/patterns/...", "content", false},
		{"site", "site/view", false},
		{"...", "anything", true},
		{"", "", true},
		{"", "content", false},
	} {
		if got := match(tt.pattern, tt.pkg); got != tt.want {
			t.Errorf("match(%q, %q) = %v", tt.pattern, tt.pkg, got)
		}
	}
	if listed("newpackage") || !listed("content/patterns/retry/demo") {
		t.Error("listed disagrees with the table")
	}
	if mayImport("content", "site") || !mayImport("site", "site/view") || mayImport("search", "graph") {
		t.Error("mayImport disagrees with the table")
	}
}
