package content

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/lamport-kb/lamport/i18n"
)

// sectionTitles are the template's H2 headings in each language.
var sectionTitles = map[string][]string{
	i18n.English: {"Definition", "Formal model", "When to use — and when not", "How it works",
		"Implementation in Go", "Tests and benchmarks", "In the wild", "Best practices and pitfalls",
		"In other languages", "FAQ and interview questions", "References"},
	i18n.Chinese: {"定义", "形式化", "适用与不适用场景", "图示", "Go 实现", "测试与基准", "真实系统与案例",
		"最佳实践与常见陷阱", "多语言对比", "常见问题与面试题", "参考资料"},
}

// Scaffold creates the folder of a catalog pattern under root/patterns:
// pattern.yaml, en.md and zh.md with every template section, a Go package
// with a test, and a demo. The result passes `lamport check` (with warnings
// for its TODOs) and compiles. It refuses to overwrite a folder.
func Scaffold(root, slug string) error {
	lib := newLibrary()
	l := &loader{fsys: os.DirFS(root), lib: lib} // no hash: nothing is rendered
	l.loadCatalog()
	if len(l.problems) > 0 {
		return l.problems
	}
	e := lib.entries[slug]
	if e == nil {
		return fmt.Errorf("slug %q is not in %s: add it to the content plan first", slug, filepath.Join(root, catalogFile))
	}
	pkg := strings.ReplaceAll(slug, "-", "")
	dir := filepath.Join(root, "patterns", pkg)
	if _, err := os.Stat(dir); err == nil {
		return fmt.Errorf("%s already exists", dir)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	en := scaffoldPage(i18n.English, e)
	files := map[string]string{
		"pattern.yaml":           scaffoldYAML(e),
		"en.md":                  en,
		"zh.md":                  scaffoldPage(i18n.Chinese, e),
		pkg + ".go":              scaffoldGo(pkg, e),
		pkg + "_test.go":         scaffoldTest(pkg),
		"demo/main.go":           scaffoldDemo(pkg),
		"demo/" + DemoOutputFile: "TODO: show the pattern at work with demo\n", // what scaffoldDemo prints
	}
	for name, body := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			return err
		}
	}
	return Stamp(root, slug)
}

func scaffoldYAML(e *Entry) string {
	return fmt.Sprintf(`slug: %s
category: %s
tags: []
difficulty: %d
requires: []
combines-with: []
alternative-to: []
aliases: {en: [], zh: []}
systems: []        # - {name: ..., where: ..., source: "https://..."}
demo: demo
`, e.Slug, e.Category, max(e.Difficulty, 1))
}

func scaffoldPage(lang string, e *Entry) string {
	var b strings.Builder
	fmt.Fprintf(&b, "---\ntitle: %q\nsummary: \"TODO: one sentence.\"\nupdated: 2026-01-01\n---\n\n", e.Name.In(lang))
	for i, id := range SectionIDs {
		fmt.Fprintf(&b, "## %s {#%s}\n\nTODO\n\n", sectionTitles[lang][i], id)
		switch id {
		case "diagrams":
			b.WriteString("```mermaid\nflowchart LR\n  A[TODO] --> B[TODO]\n```\n\n")
		case "formalization":
			b.WriteString("TODO: each invariant or bound ends with the test that checks it. {#inv-todo test=TestConfigName}\n\n")
		case "implementation":
			b.WriteString("```go include=Config\n```\n\n")
		}
	}
	return b.String()
}

func scaffoldGo(pkg string, e *Entry) string {
	return fmt.Sprintf(`// Package %s implements the %s pattern.
//
// TODO: explain the pattern, the package's API and how to use it.
package %s

// Config holds the pattern's settings. TODO: design the API.
type Config struct {
	// Name identifies the instance in logs and metrics.
	Name string
}
`, pkg, e.Name.In(i18n.English), pkg)
}

func scaffoldTest(pkg string) string {
	return fmt.Sprintf(`package %s

import "testing"

// TODO: replace with table tests of the real behaviour.
func TestConfigName(t *testing.T) {
	if got := (Config{Name: "a"}).Name; got != "a" {
		t.Errorf("Name = %%q, want a", got)
	}
}
`, pkg)
}

func scaffoldDemo(pkg string) string {
	return fmt.Sprintf(`// The %s demo: TODO, a short deterministic story of the pattern at work.
package main

import (
	"fmt"

	"github.com/lamport-kb/lamport/content/patterns/%s"
)

func main() {
	cfg := %s.Config{Name: "demo"}
	fmt.Println("TODO: show the pattern at work with", cfg.Name)
}
`, pkg, pkg, pkg)
}
