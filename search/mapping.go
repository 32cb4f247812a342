package search

import (
	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/standard"
	"github.com/blevesearch/bleve/v2/analysis/lang/cjk"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/mapping"
)

// Analyzers of the mapping.
const (
	unigramFilter = "cjk_bigram_unigram"
	zhTitle       = "zh_title"   // CJK bigrams plus single characters
	zhUnigram     = "zh_unigram" // single characters only, for one-character queries
)

// Field names. English pages fill the *_en and *_raw fields, Chinese pages
// the *_zh fields. Nothing is stored: a hit's ID says its language, slug
// and section, and what it shows comes from the library (shown).
const (
	fTitleEN, fHeadingEN, fBodyEN    = "title_en", "heading_en", "body_en"
	fTitleRaw, fHeadingRaw, fBodyRaw = "title_raw", "heading_raw", "body_raw"
	fTitleZH, fHeadingZH, fBodyZH    = "title_zh", "heading_zh", "body_zh"
	fBodyZH1                         = "body_zh1" // the Chinese body with single characters too, for one-character queries
	fAlias                           = "alias"
)

// positioned are the fields that keep term positions: those a phrase is
// looked for in (phraseFields, and the Chinese body's runs and -性
// words) and those snippets mark matches in (bodyLocations). Positions
// cost most of an index's size and build time, so the other fields, which
// only term and prefix queries read, go without.
var positioned = map[string]bool{
	fTitleEN: true, fHeadingEN: true, fBodyEN: true, fBodyZH: true, fBodyRaw: true,
}

// searchedOnly turns off what Bleve builds by default and no query here
// reads: the composite _all field (every query names its fields), which
// would index every token a second time, and doc values (nothing sorts
// or facets on a field; facets come from the content's own lookups).
func searchedOnly(f *mapping.FieldMapping) *mapping.FieldMapping {
	f.IncludeInAll = false
	f.DocValues = false
	return f
}

func newMapping() (*mapping.IndexMappingImpl, error) {
	m := bleve.NewIndexMapping()
	if err := m.AddCustomTokenFilter(unigramFilter, map[string]any{"type": cjk.BigramName, "output_unigram": true}); err != nil {
		return nil, err
	}
	if err := m.AddCustomAnalyzer(zhTitle, map[string]any{
		"type":          custom.Name,
		"tokenizer":     unicode.Name,
		"token_filters": []string{cjk.WidthName, lowercase.Name, unigramFilter},
	}); err != nil {
		return nil, err
	}
	if err := m.AddCustomAnalyzer(zhUnigram, map[string]any{
		"type":          custom.Name,
		"tokenizer":     unicode.Name, // a Han character is a token of its own
		"token_filters": []string{cjk.WidthName, lowercase.Name},
	}); err != nil {
		return nil, err
	}
	doc := bleve.NewDocumentStaticMapping()
	for field, analyzer := range map[string]string{
		fTitleEN: en.AnalyzerName, fHeadingEN: en.AnalyzerName, fBodyEN: en.AnalyzerName,
		fTitleRaw: standard.Name, fHeadingRaw: standard.Name, fBodyRaw: standard.Name,
		fTitleZH: zhTitle, fHeadingZH: zhTitle, fBodyZH: cjk.AnalyzerName, fBodyZH1: zhUnigram,
		fAlias: zhTitle,
	} {
		f := bleve.NewTextFieldMapping()
		f.Analyzer = analyzer
		f.Store = false
		f.IncludeTermVectors = positioned[field]
		doc.AddFieldMappingsAt(field, searchedOnly(f))
	}
	for _, field := range []string{"slug", "lang", "kind"} {
		f := bleve.NewKeywordFieldMapping()
		f.Store = false
		doc.AddFieldMappingsAt(field, searchedOnly(f))
	}
	m.DefaultMapping = doc
	m.DefaultAnalyzer = standard.Name
	return m, nil
}
