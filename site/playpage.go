package site

import (
	"go/parser"
	"go/token"
	"net/http"
	"path"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/lamport-kb/lamport/content"
	"github.com/lamport-kb/lamport/i18n"
	"github.com/lamport-kb/lamport/site/view"
)

// helloWorld is the program the standalone playground opens on.
const helloWorld = `package main

import "fmt"

func main() {
	fmt.Println("Hello, 世界")
}
`

// handlePlayground is GET and POST /{lang}/play/: the standalone
// playground on Hello, World, with a menu of the patterns' demos. The
// menu is a GET form: ?example=slug leads to that demo's playground.
func (s *Server) handlePlayground(w http.ResponseWriter, r *http.Request) error {
	st, lang := s.current(), langOf(r)
	if ex := r.URL.Query().Get("example"); ex != "" && r.Method == http.MethodGet {
		if p := st.Library.Pattern(ex); p == nil || p.Demo == nil {
			return localError(http.StatusBadRequest, func(m *i18n.Messages) string { return m.NoExample(ex) })
		}
		http.Redirect(w, r, content.PlayURL(lang, ex), http.StatusFound)
		return nil
	}
	d := view.PlayData{
		Heading:  i18n.For(lang).PlayTitle,
		Source:   helloWorld,
		EditKey:  "/play/",
		Examples: examples(st.Library, lang, ""),
		Sharing:  s.cfg.Shares != nil,
	}
	return s.renderPlay(w, r, lang, d)
}

// examples is the playground's menu: Hello, World, then every pattern
// with a demo, in catalog order; selected names the one shown.
func examples(lib *content.Library, lang, selected string) []view.Option {
	opts := []view.Option{{Value: "", Label: i18n.For(lang).PlayHelloEx, Selected: selected == ""}}
	for _, p := range lib.Patterns {
		if p.Demo != nil {
			opts = append(opts, view.Option{Value: p.Slug, Label: p.Doc(lang).Title, Selected: p.Slug == selected})
		}
	}
	return opts
}

// sharedPage is the playground data of a shared program: titled by its
// first comment, linked back to the pattern whose package it imports.
func sharedPage(lib *content.Library, lang, id, src string) view.PlayData {
	d := view.PlayData{
		Heading:    firstComment(src),
		Source:     src,
		Sharing:    true,
		EditKey:    "/p/" + id,
		PatternURL: content.PatternsURL(lang),
		Examples:   examples(lib, lang, "-"),
	}
	if d.Heading == "" {
		d.Heading = i18n.For(lang).PlayShared
	}
	if p := importedPattern(lib, src); p != nil {
		d.Title, d.PatternURL = p.Doc(lang).Title, content.PatternURL(lang, p.Slug)
	}
	return d
}

// maxTitle bounds a shared program's title, in characters.
const maxTitle = 80

// firstComment is the first line of the program's first comment, up to
// the end of its first sentence and at most maxTitle characters; "" when
// the program has no comment before its imports end.
func firstComment(src string) string {
	// A program with a syntax error after its comment still has a title:
	// ParseFile returns what it parsed.
	f, _ := parser.ParseFile(token.NewFileSet(), "prog.go", src, parser.ImportsOnly|parser.ParseComments)
	if f == nil || len(f.Comments) == 0 {
		return ""
	}
	text := strings.TrimSpace(f.Comments[0].Text())
	text, _, _ = strings.Cut(text, "\n")
	if i := strings.Index(text, ". "); i >= 0 {
		text = text[:i]
	}
	text = strings.TrimSuffix(strings.TrimSpace(text), ".")
	if utf8.RuneCountInString(text) > maxTitle {
		text = string([]rune(text)[:maxTitle-1]) + "…"
	}
	return text
}

// importedPattern is the first written pattern whose package src imports.
func importedPattern(lib *content.Library, src string) *content.Pattern {
	f, _ := parser.ParseFile(token.NewFileSet(), "prog.go", src, parser.ImportsOnly)
	if f == nil {
		return nil
	}
	const prefix = "github.com/lamport-kb/lamport/content/patterns/"
	for _, imp := range f.Imports {
		ipath, err := strconv.Unquote(imp.Path.Value)
		if err != nil || !strings.HasPrefix(ipath, prefix) {
			continue
		}
		pkg := path.Base(ipath)
		for _, p := range lib.Patterns {
			if p.Package == pkg {
				return p
			}
		}
	}
	return nil
}

// sharedLang is the language of a shared program's page: ?lang= (the
// language switch names it), else the reader's negotiated language.
func sharedLang(r *http.Request) string {
	if lang := r.URL.Query().Get("lang"); i18n.Supported(lang) {
		return lang
	}
	return langOf(r)
}

// demoPage is the playground data of a pattern's demo.
func demoPage(lib *content.Library, lang string, p *content.Pattern, sharing bool) view.PlayData {
	return view.PlayData{
		Title:      p.Doc(lang).Title,
		PatternURL: content.PatternURL(lang, p.Slug),
		Source:     p.Demo.Source,
		Sharing:    sharing,
		EditKey:    "/play/" + p.Slug,
		Examples:   examples(lib, lang, p.Slug),
	}
}
