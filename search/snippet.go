package search

import (
	"cmp"
	"html"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/lamport-kb/lamport/content"
)

// hits converts Bleve's results. What a hit is comes from its document's
// id (lang/slug, lang/slug#section) and the index's entries; titles and
// snippets are added later, for the hits of the page asked for only
// (complete).
func (x *Index) hits(res *bleve.SearchResult) []Hit {
	out := make([]Hit, 0, len(res.Hits))
	for _, h := range res.Hits {
		lang, rest, _ := strings.Cut(h.ID, "/")
		slug, section, isSection := strings.Cut(rest, "#")
		m := x.meta[slug]
		hit := Hit{Slug: slug, Lang: lang, Kind: kindPage, SectionID: section, URL: content.PatternURL(lang, slug),
			Score: h.Score, id: h.ID,
			Category: m.category, Tags: m.tags, Planned: m.planned}
		switch {
		case isSection:
			hit.Kind, hit.URL = kindSection, content.SectionURL(lang, slug, section)
		case m.planned:
			hit.Kind = kindPlanned
		}
		out = append(out, hit)
	}
	return out
}

// sectionPrior scales a hit's score by what its section is for: a page
// and its definition answer "what is X"; the references, the list of other
// languages' libraries and the real systems name X as often, but answer
// less. Every section of a page carries the page's title, so without the
// prior the section with the most incidental mentions would come first.
var sectionPrior = map[string]float64{
	"": 1.2, "definition": 1.1, "formalization": 0.95, "when-to-use": 0.95, "diagrams": 0.95,
	"implementation": 0.95, "pitfalls": 0.95, "faq": 0.95, "testing": 0.9,
	"in-the-wild": 0.85, "other-languages": 0.75, "references": 0.7,
}

// Intent factors (intent.go): the FAQ for a question, the definition for
// "what is X". A question or a named section also lowers the page
// document: it holds the text of every section, so it ties the section
// that answers and would win on its prior. A section the query names by
// its heading's words is not weighed but put first among its pattern's
// hits (rerank): it may not repeat the pattern's name in its text, which
// costs it more than any factor would make up.
const (
	questionFAQFactor   = 1.35
	definitionFactor    = 1.2
	definitionFAQFactor = 1.1
	focusedPageFactor   = 0.8
)

// plannedPrior scales the score of a planned entry, which has nothing but
// its name: it comes first when the query is its name ("fencing token",
// "paxos"), not when its long name shares a term with a written page that
// explains it ("read your writes" is in the name of the planned
// consistency models and in CQRS's text).
const plannedPrior = 0.3

// prior is the factor of a hit's score for its section and the query's
// intent.
func prior(section string, in intent) float64 {
	p, ok := sectionPrior[section]
	if !ok {
		p = 1
	}
	switch {
	case in.definition && section == "definition":
		p *= definitionFactor
	case in.definition && section == "faq":
		p *= definitionFAQFactor
	case in.question && section == "faq":
		p *= questionFAQFactor
	}
	if section == "" && !in.definition && (in.question || len(in.sections) > 0) {
		p *= focusedPageFactor
	}
	return p
}

// rerank applies prior, lifts a section the query names to the score of
// its pattern's best hit, and sorts the hits by the new score.
func rerank(hs []Hit, in intent) []Hit {
	best := map[string]float64{}
	for i := range hs {
		if hs[i].Kind == kindPlanned {
			hs[i].Score *= plannedPrior
			continue
		}
		hs[i].Score *= prior(hs[i].SectionID, in)
		best[hs[i].Slug] = max(best[hs[i].Slug], hs[i].Score)
	}
	for i := range hs {
		if in.sections[hs[i].SectionID] {
			hs[i].Score = best[hs[i].Slug] * namedLift
		}
	}
	// Equal scores in document ID order: Bleve returns ties in the order
	// of the index's segments, which differs from one build to the next.
	slices.SortStableFunc(hs, func(a, b Hit) int { return cmp.Or(cmp.Compare(b.Score, a.Score), strings.Compare(a.id, b.id)) })
	if in.named != "" { // the named pattern's hits first, in their order
		slices.SortStableFunc(hs, func(a, b Hit) int { return cmp.Compare(b2i(b.Slug == in.named), b2i(a.Slug == in.named)) })
	}
	return hs
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// namedLift puts a named section just above its pattern's best hit.
const namedLift = 1.001

// group keeps at most three hits per pattern and language, best first.
func group(hs []Hit) []Hit {
	type key struct{ slug, lang string }
	per := map[key]int{}
	out := hs[:0]
	for _, h := range hs {
		k := key{h.Slug, h.Lang}
		if per[k] >= 3 {
			continue
		}
		per[k]++
		out = append(out, h)
	}
	return out
}

type span struct{ start, end int }

// snippetFields are the fields whose match locations mark a snippet.
var snippetFields = []string{fBodyEN, fBodyZH, fBodyRaw}

// bodyLocations returns the byte ranges of matched terms in the body.
func bodyLocations(h *bsearch.DocumentMatch) []span {
	var spans []span
	for _, field := range snippetFields {
		for _, locs := range h.Locations[field] {
			for _, l := range locs {
				spans = append(spans, span{int(l.Start), int(l.End)})
			}
		}
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].start < spans[j].start })
	return merge(spans)
}

// merge joins overlapping and touching spans, sorted by start: the
// bigrams of 熔断器, 熔断 and 断器, mark one word, and the stemmed and raw
// fields report the same English word twice.
func merge(spans []span) []span {
	out := spans[:0]
	for _, s := range spans {
		if n := len(out); n > 0 && s.start <= out[n-1].end {
			out[n-1].end = max(out[n-1].end, s.end)
			continue
		}
		out = append(out, s)
	}
	return out
}

// snippet cuts about width bytes of text around the first match and marks
// every match inside the window, as HTML. Without matches it returns the
// start.
func snippet(text string, spans []span, width int) string {
	return markHTML(cut(text, spans, width))
}

// cut returns about width bytes of text around the first match, with the
// matches inside it in runes from its start; newlines become spaces. An
// ellipsis marks text left out at either end.
func cut(text string, spans []span, width int) (string, []Mark) {
	start := 0
	if len(spans) > 0 {
		start = max(0, spans[0].start-width/3)
	}
	end := min(len(text), start+width)
	start, end = runeStart(text, start), runeStart(text, end)
	if len(spans) > 0 {
		start, end = wordStart(text, start, spans[0].start), wordEnd(text, end, spans[0].end)
	}
	var b strings.Builder
	var marks []Mark
	runes := 0
	write := func(s string) {
		b.WriteString(s)
		runes += utf8.RuneCountInString(s)
	}
	if start > 0 {
		write("…")
	}
	pos := start
	for _, s := range spans {
		if s.start < pos || s.end > end || s.end > len(text) {
			continue
		}
		write(text[pos:s.start])
		m := Mark{Start: runes}
		write(text[s.start:s.end])
		m.End = runes
		marks = append(marks, m)
		pos = s.end
	}
	write(text[pos:end])
	if end < len(text) {
		write("…")
	}
	return strings.ReplaceAll(b.String(), "\n", " "), marks
}

// markHTML escapes text and puts <mark> around its marks.
func markHTML(text string, marks []Mark) string {
	rs := []rune(text)
	var b strings.Builder
	pos := 0
	for _, m := range marks {
		b.WriteString(html.EscapeString(string(rs[pos:m.Start])))
		b.WriteString("<mark>" + html.EscapeString(string(rs[m.Start:m.End])) + "</mark>")
		pos = m.End
	}
	b.WriteString(html.EscapeString(string(rs[pos:])))
	return b.String()
}

// wordSlack is how far a snippet's ends move to fall between words.
const wordSlack = 24

// wordStart moves a snippet's start i forward to the start of a word, at
// most to limit (its first match) and by at most wordSlack bytes: "…ry
// time the lock" reads as "…time the lock". Chinese text, which has no
// spaces, may start at any character.
func wordStart(text string, i, limit int) int {
	for i > 0 && i < limit && blank(text[i]) {
		i++
	}
	if i == 0 || betweenWords(text, i) {
		return i
	}
	for j := i; j < min(limit, i+wordSlack); j++ {
		if blank(text[j]) {
			return j + 1
		}
	}
	return i
}

// wordEnd moves a snippet's end i back to the end of a word, not before
// floor (its first match's end) and by at most wordSlack bytes.
func wordEnd(text string, i, floor int) int {
	for i < len(text) && i > floor && blank(text[i-1]) {
		i--
	}
	if i >= len(text) || betweenWords(text, i) {
		return i
	}
	for j := i; j > max(floor, i-wordSlack); j-- {
		if blank(text[j-1]) {
			return j - 1
		}
	}
	return i
}

// blank reports whether c separates words in a section's text.
func blank(c byte) bool { return c == ' ' || c == '\n' }

// betweenWords reports whether text may be cut at i without splitting a
// Latin word: a letter or digit on neither side, or a CJK character on
// either.
func betweenWords(text string, i int) bool {
	before, _ := utf8.DecodeLastRuneInString(text[:i])
	after, _ := utf8.DecodeRuneInString(text[i:])
	wordy := func(r rune) bool {
		return (unicode.IsLetter(r) || unicode.IsDigit(r)) && !unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul)
	}
	return !wordy(before) || !wordy(after)
}

// runeStart moves i back to the start of a UTF-8 sequence.
func runeStart(s string, i int) int {
	for i > 0 && i < len(s) && !utf8.RuneStart(s[i]) {
		i--
	}
	return i
}
