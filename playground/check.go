package playground

import (
	"errors"
	"fmt"
	"go/parser"
	"go/scanner"
	"go/token"
	"sort"
	"strconv"
	"strings"
)

// MaxSource is the largest program accepted, in bytes.
const MaxSource = 64 << 10

// modulePath is the import path prefix of this project's packages.
const modulePath = "github.com/lamport-kb/lamport"

// allowedStd lists the standard packages a program may import: computation,
// formatting, concurrency and time, but nothing that reaches the file
// system, the network, other processes or the runtime's internals.
var allowedStd = map[string]bool{
	"bufio": true, "bytes": true, "cmp": true, "container/heap": true, "container/list": true,
	"container/ring": true, "context": true, "crypto/md5": true, "crypto/sha1": true,
	"crypto/sha256": true, "crypto/sha512": true, "encoding/base64": true, "encoding/binary": true,
	"encoding/csv": true, "encoding/hex": true, "encoding/json": true, "errors": true, "fmt": true,
	"hash": true, "hash/crc32": true, "hash/fnv": true, "hash/maphash": true, "html": true,
	"io": true, "iter": true, "log": true, "log/slog": true, "maps": true, "math": true,
	"math/big": true, "math/bits": true, "math/rand": true, "math/rand/v2": true, "regexp": true,
	"slices": true, "sort": true, "strconv": true, "strings": true, "sync": true,
	"sync/atomic": true, "testing/synctest": true, "time": true, "unicode": true,
	"unicode/utf16": true, "unicode/utf8": true,
}

// checkSource applies the limits that hold before any build: size, syntax,
// imports (the standard packages above and ours, this module's importable
// packages) and forbidden directives. Its errors read like the compiler's:
// prog.go:LINE:COL: message, one a line.
func checkSource(src string, ours map[string]bool) error {
	if len(src) > MaxSource {
		return fmt.Errorf("program too large: %d bytes (the limit is %d)", len(src), MaxSource)
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "prog.go", src, parser.ParseComments)
	if err != nil {
		return errors.New(syntaxErrors(err))
	}
	var problems []string
	for _, imp := range f.Imports {
		path, _ := strconv.Unquote(imp.Path.Value)
		if !allowedStd[path] && !ours[path] {
			problems = append(problems, fmt.Sprintf("%s: import %q is not allowed in the playground", fset.Position(imp.Path.Pos()), path))
		}
	}
	for _, group := range f.Comments {
		for _, c := range group.List {
			if strings.HasPrefix(c.Text, "//go:linkname") || strings.HasPrefix(c.Text, "//go:embed") || strings.HasPrefix(c.Text, "//go:cgo") {
				problems = append(problems, fmt.Sprintf("%s: the %s directive is not allowed in the playground", fset.Position(c.Pos()), strings.Fields(c.Text)[0]))
			}
		}
	}
	if f.Name.Name != "main" {
		problems = append(problems, fmt.Sprintf("%s: package %s: the playground runs package main", fset.Position(f.Name.Pos()), f.Name.Name))
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		return errors.New(strings.Join(problems, "\n"))
	}
	return nil
}

// syntaxErrors formats every syntax error the parser found, one a line.
func syntaxErrors(err error) string {
	var list scanner.ErrorList
	if !errors.As(err, &list) {
		return err.Error()
	}
	lines := make([]string, len(list))
	for i, e := range list {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}
