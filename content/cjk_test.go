package content

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/lamport-kb/lamport/i18n"
	"github.com/yuin/goldmark/text"
)

// renderSnippet runs src through the pipeline and returns its HTML and the
// search text of its first block.
func renderSnippet(t *testing.T, src string) (html, plain string) {
	t.Helper()
	md := newMarkdown()
	root := md.Parser().Parse(text.NewReader([]byte(src)))
	var buf bytes.Buffer
	if err := md.Renderer().Render(&buf, []byte(src), root); err != nil {
		t.Fatal(err)
	}
	return buf.String(), blockText(root.FirstChild(), []byte(src))
}

// TestLineBreaks: a line break between two Chinese characters, or next to
// CJK punctuation, is no word boundary and disappears from the HTML and the
// search text; any other break stays a space, also beside inline markup.
func TestLineBreaks(t *testing.T) {
	tests := []struct {
		src, html, text string
	}{
		{"一个下游\n的故障", "<p>一个下游的故障</p>\n", "一个下游的故障"},
		{"期间占着，\n连接", "<p>期间占着，连接</p>\n", "期间占着，连接"},
		{"请求\n**直接**返回", "<p>请求<strong>直接</strong>返回</p>\n", "请求直接返回"},
		{"**背景。**\n服务", "<p><strong>背景。</strong>服务</p>\n", "背景。服务"},
		{"调用里发生的 panic 记为\n失败", "<p>调用里发生的 panic 记为失败</p>\n", "调用里发生的 panic 记为失败"},
		{"200 ms、\n400 ms", "<p>200 ms、400 ms</p>\n", "200 ms、400 ms"},
		{"（参见\nRaft）", "<p>（参见\nRaft）</p>\n", "（参见 Raft）"},
		{"交给下游服务\nCircuit", "<p>交给下游服务\nCircuit</p>\n", "交给下游服务 Circuit"},
		{"的\n`done`", "<p>的\n<code>done</code></p>\n", "的 done"},
		{"retry\nlater", "<p>retry\nlater</p>\n", "retry later"},
		{"retry\n*now*", "<p>retry\n<em>now</em></p>\n", "retry now"},
		{"call\n`Execute`", "<p>call\n<code>Execute</code></p>\n", "call Execute"},
		{"*retry*\nnow", "<p><em>retry</em>\nnow</p>\n", "retry now"},
	}
	for _, tt := range tests {
		html, plain := renderSnippet(t, tt.src)
		if html != tt.html || plain != tt.text {
			t.Errorf("%q:\n html %q, want %q\n text %q, want %q", tt.src, html, tt.html, plain, tt.text)
		}
	}
}

// wideBreak is a line break (which the browser shows as a space) between
// two East Asian wide characters. Spaces an author typed on one line, as
// around links and bold text, are not line breaks and stay.
var wideBreak = regexp.MustCompile(`[\p{Han}\x{3000}-\x{303F}\x{FF01}-\x{FF60}][^\S\n]*\n\s*[\p{Han}\x{3000}-\x{303F}\x{FF01}-\x{FF60}]`)

// TestNoBreakBetweenHan checks every Chinese page of the embedded content:
// no rendered paragraph, list item, cell or heading, and no section's
// search text, keeps a source line break between two Chinese characters.
func TestNoBreakBetweenHan(t *testing.T) {
	lib, err := embedded()
	if err != nil {
		t.Fatal(err)
	}
	han := regexp.MustCompile(`\p{Han}`)
	for _, p := range lib.Patterns {
		d := p.Docs[i18n.Chinese]
		html := d.Lead
		for _, s := range d.Sections {
			if s.Fallback || s.Stale {
				continue
			}
			html += s.HTML
			if m := indexBreak(s); m != "" {
				t.Errorf("%s#%s: search text has a space the page has not: %q", p.Slug, s.ID, m)
			}
		}
		doc, err := goquery.NewDocumentFromReader(strings.NewReader(html))
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		doc.Find("p, li, td, th, h3, h4, blockquote").Each(func(_ int, el *goquery.Selection) {
			if el.Find("p, li").Length() > 0 {
				return // the inner blocks are checked themselves
			}
			txt := el.Text()
			n += len(han.FindAllString(txt, -1))
			for _, m := range wideBreak.FindAllString(txt, -1) {
				t.Errorf("%s: a line break between Chinese characters renders as a space: %q", p.Slug, m)
			}
		})
		if n < 1000 {
			t.Errorf("%s: only %d Chinese characters checked", p.Slug, n)
		}
	}
}

// indexBreak returns a "X Y" of two Chinese characters with a space in the
// section's search text that the rendered section does not show, if any.
func indexBreak(s *Section) string {
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(s.HTML))
	if err != nil {
		return err.Error()
	}
	rendered := strings.Join(strings.Fields(doc.Text()), " ")
	spaced := regexp.MustCompile(`\p{Han} \p{Han}`)
	for _, m := range spaced.FindAllString(s.Text, -1) {
		if !strings.Contains(rendered, m) {
			return m
		}
	}
	return ""
}
