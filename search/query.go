package search

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/lamport-kb/lamport/i18n"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/mapping"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"
)

// maxExpansions bounds the terms a prefix expands to: "re" matches
// hundreds of words, and each one is a posting list to merge.
const maxExpansions = 32

// maxPrefixScan bounds the dictionary entries read to choose them: at
// 10,000 sections "re" begins thousands of terms, each entry a posting
// list header to read. The likeliest completions are chosen among the
// first maxPrefixScan in order.
const maxPrefixScan = 1024

// maxPrefixPostings bounds the documents the completions of one field
// may match together, the likeliest first (at least one): the work of a
// prefix query grows with the postings it merges, and at 10,000 sections
// the commonest completions of "re" are each in thousands of documents.
// A longer prefix, whose completions are rarer, keeps them all.
const maxPrefixPostings = 2000

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
// fewer than minStrict do, it asks again for documents that match enough
// of them (minShould): a learner's question has words the corpus lacks
// ("what happens to requests while the breaker is half open"), and one
// such word must not empty the result or leave it to the one page where
// the words met by chance, while a query whose words all occur together
// keeps the precision of matching them all. Each term is a disjunction
// over the fields, weighted title > heading > body; Bleve's coordination
// factor ranks documents that match more terms higher, and the whole text
// as a phrase adds to the score. Single Chinese characters between words
// are optional terms (chineseQueries).

// buildQuery builds the query for text, ranked for results in lang (its
// phrases, its glossary translations) and, with filter, restricted to
// lang; relaxed, it needs only minShould of the terms.
func buildQuery(text, lang string, filter, relaxed bool, dict *dictionary, lex lexicon) query.Query {
	var terms, optional []query.Query
	if hasHan(text) {
		terms, optional = chineseQueries(dict.chineseTerms(text))
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
	if len(optional) > 0 {
		b.AddShould(optional...)
	}
	if filter && lang != "" {
		// The language is a must of the boolean query, not a conjunction
		// around it: Bleve's BooleanSearcher.Advance re-advances its
		// should searcher past a match it already holds, so a conjunction
		// that advances it loses should matches (the phrase) depending on
		// the order of the documents in the index, which a rebuild
		// changes. The top-level searcher is only ever asked for Next.
		l := bleve.NewTermQuery(lang)
		l.SetField("lang")
		b.AddMust(l)
	}
	return b
}

// phraseFields are the fields a phrase is looked for in, per language of
// the results, and their weights. Chinese titles are not among them: their
// single characters make a phrase over them slow (see mapping.go). A
// Chinese phrase weighs more: its score is the sum of its bigrams', many of
// them common ones across function words (什么, 有什), where English drops
// its stop words, so the same question scores less in Chinese.
var phraseFields = map[string][]weighted{
	i18n.English: {{fTitleEN, 6}, {fHeadingEN, 3}, {fBodyEN, 4}},
	i18n.Chinese: {{fBodyZH, 6}},
}

// weighted is a field and its boost. Queries list their fields in a fixed
// order, so that equal scores come out the same on every run.
type weighted struct {
	field string
	boost float64
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
		for _, f := range phraseFields[l] {
			alts = append(alts, phrase(f.field, text, f.boost))
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
			alts = append(alts, chineseQuery(t, true, true))
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

// minShould is how many of n terms a document must match when fewer than
// minStrict documents match them all: all of one or two (two words are a term, and
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

// chineseQueries turns segmented terms into one query each: the terms a
// document must match, and the single characters the segmenter left
// between words, which only add to the score when there are other terms
// (加 in "为什么要加随机抖动", 试 in "多久会再试" are rarely what the answer
// says). A term's synonyms and what it may mean (a typo's word, an
// unfinished end's completions) count half as much as the term: a page
// with both the word and its synonym (熔断器 and the alias 断路器) would
// otherwise count it twice.
func chineseQueries(terms []term) (required, optional []query.Query) {
	single := 0
	for _, t := range terms {
		if t.han && utf8.RuneCountInString(t.text) == 1 {
			single++
		}
	}
	for _, t := range terms {
		q := chineseQuery(t.text, t.han, t.word)
		if len(t.also)+len(t.maybe) > 0 {
			alts := []query.Query{q}
			for _, w := range append(append([]string{}, t.also...), t.maybe...) {
				m := bleve.NewDisjunctionQuery(chineseQuery(w, true, true))
				m.SetBoost(0.5)
				alts = append(alts, m)
			}
			q = bleve.NewDisjunctionQuery(alts...)
		}
		if t.han && utf8.RuneCountInString(t.text) == 1 && single < len(terms) {
			optional = append(optional, q)
			continue
		}
		required = append(required, q)
	}
	return required, optional
}

// chineseQuery is the query of one term: a Latin word, a single
// character, a dictionary word or a run the dictionary does not know.
func chineseQuery(text string, han, word bool) query.Query {
	switch n := utf8.RuneCountInString(text); {
	case !han:
		return latinQuery(text)
	case n == 1:
		return disjunction(
			match(fTitleZH, text, 2), match(fHeadingZH, text, 1),
			match(fBodyZH1, text, 0.3), match(fAlias, text, 1))
	case word && n >= 3 && strings.HasSuffix(text, "性"):
		// A word in -性 (-ity) is also found without it, at a lower
		// weight: a page may say 最终一致的 for 最终一致性.
		return disjunction(
			matchAll(fTitleZH, text, 4), matchAll(fHeadingZH, text, 2),
			phrase(fBodyZH, text, 1), matchAll(fAlias, text, 3), phrase(fBodyZH, strings.TrimSuffix(text, "性"), 0.5))
	case word || n == 2:
		return disjunction(
			matchAll(fTitleZH, text, 4), matchAll(fHeadingZH, text, 2),
			phrase(fBodyZH, text, 1), matchAll(fAlias, text, 3))
	default:
		return unknownRun(text)
	}
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

// phrase matches text as a phrase in field. A text the field's analyzer
// turns into one token ("retry", the one bigram of 熔断) is a term query:
// Bleve's phrase searcher would read the positions of every posting to
// check a phrase of one term, for the same score.
func phrase(field, text string, boost float64) query.Query {
	return &phraseQuery{field: field, text: text, boost: boost}
}

// phraseQuery is a MatchPhraseQuery that is a term query when its text
// is one token.
type phraseQuery struct {
	field, text string
	boost       float64
}

func (q *phraseQuery) Field() string     { return q.field }
func (q *phraseQuery) SetField(f string) { q.field = f }

func (q *phraseQuery) Searcher(ctx context.Context, r index.IndexReader, m mapping.IndexMapping, options bsearch.SearcherOptions) (bsearch.Searcher, error) {
	analyzer := m.AnalyzerNamed(m.AnalyzerNameForPath(q.field))
	if analyzer == nil {
		return nil, fmt.Errorf("search: no analyzer for field %s", q.field)
	}
	if tokens := analyzer.Analyze([]byte(q.text)); len(tokens) == 1 {
		t := bleve.NewTermQuery(string(tokens[0].Term))
		t.SetField(q.field)
		t.SetBoost(q.boost)
		return t.Searcher(ctx, r, m, options)
	}
	p := bleve.NewMatchPhraseQuery(q.text)
	p.SetField(q.field)
	p.SetBoost(q.boost)
	return p.Searcher(ctx, r, m, options)
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
	for _, f := range []weighted{{fTitleEN, 4}, {fHeadingEN, 2}, {fBodyEN, 1}, {fAlias, 3}, {fTitleZH, 4}, {fHeadingZH, 2}, {fBodyZH, 1}} {
		alts = append(alts, match(f.field, w, f.boost))
	}
	if last && len(w) >= 2 {
		for _, f := range []weighted{{fTitleRaw, 2}, {fHeadingRaw, 1}, {fBodyRaw, 0.5}} {
			if terms := lex.completions(f.field, w); len(terms) > 0 {
				alts = append(alts, termsQuery(f.field, terms, f.boost))
			}
		}
	}
	if len([]rune(w)) >= 5 && !lex.known(w) {
		for _, f := range []weighted{{fTitleRaw, 1}, {fBodyRaw, 0.3}} {
			q := bleve.NewFuzzyQuery(w)
			q.SetField(f.field)
			q.SetFuzziness(1)
			q.SetBoost(f.boost)
			alts = append(alts, q)
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

// completions is prefixTerms within maxPrefixPostings.
func (x *Index) completions(field, prefix string) []string {
	return x.prefixTerms(field, prefix, maxPrefixPostings)
}

// prefixTerms lists the maxExpansions terms of field starting with prefix
// that occur in the most documents (the likeliest completions of what the
// reader is typing). When the prefix is a word of the field itself, only
// completions at least as frequent as the word are likelier than the word
// being complete: "clock" keeps "clocks" out unless it is the more common.
// Together they occur in at most budget documents, or they are the one
// likeliest term.
func (x *Index) prefixTerms(field, prefix string, budget uint64) []string {
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
	for e, err := dict.Next(); e != nil && err == nil && len(entries) < maxPrefixScan; e, err = dict.Next() {
		entries = append(entries, entry{e.Term, e.Count})
		if e.Term == prefix {
			self = e.Count
		}
	}
	entries = slices.DeleteFunc(entries, func(e entry) bool { return e.docs < self })
	slices.SortStableFunc(entries, func(a, b entry) int { return cmp.Compare(b.docs, a.docs) })
	terms := make([]string, 0, min(len(entries), maxExpansions))
	postings := uint64(0)
	for _, e := range entries[:min(len(entries), maxExpansions)] {
		if len(terms) > 0 && postings+e.docs > budget {
			break
		}
		terms = append(terms, e.term)
		postings += e.docs
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
