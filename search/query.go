package search

import (
	"cmp"
	"slices"
	"strings"
	"sync"
	"unicode"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/search/query"
)

// maxExpansions bounds the terms a prefix expands to: "re" matches
// hundreds of words, and each one is a posting list to merge.
const maxExpansions = 32

// expander lists the terms of field that start with prefix.
type expander func(field, prefix string) []string

// buildQuery routes by script and restricts results to lang.
func buildQuery(text, lang string, expand expander) query.Query {
	var q query.Query
	if hasHan(text) {
		q = chineseQuery(text)
	} else {
		q = englishQuery(text, expand)
	}
	if lang == "" {
		return q
	}
	l := bleve.NewTermQuery(lang)
	l.SetField("lang")
	return bleve.NewConjunctionQuery(q, l)
}

// chineseQuery: every term (CJK bigrams, or words in other scripts) must
// match in one of the Chinese fields or the aliases; a phrase match
// ranks higher.
func chineseQuery(text string) query.Query {
	var alts []query.Query
	for field, boost := range map[string]float64{fTitleZH: 4, fHeadingZH: 2, fBodyZH: 1, fAlias: 3, fTitleRaw: 2, fBodyRaw: 1} {
		m := bleve.NewMatchQuery(text)
		m.SetField(field)
		m.SetOperator(query.MatchQueryOperatorAnd)
		m.SetBoost(boost)
		alts = append(alts, m)
	}
	must := bleve.NewDisjunctionQuery(alts...)
	phrase := bleve.NewMatchPhraseQuery(text)
	phrase.SetField(fBodyZH)
	phrase.SetBoost(2)
	b := bleve.NewBooleanQuery()
	b.AddMust(must)
	b.AddShould(phrase)
	return b
}

// englishQuery: each word must match somewhere (stemmed, or as a prefix
// when it is the last word, or fuzzily when it has five letters or more);
// the whole text as a phrase ranks higher.
func englishQuery(text string, expand expander) query.Query {
	words := words(text)
	if len(words) == 0 {
		return bleve.NewMatchNoneQuery()
	}
	conj := bleve.NewConjunctionQuery()
	for i, w := range words {
		last := i == len(words)-1
		// A stop word analyses to nothing and would match nothing; only
		// the last word may be the prefix of a real one.
		if !last && stopWords()[w] {
			continue
		}
		conj.AddQuery(wordQuery(w, last, expand))
	}
	b := bleve.NewBooleanQuery()
	b.AddMust(conj)
	for field, boost := range map[string]float64{fTitleEN: 6, fHeadingEN: 3, fBodyEN: 2} {
		phrase := bleve.NewMatchPhraseQuery(text)
		phrase.SetField(field)
		phrase.SetBoost(boost)
		b.AddShould(phrase)
	}
	return b
}

// words returns the distinct lowercase words of text, in order: a
// repeated word adds cost, not meaning.
func words(text string) []string {
	var out []string
	seen := make(map[string]bool)
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}) {
		if !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	return out
}

func wordQuery(w string, last bool, expand expander) query.Query {
	var alts []query.Query
	for field, boost := range map[string]float64{fTitleEN: 4, fHeadingEN: 2, fBodyEN: 1, fAlias: 3} {
		m := bleve.NewMatchQuery(w)
		m.SetField(field)
		m.SetBoost(boost)
		alts = append(alts, m)
	}
	if last && len(w) >= 2 {
		for field, boost := range map[string]float64{fTitleRaw: 2, fHeadingRaw: 1, fBodyRaw: 0.5} {
			if terms := expand(field, w); len(terms) > 0 {
				alts = append(alts, termsQuery(field, terms, boost))
			}
		}
	}
	if len([]rune(w)) >= 5 {
		for field, boost := range map[string]float64{fTitleRaw: 1, fBodyRaw: 0.3} {
			f := bleve.NewFuzzyQuery(w)
			f.SetField(field)
			f.SetFuzziness(1)
			f.SetBoost(boost)
			alts = append(alts, f)
		}
	}
	return bleve.NewDisjunctionQuery(alts...)
}

// stopWords is the English stop list of the "en" analyzer, parsed once.
var stopWords = sync.OnceValue(func() map[string]bool {
	words := make(map[string]bool)
	for _, line := range strings.Split(string(en.EnglishStopWords), "\n") {
		if w, _, _ := strings.Cut(line, "|"); strings.TrimSpace(w) != "" {
			words[strings.TrimSpace(w)] = true
		}
	}
	return words
})

// termsQuery matches any of terms in field, the prefix query that Bleve
// would build, but over the bounded list of terms.
func termsQuery(field string, terms []string, boost float64) query.Query {
	alts := make([]query.Query, len(terms))
	for i, t := range terms {
		q := bleve.NewTermQuery(t)
		q.SetField(field)
		alts[i] = q
	}
	d := bleve.NewDisjunctionQuery(alts...)
	d.SetBoost(boost)
	return d
}

// prefixTerms is the expander of the index: the maxExpansions terms of
// field starting with prefix that occur in the most documents (the
// likeliest completions of what the reader is typing).
func (x *Index) prefixTerms(field, prefix string) []string {
	dict, err := x.bleve.FieldDictPrefix(field, []byte(prefix))
	if err != nil {
		return nil
	}
	defer dict.Close()
	type entry struct {
		term string
		docs uint64
	}
	var entries []entry
	for e, err := dict.Next(); e != nil && err == nil; e, err = dict.Next() {
		entries = append(entries, entry{e.Term, e.Count})
	}
	slices.SortStableFunc(entries, func(a, b entry) int { return cmp.Compare(b.docs, a.docs) })
	terms := make([]string, 0, min(len(entries), maxExpansions))
	for _, e := range entries[:min(len(entries), maxExpansions)] {
		terms = append(terms, e.term)
	}
	return terms
}
