package search

import (
	"cmp"
	"slices"

	"github.com/lamport-kb/lamport/content"
)

// A search ranks the best window documents once and cuts every page from
// them: the results are grouped (at most three per pattern and language),
// in the reader's language first (preferred), then filtered by category
// and tag (page). The facets count the results under the other filter, so
// a facet's count is the Total its filter gives, and Total is what the
// pages hold.

// preferred puts the hits in lang first and keeps, of the other
// language's, those of patterns lang has no hit of: the same page in the
// other language adds nothing but a planned entry or a page only the
// other language matched does. With lang empty, hs are unchanged.
// Of the other language's hits it keeps those that score at least
// otherFloor times the best hit: a page that only shares a common word
// with the query is noise, more so in a language the reader did not ask
// for.
func preferred(hs []Hit, lang string) []Hit {
	if lang == "" {
		return hs
	}
	have := map[string]bool{}
	var first, rest []Hit
	best := 0.0
	for _, h := range hs {
		best = max(best, h.Score)
		if h.Lang == lang {
			have[h.Slug] = true
			first = append(first, h)
		}
	}
	for _, h := range hs {
		if h.Lang != lang && !have[h.Slug] && h.Score >= otherFloor*best {
			rest = append(rest, h)
		}
	}
	return append(first, rest...)
}

// otherFloor is the least score, relative to the best hit, of a hit in
// the other language.
const otherFloor = 0.2

// page filters all by q's category and tag, counts the facets, and cuts
// the page q asks for.
func (x *Index) page(all []Hit, q Query) *Results {
	inCategory := func(h Hit) bool { return q.Category == "" || h.Category == q.Category }
	hasTag := func(h Hit) bool { return q.Tag == "" || slices.Contains(h.Tags, q.Tag) }
	cats, tags := map[string]int{}, map[string]int{}
	var kept []Hit
	for _, h := range all {
		if hasTag(h) && h.Category != "" {
			cats[h.Category]++
		}
		if inCategory(h) {
			for _, t := range h.Tags {
				tags[t]++
			}
		}
		if inCategory(h) && hasTag(h) {
			kept = append(kept, h)
		}
	}
	out := &Results{Total: len(kept), Categories: facets(cats), Tags: facets(tags)}
	from := min(max(q.Offset, 0), len(kept))
	out.Hits = kept[from:min(from+limit(q), len(kept))]
	return out
}

// facets lists counts by value, most results first, then by value.
func facets(counts map[string]int) []Facet {
	out := make([]Facet, 0, len(counts))
	for v, n := range counts {
		out = append(out, Facet{Value: v, Count: n})
	}
	slices.SortFunc(out, func(a, b Facet) int { return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Value, b.Value)) })
	return out
}

// snippetWidth is the length of a snippet, in bytes of its text.
const snippetWidth = 180

// complete fills each hit's title and heading, and cuts its snippet from
// its document's body. A page beside hits of its own sections is cut
// around matches elsewhere (pageSpans): the page document holds their
// text, and its first match would often repeat a section's snippet word
// for word.
func (x *Index) complete(hs []Hit) {
	beside := map[string][]string{} // a page document's ID → its sections among hs
	for _, h := range hs {
		if h.Kind == kindSection {
			page := docID(h.Lang, h.Slug, "")
			beside[page] = append(beside[page], h.SectionID)
		}
	}
	for i := range hs {
		h := &hs[i]
		doc, ok := x.shown[h.id]
		if !ok {
			continue
		}
		h.Title, h.Heading = doc.title, doc.heading
		if h.Kind == kindPlanned {
			continue
		}
		var text string
		spans := h.spans
		if doc.page != nil && len(beside[h.id]) > 0 {
			text, spans = pageSpans(doc.page, h.spans, beside[h.id])
		} else {
			text = doc.text()
		}
		h.Text, h.Marks = cut(text, spans, snippetWidth)
		h.Snippet = markHTML(h.Text, h.Marks)
	}
}

// pageSpans returns the text and matches a page's snippet is cut from when
// some of its sections are hits beside it: its summary, if the query
// matched there; else the page's body and its matches outside those
// sections; else, every match being in them, the summary unmarked, which
// says what the page is about while the sections show the matches.
func pageSpans(d *content.Doc, spans []span, beside []string) (string, []span) {
	var summary, elsewhere []span
	ranges := sectionRanges(d, beside)
	for _, s := range spans {
		switch {
		case s.end <= len(d.Summary):
			summary = append(summary, s)
		case !within(s, ranges):
			elsewhere = append(elsewhere, s)
		}
	}
	if len(summary) == 0 && len(elsewhere) > 0 {
		return pageBody(d), elsewhere
	}
	return d.Summary, summary
}

// sectionRanges returns where the sections ids are in the page body of d
// (pageBody: the summary and the sections, joined by newlines).
func sectionRanges(d *content.Doc, ids []string) []span {
	var out []span
	at := len(d.Summary) + 1
	for _, s := range d.Sections {
		if slices.Contains(ids, s.ID) {
			out = append(out, span{at, at + len(s.Text)})
		}
		at += len(s.Text) + 1
	}
	return out
}

func within(s span, ranges []span) bool {
	for _, r := range ranges {
		if s.start >= r.start && s.end <= r.end {
			return true
		}
	}
	return false
}
