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
}

// LangPath returns the URL of this page in lang.
func (p Page) LangPath(lang string) string { return "/" + lang + p.Path }

// Href returns the URL of path in the page's language.
func (p Page) Href(path string) string { return "/" + p.Lang + path }

// OtherLang is the language the switch leads to.
func (p Page) OtherLang() string { return i18n.Other(p.Lang) }

// Link names a page in the reader's language. Planned entries have no URL.
type Link struct {
	Name  string
	URL   string // empty for a planned pattern
	Level int    // difficulty, 0 when not shown
}

// CategoryCard is a home-page category with its patterns.
type CategoryCard struct {
	ID       string
	Name     string
	Written  int
	Planned  int
	Patterns []Link // written ones first
}

// HomeData is the home page.
type HomeData struct {
	Categories     []CategoryCard
	StartHereTitle string
	StartHere      []Link
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

// PlayData is the playground page of a pattern's demo.
type PlayData struct {
	Title, PatternURL string // Title is empty for a shared program
	Source            string
	Sharing           bool // show the Share button
	Ran               bool // the form was posted: show the result
	Output, Errors    string
	Status            int
	Limit             string
	FakeTime          bool            // run on the simulated clock
	Images            []templ.SafeURL // pictures the program wrote (IMAGE: lines), as data URLs
}
