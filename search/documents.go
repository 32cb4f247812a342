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

// docID is the ID of a page's document (section "") or of a section's.
func docID(lang, slug, section string) string {
	if section == "" {
		return lang + "/" + slug
	}
	return lang + "/" + slug + "#" + section
}

// shown is what a hit shows of its document: the title, the heading and
// the body its snippet is cut from, a page's body joined when it is shown.
// The index keeps these in memory, taken from the library, rather than
// stored in Bleve, whose stored fields a hit would have to read and
// decompress.
type shown struct {
	title, heading, body string
	page                 *content.Doc
}

func (s shown) text() string {
	if s.page != nil {
		return pageBody(s.page)
	}
	return s.body
}

// shownTexts maps every document's ID to what it shows.
func shownTexts(lib *content.Library) map[string]shown {
	out := make(map[string]shown)
	for _, p := range lib.Patterns {
		for lang, d := range p.Docs {
			for _, s := range d.Sections {
				out[docID(lang, p.Slug, s.ID)] = shown{title: d.Title, heading: s.Title, body: s.Text}
			}
			out[docID(lang, p.Slug, "")] = shown{title: d.Title, page: d}
		}
	}
	for _, e := range lib.Catalog {
		if !e.Written {
			for _, lang := range i18n.Langs {
				out[docID(lang, e.Slug, "")] = shown{title: e.Name.In(lang)}
			}
		}
	}
	return out
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
		for _, s := range d.Sections {
			docs = append(docs, document{
				id:     docID(lang, p.Slug, s.ID),
				fields: fields(lang, p.Slug, kindSection, d.Title, s.Title, s.Text, aliases),
			})
		}
		docs = append(docs, document{
			id:     docID(lang, p.Slug, ""),
			fields: fields(lang, p.Slug, kindPage, d.Title, "", pageBody(d), aliases),
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
		f := fields(lang, e.Slug, kindPlanned, name, "", "", other)
		docs = append(docs, document{id: docID(lang, e.Slug, ""), fields: f})
	}
	return docs
}

// pageBody is the text of a page document: the summary and every section.
func pageBody(d *content.Doc) string {
	all := []string{d.Summary}
	for _, s := range d.Sections {
		all = append(all, s.Text)
	}
	return strings.Join(all, "\n")
}

// fields fills the language's indexed fields.
func fields(lang, slug, kind, title, heading, body, aliases string) map[string]any {
	f := map[string]any{"slug": slug, "lang": lang, "kind": kind, fAlias: aliases}
	if lang == i18n.Chinese {
		f[fTitleZH], f[fHeadingZH], f[fBodyZH], f[fBodyZH1] = title, heading, body, body
	} else {
		f[fTitleEN], f[fHeadingEN], f[fBodyEN] = title, heading, body
		f[fTitleRaw], f[fHeadingRaw], f[fBodyRaw] = title, heading, body
	}
	return f
}
