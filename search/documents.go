package search

import (
	"strings"

	"github.com/lamport-kb/lamport/content"
	"github.com/lamport-kb/lamport/i18n"
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
				fields: fields(lang, p.Slug, "section", s.ID, d.Title, s.Title, s.Text, url+"#"+s.ID, aliases),
			})
		}
		docs = append(docs, document{
			id:     lang + "/" + p.Slug,
			fields: fields(lang, p.Slug, "page", "", d.Title, "", d.Summary+"\n"+strings.Join(all, "\n"), url, aliases),
		})
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
