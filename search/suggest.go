package search

import (
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/agnivade/levenshtein"

	"github.com/lamport-kb/lamport/content"
	"github.com/lamport-kb/lamport/i18n"
)

// "Did you mean" corrects a query's typos to the words of the glossary
// and the titles, the names a learner is most likely trying to type:
// "circiut breaker" is "circuit breaker", "idempotancy" "idempotency".
// An English word is corrected when the index does not have it and a
// vocabulary word is within maxEdits of it (Levenshtein distance); a
// Chinese run when the segmenter takes it for a word one character off
// (dictionary.near: 熔段器 for 熔断器). The search itself already finds
// what a typo meant (fuzzy matching, near words); the suggestion tells
// the reader, and links to the corrected query.

// vocabulary is the set of English words suggestions correct to.
type vocabulary struct {
	words []string // lower case, sorted, at least minSuggestRunes long
}

// minSuggestRunes is the shortest word corrected: below it, one edit
// turns most words into others ("lock", "look").
const minSuggestRunes = 4

// newVocabulary collects the words of the glossary's English terms, the
// English titles and aliases, and the catalog's English names.
func newVocabulary(lib *content.Library) *vocabulary {
	set := map[string]bool{}
	add := func(s string) {
		for _, w := range words(s) {
			if utf8.RuneCountInString(w) >= minSuggestRunes && !hasHan(w) {
				set[w] = true
			}
		}
	}
	for _, t := range lib.Glossary {
		add(t.En)
	}
	for _, e := range lib.Catalog {
		add(e.Name.In(i18n.English))
	}
	for _, p := range lib.Patterns {
		add(p.Doc(i18n.English).Title)
		for _, a := range p.Aliases[i18n.English] {
			add(a)
		}
	}
	v := &vocabulary{}
	for w := range set {
		v.words = append(v.words, w)
	}
	slices.Sort(v.words)
	return v
}

// maxEdits is how far a word may be from the one it is corrected to: one
// edit in a short word, two from seven letters ("circiut" swaps two).
func maxEdits(n int) int {
	if n >= 7 {
		return 2
	}
	return 1
}

// closest returns the vocabulary word nearest to w within maxEdits, the
// first in order among equals, or "".
func (v *vocabulary) closest(w string) string {
	n := utf8.RuneCountInString(w)
	best, bestD := "", maxEdits(n)+1
	for _, c := range v.words {
		if m := utf8.RuneCountInString(c); m < n-2 || m > n+2 {
			continue
		}
		if d := levenshtein.ComputeDistance(w, c); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// suggest returns text with its typos corrected, or "" when it has none.
func (x *Index) suggest(text string) string {
	lower := strings.ToLower(text)
	out := lower
	if hasHan(lower) {
		for _, run := range scriptRuns(lower) {
			if !run.han {
				continue
			}
			for _, t := range x.dict.segment([]rune(run.text), false) {
				if len(t.maybe) > 0 {
					out = strings.Replace(out, t.text, t.maybe[0], 1)
				}
			}
		}
	}
	for _, w := range words(lower) {
		if hasHan(w) || utf8.RuneCountInString(w) < minSuggestRunes || stopWords()[w] || x.known(w) {
			continue
		}
		if c := x.vocab.closest(w); c != "" {
			out = replaceWord(out, w, c)
		}
	}
	if out == lower {
		return ""
	}
	return out
}

// replaceWord replaces the whole word w in s by c.
func replaceWord(s, w, c string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, w)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		j := i + len(w)
		if (i == 0 || !isWordByte(s[i-1])) && (j == len(s) || !isWordByte(s[j])) {
			b.WriteString(s[:i] + c)
		} else {
			b.WriteString(s[:j])
		}
		s = s[j:]
	}
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c >= 0x80
}
