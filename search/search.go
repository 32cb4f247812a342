// Package search is Lamport's full-text search: a Bleve index over the
// content library, as good in Chinese as in English.
//
// # Documents
//
// Every pattern page is indexed once per language as a page document, and
// every H2 section of it as a section document that links to its anchor.
// English text goes into stemmed fields (the "en" analyzer: "retries"
// finds "retry") and unstemmed twins used for prefix and fuzzy matching;
// Chinese text goes through Bleve's CJK analyzer (bigrams), and Chinese
// titles and headings are also indexed as single characters, so one-character
// queries and unusual splits still match. The aliases of both languages
// (pattern.yaml) go into an alias field of every document of the pattern,
// so 熔断 finds the English Circuit Breaker page and "breaker" finds 熔断器.
//
// # Queries
//
// Queries are routed by script. A query with Han characters is segmented
// with the content's own dictionary (chinese.go: the glossary, the
// catalog's names, the aliases, and the words these share), function and
// question words dropped; each term is matched over the CJK fields with
// its glossary synonyms, and, at half weight, the word a typo one
// character off a word of three or more most likely meant, or the words an
// unfinished end begins; never edit distance on two-character words.
// Other queries use per-word alternatives across fields, stemmed, a
// prefix match for the last word (as you type), and fuzziness only for
// words of five or more letters that the corpus does not have (typos).
// Every term must match; when fewer than minStrict documents match them
// all, the query is asked again for most of them (minShould). The whole
// text as a phrase adds to the score.
//
// Hits are then reordered (snippet.go) by a prior per section and by what
// the query asks for (intent.go): the definition for "what is X", the FAQ
// for a question or a comparison, a section named by its heading's words
// ("in go", "测试"). Snippets are cut from the hit locations Bleve
// reports, not by the stock highlighter, which splits Chinese words.
//
// # Cost
//
// A search costs milliseconds of CPU, a cached page microseconds, so
// searches are bounded where they run, for every caller: at most half the
// CPUs search at once (others wait briefly, then get ErrBusy); a query has
// at most MaxQueryRunes characters and MaxQueryWords distinct words (else
// ErrQueryTooLong); the as-you-type prefix expands to the maxExpansions
// most frequent terms, not every term, and only to as many as occur in
// maxPrefixPostings documents together; a search in one language reads
// only that language's fields (prune); a search returns at most MaxLimit
// hits; and it runs under a deadline (searchTimeout) passed to Bleve,
// after which it fails with context.DeadlineExceeded.
//
// # Storage
//
// Open keeps a scorch index on disk under dir, named after the library's
// content hash: a server restarted on unchanged content reuses it, and a
// content change builds a new one beside it and removes the old.
package search

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/lamport-kb/lamport/content"
	"github.com/lamport-kb/lamport/i18n"
)

// ErrQueryTooLong is returned for queries over MaxQueryRunes runes or
// MaxQueryWords words.
var ErrQueryTooLong = errors.New("search: query too long")

// Bounds of one query.
const (
	MaxQueryRunes = 200 // characters
	MaxQueryWords = 10  // distinct words; a Chinese phrase is one word
	MaxLimit      = 50  // hits of one page
	// MaxResults bounds the results of a query, all pages together: the
	// best window documents, grouped.
	MaxResults = window
)

// window is the number of documents a search ranks and groups: enough
// for the pages a reader turns, and for rerank to lift a hit from further
// down; each is collected and scored, so it bounds the work of a query
// that matches every document.
const window = 150

// minStrict is the number of documents that must match every term of a
// query for the strict pass to stand (buildQuery). With fewer, the words
// more likely met by chance in an unrelated page or two ("消息一直重复消费"
// only in the outbox) than in the answer, and the query is asked again
// relaxed, where documents that match every term still rank higher.
const minStrict = 3

// searchTimeout is the deadline of one search once it has a slot: some
// thirty times the slowest query of the judged set on a busy machine
// (15 ms).
const searchTimeout = 500 * time.Millisecond

// Index is an open search index. It is safe for concurrent use.
type Index struct {
	bleve   bleve.Index
	dir     string
	gate    *gate
	timeout time.Duration
	dict    *dictionary       // the Chinese words of the content, for segmenting queries
	meta    map[string]entry  // slug → what the filters and facets need
	vocab   *vocabulary       // the words "did you mean" corrects to
	names   map[string]string // every pattern's name in either language, lower case → its slug
	shown   map[string]shown  // document ID → what its hits show
}

// entry is what a search knows of a slug besides its documents.
type entry struct {
	category string
	tags     []string
	planned  bool
}

func newIndex(idx bleve.Index, dir string, lib *content.Library) *Index {
	meta := make(map[string]entry)
	for _, e := range lib.Catalog {
		meta[e.Slug] = entry{category: e.Category, planned: !e.Written}
	}
	for _, p := range lib.Patterns {
		meta[p.Slug] = entry{category: p.Category, tags: p.Tags}
	}
	return &Index{bleve: idx, dir: dir, gate: defaultGate(), timeout: searchTimeout,
		dict: newDictionary(lib), meta: meta, vocab: newVocabulary(lib), names: patternNames(lib), shown: shownTexts(lib)}
}

// patternNames maps each pattern's names, lower case, to its slug: a
// written page's titles, and every catalog name, whole and without its
// closing parenthesis ("分段日志", "Follower Reads" for "Follower Reads
// (ReadIndex, lease reads)").
func patternNames(lib *content.Library) map[string]string {
	names := make(map[string]string)
	add := func(name, slug string) {
		name = strings.ToLower(strings.TrimSpace(name))
		names[name] = slug
		if short := strings.TrimSpace(trailingParens.ReplaceAllString(name, "")); short != "" {
			names[short] = slug
		}
	}
	for _, e := range lib.Catalog {
		for _, lang := range i18n.Langs {
			add(e.Name.In(lang), e.Slug)
		}
	}
	for _, p := range lib.Patterns {
		for _, d := range p.Docs {
			add(d.Title, p.Slug)
		}
	}
	return names
}

// trailingParens is a name's closing aside, in ASCII or full-width brackets.
var trailingParens = regexp.MustCompile(`\s*[(（][^()（）]*[)）]$`)

// intent is queryIntent, except that a pattern's whole name asks for that
// pattern, what it is, even when the name reads like a comparison
// ("Version Vector / Vector Clock (vs. Last-Write-Wins)") or the pattern
// is only planned and a written page mentions it (分段日志).
func (x *Index) intent(text string) intent {
	if slug, ok := x.names[strings.ToLower(strings.TrimSpace(text))]; ok {
		return intent{definition: true, sections: map[string]bool{}, named: slug}
	}
	return queryIntent(text)
}

// Query is a search request.
type Query struct {
	Text string
	Lang string // results in this language only
	// Prefer, when Lang is empty, is the reader's language: its results
	// come first, then the other language's for the patterns it has none
	// of (Hit.Lang tells them apart).
	Prefer   string
	Category string // only patterns of this category (a catalog id)
	Tag      string // only patterns with this tag
	Offset   int    // results to skip, for paging
	Limit    int    // default 20, at most MaxLimit
}

// Results is the answer to a Query.
type Results struct {
	// Total is the number of results that can be paged through: after
	// grouping and the filters, at most MaxResults.
	Total int
	Hits  []Hit // the results from Offset, at most Limit
	// Categories and Tags count the results per category and tag, each
	// under the other's filter but not its own: a facet's count is the
	// Total its filter gives.
	Categories, Tags []Facet
	// Suggestion is the query with its typos corrected from the glossary
	// and the titles ("did you mean"), or "".
	Suggestion string
	Took       time.Duration
}

// Facet is a value of a filter and how many results have it.
type Facet struct {
	Value string // a category or tag id
	Count int
}

// Hit is one result: a page, a section of one, or a planned pattern.
type Hit struct {
	Slug, Lang, Kind string // Kind is "page", "section" or "planned"
	SectionID        string
	Title, Heading   string
	URL              string
	Snippet          string // HTML: escaped text with <mark> around matches
	Text             string // the snippet as plain text
	Marks            []Mark // the matches in Text
	Score            float64
	Planned          bool // a catalog entry not written yet: its URL is the planned page
	Category         string
	Tags             []string

	id    string // the document, for its body (snippets)
	spans []span // where the query matched its body
}

// Mark is a match in a snippet's text, in runes (Unicode code points)
// from its start: Text[Start:End] as runes.
type Mark struct{ Start, End int }

// Open opens the index for lib under dir, building it when the content
// changed since the last build.
func Open(dir string, lib *content.Library) (*Index, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	name, err := indexName(lib)
	if err != nil {
		return nil, err
	}
	path := filepath.Join(dir, name)
	if idx, err := bleve.Open(path); err == nil {
		return newIndex(idx, path, lib), nil
	}
	os.RemoveAll(path)
	tmp, err := os.MkdirTemp(dir, "building-")
	if err != nil {
		return nil, err
	}
	if err := build(filepath.Join(tmp, "index"), tmp, lib); err != nil {
		os.RemoveAll(tmp)
		return nil, err
	}
	if err := os.Rename(filepath.Join(tmp, "index"), path); err != nil {
		os.RemoveAll(tmp)
		return nil, err
	}
	os.RemoveAll(tmp)
	removeOthers(dir, name)
	idx, err := bleve.Open(path)
	if err != nil {
		return nil, err
	}
	return newIndex(idx, path, lib), nil
}

// indexName names the index of lib after the documents it indexes and the
// mapping that indexes them: an index of other text (other content, or
// text the content package now extracts otherwise, such as a formula
// written out in words) or built by an older mapping (other fields, other
// analyzers) is rebuilt, not read by queries and snippets that expect the
// new one.
func indexName(lib *content.Library) (string, error) {
	m, err := newMapping()
	if err != nil {
		return "", err
	}
	spec, err := json.Marshal(m)
	if err != nil {
		return "", err
	}
	mapping := sha256.Sum256(spec)
	return fmt.Sprintf("index-%x-%x", documentsHash(lib)[:8], mapping[:4]), nil
}

// documentsHash is the SHA-256 of every document of lib, its ID and its
// fields in order, each string prefixed by its length.
func documentsHash(lib *content.Library) []byte {
	h := sha256.New()
	write := func(s string) {
		h.Write(binary.AppendUvarint(nil, uint64(len(s))))
		io.WriteString(h, s)
	}
	eachDocument(lib, func(d document) error {
		write(d.id)
		for _, k := range slices.Sorted(maps.Keys(d.fields)) {
			write(k)
			write(fmt.Sprint(d.fields[k]))
		}
		return nil
	})
	return h.Sum(nil)
}

// removeOthers deletes indexes of older content. One still open by a
// previous Index stays readable until closed (its files are unlinked).
func removeOthers(dir, keep string) {
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if e.Name() != keep && (strings.HasPrefix(e.Name(), "index-") || strings.HasPrefix(e.Name(), "building-")) {
			os.RemoveAll(filepath.Join(dir, e.Name()))
		}
	}
}

// build writes a fresh index of lib at path with Bleve's offline
// builder: it analyses documents in batches of batchSize, writes each
// batch as a segment under scratch, and merges the segments into one
// before the index is opened. The online path (Index.Batch) merges as it
// goes and leaves the merging of its last segments to the opened index,
// where it competed with the first queries for the CPU; one segment is
// also what a query reads fastest.
func build(path, scratch string, lib *content.Library) error {
	m, err := newMapping()
	if err != nil {
		return err
	}
	if empty(lib) { // the builder cannot write an index of no segments
		idx, err := bleve.New(path, m)
		if err != nil {
			return err
		}
		return idx.Close()
	}
	b, err := bleve.NewBuilder(path, m, map[string]any{
		"batchSize": batchSize, "mergeMax": mergeMax, "buildPathPrefix": scratch,
	})
	if err != nil {
		return err
	}
	if err := indexAll(b, lib); err != nil {
		b.Close()
		return err
	}
	return b.Close()
}

// empty reports whether lib has no documents to index.
func empty(lib *content.Library) bool {
	return len(lib.Patterns) == 0 && !slices.ContainsFunc(lib.Catalog, func(e *content.Entry) bool { return !e.Written })
}

// batchSize bounds the documents analysed into one segment: they are
// held in memory, analysed, until it is written. mergeMax is the number of
// segments merged at once. At 10,000 synthetic sections (scale_test.go),
// on a 2-core machine at load 9, these built the index in 132 s of wall
// time and 69 s of CPU with a heap peak of 210 MB, where the online path
// in batches of 100 took 248 s and 92 s at 208 MB. The builder analyses
// on one goroutine, so the CPU a build needs is what the mapping asks for:
// without the _all field, doc values and positions nobody reads
// (mapping.go) it fell from 76 s to 33–36 s, at a 125 MB peak.
const (
	batchSize = 100
	mergeMax  = 5
)

// indexAll indexes every document of lib.
func indexAll(b bleve.Builder, lib *content.Library) error {
	return eachDocument(lib, func(d document) error { return b.Index(d.id, d.fields) })
}

// eachDocument calls f with every document of lib, in order: the written
// patterns' pages and sections and the planned entries' names.
func eachDocument(lib *content.Library, f func(document) error) error {
	for _, p := range lib.Patterns {
		for _, d := range documents(p) {
			if err := f(d); err != nil {
				return err
			}
		}
	}
	for _, e := range lib.Catalog {
		if !e.Written {
			for _, d := range plannedDocuments(e) {
				if err := f(d); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// Close closes the index.
func (x *Index) Close() error { return x.bleve.Close() }

// Search runs q. An empty query returns no hits and no error. Besides
// Bleve's errors it returns ErrQueryTooLong, ErrBusy, and
// context.DeadlineExceeded when the search ran out of time.
func (x *Index) Search(ctx context.Context, q Query) (*Results, error) {
	text := strings.TrimSpace(q.Text)
	if len([]rune(text)) > MaxQueryRunes {
		return nil, fmt.Errorf("%w: at most %d characters", ErrQueryTooLong, MaxQueryRunes)
	}
	if len(words(text)) > MaxQueryWords {
		return nil, fmt.Errorf("%w: at most %d words", ErrQueryTooLong, MaxQueryWords)
	}
	if text == "" {
		return &Results{}, nil
	}
	leave, err := x.gate.enter(ctx)
	if err != nil {
		return nil, err
	}
	defer leave()
	ctx, cancel := context.WithTimeout(ctx, x.timeout)
	defer cancel()
	req := x.request(text, q, false)
	res, err := x.bleve.SearchInContext(ctx, req)
	if err == nil && res.Total < minStrict {
		req = x.request(text, q, true)
		res, err = x.bleve.SearchInContext(ctx, req)
	}
	if err != nil {
		return nil, err
	}
	all := group(preferred(rerank(x.hits(res), x.intent(text)), q.Prefer))
	out := x.page(all, q)
	out.Took = res.Took
	if err := x.locate(ctx, req.Query, out.Hits); err != nil {
		return nil, err
	}
	x.complete(out.Hits)
	out.Suggestion = x.suggest(text)
	return out, nil
}

// request is the Bleve request for q, strict or relaxed (buildQuery): the
// best window documents, whatever page q asks for, so that every page is
// cut from the same results.
func (x *Index) request(text string, q Query, relaxed bool) *bleve.SearchRequest {
	lang, filter := q.Lang, q.Lang != ""
	if !filter {
		lang = q.Prefer
	}
	bq := buildQuery(text, lang, filter, relaxed, x.dict, x)
	if filter {
		bq = prune(bq, inLang(lang))
	}
	return bleve.NewSearchRequestOptions(bq, window, 0, false)
}

// locate finds where q matched the bodies of hs, for their snippets: the
// leaves of q on the snippet fields, as one disjunction restricted to
// their documents, with the locations of their matches. Locations for the
// whole window would cost more than the search (a page document holds
// every word of its sections). Not q itself: its boolean searcher, when
// advanced to a document, loses the matches of its should clauses
// (buildQuery), which left phrase matches unmarked.
func (x *Index) locate(ctx context.Context, q query.Query, hs []Hit) error {
	if len(hs) == 0 {
		return nil
	}
	ids := make([]string, len(hs))
	for i, h := range hs {
		ids[i] = h.id
	}
	leaves := bodyLeaves(q)
	if len(leaves) == 0 {
		return nil
	}
	req := bleve.NewSearchRequestOptions(bleve.NewConjunctionQuery(bleve.NewDocIDQuery(ids), bleve.NewDisjunctionQuery(leaves...)), len(ids), 0, false)
	req.IncludeLocations = true
	res, err := x.bleve.SearchInContext(ctx, req)
	if err != nil {
		return err
	}
	spans := make(map[string][]span, len(res.Hits))
	for _, h := range res.Hits {
		spans[h.ID] = bodyLocations(h)
	}
	for i := range hs {
		hs[i].spans = spans[hs[i].id]
	}
	return nil
}

// limit is the number of hits q asks for: 20 by default, at most MaxLimit.
func limit(q Query) int {
	if q.Limit <= 0 {
		return 20
	}
	return min(q.Limit, MaxLimit)
}

// hasHan reports whether s contains Chinese characters.
func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}
