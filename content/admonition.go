package content

import (
	"html"
	"strings"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/util"

	"github.com/lamport-kb/lamport/i18n"
)

// Admonitions use GitHub's alert syntax, so a page reads the same on
// GitHub: a blockquote whose first line is [!NOTE], [!TIP], [!IMPORTANT],
// [!WARNING] or [!CAUTION] becomes a titled box, the title in the page's
// language. Any other blockquote stays a blockquote.
//
//	> [!WARNING]
//	> A retry without a budget multiplies the load on a failing service.

// admonitionKinds are the markers, lower-cased, in GitHub's order.
var admonitionKinds = []string{"note", "tip", "important", "warning", "caution"}

// KindAdmonition is a note, tip, important, warning or caution box.
var KindAdmonition = ast.NewNodeKind("Admonition")

type admonitionNode struct {
	ast.BaseBlock
	kind, title string
}

func (n *admonitionNode) Kind() ast.NodeKind            { return KindAdmonition }
func (n *admonitionNode) Dump(source []byte, level int) { ast.DumpHelper(n, source, level, nil, nil) }

// admonition turns q into an admonition when its first line is a marker,
// moving q's children, less the marker, into it.
func (ctx *pageContext) admonition(q *ast.Blockquote, source []byte) {
	para, ok := q.FirstChild().(*ast.Paragraph)
	if !ok {
		return
	}
	kind, marker := admonitionMarker(para, source)
	if kind == "" {
		return
	}
	for _, n := range marker {
		para.RemoveChild(para, n)
	}
	if para.ChildCount() == 0 {
		q.RemoveChild(q, para)
	}
	box := &admonitionNode{kind: kind, title: i18n.For(ctx.lang).Admonition[kind]}
	for c := q.FirstChild(); c != nil; c = q.FirstChild() {
		q.RemoveChild(q, c)
		box.AppendChild(box, c)
	}
	q.Parent().ReplaceChild(q.Parent(), q, box)
}

// admonitionMarker reads "[!KIND]" at the start of para, alone on its
// line, and returns the kind and the inline nodes that spell it (goldmark
// splits the text at the brackets); "" when para does not start so.
func admonitionMarker(para *ast.Paragraph, source []byte) (string, []ast.Node) {
	var b strings.Builder
	var nodes []ast.Node
	for c := para.FirstChild(); c != nil; c = c.NextSibling() {
		t, ok := c.(*ast.Text)
		if !ok {
			return "", nil
		}
		b.Write(t.Segment.Value(source))
		nodes = append(nodes, c)
		if t.SoftLineBreak() || t.HardLineBreak() || c.NextSibling() == nil {
			break
		}
	}
	s := strings.TrimSpace(b.String())
	if !strings.HasPrefix(s, "[!") || !strings.HasSuffix(s, "]") {
		return "", nil
	}
	kind := strings.ToLower(s[2 : len(s)-1])
	for _, k := range admonitionKinds {
		if k == kind {
			return kind, nodes
		}
	}
	return "", nil
}

func renderAdmonition(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	n := node.(*admonitionNode)
	if entering {
		w.WriteString(`<div class="admonition admonition-` + n.kind + `" role="note">` +
			`<p class="admonition-title">` + html.EscapeString(n.title) + "</p>\n")
	} else {
		w.WriteString("</div>\n")
	}
	return ast.WalkContinue, nil
}

// KindPermalink is a heading's link to itself.
var KindPermalink = ast.NewNodeKind("Permalink")

type permalinkNode struct {
	ast.BaseInline
	id, label string
}

func (n *permalinkNode) Kind() ast.NodeKind            { return KindPermalink }
func (n *permalinkNode) Dump(source []byte, level int) { ast.DumpHelper(n, source, level, nil, nil) }

// permalink gives an H3 or deeper heading a link to itself, reachable by
// keyboard (the page's H2s get theirs from the template).
func (ctx *pageContext) permalink(h *ast.Heading) {
	if id := attrID(h); id != "" && h.Level >= 3 {
		h.AppendChild(h, &permalinkNode{id: id, label: i18n.For(ctx.lang).Permalink})
	}
}

func renderPermalink(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if entering {
		n := node.(*permalinkNode)
		label := html.EscapeString(n.label)
		w.WriteString(`<a class="anchor" href="#` + html.EscapeString(n.id) + `" aria-label="` + label + `" title="` + label + `">#</a>`)
	}
	return ast.WalkSkipChildren, nil
}
