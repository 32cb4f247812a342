package content

import (
	"html"
	"strings"

	"github.com/yuin/goldmark/ast"
	extast "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
)

const (
	includeAttr = "data-lamport-include"
	drawingAttr = "data-lamport-drawing" // a diagram's rendered SVG
)

// pageContext is what the pipeline knows about the page being rendered.
type pageContext struct {
	lang    string
	file    string // the page, inside the content FS
	lib     *Library
	pages   map[string]*page // written pages of this language, by slug
	english map[string]*page // English pages, by slug, for fallback titles
	decls   declIndex
	tests   map[string]testFunc // the package's Test and Fuzz functions
	report  func(offset int, format string, args ...any)
	warn    func(offset int, format string, args ...any)
	// drawings finds figures' artifacts; preview (author mode) lets a
	// figure without one be drawn in the browser instead of failing.
	drawings *artifacts
	preview  bool
	line     func(offset int) int // the file's line of a body offset
	links    []pendingLink
	mermaid  bool // the browser must draw a diagram (preview only)
	math     bool // the browser must typeset a formula (preview only)

	guarantees []Guarantee
}

// pendingLink is a [[slug#section]] checked once every page is rendered.
type pendingLink struct {
	slug, section string
	offset        int
}

// pageTransformer resolves links and includes and notes which lazy
// front-end features (diagrams, math) the page needs.
type pageTransformer struct{}

func (pageTransformer) Transform(doc *ast.Document, reader text.Reader, pc parser.Context) {
	ctx, _ := pc.Get(pageKey).(*pageContext)
	if ctx == nil {
		return
	}
	source := reader.Source()
	var quotes []*ast.Blockquote
	var headings []*ast.Heading
	ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *xrefNode:
			ctx.resolveXRef(n)
		case *ast.FencedCodeBlock:
			ctx.fenced(n, source)
		case *guaranteeNode:
			ctx.guarantee(n)
		case *ast.Blockquote:
			quotes = append(quotes, n)
		case *ast.Heading:
			headings = append(headings, n)
		case *ast.CodeSpan:
			return ast.WalkSkipChildren, nil
		case *ast.Text:
			if cmd := texCommand(string(n.Segment.Value(source))); cmd != "" {
				ctx.report(n.Segment.Start, "%s outside math shows as typed: a formula is $…$, with no space just inside its dollars", cmd)
			}
		case *extast.Table:
			// A wide table scrolls sideways (site.css); keyboard users
			// reach it with Tab and scroll it with the arrow keys.
			n.SetAttributeString("tabindex", []byte("0"))
		}
		return ast.WalkContinue, nil
	})
	// The tree changes only after the walk.
	for _, q := range quotes {
		ctx.admonition(q, source)
	}
	for _, h := range headings {
		ctx.permalink(h)
	}
	ctx.drawFigures(doc, source)
}

// drawFigures puts each figure's artifact into the page. A figure without
// a current one is a problem at its line; in an author's preview it is a
// warning, and the browser draws the figure instead (a stale drawing is
// still shown).
func (ctx *pageContext) drawFigures(doc *ast.Document, source []byte) {
	if ctx.drawings == nil {
		return
	}
	for _, f := range figuresIn(doc, source, ctx.lang) {
		f.fig.File = ctx.file
		drawing, problem := ctx.drawings.lookup(f.fig)
		switch {
		case problem != "" && !ctx.preview:
			ctx.report(f.offset, "%s", problem)
		case problem != "":
			ctx.warn(f.offset, "%s", problem)
		}
		if drawing == "" {
			ctx.mermaid = ctx.mermaid || f.fig.Kind == Diagram
			ctx.math = ctx.math || f.fig.Kind == Formula
			continue
		}
		switch n := f.node.(type) {
		case *ast.FencedCodeBlock:
			n.SetAttributeString(drawingAttr, []byte(drawing))
		case *mathNode:
			n.drawing = drawing
		case *mathBlock:
			n.drawing = drawing
		}
	}
}

func (ctx *pageContext) resolveXRef(n *xrefNode) {
	e := ctx.lib.entries[n.slug]
	if e == nil {
		ctx.report(n.offset, "link [[%s]]: unknown pattern %q (not in catalog.yaml)", n.slug, n.slug)
		n.label = n.slug
		return
	}
	n.title = e.Name.In(ctx.lang)
	n.label = n.text
	target := ctx.pages[n.slug]
	if target == nil {
		target = ctx.english[n.slug]
	}
	if n.label == "" {
		n.label = n.title
		if target != nil {
			n.label = target.fm.Title
		}
	}
	if ctx.lib.bySlug[n.slug] == nil {
		n.planned = true
		if n.section != "" {
			ctx.report(n.offset, "link [[%s#%s]]: %s is only planned, it has no sections yet", n.slug, n.section, n.slug)
		}
		return
	}
	n.href = PatternURL(ctx.lang, n.slug)
	if n.section != "" {
		n.href += "#" + n.section
		ctx.links = append(ctx.links, pendingLink{slug: n.slug, section: n.section, offset: n.offset})
	}
}

// fenced resolves an include fence.
func (ctx *pageContext) fenced(n *ast.FencedCodeBlock, source []byte) {
	if n.Info == nil {
		return
	}
	info := string(n.Info.Segment.Value(source))
	_, spec, ok := strings.Cut(info, "include=")
	if !ok {
		return
	}
	offset := n.Info.Segment.Start
	if n.Lines().Len() > 0 && strings.TrimSpace(linesText(n, source)) != "" {
		ctx.report(offset, "an include block must be empty: its code comes from the package")
	}
	specs, err := parseInclude(spec)
	if err != nil {
		ctx.report(offset, "include: %v", err)
		return
	}
	var b strings.Builder
	for _, inc := range specs {
		d, ok := ctx.decls[inc.name]
		if !ok {
			ctx.report(offset, "include: no declaration %q in the pattern's package", inc.name)
			continue
		}
		code := d.highlighted()
		if len(inc.lines) > 0 {
			if code, err = highlightLines("go", d.src, inc.lines); err != nil {
				ctx.report(offset, "include %s: %v", inc.name, err)
				continue
			}
		}
		b.WriteString(`<figure class="code-include"><figcaption><code>` + html.EscapeString(d.file) + `</code> · ` + html.EscapeString(inc.name) + "</figcaption>")
		b.WriteString(code + "</figure>\n")
	}
	n.SetAttributeString(includeAttr, []byte(b.String()))
}
