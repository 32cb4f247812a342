package search

import (
	"strings"

	"github.com/lamport-kb/lamport/content"
	"github.com/lamport-kb/lamport/i18n"
)

// Kinds of documents.
const (
	kindPage    = "page"
	kindSection = "section"
	kindPlanned = "planned" // a catalog entry without a page yet, found by its names
)

type document struct {
	id     string
	fields map[string]any
}

// documents returns the page and section documents of a pattern, in every
// language.
func documents(p *content.Pattern) []document {
	aliases := strings.Join(append(append([]string{}, p.Aliases[i18n.English]...), p.Aliases[i18n.Chinese]...), " ")
	var docs []document
	for _, lang := range i18n.Langs {
		d := p.Docs[lang]
		if d == nil {
			continue
		}
		url := content.PatternURL(lang, p.Slug)
		var all []string
		for _, s := range d.Sections {
			all = append(all, s.Text)
			docs = append(docs, document{
				id:     lang + "/" + p.Slug + "#" + s.ID,
				fields: fields(lang, p.Slug, kindSection, s.ID, d.Title, s.Title, s.Text, url+"#"+s.ID, aliases),
			})
		}
		docs = append(docs, document{
			id:     lang + "/" + p.Slug,
			fields: fields(lang, p.Slug, kindPage, "", d.Title, "", d.Summary+"\n"+strings.Join(all, "\n"), url, aliases),
		})
	}
	return docs
}

// plannedDocuments returns a document per language for a catalog entry
// that has no page yet: its names are all there is to find, so the names
// of both languages go into the title of each (a Chinese reader may type
// "fencing token", an English one 防护令牌), and the body is empty. It
// links to the entry's URL, where the site shows the planned page.
func plannedDocuments(e *content.Entry) []document {
	var docs []document
	for _, lang := range i18n.Langs {
		name := e.Name.In(lang)
		other := e.Name.In(i18n.Other(lang))
		f := fields(lang, e.Slug, kindPlanned, "", name, "", "", content.PatternURL(lang, e.Slug), other)
		docs = append(docs, document{id: lang + "/" + e.Slug, fields: f})
	}
	return docs
}

// fields fills the language's indexed fields and the stored display fields.
func fields(lang, slug, kind, section, title, heading, body, url, aliases string) map[string]any {
	f := map[string]any{
		"slug": slug, "lang": lang, "kind": kind, "section": section,
		"title": title, "heading": heading, "body": body, "url": url,
		fAlias: aliases,
	}
	if lang == i18n.Chinese {
		f[fTitleZH], f[fHeadingZH], f[fBodyZH], f[fBodyZH1] = title, heading, body, body
	} else {
		f[fTitleEN], f[fHeadingEN], f[fBodyEN] = title, heading, body
		f[fTitleRaw], f[fHeadingRaw], f[fBodyRaw] = title, heading, body
	}
	return f
}
