package content

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path"
	"strings"
)

// decl is the source text of one top-level declaration, doc comment included.
type decl struct {
	file string // base name, e.g. "breaker.go"
	src  string
	html string // src highlighted, once: both languages include the same code
}

// highlighted is the declaration's source as highlighted HTML.
func (d *decl) highlighted() string {
	if d.html == "" {
		d.html = highlight("go", d.src)
	}
	return d.html
}

// declIndex maps declaration names (New, Breaker, Breaker.Allow, or any
// const/var name) of a package folder to their source.
type declIndex map[string]*decl

// indexDecls parses the non-test Go files of dir. The loader reads each
// file through read so the files count in the library's hash.
func indexDecls(fsys fs.FS, dir string, read func(string) ([]byte, error)) (declIndex, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, err
	}
	idx := make(declIndex)
	fset := token.NewFileSet()
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := read(path.Join(dir, name))
		if err != nil {
			return nil, err
		}
		f, err := parser.ParseFile(fset, name, src, parser.ParseComments)
		if err != nil {
			return nil, err
		}
		for _, d := range f.Decls {
			for _, n := range declNames(d) {
				idx[n] = &decl{file: name, src: sliceDecl(fset, src, d)}
			}
		}
	}
	return idx, nil
}

// declNames lists the names a declaration can be included by.
func declNames(d ast.Decl) []string {
	switch d := d.(type) {
	case *ast.FuncDecl:
		if d.Recv != nil && len(d.Recv.List) == 1 {
			return []string{receiverType(d.Recv.List[0].Type) + "." + d.Name.Name}
		}
		return []string{d.Name.Name}
	case *ast.GenDecl:
		var names []string
		for _, s := range d.Specs {
			switch s := s.(type) {
			case *ast.TypeSpec:
				names = append(names, s.Name.Name)
			case *ast.ValueSpec:
				for _, n := range s.Names {
					names = append(names, n.Name)
				}
			}
		}
		return names
	}
	return nil
}

func receiverType(e ast.Expr) string {
	switch t := e.(type) {
	case *ast.StarExpr:
		return receiverType(t.X)
	case *ast.IndexExpr:
		return receiverType(t.X)
	case *ast.IndexListExpr:
		return receiverType(t.X)
	case *ast.Ident:
		return t.Name
	}
	return ""
}

// sliceDecl returns the exact source of d, from its doc comment to its end.
func sliceDecl(fset *token.FileSet, src []byte, d ast.Decl) string {
	start := d.Pos()
	switch d := d.(type) {
	case *ast.FuncDecl:
		if d.Doc != nil {
			start = d.Doc.Pos()
		}
	case *ast.GenDecl:
		if d.Doc != nil {
			start = d.Doc.Pos()
		}
	}
	from, to := fset.Position(start).Offset, fset.Position(d.End()).Offset
	return string(src[from:to])
}
