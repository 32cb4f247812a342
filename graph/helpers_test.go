package graph

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
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

// randomSpec returns a random library spec (see library) of 2 to 9
// patterns, some planned, with requires edges that form a DAG, symmetric
// edges, mentions and tags. Every statement is valid.
func randomSpec(r *rand.Rand) string {
	n := 2 + r.IntN(8)
	slugs := make([]string, n)
	var catalog []string
	for i := range slugs {
		slugs[i] = fmt.Sprintf("p%d", i)
		entry := slugs[i]
		if i > 0 && r.IntN(5) == 0 {
			entry = "~" + entry
		}
		catalog = append(catalog, entry)
	}
	r.Shuffle(n, func(i, j int) { catalog[i], catalog[j] = catalog[j], catalog[i] })
	lines := []string{strings.Join(catalog, " ")}
	for i, from := range catalog {
		if strings.HasPrefix(from, "~") {
			continue
		}
		byType := map[string][]string{}
		for j, to := range slugs {
			if to == from {
				continue
			}
			switch r.IntN(8) {
			case 0:
				// Requires only points at lower-numbered slugs: a DAG.
				if j < indexOf(slugs, from) {
					byType["requires"] = append(byType["requires"], to)
				}
			case 1:
				byType["combines-with"] = append(byType["combines-with"], to)
			case 2:
				byType["alternative-to"] = append(byType["alternative-to"], to)
			case 3:
				byType["mentions"] = append(byType["mentions"], to)
			}
		}
		for _, typ := range []string{"requires", "combines-with", "alternative-to", "mentions"} {
			if len(byType[typ]) > 0 {
				lines = append(lines, from+" "+typ+" "+strings.Join(byType[typ], " "))
			}
		}
		tags := []string{"t1", "t2", "t3", "t4"}[:r.IntN(5)]
		if len(tags) > 0 && i%2 == 0 {
			tags = tags[1:]
		}
		if len(tags) > 0 {
			lines = append(lines, from+" tags "+strings.Join(tags, " "))
		}
	}
	return strings.Join(lines, "\n")
}

func indexOf(s []string, v string) int { return slices.Index(s, v) }

// shuffled returns spec with its catalog in another order.
func shuffled(r *rand.Rand, spec string) string {
	first, rest, _ := strings.Cut(spec, "\n")
	f := strings.Fields(first)
	r.Shuffle(len(f), func(i, j int) { f[i], f[j] = f[j], f[i] })
	return strings.Join(f, " ") + "\n" + rest
}

// forRandomGraphs calls check on many random graphs, naming the spec of
// any that fails.
func forRandomGraphs(t *testing.T, check func(t *testing.T, r *rand.Rand, spec string, g *Graph)) {
	t.Helper()
	r := rand.New(rand.NewPCG(1, 2))
	for range 300 {
		spec := randomSpec(r)
		g := mustBuild(t, spec)
		check(t, r, spec, g)
		if t.Failed() {
			t.Fatalf("failing graph:\n%s", spec)
		}
	}
}

// contentLibrary is the embedded content, loaded once per test binary:
// loading it (Markdown, highlighting) costs more than the graph tests
// themselves, above all under -race. Each test builds its own Graph from
// it, so no layout is shared between tests.
var contentLibrary = sync.OnceValues(func() (*content.Library, error) { return content.Load(content.FS()) })
