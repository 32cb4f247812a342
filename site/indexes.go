package site

import (
	"github.com/lamport-kb/lamport/content"
	"github.com/lamport-kb/lamport/i18n"
)

// indexes are lookups derived once per library.
type indexes struct {
	byCategory map[string][]*content.Pattern
	byTag      map[string][]*content.Pattern
	position   map[string]int // slug → index in lib.Patterns
	requiredBy map[string][]string
}

func buildIndexes(lib *content.Library) *indexes {
	ix := &indexes{
		byCategory: make(map[string][]*content.Pattern),
		byTag:      make(map[string][]*content.Pattern),
		position:   make(map[string]int),
		requiredBy: make(map[string][]string),
	}
	for i, p := range lib.Patterns {
		ix.position[p.Slug] = i
		ix.byCategory[p.Category] = append(ix.byCategory[p.Category], p)
		for _, t := range p.Tags {
			ix.byTag[t] = append(ix.byTag[t], p)
		}
		for _, rel := range p.Relations {
			if rel.Type == content.Requires {
				ix.requiredBy[rel.Target] = append(ix.requiredBy[rel.Target], p.Slug)
			}
		}
	}
	return ix
}

// doc returns p's page in lang, falling back to English.
func doc(p *content.Pattern, lang string) *content.Doc {
	if d := p.Docs[lang]; d != nil {
		return d
	}
	return p.Docs[i18n.English]
}

// entryName names a catalog slug in lang: the page title when written,
// else the catalog's name.
func entryName(lib *content.Library, slug, lang string) string {
	if p := lib.Pattern(slug); p != nil {
		return doc(p, lang).Title
	}
	if e := lib.Entry(slug); e != nil {
		if n := e.Name[lang]; n != "" {
			return n
		}
		return e.Name[i18n.English]
	}
	return slug
}

func patternURL(lang, slug string) string { return "/" + lang + "/patterns/" + slug }

func tagURL(lang, tag string) string { return "/" + lang + "/tags/" + tag }

func categoryURL(lang, id string) string { return "/" + lang + "/patterns/?category=" + id }

// localName picks lang's name from a language map, falling back to English.
func localName(names map[string]string, lang, fallback string) string {
	if n := names[lang]; n != "" {
		return n
	}
	if n := names[i18n.English]; n != "" {
		return n
	}
	return fallback
}
