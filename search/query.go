package search

import (
	"cmp"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/lamport-kb/lamport/i18n"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/search/query"
)

// maxExpansions bounds the terms a prefix expands to: "re" matches
// hundreds of words, and each one is a posting list to merge.
const maxExpansions = 32

// lexicon is what a query needs to know of the index's terms.
type lexicon interface {
	// completions lists the likeliest terms of field that start with
	// prefix (at most maxExpansions).
	completions(field, prefix string) []string
	// known reports whether w, lower case, is a term of the raw English
	// or the Chinese body or title fields.
	known(w string) bool
}

// A query first asks for documents that match every one of its terms; when
// none does, it asks again for documents that match enough of them
// (minShould): a learner's question has words the corpus lacks ("what
// happens to requests while the breaker is half open"), and one such word
// must not empty the result, while a query whose words all occur together
// keeps the precision of matching them all. Each term is a disjunction
// over the fields, weighted title > heading > body; Bleve's coordination
// factor ranks documents that match more terms higher, and the whole text
// as a phrase adds to the score.

// buildQuery builds the query for text, restricted to lang; relaxed, it
// needs only minShould of the terms.
func buildQuery(text, lang string, relaxed bool, dict *dictionary, lex lexicon) query.Query {
	var terms []query.Query
	if hasHan(text) {
		terms = chineseQueries(dict.chineseTerms(text))
	} else {
		terms = englishQueries(text, lex)
	}
	if len(terms) == 0 {
		return bleve.NewMatchNoneQuery()
	}
	all := bleve.NewDisjunctionQuery(terms...)
	all.SetMin(float64(len(terms)))
	if relaxed {
		all.SetMin(float64(minShould(len(terms))))
	}
	b := bleve.NewBooleanQuery()
	b.AddMust(withTranslations(all, text, lang, dict, lex))
	b.AddShould(phrases(text, lang))
	if lang == "" {
		return b
	}
	l := bleve.NewTermQuery(lang)
	l.SetField("lang")
	return bleve.NewConjunctionQuery(b, l)
}

// phraseFields are the fields a phrase is looked for in, per language of
// the results, and their weights. Chinese titles are not among them: their
// single characters make a phrase over them slow (see mapping.go).
var phraseFields = map[string]map[string]float64{
	i18n.English: {fTitleEN: 6, fHeadingEN: 3, fBodyEN: 4},
	i18n.Chinese: {fBodyZH: 4},
}

// phrases scores documents that have the whole query in its order ("why
// does redis use 16384 slots" in the FAQ that asks it). Only the fields of
// the results' language take part, so the coordination factor of the
// disjunction does not dilute the phrase with fields that cannot match.
func phrases(text, lang string) query.Query {
	var alts []query.Query
	for _, l := range i18n.Langs {
		if lang != "" && l != lang {
			continue
		}
		for field, boost := range phraseFields[l] {
			alts = append(alts, phrase(field, text, boost))
		}
	}
	return disjunction(alts...)
}

// withTranslations lets a document match q or, instead, a glossary term
// of the query named in the language of the results
// (dictionary.translations): an English term in a Chinese search, a
// Chinese one in an English search.
func withTranslations(q query.Query, text, lang string, dict *dictionary, lex lexicon) query.Query {
	zh, en := dict.translations(text)
	alts := []query.Query{q}
	if lang == i18n.Chinese {
		for _, t := range zh {
			alts = append(alts, chineseQueries([]term{{text: t, han: true, word: true}})...)
		}
	}
	if lang == i18n.English {
		for _, t := range en {
			if qs := englishQueries(t, lex); len(qs) > 0 {
				alts = append(alts, bleve.NewConjunctionQuery(qs...))
			}
		}
	}
	if len(alts) == 1 {
		return q
	}
	return bleve.NewDisjunctionQuery(alts...)
}

// minShould is how many of n terms a document must match when no
// document matches them all: all of one or two (two words are a term, and
// the one left would be the generic half: "vector clock" is not "clock"),
// all but one of three or four, then three in five.
func minShould(n int) int {
	switch {
	case n <= 2:
		return n
	case n <= 4:
		return n - 1
	default:
		return (3*n + 4) / 5
	}
}

// chineseQueries turns segmented terms into one query each.
func chineseQueries(terms []term) []query.Query {
	qs := make([]query.Query, 0, len(terms))
	for _, t := range terms {
		switch {
		case !t.han:
			qs = append(qs, latinQuery(t.text))
		case utf8.RuneCountInString(t.text) == 1:
			qs = append(qs, disjunction(
				match(fTitleZH, t.text, 2), match(fHeadingZH, t.text, 1),
				match(fBodyZH1, t.text, 0.3), match(fAlias, t.text, 1)))
		case t.word && utf8.RuneCountInString(t.text) >= 4:
			// A long word is also found without its last character, at
			// a lower weight: a page may write it a little differently
			// (最终一致性 as 最终一致的).
			rs := []rune(t.text)
			qs = append(qs, disjunction(
				matchAll(fTitleZH, t.text, 4), matchAll(fHeadingZH, t.text, 2),
				phrase(fBodyZH, t.text, 1), matchAll(fAlias, t.text, 3), phrase(fBodyZH, string(rs[:len(rs)-1]), 0.5)))
		case t.word || utf8.RuneCountInString(t.text) == 2:
			qs = append(qs, disjunction(
				matchAll(fTitleZH, t.text, 4), matchAll(fHeadingZH, t.text, 2),
				phrase(fBodyZH, t.text, 1), matchAll(fAlias, t.text, 3)))
		default:
			qs = append(qs, unknownRun(t.text))
		}
	}
	return qs
}

// unknownRun matches a run of three or more characters the dictionary
// does not know ("突发流量"): as a phrase, or by its bigrams (someBigrams),
// since the run may join two words the corpus has apart.
func unknownRun(text string) query.Query {
	return disjunction(phrase(fBodyZH, text, 2), someBigrams(text, 1))
}

// someBigrams matches text, of three or more characters, by half of its
// characters' worth of bigrams, rounded up: "突发流量" by 突发 and 流量
// (the bigram 发流 across the two words need not occur), but a run of
// three characters by both of its bigrams (区块链 is not 区块).
func someBigrams(text string, boost float64) query.Query {
	rs := []rune(text)
	bigrams := make([]query.Query, 0, len(rs)-1)
	for i := 0; i+1 < len(rs); i++ {
		b := string(rs[i : i+2])
		bigrams = append(bigrams, disjunction(matchAll(fTitleZH, b, 4), matchAll(fHeadingZH, b, 2), match(fBodyZH, b, 1)))
	}
	some := bleve.NewDisjunctionQuery(bigrams...)
	some.SetMin(float64((len(rs) + 1) / 2))
	some.SetBoost(boost)
	return some
}

// latinQuery matches a word of a Latin script in a Chinese query, in the
// Chinese fields (gobreaker, Temporal, Retry-After appear in Chinese
// text) and in the English ones.
func latinQuery(w string) query.Query {
	return disjunction(
		match(fTitleZH, w, 4), match(fHeadingZH, w, 2), match(fBodyZH, w, 1), match(fAlias, w, 3),
		match(fTitleEN, w, 4), match(fHeadingEN, w, 2), match(fBodyEN, w, 1))
}

// englishQueries: one query per word that carries meaning (stop words and
// the words of a comparison, "vs", "versus", "difference", "between", are
// never required), each stemmed, fuzzy from five letters when the corpus
// does not have the word (a typo: "braker"; "vector" must not find
// "hector"), and the last one also a prefix, since the reader may still be
// typing it.
func englishQueries(text string, lex lexicon) []query.Query {
	ws := words(text)
	var qs []query.Query
	for i, w := range ws {
		last := i == len(ws)-1
		if comparisonWords[w] || stopWords()[w] && !(last && len(qs) == 0) {
			continue
		}
		qs = append(qs, wordQuery(w, last, lex))
	}
	return qs
}

// comparisonWords mark a comparison ("token bucket vs leaky bucket"):
// both sides matter, the marker does not.
var comparisonWords = map[string]bool{"vs": true, "versus": true, "difference": true, "differences": true, "between": true, "compared": true, "comparison": true}

func match(field, text string, boost float64) query.Query {
	m := bleve.NewMatchQuery(text)
	m.SetField(field)
	m.SetBoost(boost)
	return m
}

func matchAll(field, text string, boost float64) query.Query {
	m := bleve.NewMatchQuery(text)
	m.SetField(field)
	m.SetOperator(query.MatchQueryOperatorAnd)
	m.SetBoost(boost)
	return m
}

func phrase(field, text string, boost float64) query.Query {
	m := bleve.NewMatchPhraseQuery(text)
	m.SetField(field)
	m.SetBoost(boost)
	return m
}

func disjunction(qs ...query.Query) query.Query { return bleve.NewDisjunctionQuery(qs...) }

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

func wordQuery(w string, last bool, lex lexicon) query.Query {
	var alts []query.Query
	for field, boost := range map[string]float64{fTitleEN: 4, fHeadingEN: 2, fBodyEN: 1, fAlias: 3, fTitleZH: 4, fHeadingZH: 2, fBodyZH: 4} {
		m := bleve.NewMatchQuery(w)
		m.SetField(field)
		m.SetBoost(boost)
		alts = append(alts, m)
	}
	if last && len(w) >= 2 {
		for field, boost := range map[string]float64{fTitleRaw: 2, fHeadingRaw: 1, fBodyRaw: 0.5} {
			if terms := lex.completions(field, w); len(terms) > 0 {
				alts = append(alts, termsQuery(field, terms, boost))
			}
		}
	}
	if len([]rune(w)) >= 5 && !lex.known(w) {
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

// completions is prefixTerms.
func (x *Index) completions(field, prefix string) []string { return x.prefixTerms(field, prefix) }

// prefixTerms lists the maxExpansions terms of field starting with prefix
// that occur in the most documents (the likeliest completions of what the
// reader is typing). When the prefix is a word of the field itself, only
// completions at least as frequent as the word are likelier than the word
// being complete: "clock" keeps "clocks" out unless it is the more common.
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
	var self uint64
	for e, err := dict.Next(); e != nil && err == nil; e, err = dict.Next() {
		entries = append(entries, entry{e.Term, e.Count})
		if e.Term == prefix {
			self = e.Count
		}
	}
	entries = slices.DeleteFunc(entries, func(e entry) bool { return e.docs < self })
	slices.SortStableFunc(entries, func(a, b entry) int { return cmp.Compare(b.docs, a.docs) })
	terms := make([]string, 0, min(len(entries), maxExpansions))
	for _, e := range entries[:min(len(entries), maxExpansions)] {
		terms = append(terms, e.term)
	}
	return terms
}

// known reports whether w is a term of the raw English title or body or
// of the Chinese ones (which keep Latin words as they are).
func (x *Index) known(w string) bool {
	for _, field := range []string{fTitleRaw, fBodyRaw, fTitleZH, fBodyZH} {
		dict, err := x.bleve.FieldDictPrefix(field, []byte(w))
		if err != nil {
			continue
		}
		e, err := dict.Next()
		dict.Close()
		if err == nil && e != nil && e.Term == w {
			return true
		}
	}
	return false
}
