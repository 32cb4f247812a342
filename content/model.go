package content

import (
	"time"

	"github.com/lamport-kb/lamport/i18n"
)

// Every page is written in each of i18n.Langs. English (i18n.English) is
// the source language: a Chinese section that is missing or older than its
// English source falls back to the English text with a visible notice.

// SectionIDs are the heading IDs of the unified chapter template, in page
// order. Every pattern page has all of them, in every language.
var SectionIDs = []string{
	"definition",
	"formalization",
	"when-to-use",
	"diagrams",
	"implementation",
	"testing",
	"in-the-wild",
	"pitfalls",
	"other-languages",
	"faq",
	"references",
}

// Relation types of pattern.yaml, in display order.
const (
	Requires      = "requires"
	CombinesWith  = "combines-with"
	AlternativeTo = "alternative-to"
)

// RelationTypes lists the relation types in display order.
var RelationTypes = []string{Requires, CombinesWith, AlternativeTo}

// Symmetric reports whether a relation of type typ holds both ways: a
// pattern.yaml lists such an edge once, and both patterns show it.
func Symmetric(typ string) bool { return typ == CombinesWith || typ == AlternativeTo }

// Library is the loaded, validated and rendered content tree.
type Library struct {
	Patterns   []*Pattern  // written patterns, in catalog order
	Categories []*Category // in display order
	Catalog    []*Entry    // the content plan: every pattern, written or not
	Tags       []*Tag      // tags known to the catalog, in catalog order
	StartHere  StartHere   // the path the home page recommends
	Paths      []*Path     // curated learning paths (paths/), in folder order
	Glossary   []Term      // the bilingual term list (GlossaryFile), in file order
	Hash       string      // hex digest of every loaded file; changes when any content changes
	Warnings   []Problem   // non-fatal findings, such as stale translations

	bySlug     map[string]*Pattern
	entries    map[string]*Entry
	categories map[string]*Category
	tags       map[string]*Tag
}

// Category groups patterns by the problem they solve.
type Category struct {
	ID   string
	Name Names
}

// Tag is a cross-cutting label with a name per language.
type Tag struct {
	ID   string
	Name Names
}

// Names is a name in each language: language → name.
type Names map[string]string

// In is the name in lang, else the English name ("" when there is none).
func (n Names) In(lang string) string {
	if v := n[lang]; v != "" {
		return v
	}
	return n[i18n.English]
}

// Entry is a pattern in the content plan. Written reports whether it has a
// folder (and so a page); planned entries are named but not linked.
type Entry struct {
	Slug       string
	Category   string
	Difficulty int
	Name       Names
	Written    bool
}

// StartHere is the curated first path shown on the home page.
type StartHere struct {
	Title Names
	Slugs []string
}

// Pattern is one pattern folder: language-independent facts from
// pattern.yaml plus one Doc per language.
type Pattern struct {
	Slug       string
	Package    string // folder name under patterns/, a Go package name
	Dir        string // folder path inside the content FS, e.g. "patterns/circuitbreaker"
	Category   string
	Tags       []string
	Difficulty int // 1 beginner, 2 intermediate, 3 advanced
	Relations  []Relation
	Aliases    map[string][]string // language → extra search terms
	Systems    []System
	Demo       *Demo // nil when the pattern has no demo
	Docs       map[string]*Doc
}

// Relation is a typed edge from a pattern to another catalog entry.
type Relation struct {
	Type   string // Requires, CombinesWith or AlternativeTo
	Target string // slug of a catalog entry
	Line   int    // where pattern.yaml names it, for errors (file: the pattern's Dir/pattern.yaml)
}

// System is one entry of a pattern's ledger of real-system facts: what a
// real system does (the claim), the source that says so, and the day
// someone last read that source.
type System struct {
	Name    string
	Claim   string
	Source  string // URL, at a tag or commit where there is one
	Checked string // YYYY-MM-DD
}

// Demo is a pattern's runnable program.
type Demo struct {
	Path   string // path inside the content FS, e.g. "patterns/circuitbreaker/demo/main.go"
	Source string
	HTML   string // Source highlighted, as the pipeline highlights code
	Output string // what the demo prints (DemoOutputFile)
}

// Doc is one language's page of a pattern.
type Doc struct {
	Lang       string
	Path       string // source file inside the content FS, e.g. "patterns/circuitbreaker/zh.md"
	Title      string
	Summary    string
	Updated    time.Time
	Lead       string      // rendered HTML before the first section, often empty
	Sections   []*Section  // in template order
	Links      []Link      // outgoing [[links]], in order of appearance
	Guarantees []Guarantee // stated invariants and bounds, each with its test, in order
	HasMermaid bool        // a page needs the diagram library only when true
	HasMath    bool        // a page needs the math library only when true
	Fallback   bool        // the whole file is missing: every section is the English text
}

// Section is one H2 section of a Doc, rendered.
type Section struct {
	ID       string
	Title    string
	HTML     string    // rendered body, without its H2 heading
	Text     string    // plain text of the body, for search
	Headings []Heading // H3 headings inside the body, for the table of contents
	Hash     string    // hash of the English source of this section
	Fallback bool      // no translation: HTML is the English text
	Stale    bool      // translated from an older English text: HTML is the English text
	Outdated string    // for a stale section, the outdated translation's HTML
}

// Heading is an entry of a table of contents.
type Heading struct {
	ID    string
	Title string
	Level int
}

// Link is a [[slug#section|text]] link found in prose.
type Link struct {
	Slug    string
	Section string // empty for the page itself
}

// Problem is a finding of the content checker, located at file:line.
type Problem struct {
	File string // path inside the content FS
	Line int    // 1-based; 0 when the problem concerns the whole file
	Msg  string
}

// Pattern returns the written pattern with the given slug, or nil.
func (l *Library) Pattern(slug string) *Pattern { return l.bySlug[slug] }

// Entry returns the catalog entry with the given slug, or nil.
func (l *Library) Entry(slug string) *Entry { return l.entries[slug] }

// Planned returns the catalog entries that have no page yet, in catalog
// order.
func (l *Library) Planned() []*Entry {
	var planned []*Entry
	for _, e := range l.Catalog {
		if !e.Written {
			planned = append(planned, e)
		}
	}
	return planned
}

// Category returns the category with the given id, or nil.
func (l *Library) Category(id string) *Category { return l.categories[id] }

// Tag returns the tag with the given id, or nil.
func (l *Library) Tag(id string) *Tag { return l.tags[id] }

// Name names a catalog slug in lang: the page's title when the pattern is
// written, else the catalog's name, else the slug itself.
func (l *Library) Name(slug, lang string) string {
	if p := l.Pattern(slug); p != nil {
		return p.Doc(lang).Title
	}
	if e := l.Entry(slug); e != nil && e.Name.In(lang) != "" {
		return e.Name.In(lang)
	}
	return slug
}

// Doc returns the pattern's page in lang, else its English page.
func (p *Pattern) Doc(lang string) *Doc {
	if d := p.Docs[lang]; d != nil {
		return d
	}
	return p.Docs[i18n.English]
}
