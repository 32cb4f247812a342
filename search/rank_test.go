package search

import (
	"context"
	"testing"

	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/lamport-kb/lamport/i18n"
)

// TestTitleFindsDefinition: a pattern's title, searched in its language,
// finds the pattern first, as its page or its definition, never as a
// section that only mentions it (references, other languages).
func TestTitleFindsDefinition(t *testing.T) {
	idx := sharedIndex(t)
	lib, _ := corpus()
	for _, p := range lib.Patterns {
		for _, lang := range i18n.Langs {
			title := p.Docs[lang].Title
			res, err := idx.Search(context.Background(), Query{Text: title, Lang: lang, Limit: 1})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Hits) == 0 {
				t.Errorf("[%s] %q finds nothing", lang, title)
				continue
			}
			if h := res.Hits[0]; h.Slug != p.Slug || h.SectionID != "" && h.SectionID != "definition" {
				t.Errorf("[%s] %q: first hit %s#%s, want %s or its definition", lang, title, h.Slug, h.SectionID, p.Slug)
			}
		}
	}
}

// TestQueryTopLevel: a search's query is one boolean query, the language
// among its musts, never wrapped in a conjunction: Bleve's
// BooleanSearcher.Advance loses should matches (the phrase bonus), and
// which ones depends on the order of the documents in a build.
func TestQueryTopLevel(t *testing.T) {
	idx := sharedIndex(t)
	for _, text := range []string{"什么是关键事务", "what is the pivot transaction"} {
		for _, relaxed := range []bool{false, true} {
			if _, ok := buildQuery(text, i18n.Chinese, true, relaxed, idx.dict, idx).(*query.BooleanQuery); !ok {
				t.Errorf("%q (relaxed %v): the query is not a boolean query", text, relaxed)
			}
		}
	}
}

// TestNameFindsPattern: every pattern of the catalog, written or planned,
// is found first by its name in either language, even where a written
// page mentions a planned one by name (分段日志 in the write-ahead log's
// pitfalls).
func TestNameFindsPattern(t *testing.T) {
	idx := sharedIndex(t)
	lib, _ := corpus()
	for _, e := range lib.Catalog {
		for _, lang := range i18n.Langs {
			name := e.Name.In(lang)
			res, err := idx.Search(context.Background(), Query{Text: name, Lang: lang, Limit: 1})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Hits) == 0 {
				t.Errorf("[%s] %q finds nothing, want %s", lang, name, e.Slug)
			} else if h := res.Hits[0]; h.Slug != e.Slug {
				t.Errorf("[%s] %q: first hit %s#%s, want %s", lang, name, h.Slug, h.SectionID, e.Slug)
			}
		}
	}
}
