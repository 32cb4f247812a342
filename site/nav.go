package site

import (
	"cmp"
	"slices"

	"github.com/lamport-kb/lamport/content"
	"github.com/lamport-kb/lamport/i18n"
	"github.com/lamport-kb/lamport/site/view"
)

// navTrees builds the navigation tree of every language once per library:
// each category with its written patterns linked, in catalog order, and
// the names of its planned ones.
func navTrees(lib *content.Library) map[string][]view.NavGroup {
	trees := make(map[string][]view.NavGroup, len(i18n.Langs))
	for _, lang := range i18n.Langs {
		trees[lang] = navTree(lib, lang)
	}
	return trees
}

func navTree(lib *content.Library, lang string) []view.NavGroup {
	groups := make([]view.NavGroup, 0, len(lib.Categories))
	index := make(map[string]int, len(lib.Categories))
	for _, c := range lib.Categories {
		index[c.ID] = len(groups)
		groups = append(groups, view.NavGroup{ID: c.ID, Name: c.Name.In(lang), URL: content.CategoryURL(lang, c.ID)})
	}
	for _, e := range lib.Catalog {
		i, ok := index[e.Category]
		if !ok {
			continue
		}
		g := &groups[i]
		g.Total++
		if e.Written {
			g.Written++
			g.Patterns = append(g.Patterns, view.Link{Name: lib.Name(e.Slug, lang), URL: content.PatternURL(lang, e.Slug)})
		} else {
			g.Planned = append(g.Planned, lib.Name(e.Slug, lang))
		}
	}
	return groups
}

// recentlyChanged lists up to n written patterns, the most recently
// updated first (by the page's updated date in lang; ties in catalog
// order), with their dates. Pages without a date are left out.
func recentlyChanged(lib *content.Library, lang string, n int) []view.Dated {
	var out []view.Dated
	for _, p := range lib.Patterns {
		if d := p.Doc(lang); !d.Updated.IsZero() {
			out = append(out, view.Dated{Link: view.Link{Name: d.Title, URL: content.PatternURL(lang, p.Slug)}, Date: d.Updated.Format("2006-01-02")})
		}
	}
	slices.SortStableFunc(out, func(a, b view.Dated) int { return cmp.Compare(b.Date, a.Date) })
	return out[:min(n, len(out))]
}
