// Package content is Lamport's document model: it loads the content tree
// (catalog.yaml and one folder per pattern), validates it, renders it with
// the project's one Markdown pipeline, and answers the lookups the rest of
// the site needs. Every reader of content goes through Load, which takes an
// fs.FS: the embedded corpus (FS) in production, os.DirFS while an author
// edits, an fstest.MapFS in tests.
//
// # The tree
//
//	catalog.yaml                 categories, tags, the content plan (every
//	                             pattern, written or planned) and "start here"
//	patterns/<pkg>/pattern.yaml  a pattern's language-independent facts: slug,
//	                             category and difficulty (equal to the
//	                             catalog's), tags, typed relations, aliases,
//	                             real systems with their sources, the demo
//	patterns/<pkg>/en.md, zh.md  the prose, one file per language (i18n.Langs),
//	                             front matter holding only what is translated
//	patterns/<pkg>/*.go          the pattern's Go package, which the prose
//	                             includes by declaration name
//	patterns/<pkg>/demo/main.go  the runnable demo
//
// # Loading
//
// Load reads the catalog, then every pattern folder in two passes (facts
// and front matter first, so a link can name any page's title and
// sections; then the Markdown), and returns a *Library or every problem it
// found as Problems, each at file:line. `lamport check` prints them. A page
// must have the chapter template's sections (SectionIDs), once each, in
// order, each with an explicit {#id}; the sections are found by the
// pipeline's own parser, the same parse that renders them. Non-fatal
// findings (TODOs, a stale translation) are Library.Warnings.
//
// # The pipeline
//
// newMarkdown is the one goldmark configuration: GFM, footnotes, heading
// attributes with CJK-safe IDs, Chroma highlighting with CSS classes,
// ```mermaid diagrams, $…$ and $$…$$ math, [[slug]] and
// [[slug#section|text]] links resolved to the reader's language (a broken
// one is a load error), and ```go include=Name blocks replaced by the named
// declaration of the pattern's own package, so a page shows tested code
// that cannot drift. Each declaration is highlighted once for both
// languages; a demo's highlighted source is Demo.HTML. Go is lexed by
// goTokens, Chroma's Go rules without its backtracking regexps (a fuzz test
// holds the two to the same tokens), and tokens the themes draw as plain
// text are written without a span.
//
// # Translations
//
// English is the source language. A translation records in its front
// matter (source-hash) the hash of each English section it translates;
// when the English text changes, that section of the translation is stale:
// the English text is shown with a notice and the outdated translation
// folded below, and a warning names it. Stamp records the current hashes
// after the translation is brought up to date.
//
// # Lookups and URLs
//
// Library answers Pattern, Entry, Category, Tag and Name (a slug's name in
// a language: the page title when written, else the catalog's); Names.In
// and Pattern.Doc fall back to English. urls.go is the site's URL scheme
// for content; the pipeline, the search index and the site all use it.
package content
