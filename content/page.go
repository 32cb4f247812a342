package content

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"path"
	"regexp"
	"strings"
	"time"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"

	"github.com/lamport-kb/lamport/i18n"
)

// page is one en.md or zh.md while it is being loaded.
type page struct {
	pattern  *Pattern
	lang     string
	file     string
	fm       frontMatter
	body     []byte   // Markdown after the front matter
	bodyLine int      // line of the file where body starts (1-based)
	heads    []h2Line // the H2 headings found by scanning the source
	doc      *Doc
	anchors  map[string]bool
	links    []pendingLink
}

type frontMatter struct {
	Title      string            `yaml:"title"`
	Summary    string            `yaml:"summary"`
	Updated    string            `yaml:"updated"`
	SourceHash map[string]string `yaml:"source-hash"`
}

// h2Line is a "## Title {#id}" line of the source and its section's text.
type h2Line struct {
	line     int // line in the file
	title    string
	id       string // empty when the heading has no {#id}
	source   string // the section's Markdown, heading line included
	explicit bool
}

// readPages reads a pattern's pages and their front matter.
func (l *loader) readPages(p *Pattern) []*page {
	var pages []*page
	for _, lang := range i18n.Langs {
		file := path.Join(p.Dir, lang+".md")
		data, err := l.read(file)
		if err != nil {
			if lang == i18n.English || !l.opts.AllowMissing {
				l.reporter(file).at(0, "missing %s translation: %s.md does not exist", langName(lang), lang)
			} else {
				l.warner(file).at(0, "missing %s translation: the English page is shown", langName(lang))
			}
			continue
		}
		if pg := l.parsePage(p, lang, file, data); pg != nil {
			pages = append(pages, pg)
		}
	}
	return pages
}

func langName(lang string) string {
	if lang == i18n.Chinese {
		return "Chinese"
	}
	return "English"
}

// parsePage splits the front matter from the body and scans the headings.
func (l *loader) parsePage(p *Pattern, lang, file string, data []byte) *page {
	r := l.reporter(file)
	data = bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))
	fmText, body, bodyLine, ok := splitFrontMatter(data)
	if !ok {
		r.at(1, "missing front matter: the file must start with --- and a YAML block closed by ---")
		return nil
	}
	pg := &page{pattern: p, lang: lang, file: file, body: body, bodyLine: bodyLine}
	if lang == i18n.Chinese {
		l.checkTerms(file, data)
	}
	if !decodeStrict(fmText, &pg.fm, reporter{list: r.list, file: file}) {
		return nil
	}
	lines := parseLines(fmText)
	fmLine := func(key string) int { return lines.line(key) + 1 } // +1 for the opening ---
	if strings.TrimSpace(pg.fm.Title) == "" {
		r.at(fmLine("title"), "front matter: missing title")
	}
	if strings.TrimSpace(pg.fm.Summary) == "" {
		r.at(fmLine("summary"), "front matter: missing summary")
	}
	if _, err := time.Parse(time.DateOnly, pg.fm.Updated); err != nil {
		r.at(fmLine("updated"), "front matter: updated must be a date YYYY-MM-DD, got %q", pg.fm.Updated)
	}
	if lang == i18n.English && pg.fm.SourceHash != nil {
		r.at(fmLine("source-hash"), "front matter: source-hash belongs in translations, not in en.md")
	}
	if i := bytes.Index(body, []byte("TODO")); i >= 0 {
		l.warner(file).at(bodyLine+bytes.Count(body[:i], []byte("\n")), "the page still has TODOs")
	}
	pg.heads = headingsOf(l.markdown(), body, bodyLine)
	l.checkTemplate(pg, r)
	return pg
}

// splitFrontMatter returns the YAML between the leading --- lines, the
// body after them and the body's first line number.
func splitFrontMatter(data []byte) (fm, body []byte, bodyLine int, ok bool) {
	if !bytes.HasPrefix(data, []byte("---\n")) {
		return nil, nil, 0, false
	}
	rest := data[4:]
	end := bytes.Index(rest, []byte("\n---\n"))
	if end < 0 {
		if bytes.HasSuffix(rest, []byte("\n---")) {
			end = len(rest) - 4
		} else {
			return nil, nil, 0, false
		}
	}
	fm = rest[:end+1]
	body = rest[min(len(rest), end+5):]
	bodyLine = bytes.Count(fm, []byte("\n")) + 3
	return fm, body, bodyLine, true
}

var headingID = regexp.MustCompile(`\s*\{#([^}\s]+)\}\s*$`)

// headingsOf finds the top-level H2 headings of body (ATX "## " or setext
// "---" underlines) with the pipeline's own parser, so the template check,
// the section hashes and the rendered sections cannot disagree about where
// a section starts. Each heading's source runs from its first line to the
// next H2's.
func headingsOf(md goldmark.Markdown, body []byte, firstLine int) []h2Line {
	root := md.Parser().Parse(text.NewReader(body)) // no page context: links and includes are left alone
	var heads []h2Line
	var starts []int
	for n := root.FirstChild(); n != nil; n = n.NextSibling() {
		h, ok := n.(*ast.Heading)
		if !ok || h.Level != 2 || h.Lines().Len() == 0 {
			continue
		}
		start := lineStart(body, h.Lines().At(0).Start)
		raw := strings.TrimSpace(string(lineAt(body, start)))
		hl := h2Line{line: firstLine + bytes.Count(body[:start], []byte("\n")), title: strings.TrimSpace(strings.TrimLeft(raw, "#"))}
		if m := headingID.FindStringSubmatch(hl.title); m != nil {
			hl.id, hl.explicit = m[1], true
			hl.title = strings.TrimSpace(strings.TrimSuffix(hl.title, m[0]))
		}
		heads, starts = append(heads, hl), append(starts, start)
	}
	for i := range heads {
		end := len(body)
		if i+1 < len(starts) {
			end = starts[i+1]
		}
		heads[i].source = string(body[starts[i]:end])
	}
	return heads
}

// lineStart is the offset of the start of the line holding offset.
func lineStart(body []byte, offset int) int {
	return bytes.LastIndexByte(body[:offset], '\n') + 1
}

// lineAt is the line starting at start, without its newline.
func lineAt(body []byte, start int) []byte {
	line := body[start:]
	if i := bytes.IndexByte(line, '\n'); i >= 0 {
		line = line[:i]
	}
	return line
}

// sectionHash is the stable digest of a section's English source: its
// Markdown from the "## " line to the next, trimmed.
func sectionHash(source string) string {
	sum := sha256.Sum256([]byte(strings.TrimSpace(strings.ReplaceAll(source, "\r\n", "\n"))))
	return hex.EncodeToString(sum[:])[:12]
}

// checkTemplate requires the eleven sections, once each, in order. A
// heading out of order is one that is not in the longest run of headings
// that are in template order, so one misplaced section is one problem, not
// a cascade.
func (l *loader) checkTemplate(pg *page, r reporter) {
	want := make(map[string]int)
	for i, id := range SectionIDs {
		want[id] = i
	}
	seen := make(map[string]bool)
	var known []h2Line
	for _, h := range pg.heads {
		_, ok := want[h.id]
		switch {
		case !h.explicit:
			r.at(h.line, "section %q needs an explicit ID, such as ## %s {#definition}", h.title, h.title)
		case !ok:
			r.at(h.line, "unknown section ID %q (the template's sections are: %s)", h.id, strings.Join(SectionIDs, ", "))
		case seen[h.id]:
			r.at(h.line, "section %q appears twice", h.id)
		default:
			known = append(known, h)
		}
		seen[h.id] = true
	}
	inOrder := longestOrdered(known, want)
	for i, h := range known {
		if !inOrder[i] {
			r.at(h.line, "section %q is out of order (the template's order is: %s)", h.id, strings.Join(SectionIDs, ", "))
		}
	}
	for _, id := range SectionIDs {
		if !seen[id] {
			if pg.lang != i18n.English && l.opts.AllowMissing {
				l.warner(pg.file).at(0, "missing section %q: the English text is shown", id)
				continue
			}
			r.at(lastLine(pg), "missing section %q (## … {#%s})", id, id)
		}
	}
}

// longestOrdered marks the headings of the longest subsequence whose
// template positions increase.
func longestOrdered(heads []h2Line, pos map[string]int) []bool {
	n := len(heads)
	length, prev := make([]int, n), make([]int, n)
	best := -1
	for i := range heads {
		length[i], prev[i] = 1, -1
		for j := 0; j < i; j++ {
			if pos[heads[j].id] < pos[heads[i].id] && length[j]+1 > length[i] {
				length[i], prev[i] = length[j]+1, j
			}
		}
		if best < 0 || length[i] > length[best] {
			best = i
		}
	}
	marks := make([]bool, n)
	for i := best; i >= 0; i = prev[i] {
		marks[i] = true
	}
	return marks
}

func lastLine(pg *page) int { return pg.bodyLine + bytes.Count(pg.body, []byte("\n")) }

// renderPage renders one page with the shared pipeline and splits it into
// the template's sections.
func (l *loader) renderPage(pg *page, all []*page) {
	r := l.reporter(pg.file)
	ctx := &pageContext{lang: pg.lang, file: pg.file, lib: l.lib, pages: pagesOf(all, pg.lang), english: pagesOf(all, i18n.English), decls: l.declsOf(pg.pattern), tests: l.testsOf(pg.pattern)}
	ctx.report = func(offset int, format string, args ...any) { r.at(pg.lineAt(offset), format, args...) }
	ctx.warn = func(offset int, format string, args ...any) { l.warner(pg.file).at(pg.lineAt(offset), format, args...) }
	ctx.drawings, ctx.preview = l.drawings, l.opts.AllowMissing
	ctx.line = pg.lineAt
	ids := newHeadingIDs()
	for _, h := range pg.heads {
		if h.explicit {
			ids.Put([]byte(h.id))
		}
	}
	pc := parser.NewContext(parser.WithIDs(ids))
	pc.Set(pageKey, ctx)
	md := l.markdown()
	root := md.Parser().Parse(text.NewReader(pg.body), parser.WithContext(pc))
	pg.doc = &Doc{Lang: pg.lang, Path: pg.file, Title: pg.fm.Title, Summary: pg.fm.Summary}
	pg.doc.Updated, _ = time.Parse(time.DateOnly, pg.fm.Updated)
	pg.anchors = make(map[string]bool)
	l.splitSections(pg, root, md)
	pg.doc.HasMermaid, pg.doc.HasMath = ctx.mermaid, ctx.math
	pg.doc.Guarantees = ctx.guarantees
	if len(ctx.guarantees) == 0 && pg.lang == i18n.English {
		r.at(formalLine(pg), "the formal model states no guarantee with its test: end each invariant or bound with {#inv-name test=TestName} (CONTRIBUTING.md §5)")
	}
	pg.links = ctx.links
	collectLinks(root, pg.doc)
}

// lineAt converts a byte offset of the body into a line of the file.
func (pg *page) lineAt(offset int) int {
	offset = min(max(offset, 0), len(pg.body))
	return pg.bodyLine + bytes.Count(pg.body[:offset], []byte("\n"))
}

func pagesOf(all []*page, lang string) map[string]*page {
	m := make(map[string]*page)
	for _, pg := range all {
		if pg.lang == lang {
			m[pg.pattern.Slug] = pg
		}
	}
	return m
}

// collectLinks records every [[link]] of the page, including planned
// targets and links without a section, in order of appearance.
func collectLinks(root ast.Node, d *Doc) {
	ast.Walk(root, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if x, ok := n.(*xrefNode); ok && entering && x.label != "" {
			d.Links = append(d.Links, Link{Slug: x.slug, Section: x.section})
		}
		return ast.WalkContinue, nil
	})
}

// declsOf indexes a pattern's Go declarations once per load.
func (l *loader) declsOf(p *Pattern) declIndex {
	if idx, ok := l.decls[p.Dir]; ok {
		return idx
	}
	idx, err := indexDecls(l.fsys, p.Dir, l.read)
	if err != nil {
		l.reporter(p.Dir).at(0, "cannot read the package's Go files: %v", err)
	}
	l.decls[p.Dir] = idx
	return idx
}

// formalLine is the line of the page's formal-model heading, or the first
// line of its body.
func formalLine(pg *page) int {
	for _, h := range pg.heads {
		if h.id == "formalization" {
			return h.line
		}
	}
	return pg.bodyLine
}

// testsOf indexes a pattern's test functions once per load.
func (l *loader) testsOf(p *Pattern) map[string]testFunc {
	if tests, ok := l.tests[p.Dir]; ok {
		return tests
	}
	tests, err := indexTests(l.fsys, p.Dir, l.read)
	if err != nil {
		l.reporter(p.Dir).at(0, "cannot read the package's tests: %v", err)
	}
	l.tests[p.Dir] = tests
	return tests
}

// markdown returns the pipeline, built once per load.
func (l *loader) markdown() goldmark.Markdown {
	if l.md == nil {
		l.md = newMarkdown()
	}
	return l.md
}
