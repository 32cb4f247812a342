package search

import (
	"cmp"
	"html"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	bsearch "github.com/blevesearch/bleve/v2/search"
)

// hits converts Bleve's results.
func hits(res *bleve.SearchResult) []Hit {
	out := make([]Hit, 0, len(res.Hits))
	for _, h := range res.Hits {
		str := func(k string) string { s, _ := h.Fields[k].(string); return s }
		out = append(out, Hit{
			Slug: str("slug"), Lang: str("lang"), Kind: str("kind"), SectionID: str("section"),
			Title: str("title"), Heading: str("heading"), URL: str("url"),
			Snippet: snippet(str("body"), bodyLocations(h), 180),
			Score:   h.Score,
		})
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
		hs[i].Score *= prior(hs[i].SectionID, in)
		best[hs[i].Slug] = max(best[hs[i].Slug], hs[i].Score)
	}
	for i := range hs {
		if in.sections[hs[i].SectionID] {
			hs[i].Score = best[hs[i].Slug] * namedLift
		}
	}
	slices.SortStableFunc(hs, func(a, b Hit) int { return cmp.Compare(b.Score, a.Score) })
	return hs
}

// namedLift puts a named section just above its pattern's best hit.
const namedLift = 1.001

// group keeps at most three hits per pattern, best first, and limit hits.
func group(hs []Hit, limit int) []Hit {
	per := map[string]int{}
	var out []Hit
	for _, h := range hs {
		if per[h.Slug] >= 3 || len(out) >= limit {
			continue
		}
		per[h.Slug]++
		out = append(out, h)
	}
	return out
}

type span struct{ start, end int }

// bodyLocations returns the byte ranges of matched terms in the body.
func bodyLocations(h *bsearch.DocumentMatch) []span {
	var spans []span
	for _, field := range []string{fBodyEN, fBodyZH, fBodyRaw} {
		for _, locs := range h.Locations[field] {
			for _, l := range locs {
				spans = append(spans, span{int(l.Start), int(l.End)})
			}
		}
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].start < spans[j].start })
	return spans
}

// snippet cuts about width bytes of text around the first match and marks
// every match inside the window. Without matches it returns the start.
func snippet(text string, spans []span, width int) string {
	start := 0
	if len(spans) > 0 {
		start = max(0, spans[0].start-width/3)
	}
	end := min(len(text), start+width)
	start, end = runeStart(text, start), runeStart(text, end)
	var b strings.Builder
	if start > 0 {
		b.WriteString("…")
	}
	pos := start
	for _, s := range spans {
		if s.start < pos || s.end > end || s.end > len(text) {
			continue
		}
		b.WriteString(html.EscapeString(text[pos:s.start]))
		b.WriteString("<mark>" + html.EscapeString(text[s.start:s.end]) + "</mark>")
		pos = s.end
	}
	b.WriteString(html.EscapeString(text[pos:end]))
	if end < len(text) {
		b.WriteString("…")
	}
	return strings.ReplaceAll(b.String(), "\n", " ")
}

// runeStart moves i back to the start of a UTF-8 sequence.
func runeStart(s string, i int) int {
	for i > 0 && i < len(s) && !utf8.RuneStart(s[i]) {
		i--
	}
	return i
}
