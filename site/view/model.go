// Package view holds Lamport's templ components: pure functions of typed
// data, with no I/O. The site builds the data (the structs in this file) from
// the content library, the search index and the UI catalog, and renders one
// page component inside Layout.
//
// Components carry data-testid attributes where tests need a stable handle;
// tests look pages up structurally (goquery), not by comparing whole strings.
package view

import (
	"github.com/a-h/templ"

	"github.com/lamport-kb/lamport/content"
	"github.com/lamport-kb/lamport/i18n"
)

// Page is what every page's chrome needs.
type Page struct {
	Lang        string
	M           *i18n.Messages
	Title       string // the page's own title; Layout appends the site name
	Description string
	Path        string   // path after the language prefix, e.g. "/patterns/circuit-breaker"
	Nav         string   // the active top-level section: "patterns", "tags", "search", ...
	Theme       string   // "light", "dark" or "" to follow the system
	Query       string   // the search box's current text
	CSS, JS     string   // hashed asset URLs; empty when assets are not built
	Preload     []string // modules JS imports statically, fetched in parallel
	Live        string   // server-sent events URL in author mode, else empty
	BaseURL     string   // absolute origin for canonical and alternate links
	NoIndex     bool     // error pages ask robots not to index them
	Alternates  bool     // the page exists in every language (hreflang links)
	Kind        string   // OpenGraph type: "article" for a pattern, else "website"
	// SwitchQuery is the query string the language switch carries to the
	// other language (the search's q, the list's filters), without "?".
	SwitchQuery string
	// KeepQuery makes the switch carry the query as it is when clicked,
	// which a script may have changed (search, list filters).
	KeepQuery bool
	// SwitchPath, when set, is the switch's whole target in place of
	// LangPath, for pages outside the language tree (a shared program).
	SwitchPath func(lang string) string
	Tree       []NavGroup // the site's tree of categories and patterns
	Links      SiteLinks
}

// SiteLinks are the site-wide links of the header and footer; an empty
// URL hides its link.
type SiteLinks struct {
	Repository, License, Graph string
}

// NavGroup is a category of the navigation tree: its written patterns,
// linked, and how many more are planned, named compactly.
type NavGroup struct {
	ID, Name, URL  string
	Written, Total int
	Patterns       []Link
	Planned        []string
}

// LangPath returns the URL of this page in lang.
func (p Page) LangPath(lang string) string { return "/" + lang + p.Path }

// SwitchURL is the language switch's target: this page in the other
// language, with the query the reader was looking at.
func (p Page) SwitchURL() string {
	lang := p.OtherLang()
	u := p.LangPath(lang)
	if p.SwitchPath != nil {
		u = p.SwitchPath(lang)
	}
	if p.SwitchQuery != "" {
		u += "?" + p.SwitchQuery
	}
	return u
}

// Current reports whether url is this page.
func (p Page) Current(url string) bool { return url == "/"+p.Lang+p.Path }

// Href returns the URL of path in the page's language.
func (p Page) Href(path string) string { return "/" + p.Lang + path }

// OtherLang is the language the switch leads to.
func (p Page) OtherLang() string { return i18n.Other(p.Lang) }

// Link names a page in the reader's language. Planned entries have no URL.
type Link struct {
	Name    string
	URL     string // empty for a planned pattern
	Level   int    // difficulty, 0 when not shown
	Compare string // the comparison with the page it is listed on, for an alternative
}

// CategoryCard is a category of the home page's plan: how many of its
// patterns are written.
type CategoryCard struct {
	ID      string
	Name    string
	Written int
	Planned int
}

// HomeData is the home page: what is written first, what changed
// lately, the start-here path, then the plan with its progress.
type HomeData struct {
	Written        []PatternItem
	Recent         []Dated
	Categories     []CategoryCard
	StartHereTitle string
	StartHere      []Link   // the path's written patterns, in order
	StartLater     []string // the names of its planned ones
	WrittenCount   int
	PlannedCount   int
	PlayURL        string
}

// Dated is a pattern with the day its page last changed.
type Dated struct {
	Link
	Date string // YYYY-MM-DD
}

// Option is an entry of a filter select.
type Option struct {
	Value, Label string
	Selected     bool
}

// PatternItem is a row of the pattern list.
type PatternItem struct {
	Name, URL, Summary, Category string
	Level                        int
	Tags                         []Link
}

// ListData is the pattern list with its filters.
type ListData struct {
	Categories, Tags, Levels []Option
	Items                    []PatternItem
	Filtered                 bool
}

// RelatedGroup lists patterns of one relation type.
type RelatedGroup struct {
	Title string
	Items []Link
}

// PatternData is a pattern page.
type PatternData struct {
	Doc        *content.Doc
	Category   Link
	Level      int
	Tags       []Link
	Aliases    []string
	Related    []RelatedGroup
	Prev, Next *Link
	EditURL    string
	Updated    string
	DemoHTML   string // highlighted demo/main.go, empty when there is no demo
	DemoPath   string
	PlayURL    string // the demo in the playground
	Graph      PatternGraph
}

// TagData is one tag's page.
type TagData struct {
	Name  string
	Items []PatternItem
}

// TagsData lists every tag.
type TagsData struct {
	Tags []TagCount
}

// TagCount is a tag and how many written patterns carry it.
type TagCount struct {
	Link
	Count int
}

// SearchHit is one search result.
type SearchHit struct {
	Title, Heading, URL string
	Snippet             string // trusted HTML: escaped text with <mark> around hits
	Lang, LangName      string // set only for a result in the other language: its badge
	Planned             bool   // a planned pattern: URL is its planned page
}

// FacetLink is a filter of the results page: a category or tag, how many
// results it keeps, and the results page with it (or, when Selected,
// without it).
type FacetLink struct {
	Name     string
	Count    int
	URL      string
	Selected bool
}

// SearchData is the search results page.
type SearchData struct {
	Query                     string
	Total                     int // results in all pages
	Hits                      []SearchHit
	Took                      string
	Suggestion, SuggestionURL string // "did you mean", or empty
	Categories, Tags          []FacetLink
	ClearURL                  string // the query without filters, when a filter is on
	Page, Pages               int
	Start                     int    // the number of the page's first result
	PrevURL, NextURL          string // empty on the first and the last page
}

// PlannedData is the page of a planned pattern.
type PlannedData struct {
	Name, OtherName string // in the page's language and the other
	OtherLang       string
	Category        Link
	Related         []RelatedGroup // the written patterns that relate to it
}

// ErrorData is a status page.
type ErrorData struct {
	Status  int
	Title   string
	Message string
}

// PlayData is the playground page: the standalone one, a pattern's demo
// or a shared program.
type PlayData struct {
	Title, PatternURL string   // the pattern the program comes from; Title is empty when none
	Heading           string   // the page's heading
	EditKey           string   // names the program for the editor's saved edits, the same in every language
	Examples          []Option // the examples menu; empty on a pattern's page
	Source            string
	Sharing           bool // show the Share button
	Ran               bool // the form was posted: show the result
	Output, Errors    string
	Status            int
	Limit             string
	FakeTime          bool            // run on the simulated clock
	Images            []templ.SafeURL // pictures the program wrote (IMAGE: lines), as data URLs
	Runs              *RunsData       // the workflow runs the program made; nil: it made none
}
