package content

import "net/url"

// The site's URL scheme for content, in one place: the Markdown pipeline,
// the search index, the site's pages and the sitemap all link with these.

// HomeURL is the home page in lang.
func HomeURL(lang string) string { return "/" + lang + "/" }

// PatternsURL is the list of every pattern in lang.
func PatternsURL(lang string) string { return "/" + lang + "/patterns/" }

// PatternURL is a pattern's page in lang.
func PatternURL(lang, slug string) string { return PatternsURL(lang) + slug }

// SectionURL is a section of a pattern's page in lang.
func SectionURL(lang, slug, section string) string { return PatternURL(lang, slug) + "#" + section }

// CategoryURL is the pattern list in lang filtered to one category.
func CategoryURL(lang, id string) string {
	return PatternsURL(lang) + "?" + url.Values{"category": {id}}.Encode()
}

// TagsURL is the list of tags in lang.
func TagsURL(lang string) string { return "/" + lang + "/tags/" }

// TagURL is the patterns of one tag in lang.
func TagURL(lang, tag string) string { return TagsURL(lang) + tag }

// PlayURL is a pattern's demo in the playground, in lang.
func PlayURL(lang, slug string) string { return "/" + lang + "/play/" + slug }

// PlaygroundURL is the standalone playground in lang.
func PlaygroundURL(lang string) string { return "/" + lang + "/play/" }

// AboutURL is the about page in lang.
func AboutURL(lang string) string { return "/" + lang + "/about" }
