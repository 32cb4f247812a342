package content

import (
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"io/fs"
	"net/url"
	"path"
	"regexp"
	"sort"
	"time"

	"github.com/yuin/goldmark"

	"github.com/lamport-kb/lamport/i18n"
)

// Options changes how Load treats incomplete content.
type Options struct {
	// AllowMissing turns a missing translation (a zh.md or one of its
	// sections) from an error into a warning, and shows the English text
	// with a notice. Authors serving a half-translated tree from disk use
	// it; `lamport check` and the embedded corpus never do. It also lets a
	// diagram or formula without a current rendering (`lamport render`) be
	// a warning, drawn by the browser as a live preview.
	AllowMissing bool
}

// Load reads, validates and renders the content tree in fsys. It returns
// every problem found, as Problems, or the library.
func Load(fsys fs.FS) (*Library, error) { return LoadWith(fsys, Options{}) }

// LoadWith is Load with options.
func LoadWith(fsys fs.FS, opts Options) (*Library, error) {
	l := &loader{
		fsys:  fsys,
		opts:  opts,
		hash:  sha256.New(),
		decls: make(map[string]declIndex),
		tests: make(map[string]map[string]testFunc),
		lib:   newLibrary(),
	}
	l.loadCatalog()
	l.loadGlossary()
	if len(l.problems) == 0 {
		l.loadPatterns()
		l.loadPaths()
	}
	if len(l.problems) > 0 {
		l.problems.sort()
		return nil, l.problems
	}
	l.lib.Hash = hex.EncodeToString(l.hash.Sum(nil))
	l.warnings.sort()
	l.lib.Warnings = l.warnings
	return l.lib, nil
}

func newLibrary() *Library {
	return &Library{bySlug: make(map[string]*Pattern), entries: make(map[string]*Entry),
		categories: make(map[string]*Category), tags: make(map[string]*Tag)}
}

// loader is the state of one Load.
type loader struct {
	fsys     fs.FS
	opts     Options
	hash     hash.Hash
	lib      *Library
	problems Problems
	warnings Problems
	md       goldmark.Markdown
	drawings *artifacts
	decls    map[string]declIndex
	tests    map[string]map[string]testFunc
	pages    []*page // every pattern page, rendered, for the paths' links
}

func (l *loader) reporter(file string) reporter { return reporter{list: &l.problems, file: file} }

func (l *loader) warner(file string) reporter { return reporter{list: &l.warnings, file: file} }

// read reads a file and adds it to the library's hash.
func (l *loader) read(name string) ([]byte, error) {
	data, err := fs.ReadFile(l.fsys, name)
	if err == nil && l.hash != nil {
		l.hash.Write([]byte(name))
		l.hash.Write([]byte{0})
		l.hash.Write(data)
	}
	return data, err
}

// loadPatterns loads every folder under patterns/ in two passes: facts and
// front matter first (so links can name any page's title and sections),
// then the Markdown of every page.
func (l *loader) loadPatterns() {
	dirs, err := fs.ReadDir(l.fsys, "patterns")
	if err != nil {
		l.reporter("patterns").at(0, "cannot list pattern folders: %v", err)
		return
	}
	var pages []*page
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		if p := l.loadPattern(d.Name()); p != nil {
			pages = append(pages, l.readPages(p)...)
		}
	}
	l.drawings = &artifacts{l: l, used: make(map[string]bool)}
	for _, pg := range pages {
		l.renderPage(pg, pages)
	}
	l.drawings.checkUnused()
	l.applyTranslations(pages)
	l.orderPatterns()
	l.pages = pages
}

// orderPatterns sorts written patterns in catalog order and marks their
// catalog entries written.
func (l *loader) orderPatterns() {
	order := make(map[string]int)
	for i, e := range l.lib.Catalog {
		order[e.Slug] = i
	}
	sort.Slice(l.lib.Patterns, func(i, j int) bool {
		return order[l.lib.Patterns[i].Slug] < order[l.lib.Patterns[j].Slug]
	})
	for _, p := range l.lib.Patterns {
		l.lib.entries[p.Slug].Written = true
	}
}

type patternYAML struct {
	Slug          string              `yaml:"slug"`
	Category      string              `yaml:"category"`
	Tags          []string            `yaml:"tags"`
	Difficulty    int                 `yaml:"difficulty"`
	Requires      []string            `yaml:"requires"`
	CombinesWith  []string            `yaml:"combines-with"`
	AlternativeTo []string            `yaml:"alternative-to"`
	Aliases       map[string][]string `yaml:"aliases"`
	Systems       []System            `yaml:"systems"`
	Demo          string              `yaml:"demo"`
}

var packageName = regexp.MustCompile(`^[a-z][a-z0-9]*$`)

// loadPattern reads and validates a folder's pattern.yaml.
func (l *loader) loadPattern(dir string) *Pattern {
	file := path.Join("patterns", dir, "pattern.yaml")
	r := l.reporter(file)
	data, err := l.read(file)
	if err != nil {
		r.at(0, "missing pattern.yaml")
		return nil
	}
	if !packageName.MatchString(dir) {
		r.at(0, "folder name %q is not a Go package name (lowercase letters and digits)", dir)
	}
	var y patternYAML
	if !decodeStrict(data, &y, r) {
		return nil
	}
	lines := parseLines(data)
	p := &Pattern{
		Slug: y.Slug, Package: dir, Dir: path.Join("patterns", dir), Category: y.Category,
		Tags: y.Tags, Difficulty: y.Difficulty, Aliases: y.Aliases, Systems: y.Systems,
		Docs: make(map[string]*Doc),
	}
	if !l.checkFacts(p, lines, r) {
		return nil
	}
	p.Relations = l.relations(p, &y, lines, r)
	l.loadDemo(p, y.Demo, lines, r)
	l.lib.Patterns = append(l.lib.Patterns, p)
	l.lib.bySlug[p.Slug] = p
	return p
}

// checkFacts validates slug, category, tags, difficulty and systems.
func (l *loader) checkFacts(p *Pattern, lines yamlLines, r reporter) bool {
	switch {
	case p.Slug == "":
		r.at(1, "missing slug")
		return false
	case l.lib.entries[p.Slug] == nil:
		r.at(lines.line("slug"), "slug %q is not in catalog.yaml", p.Slug)
		return false
	case l.lib.bySlug[p.Slug] != nil:
		r.at(lines.line("slug"), "slug %q is also used by %s", p.Slug, l.lib.bySlug[p.Slug].Dir)
		return false
	}
	entry := l.lib.entries[p.Slug]
	switch {
	case l.lib.Category(p.Category) == nil:
		r.at(lines.line("category"), "unknown category %q", p.Category)
	case p.Category != entry.Category:
		r.at(lines.line("category"), "category %q, but catalog.yaml files %s under %q: make them equal", p.Category, p.Slug, entry.Category)
	}
	if p.Difficulty != entry.Difficulty && p.Difficulty >= 1 && p.Difficulty <= 3 {
		r.at(lines.line("difficulty"), "difficulty %d, but catalog.yaml gives %s difficulty %d: make them equal", p.Difficulty, p.Slug, entry.Difficulty)
	}
	for i, t := range p.Tags {
		if l.lib.Tag(t) == nil {
			r.at(lines.item("tags", i), "unknown tag %q (tags are listed in catalog.yaml)", t)
		}
	}
	if p.Difficulty < 1 || p.Difficulty > 3 {
		r.at(lines.line("difficulty"), "difficulty must be 1, 2 or 3, not %d", p.Difficulty)
	}
	for lang := range p.Aliases {
		if lang != i18n.English && lang != i18n.Chinese {
			r.at(lines.line("aliases"), "aliases for unknown language %q", lang)
		}
	}
	l.checkLedger(p.Systems, lines, r)
	return true
}

// checkLedger validates the systems ledger: every entry names a system, the
// claim it supports, an http(s) source and the date the source was read,
// not in the future. A GitHub source on a branch (blob/main) moves under the
// claim, so it is a warning: pin a tag or commit where there is one.
func (l *loader) checkLedger(systems []System, lines yamlLines, r reporter) {
	for i, s := range systems {
		line := lines.item("systems", i)
		u, err := url.Parse(s.Source)
		switch {
		case s.Name == "":
			r.at(line, "system without a name")
		case s.Claim == "":
			r.at(line, "system %q has no claim: say what its source supports", s.Name)
		case s.Source == "":
			r.at(line, "system %q has no source", s.Name)
		case err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "":
			r.at(line, "system %q: source %q is not an http(s) URL", s.Name, s.Source)
		case s.Checked == "":
			r.at(line, "system %q has no checked date: when did you read the source (checked: YYYY-MM-DD)?", s.Name)
		default:
			l.checkDate(s, line, r)
			if u.Host == "github.com" && movingRef.MatchString(u.Path) {
				l.warner(r.file).at(line, "system %q: source %s is on a branch; link a tag or commit so the claim stays true", s.Name, s.Source)
			}
		}
	}
}

// movingRef matches a GitHub path on a branch rather than a tag or commit.
var movingRef = regexp.MustCompile(`^/[^/]+/[^/]+/(blob|tree)/(main|master|develop|trunk)/`)

func (l *loader) checkDate(s System, line int, r reporter) {
	day, err := time.Parse(time.DateOnly, s.Checked)
	switch {
	case err != nil:
		r.at(line, "system %q: checked %q is not a date (YYYY-MM-DD)", s.Name, s.Checked)
	case day.After(time.Now().AddDate(0, 0, 1)):
		r.at(line, "system %q: checked %s is in the future", s.Name, s.Checked)
	}
}

// relations validates the typed relations: every target must be in the
// catalog, and no pattern relates to itself.
func (l *loader) relations(p *Pattern, y *patternYAML, lines yamlLines, r reporter) []Relation {
	var rels []Relation
	for _, group := range []struct {
		typ     string
		targets []string
	}{{Requires, y.Requires}, {CombinesWith, y.CombinesWith}, {AlternativeTo, y.AlternativeTo}} {
		for i, t := range group.targets {
			switch {
			case t == p.Slug:
				r.at(lines.item(group.typ, i), "%s names the pattern itself", group.typ)
			case l.lib.entries[t] == nil:
				r.at(lines.item(group.typ, i), "%s: unknown slug %q (not in catalog.yaml)", group.typ, t)
			default:
				rels = append(rels, Relation{Type: group.typ, Target: t, Line: lines.item(group.typ, i)})
			}
		}
	}
	return rels
}

func (l *loader) loadDemo(p *Pattern, dir string, lines yamlLines, r reporter) {
	if dir == "" {
		return
	}
	file := path.Join(p.Dir, dir, "main.go")
	src, err := l.read(file)
	if err != nil {
		r.at(lines.line("demo"), "demo folder %q has no main.go", dir)
		return
	}
	p.Demo = &Demo{Path: file, Source: string(src), HTML: highlight("go", string(src))}
	out, err := l.read(path.Join(p.Dir, dir, DemoOutputFile))
	if err != nil {
		r.at(lines.line("demo"), "demo %q has no %s pinning its output: run go test ./tests -run TestDemoOutput -update", dir, DemoOutputFile)
		return
	}
	p.Demo.Output = string(out)
}

// DemoOutputFile, in a demo's folder, holds the demo's full output, as
// go run prints it; TestDemoOutput (tests/) keeps it true.
const DemoOutputFile = "output.golden"
