package content

import (
	"bytes"
	"html"
	"strconv"
	"strings"
	"unicode"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	extast "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// newMarkdown builds the one goldmark pipeline every page goes through:
// GFM, footnotes, heading attributes with CJK-safe automatic IDs, no line
// breaks between Chinese characters (cjk.go), and Lamport's own syntax:
// [[slug#section|text]] links, $…$ and $$…$$ math, ```mermaid diagrams,
// highlighted code, and ```go include=Name blocks that show a declaration
// from the pattern's package. Per-page facts (language,
// pattern, link targets) travel in the parser.Context as a *pageContext.
func newMarkdown() goldmark.Markdown {
	return goldmark.New(
		goldmark.WithExtensions(extension.GFM, extension.Footnote),
		goldmark.WithParserOptions(
			parser.WithAttribute(),
			parser.WithAutoHeadingID(),
			parser.WithBlockParsers(util.Prioritized(mathBlockParser{}, 150)),
			parser.WithInlineParsers(
				util.Prioritized(xrefParser{}, 199),
				util.Prioritized(mathParser{}, 150),
				util.Prioritized(guaranteeParser{}, 100),
			),
			parser.WithASTTransformers(
				util.Prioritized(pageTransformer{}, 100),
				util.Prioritized(eastAsianBreaks{}, 200), // later: links have their labels
			),
		),
		goldmark.WithRendererOptions(
			renderer.WithNodeRenderers(util.Prioritized(nodeRenderer{}, 100)),
		),
	)
}

var pageKey = parser.NewContextKey()

// KindXRef is a [[slug#section|text]] link.
var KindXRef = ast.NewNodeKind("XRef")

type xrefNode struct {
	ast.BaseInline
	slug, section, text string
	offset              int // byte offset in the body, for line numbers
	href, label, title  string
	planned             bool
}

func (n *xrefNode) Kind() ast.NodeKind            { return KindXRef }
func (n *xrefNode) Dump(source []byte, level int) { ast.DumpHelper(n, source, level, nil, nil) }

// xrefParser parses [[...]] before goldmark's link parser sees the '['.
type xrefParser struct{}

func (xrefParser) Trigger() []byte { return []byte{'['} }

func (xrefParser) Parse(parent ast.Node, block text.Reader, pc parser.Context) ast.Node {
	line, seg := block.PeekLine()
	if !bytes.HasPrefix(line, []byte("[[")) {
		return nil
	}
	end := bytes.Index(line[2:], []byte("]]"))
	if end <= 0 {
		return nil
	}
	inner := string(line[2 : 2+end])
	if strings.ContainsAny(inner, "[]") {
		return nil
	}
	block.Advance(end + 4)
	target, label, _ := strings.Cut(inner, "|")
	slug, section, _ := strings.Cut(strings.TrimSpace(target), "#")
	return &xrefNode{slug: strings.TrimSpace(slug), section: strings.TrimSpace(section), text: strings.TrimSpace(label), offset: seg.Start}
}

// KindMath is inline math: $…$, or $$…$$ inside a paragraph.
var KindMath = ast.NewNodeKind("Math")

type mathNode struct {
	ast.BaseInline
	tex     string
	display bool
	offset  int    // byte offset in the body, for line numbers
	drawing string // the rendered MathML; empty: typeset in the browser
}

func (n *mathNode) Kind() ast.NodeKind            { return KindMath }
func (n *mathNode) Dump(source []byte, level int) { ast.DumpHelper(n, source, level, nil, nil) }

// mathParser follows pandoc's rule so prices stay prices: the opening $
// is followed by a non-space, the closing $ is preceded by a non-space and
// not followed by a digit. Math never spans a code span. Inline math may
// go on over the paragraph's next lines, where a line break reads as a
// space: a wrapped line must not leave a formula as its source.
type mathParser struct{}

func (mathParser) Trigger() []byte { return []byte{'$'} }

func (mathParser) Parse(parent ast.Node, block text.Reader, pc parser.Context) ast.Node {
	line, seg := block.PeekLine()
	if bytes.HasPrefix(line, []byte("$$")) {
		end := bytes.Index(line[2:], []byte("$$"))
		if end <= 0 {
			return nil
		}
		block.Advance(end + 4)
		return &mathNode{tex: string(line[2 : 2+end]), display: true, offset: seg.Start}
	}
	if len(line) < 2 || line[1] == ' ' || line[1] == '$' || line[1] == '\n' {
		return nil
	}
	row, pos := block.Position()
	var tex []byte
	from := 1
	for {
		switch i := closingDollar(line, from); i {
		case cannotClose:
			block.SetPosition(row, pos)
			return nil
		case lineEnds:
			tex = append(append(tex, bytes.TrimRight(line[from:], "\r\n")...), ' ')
		default:
			block.Advance(i + 1)
			return &mathNode{tex: string(append(tex, line[from:i]...)), offset: seg.Start}
		}
		block.AdvanceLine()
		if line, _ = block.PeekLine(); line == nil {
			block.SetPosition(row, pos)
			return nil
		}
		from = 0
	}
}

// What closingDollar finds when not the closing $.
const (
	cannotClose = -1 // a code span, or a $ that is a price
	lineEnds    = -2 // the line ends first
)

// closingDollar returns the index of the $ in line, from index from on,
// that closes inline math, or cannotClose or lineEnds.
func closingDollar(line []byte, from int) int {
	for i := from; i < len(line); i++ {
		switch {
		case line[i] == '`': // math never contains code; the $ is text
			return cannotClose
		case line[i] != '$' || i > 0 && line[i-1] == '\\':
			continue
		case i == 0 || line[i-1] == ' ' || i+1 < len(line) && line[i+1] >= '0' && line[i+1] <= '9':
			return cannotClose
		}
		return i
	}
	return lineEnds
}

// KindMathBlock is display math in its own block: $$ lines $$.
var KindMathBlock = ast.NewNodeKind("MathBlock")

type mathBlock struct {
	ast.BaseBlock
	closed  bool   // a one-line $$ … $$ block is complete when opened
	drawing string // the rendered MathML; empty: typeset in the browser
}

func (n *mathBlock) Kind() ast.NodeKind            { return KindMathBlock }
func (n *mathBlock) IsRaw() bool                   { return true }
func (n *mathBlock) Dump(source []byte, level int) { ast.DumpHelper(n, source, level, nil, nil) }

type mathBlockParser struct{}

func (mathBlockParser) Trigger() []byte { return []byte{'$'} }

func (mathBlockParser) Open(parent ast.Node, reader text.Reader, pc parser.Context) (ast.Node, parser.State) {
	line, seg := reader.PeekLine()
	trimmed := bytes.TrimSpace(line)
	if !bytes.HasPrefix(trimmed, []byte("$$")) {
		return nil, parser.NoChildren
	}
	n := &mathBlock{}
	rest := bytes.TrimSpace(trimmed[2:])
	if len(rest) >= 2 && bytes.HasSuffix(rest, []byte("$$")) { // $$ x $$ on one line
		start := seg.Start + bytes.Index(line, []byte("$$")) + 2
		n.Lines().Append(text.NewSegment(start, start+len(rest)-2))
		n.closed = true
		reader.AdvanceToEOL()
		return n, parser.NoChildren
	}
	if len(rest) > 0 {
		start := seg.Start + bytes.Index(line, rest)
		n.Lines().Append(text.NewSegment(start, start+len(rest)))
	}
	reader.AdvanceToEOL()
	return n, parser.NoChildren
}

func (mathBlockParser) Continue(node ast.Node, reader text.Reader, pc parser.Context) parser.State {
	line, seg := reader.PeekLine()
	if line == nil || node.(*mathBlock).closed {
		return parser.Close
	}
	if i := bytes.Index(line, []byte("$$")); i >= 0 {
		node.Lines().Append(text.NewSegment(seg.Start, seg.Start+i))
		reader.AdvanceToEOL()
		return parser.Close
	}
	node.Lines().Append(seg)
	reader.AdvanceToEOL()
	return parser.Continue | parser.NoChildren
}

func (mathBlockParser) Close(node ast.Node, reader text.Reader, pc parser.Context) {}
func (mathBlockParser) CanInterruptParagraph() bool                                { return true }
func (mathBlockParser) CanAcceptIndentedLine() bool                                { return false }

// headingIDs generates heading IDs that keep Chinese (and any Unicode
// letters and digits) instead of dropping them: "半开状态" → "半开状态",
// "Half-open state" → "half-open-state". Duplicates get -1, -2, ...
type headingIDs struct{ used map[string]bool }

func newHeadingIDs() *headingIDs { return &headingIDs{used: make(map[string]bool)} }

func (ids *headingIDs) Generate(value []byte, kind ast.NodeKind) []byte {
	base := slugify(string(value))
	id := base
	for i := 1; ids.used[id]; i++ {
		id = base + "-" + strconv.Itoa(i)
	}
	ids.used[id] = true
	return []byte(id)
}

func (ids *headingIDs) Put(value []byte) { ids.used[string(value)] = true }

// slugify lowercases ASCII, keeps Unicode letters and digits, turns spaces,
// hyphens and underscores into single hyphens and drops the rest.
func slugify(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
		case r == ' ' || r == '-' || r == '_' || r == '/' || r == '.':
			dash = true
		}
	}
	if b.Len() == 0 {
		return "section"
	}
	return b.String()
}

// nodeRenderer renders Lamport's nodes and every fenced code block.
type nodeRenderer struct{}

func (nodeRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(KindXRef, renderXRef)
	reg.Register(KindMath, renderMath)
	reg.Register(KindMathBlock, renderMathBlock)
	reg.Register(KindGuarantee, renderGuarantee)
	reg.Register(KindAdmonition, renderAdmonition)
	reg.Register(KindPermalink, renderPermalink)
	reg.Register(ast.KindFencedCodeBlock, renderFenced)
	reg.Register(ast.KindCodeBlock, renderIndented)
	reg.Register(extast.KindTaskCheckBox, renderTaskBox)
}

// renderTaskBox draws a task list's box as a symbol: the lists in pages
// are checklists to read, and a disabled checkbox without a label is an
// accessibility error.
func renderTaskBox(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if entering {
		box := "☐"
		if node.(*extast.TaskCheckBox).IsChecked {
			box = "☑"
		}
		w.WriteString(`<span class="task-box" aria-hidden="true">` + box + "</span> ")
	}
	return ast.WalkContinue, nil
}

func renderXRef(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkContinue, nil
	}
	n := node.(*xrefNode)
	if n.planned || n.href == "" {
		w.WriteString(`<span class="xref planned" title="` + html.EscapeString(n.title) + `">` + html.EscapeString(n.label) + `</span>`)
		return ast.WalkSkipChildren, nil
	}
	w.WriteString(`<a class="xref" href="` + html.EscapeString(n.href) + `">` + html.EscapeString(n.label) + `</a>`)
	return ast.WalkSkipChildren, nil
}

// renderMath writes a formula's MathML, drawn by `lamport render`, or, in
// an author's preview of a formula not rendered yet, its TeX for the
// browser to typeset.
func renderMath(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if entering {
		n := node.(*mathNode)
		switch {
		case n.drawing != "" && n.display:
			w.WriteString(displayMath(n.drawing))
		case n.drawing != "":
			w.WriteString(n.drawing)
		case n.display:
			w.WriteString(`<span class="math math-display">` + html.EscapeString(n.tex) + `</span>`)
		default:
			w.WriteString(`<span class="math">` + html.EscapeString(n.tex) + `</span>`)
		}
	}
	return ast.WalkSkipChildren, nil
}

func renderMathBlock(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkSkipChildren, nil
	}
	if n := node.(*mathBlock); n.drawing != "" {
		w.WriteString(displayMath(n.drawing) + "\n")
	} else {
		w.WriteString(`<div class="math math-display">` + html.EscapeString(mathBlockTeX(n, source)) + "</div>\n")
	}
	return ast.WalkSkipChildren, nil
}

// renderFenced renders a fenced block: an include resolved by the
// transformer, a Mermaid diagram, or highlighted code.
func renderFenced(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkContinue, nil
	}
	n := node.(*ast.FencedCodeBlock)
	if v, ok := n.AttributeString(includeAttr); ok {
		w.Write(v.([]byte))
		return ast.WalkSkipChildren, nil
	}
	code := linesText(n, source)
	lang := string(n.Language(source))
	if lang == "mermaid" {
		if v, ok := n.AttributeString(drawingAttr); ok {
			w.WriteString(`<div class="diagram">` + string(v.([]byte)) + "</div>\n")
		} else { // an author's preview: Mermaid draws it in the browser
			w.WriteString(`<pre class="mermaid">` + html.EscapeString(code) + "</pre>\n")
		}
		return ast.WalkSkipChildren, nil
	}
	w.WriteString(`<div class="code">` + highlight(lang, code) + "</div>\n")
	return ast.WalkSkipChildren, nil
}

// displayMath wraps a display formula's MathML in a block that scrolls
// sideways on a narrow screen (and so takes the keyboard focus, as a wide
// table does).
func displayMath(mathml string) string {
	return `<div class="math-display" tabindex="0">` + mathml + `</div>`
}

func renderIndented(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if entering {
		w.WriteString(`<div class="code">` + highlight("", linesText(node, source)) + "</div>\n")
	}
	return ast.WalkSkipChildren, nil
}

func linesText(n ast.Node, source []byte) string {
	var b strings.Builder
	lines := n.Lines()
	for i := 0; i < lines.Len(); i++ {
		seg := lines.At(i)
		b.Write(seg.Value(source))
	}
	return b.String()
}
