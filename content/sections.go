package content

import (
	"bytes"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	extast "github.com/yuin/goldmark/extension/ast"

	"github.com/lamport-kb/lamport/i18n"
)

// splitSections renders the document's top-level blocks, cutting at each
// H2 heading into Doc.Lead and Doc.Sections.
func (l *loader) splitSections(pg *page, root ast.Node, md goldmark.Markdown) {
	source := pg.body
	var cur *Section
	var buf bytes.Buffer
	flush := func() {
		if cur == nil {
			pg.doc.Lead = buf.String()
		} else {
			cur.HTML = buf.String()
		}
		buf.Reset()
	}
	heads := pg.heads
	for n := root.FirstChild(); n != nil; n = n.NextSibling() {
		if h, ok := n.(*ast.Heading); ok && h.Level == 2 {
			flush()
			cur = &Section{ID: attrID(h), Title: plainText(h, source)}
			if len(heads) > 0 {
				cur.Hash = sectionHash(heads[0].source)
				heads = heads[1:]
			}
			pg.doc.Sections = append(pg.doc.Sections, cur)
			pg.anchors[cur.ID] = true
			continue
		}
		if err := md.Renderer().Render(&buf, source, n); err != nil {
			l.reporter(pg.file).at(pg.lineAt(offsetOf(n)), "render: %v", err)
		}
		if cur != nil {
			cur.Headings = append(cur.Headings, subheadings(n, source, pg.anchors)...)
			cur.Text = joinText(cur.Text, blockText(n, source))
		}
	}
	flush()
}

// subheadings lists the H3 headings in n (a top-level block) and records
// every heading ID as an anchor of the page.
func subheadings(n ast.Node, source []byte, anchors map[string]bool) []Heading {
	var hs []Heading
	ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if h, ok := c.(*ast.Heading); ok && entering {
			id := attrID(h)
			anchors[id] = true
			if h.Level == 3 {
				hs = append(hs, Heading{ID: id, Title: plainText(h, source), Level: 3})
			}
		}
		return ast.WalkContinue, nil
	})
	return hs
}

func attrID(n ast.Node) string {
	if v, ok := n.AttributeString("id"); ok {
		if b, ok := v.([]byte); ok {
			return string(b)
		}
	}
	return ""
}

// plainText is the text of an inline container (a heading).
func plainText(n ast.Node, source []byte) string {
	var b strings.Builder
	ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch c := c.(type) {
		case *ast.Text:
			b.Write(c.Segment.Value(source))
			if c.SoftLineBreak() {
				b.WriteByte(' ')
			}
		case *ast.String:
			b.Write(c.Value)
		case *xrefNode:
			b.WriteString(c.label)
		case *mathNode:
			b.WriteString(mathText(c.tex))
		}
		return ast.WalkContinue, nil
	})
	return strings.TrimSpace(b.String())
}

// blockText is the searchable text of a block: prose, inline code and
// link text, without fenced code, diagrams or footnote markup.
func blockText(n ast.Node, source []byte) string {
	switch n.(type) {
	case *ast.FencedCodeBlock, *ast.CodeBlock, *mathBlock, *extast.FootnoteList:
		return ""
	}
	var parts []string
	ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch c.(type) {
		case *ast.FencedCodeBlock, *ast.CodeBlock:
			return ast.WalkSkipChildren, nil
		case *ast.Paragraph, *ast.Heading, *ast.TextBlock, *extast.TableCell:
			parts = append(parts, plainText(c, source))
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
	return strings.Join(parts, " ")
}

func joinText(a, b string) string {
	switch {
	case b == "":
		return a
	case a == "":
		return b
	}
	return a + "\n" + b
}

func offsetOf(n ast.Node) int {
	if n.Type() == ast.TypeBlock && n.Lines().Len() > 0 {
		return n.Lines().At(0).Start
	}
	return 0
}

// applyTranslations checks each translation against its English source:
// a missing section or page is shown in English (with AllowMissing), a
// section whose English source hash changed is stale and shown in English
// with the outdated translation kept aside. It also validates
// [[slug#section]] links, now that every page's anchors are known.
func (l *loader) applyTranslations(pages []*page) {
	english := pagesOf(pages, i18n.English)
	for _, p := range l.lib.Patterns {
		en := english[p.Slug]
		if en == nil {
			continue
		}
		p.Docs[i18n.English] = en.doc
		for _, lang := range i18n.Langs[1:] {
			var tr *page
			for _, pg := range pages {
				if pg.pattern == p && pg.lang == lang {
					tr = pg
				}
			}
			p.Docs[lang] = l.translate(en, tr, lang)
			if tr != nil {
				l.compareGuarantees(en, tr)
			}
		}
	}
	for _, pg := range pages {
		l.checkLinks(pg, pagesOf(pages, pg.lang), english)
	}
}

// translate merges a translation with its English source, section by
// section. tr is nil when the translation file is missing.
func (l *loader) translate(en, tr *page, lang string) *Doc {
	if tr == nil {
		d := *en.doc
		d.Lang, d.Fallback = lang, true
		d.Path = strings.TrimSuffix(en.file, "en.md") + lang + ".md"
		d.Sections = fallbackSections(en.doc.Sections)
		return &d
	}
	byID := make(map[string]*Section)
	for _, s := range tr.doc.Sections {
		byID[s.ID] = s
	}
	var merged []*Section
	for _, src := range en.doc.Sections {
		s := byID[src.ID]
		switch {
		case s == nil:
			merged = append(merged, fallbackSections([]*Section{src})...)
		case tr.fm.SourceHash[src.ID] != src.Hash:
			l.warner(tr.file).at(0, "stale translation of section %q: the English text changed (run lamport stamp %s after updating it)", src.ID, en.pattern.Slug)
			stale := *src
			stale.Stale, stale.Outdated = true, s.HTML
			merged = append(merged, &stale)
		default:
			s.Hash = src.Hash
			merged = append(merged, s)
		}
	}
	tr.doc.Sections = merged
	tr.doc.HasMermaid = tr.doc.HasMermaid || en.doc.HasMermaid && anyFallback(merged)
	tr.doc.HasMath = tr.doc.HasMath || en.doc.HasMath && anyFallback(merged)
	return tr.doc
}

func fallbackSections(src []*Section) []*Section {
	out := make([]*Section, len(src))
	for i, s := range src {
		c := *s
		c.Fallback = true
		out[i] = &c
	}
	return out
}

func anyFallback(ss []*Section) bool {
	for _, s := range ss {
		if s.Fallback || s.Stale {
			return true
		}
	}
	return false
}

// checkLinks validates the sections named by [[slug#section]] links.
func (l *loader) checkLinks(pg *page, same, english map[string]*page) {
	for _, lk := range pg.links {
		target := same[lk.slug]
		if target == nil {
			target = english[lk.slug]
		}
		if target == nil || !target.anchors[lk.section] {
			l.reporter(pg.file).at(pg.lineAt(lk.offset), "link [[%s#%s]]: the page has no section or heading %q", lk.slug, lk.section, lk.section)
		}
	}
}
