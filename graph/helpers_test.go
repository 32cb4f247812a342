package graph

import (
	"cmp"
	"strings"
	"testing"

	"github.com/lamport-kb/lamport/content"
	"github.com/lamport-kb/lamport/i18n"
)

// library hand-builds a library from a small spec, one statement a line:
//
//	a b ~c            the catalog, in order (first line); ~ marks a planned entry
//	a requires b c    relations in a's pattern.yaml, at the spec's line number
//	a mentions b      a [[b]] link in a's English page (mentions:zh, the Chinese)
//	a tags x y        a's tags
//
// Every unmarked catalog entry is written, in patterns/<slug without
// hyphens>, titled with its slug in upper case.
func library(t testing.TB, spec string) *content.Library {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(spec), "\n")
	lib := &content.Library{}
	written := map[string]*content.Pattern{}
	for _, f := range strings.Fields(lines[0]) {
		slug, planned := strings.CutPrefix(f, "~")
		lib.Catalog = append(lib.Catalog, &content.Entry{Slug: slug, Written: !planned,
			Name: content.Names{i18n.English: slug, i18n.Chinese: slug + "（中）"}})
		if !planned {
			p := writtenPattern(slug)
			written[slug] = p
			lib.Patterns = append(lib.Patterns, p)
		}
	}
	for n, line := range lines[1:] {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		p := written[f[0]]
		if p == nil {
			t.Fatalf("spec line %d: %s is not a written pattern", n+2, f[0])
		}
		switch verb, lang, _ := strings.Cut(f[1], ":"); verb {
		case "tags":
			p.Tags = append(p.Tags, f[2:]...)
		case "mentions":
			lang = cmp.Or(lang, i18n.English)
			for _, to := range f[2:] {
				p.Docs[lang].Links = append(p.Docs[lang].Links, content.Link{Slug: to})
			}
		default:
			for _, to := range f[2:] {
				p.Relations = append(p.Relations, content.Relation{Type: verb, Target: to, Line: n + 2})
			}
		}
	}
	return lib
}

func writtenPattern(slug string) *content.Pattern {
	pkg := strings.ReplaceAll(slug, "-", "")
	p := &content.Pattern{Slug: slug, Package: pkg, Dir: "patterns/" + pkg, Docs: map[string]*content.Doc{}}
	for _, lang := range i18n.Langs {
		p.Docs[lang] = &content.Doc{Lang: lang, Title: strings.ToUpper(slug) + " " + lang}
	}
	return p
}

// mustBuild builds the graph of a spec (see library), failing on problems.
func mustBuild(t testing.TB, spec string) *Graph {
	t.Helper()
	g, err := Build(library(t, spec))
	if err != nil {
		t.Fatalf("Build:\n%v", err)
	}
	return g
}
