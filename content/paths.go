package content

import (
	"bytes"
	"cmp"
	"errors"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"gopkg.in/yaml.v3"

	"github.com/lamport-kb/lamport/i18n"
)

// Path is a curated learning path (content/paths/<id>/): an ordered list
// of catalog slugs, written or planned, with a title, a summary and prose
// in every language. After names the paths to take first; Order places
// it in the list (paths with the same order keep folder order).
type Path struct {
	ID    string
	Order int      // position in the list of paths
	Dir   string   // folder inside the content FS, e.g. "paths/resilience"
	After []string // ids of paths to take first
	Slugs []string // the steps, in reading order
	Docs  map[string]*PathDoc
}

// PathDoc is one language's text of a path.
type PathDoc struct {
	Title   string
	Summary string
	HTML    string // the prose, rendered by the one pipeline
	Links   []Link // the prose's [[links]], in order of appearance
}

// Doc returns the path's text in lang, else in English.
func (p *Path) Doc(lang string) *PathDoc {
	if d := p.Docs[lang]; d != nil {
		return d
	}
	return p.Docs[i18n.English]
}

// Path returns the learning path with the given id, or nil.
func (l *Library) Path(id string) *Path {
	for _, p := range l.Paths {
		if p.ID == id {
			return p
		}
	}
	return nil
}

type pathYAML struct {
	Order int      `yaml:"order"`
	After []string `yaml:"after"`
	Slugs []string `yaml:"slugs"`
}

var pathID = regexp.MustCompile(`^[a-z][a-z0-9-]*$`)

// loadPaths reads every folder under paths/, in name order, if the tree
// has any. A step that is not in the catalog, a step listed twice, an
// unknown path in after, or a missing language is an error at its
// file:line.
func (l *loader) loadPaths() {
	dirs, err := fs.ReadDir(l.fsys, "paths")
	if errors.Is(err, fs.ErrNotExist) {
		return
	}
	if err != nil {
		l.reporter("paths").at(0, "cannot list learning paths: %v", err)
		return
	}
	for _, d := range dirs {
		if d.IsDir() {
			l.loadPath(d.Name())
		}
	}
	slices.SortStableFunc(l.lib.Paths, func(a, b *Path) int { return cmp.Compare(a.Order, b.Order) })
	for _, p := range l.lib.Paths {
		l.checkAfter(p)
	}
}

func (l *loader) loadPath(id string) {
	file := path.Join("paths", id, "path.yaml")
	r := l.reporter(file)
	data, err := l.read(file)
	if err != nil {
		r.at(0, "missing path.yaml")
		return
	}
	if !pathID.MatchString(id) {
		r.at(0, "folder name %q is not a path id (lowercase letters, digits and hyphens)", id)
	}
	var y pathYAML
	if !decodeStrict(data, &y, r) {
		return
	}
	lines := parseLines(data)
	p := &Path{ID: id, Order: y.Order, Dir: path.Join("paths", id), After: y.After, Docs: map[string]*PathDoc{}}
	if len(y.Slugs) == 0 {
		r.at(lines.line("slugs"), "a path needs at least one step (slugs)")
	}
	seen := map[string]bool{}
	for i, s := range y.Slugs {
		switch {
		case l.lib.entries[s] == nil:
			r.at(lines.item("slugs", i), "unknown slug %q (not in catalog.yaml)", s)
		case seen[s]:
			r.at(lines.item("slugs", i), "step %q is listed twice", s)
		default:
			seen[s] = true
			p.Slugs = append(p.Slugs, s)
		}
	}
	for _, lang := range i18n.Langs {
		p.Docs[lang] = l.pathDoc(p, lang)
	}
	l.lib.Paths = append(l.lib.Paths, p)
}

// checkAfter reports an after that names no path, or the path itself.
func (l *loader) checkAfter(p *Path) {
	file := path.Join(p.Dir, "path.yaml")
	data, _ := fs.ReadFile(l.fsys, file)
	lines := parseLines(data)
	for i, a := range p.After {
		if a == p.ID || l.lib.Path(a) == nil {
			l.reporter(file).at(lines.item("after", i), "after: %q is not another learning path", a)
		}
	}
}

// pathDoc reads a path's page in lang: front matter with title and
// summary, then Markdown prose.
func (l *loader) pathDoc(p *Path, lang string) *PathDoc {
	file := path.Join(p.Dir, lang+".md")
	r := l.reporter(file)
	data, err := l.read(file)
	if err != nil {
		r.at(0, "missing %s: every learning path is written in every language", path.Base(file))
		return nil
	}
	fm, body, bodyLine, ok := splitFrontMatter(data)
	var meta frontMatter
	if !ok || yaml.Unmarshal(fm, &meta) != nil {
		r.at(1, "missing or invalid front matter (title, summary)")
		return nil
	}
	if meta.Title == "" || meta.Summary == "" {
		r.at(1, "front matter needs a title and a summary")
	}
	if lang == i18n.Chinese {
		l.checkTerms(file, data)
	}
	html, links := l.renderProse(&page{lang: lang, file: file, body: body, bodyLine: bodyLine})
	return &PathDoc{Title: strings.TrimSpace(meta.Title), Summary: strings.TrimSpace(meta.Summary), HTML: html, Links: links}
}

// renderProse renders a page that is not a pattern's (a learning path's
// prose) with the one pipeline: its [[links]] resolve as a pattern page's
// do, to the reader's language, planned targets marked, and an unknown
// slug or section is a problem at its file:line.
func (l *loader) renderProse(pg *page) (string, []Link) {
	r := l.reporter(pg.file)
	ctx := &pageContext{lang: pg.lang, file: pg.file, lib: l.lib, pages: pagesOf(l.pages, pg.lang), english: pagesOf(l.pages, i18n.English), line: pg.lineAt}
	ctx.report = func(offset int, format string, args ...any) { r.at(pg.lineAt(offset), format, args...) }
	ctx.warn = func(offset int, format string, args ...any) { l.warner(pg.file).at(pg.lineAt(offset), format, args...) }
	pc := parser.NewContext()
	pc.Set(pageKey, ctx)
	md := l.markdown()
	root := md.Parser().Parse(text.NewReader(pg.body), parser.WithContext(pc))
	var buf bytes.Buffer
	if err := md.Renderer().Render(&buf, pg.body, root); err != nil {
		r.at(0, "cannot render: %v", err)
	}
	pg.links = ctx.links
	l.checkLinks(pg, ctx.pages, ctx.english)
	var d Doc
	collectLinks(root, &d)
	return buf.String(), d.Links
}
