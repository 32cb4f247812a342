package content

import (
	"fmt"
	"go/ast"
	goparser "go/parser"
	"go/token"
	"html"
	"io/fs"
	"maps"
	"path"
	"regexp"
	"slices"
	"strings"

	gast "github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"

	"github.com/lamport-kb/lamport/i18n"
)

// A chapter's guarantees — every invariant, bound or equivalence its formal
// model states — each end with a marker naming the test that checks it:
//
//	**Burst bound.** At most b + rΔ events in any Δ. {#inv-burst test=TestBurstBound}
//
// The marker gives its paragraph or list item the anchor inv-burst and is
// shown as "checked by TestBurstBound". The loader fails a page whose
// marker names no test of the pattern's package, repeats an id, or is not
// at the end of its block, a chapter whose formal model states none, and a
// translation whose guarantees differ from the English ones.

// Guarantee is one stated guarantee and the test that checks it.
type Guarantee struct {
	ID   string // the anchor, e.g. "inv-burst"
	Test string // e.g. "TestBurstBound"
	File string // the test's file in the package, e.g. "ratelimit_test.go"
	Line int    // the test function's line in File

	at int // the marker's line in the page
}

// KindGuarantee is a {#id test=TestName} marker.
var KindGuarantee = gast.NewNodeKind("Guarantee")

type guaranteeNode struct {
	gast.BaseInline
	Guarantee
	offset int
	label  string // "checked by", in the page's language
}

func (n *guaranteeNode) Kind() gast.NodeKind           { return KindGuarantee }
func (n *guaranteeNode) Dump(source []byte, level int) { gast.DumpHelper(n, source, level, nil, nil) }

var guaranteeMarker = regexp.MustCompile(`^\{#([a-z][a-z0-9-]*) test=([A-Za-z_][A-Za-z0-9_]*)\}`)

// guaranteeParser parses a marker where a '{' starts one.
type guaranteeParser struct{}

func (guaranteeParser) Trigger() []byte { return []byte{'{'} }

func (guaranteeParser) Parse(parent gast.Node, block text.Reader, pc parser.Context) gast.Node {
	line, seg := block.PeekLine()
	m := guaranteeMarker.FindSubmatch(line)
	if m == nil {
		return nil
	}
	block.Advance(len(m[0]))
	return &guaranteeNode{Guarantee: Guarantee{ID: string(m[1]), Test: string(m[2])}, offset: seg.Start}
}

// guarantee checks a marker against the package's tests and moves its id
// onto the block it ends.
func (ctx *pageContext) guarantee(n *guaranteeNode) {
	n.label = i18n.For(ctx.lang).CheckedBy
	t, ok := ctx.tests[n.Test]
	if !ok {
		ctx.report(n.offset, "guarantee %s: %s is not a test of the pattern's package (func %s(t *testing.T) in a _test.go file)", n.ID, n.Test, n.Test)
	}
	n.File, n.Line = t.file, t.line
	if slices.ContainsFunc(ctx.guarantees, func(g Guarantee) bool { return g.ID == n.ID }) {
		ctx.report(n.offset, "guarantee %s is stated twice", n.ID)
	}
	block := markedBlock(n)
	if block == nil {
		ctx.report(n.offset, "guarantee %s: the marker must end its paragraph or list item", n.ID)
		return
	}
	n.at = ctx.line(n.offset)
	block.SetAttributeString("id", []byte(n.ID))
	block.SetAttributeString("class", []byte("guarantee"))
	ctx.guarantees = append(ctx.guarantees, n.Guarantee)
}

// markedBlock returns the paragraph or list item that n ends, or nil when
// anything but white space follows n in it.
func markedBlock(n gast.Node) gast.Node {
	for next := n.NextSibling(); next != nil; next = next.NextSibling() {
		if t, ok := next.(*gast.Text); !ok || !blank(t) {
			return nil
		}
	}
	switch parent := n.Parent(); parent.Kind() {
	case gast.KindParagraph:
		if item := parent.Parent(); item != nil && item.Kind() == gast.KindListItem && item.LastChild() == parent {
			return item
		}
		return parent
	case gast.KindTextBlock: // an item of a tight list
		if item := parent.Parent(); item.Kind() == gast.KindListItem && item.LastChild() == parent {
			return item
		}
	}
	return nil
}

func blank(t *gast.Text) bool { return t.Segment.Len() == 0 || t.SoftLineBreak() }

func renderGuarantee(w util.BufWriter, source []byte, node gast.Node, entering bool) (gast.WalkStatus, error) {
	if entering {
		n := node.(*guaranteeNode)
		fmt.Fprintf(w, `<span class="guarantee-test">%s <code>%s</code></span>`, html.EscapeString(n.label), html.EscapeString(n.Test))
	}
	return gast.WalkContinue, nil
}

// testFunc is where a test function is declared.
type testFunc struct {
	file string
	line int
}

// indexTests finds the Test and Fuzz functions of the package in dir.
func indexTests(fsys fs.FS, dir string, read func(string) ([]byte, error)) (map[string]testFunc, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, err
	}
	tests := make(map[string]testFunc)
	fset := token.NewFileSet()
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		src, err := read(path.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		f, err := goparser.ParseFile(fset, e.Name(), src, goparser.SkipObjectResolution)
		if err != nil {
			return nil, err
		}
		for _, d := range f.Decls {
			if fn, ok := d.(*ast.FuncDecl); ok && isTestFunc(fn) {
				tests[fn.Name.Name] = testFunc{file: e.Name(), line: fset.Position(fn.Pos()).Line}
			}
		}
	}
	return tests, nil
}

// isTestFunc reports whether fn is func TestX(t *testing.T) or func
// FuzzX(f *testing.F).
func isTestFunc(fn *ast.FuncDecl) bool {
	if fn.Recv != nil || fn.Type.Params.NumFields() != 1 {
		return false
	}
	star, ok := fn.Type.Params.List[0].Type.(*ast.StarExpr)
	if !ok {
		return false
	}
	sel, ok := star.X.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	name := fn.Name.Name
	return strings.HasPrefix(name, "Test") && sel.Sel.Name == "T" || strings.HasPrefix(name, "Fuzz") && sel.Sel.Name == "F"
}

// compareGuarantees reports a translation whose guarantees are not the
// English page's: the same ids, checked by the same tests.
func (l *loader) compareGuarantees(en, tr *page) {
	want, got := guaranteeSet(en.doc.Guarantees), guaranteeSet(tr.doc.Guarantees)
	if maps.Equal(want, got) {
		return
	}
	r := l.reporter(tr.file)
	for _, g := range tr.doc.Guarantees {
		switch test, ok := want[g.ID]; {
		case !ok:
			r.at(g.at, "guarantee %s is not stated in %s", g.ID, en.file)
		case test != g.Test:
			r.at(g.at, "guarantee %s names %s, but %s names %s", g.ID, g.Test, en.file, test)
		}
	}
	for _, g := range en.doc.Guarantees {
		if _, ok := got[g.ID]; !ok {
			r.at(tr.bodyLine, "guarantee %s of %s (test=%s) is missing", g.ID, en.file, g.Test)
		}
	}
}

func guaranteeSet(gs []Guarantee) map[string]string {
	m := make(map[string]string, len(gs))
	for _, g := range gs {
		m[g.ID] = g.Test
	}
	return m
}
