package search

import (
	"context"
	"testing"

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
