package content

import (
	"html"
	"strings"

	"github.com/yuin/goldmark/ast"
	extast "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
)

const includeAttr = "data-lamport-include"

// pageContext is what the pipeline knows about the page being rendered.
type pageContext struct {
	lang    string
	lib     *Library
	pages   map[string]*page // written pages of this language, by slug
	english map[string]*page // English pages, by slug, for fallback titles
	decls   declIndex
	tests   map[string]testFunc // the package's Test and Fuzz functions
	report  func(offset int, format string, args ...any)
	line    func(offset int) int // the file's line of a body offset
	links   []pendingLink
	mermaid bool
	math    bool

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
		case *mathNode, *mathBlock:
			ctx.math = true
		case *guaranteeNode:
			ctx.guarantee(n)
		case *ast.Blockquote:
			quotes = append(quotes, n)
		case *ast.Heading:
			headings = append(headings, n)
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

// fenced handles the two special fences: mermaid and include.
func (ctx *pageContext) fenced(n *ast.FencedCodeBlock, source []byte) {
	if n.Info == nil {
		return
	}
	info := string(n.Info.Segment.Value(source))
	if strings.HasPrefix(info, "mermaid") {
		ctx.mermaid = true
	}
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
