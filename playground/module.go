package playground

import (
	"fmt"
	"go/parser"
	"go/token"
	"io/fs"
	"path"
	"slices"
	"strings"
)

// Importable lists the packages of the module bundle (Config.Module) that
// programs may import: every directory with Go files that are not tests,
// whose package is not main, outside any internal directory. The same
// list is the allowlist of this module's packages and what the warm-up
// compiles, so the two cannot disagree.
func Importable(module fs.FS) ([]string, error) {
	seen := make(map[string]bool)
	err := fs.WalkDir(module, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return err
		}
		dir := path.Dir(p)
		if seen[dir] || dir == "." || slices.Contains(strings.Split(dir, "/"), "internal") {
			return nil
		}
		name, err := packageName(module, p)
		if err != nil {
			return err
		}
		if name != "main" {
			seen[dir] = true
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("playground: the module bundle: %w", err)
	}
	var pkgs []string
	for dir := range seen {
		pkgs = append(pkgs, modulePath+"/"+dir)
	}
	slices.Sort(pkgs)
	return pkgs, nil
}

// packageName reads the package clause of the Go file at p.
func packageName(fsys fs.FS, p string) (string, error) {
	src, err := fs.ReadFile(fsys, p)
	if err != nil {
		return "", err
	}
	f, err := parser.ParseFile(token.NewFileSet(), p, src, parser.PackageClauseOnly)
	if err != nil {
		return "", err
	}
	return f.Name.Name, nil
}
