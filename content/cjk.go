package content

import (
	"cmp"
	"unicode"
	"unicode/utf8"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
)

// eastAsianBreaks removes the soft line breaks between two Chinese
// characters or next to CJK punctuation. zh.md is hard-wrapped and Chinese
// puts no spaces between words: kept, such a break shows as a stray space
// ("一个下游 的故障") and splits the search index's bigrams, so 记为失败
// does not find "记为\n失败". A break between Latin words, or between Han
// and a Latin word, a digit or code, stays a space.
//
// The decision is made once, on the AST: the HTML renderer and plainText
// (the search text) both read Text.SoftLineBreak, so they agree. This is
// not goldmark's extension.CJK: its rule lives in the HTML renderer, out of
// reach of the search text; its Simple style keeps the break after "，";
// and in goldmark 1.8 it drops every break followed by inline markup, Latin
// ones included ("retry\n*now*" renders "retry<em>now</em>").
type eastAsianBreaks struct{}

func (eastAsianBreaks) Transform(doc *ast.Document, reader text.Reader, pc parser.Context) {
	source := reader.Source()
	ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		t, ok := n.(*ast.Text)
		if !entering || !ok || !t.SoftLineBreak() {
			return ast.WalkContinue, nil
		}
		before := edgeRune(t, source, true)
		if before == 0 {
			before = runeBeside(t, source, false)
		}
		if after := runeBeside(t, source, true); joins(before, after) {
			t.SetSoftLineBreak(false)
		}
		return ast.WalkContinue, nil
	})
}

// joins reports whether the runes on both sides of a line break are
// written together: two Han characters (or kana), or CJK punctuation on
// either side, which carries its own spacing ("200 ms、400 ms"). Between
// Han and a Latin word the break stays a space, as Chinese typesetting
// spaces them.
func joins(before, after rune) bool {
	return wide(before) && wide(after) || cjkPunct(before) || cjkPunct(after)
}

// wide reports whether r is written without spaces around it: Han, kana,
// Bopomofo and CJK punctuation. Hangul is not: Korean separates words with
// spaces.
func wide(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Bopomofo) || cjkPunct(r)
}

// cjkPunct reports whether r is CJK punctuation (。、「」) or a fullwidth
// form (，：（）).
func cjkPunct(r rune) bool {
	return 0x3000 <= r && r <= 0x303F || 0xFF01 <= r && r <= 0xFF60 || 0xFFE0 <= r && r <= 0xFFE6
}

// runeBeside returns the rune of the inline content next to n (after it,
// or before it) in the same block, or 0 at the block's edge.
func runeBeside(n ast.Node, source []byte, after bool) rune {
	for ; n != nil && n.Type() == ast.TypeInline; n = n.Parent() {
		for s := sibling(n, after); s != nil; s = sibling(s, after) {
			if r := edgeRune(s, source, !after); r != 0 {
				return r
			}
		}
	}
	return 0
}

func sibling(n ast.Node, after bool) ast.Node {
	if after {
		return n.NextSibling()
	}
	return n.PreviousSibling()
}

// edgeRune returns the last (or first) rune of n's text, or 0 when n
// shows no text. Inline nodes whose text is not known here (raw HTML, an
// autolink) count as Latin, so a break beside them stays.
func edgeRune(n ast.Node, source []byte, last bool) rune {
	switch n := n.(type) {
	case *ast.Text:
		return runeAt(n.Segment.Value(source), last)
	case *ast.String:
		return runeAt(n.Value, last)
	case *xrefNode:
		return runeAt([]byte(cmp.Or(n.label, n.text, n.slug)), last)
	case *mathNode:
		return 'x'
	}
	if !n.HasChildren() {
		return 'x'
	}
	c := n.FirstChild()
	if last {
		c = n.LastChild()
	}
	for ; c != nil; c = sibling(c, !last) {
		if r := edgeRune(c, source, last); r != 0 {
			return r
		}
	}
	return 0
}

func runeAt(b []byte, last bool) rune {
	if len(b) == 0 {
		return 0
	}
	if last {
		r, _ := utf8.DecodeLastRune(b)
		return r
	}
	r, _ := utf8.DecodeRune(b)
	return r
}
