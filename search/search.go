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
// Queries are routed by script. A query with Han characters uses AND over
// the CJK fields plus a phrase boost, never fuzziness (edit distance means
// nothing for two-character words). Other queries use AND of per-word
// alternatives across fields, a phrase boost, a prefix match for the last
// word (as you type), and fuzziness only for words of five or more letters.
// Snippets are cut from the hit locations Bleve reports, not by the stock
// highlighter, which splits Chinese words.
//
// # Storage
//
// Open keeps a scorch index on disk under dir, named after the library's
// content hash: a server restarted on unchanged content reuses it, and a
// content change builds a new one beside it and removes the old.
package search

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode"

	"github.com/blevesearch/bleve/v2"

	"github.com/lamport-kb/lamport/content"
)

// ErrQueryTooLong is returned for queries over MaxQueryRunes runes.
var ErrQueryTooLong = errors.New("search: query too long")

// MaxQueryRunes bounds a query's length.
const MaxQueryRunes = 200

// Index is an open search index.
type Index struct {
	bleve bleve.Index
	dir   string
}

// Query is a search request.
type Query struct {
	Text  string
	Lang  string // results in this language only
	Limit int    // default 20
}

// Results is the answer to a Query.
type Results struct {
	Total int // matching documents before grouping
	Hits  []Hit
	Took  time.Duration
}

// Hit is one result: a page or a section of one.
type Hit struct {
	Slug, Lang, Kind string // Kind is "page" or "section"
	SectionID        string
	Title, Heading   string
	URL              string
	Snippet          string // HTML: escaped text with <mark> around matches
	Score            float64
}

// Open opens the index for lib under dir, building it when the content
// changed since the last build.
func Open(dir string, lib *content.Library) (*Index, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	name := "index-" + lib.Hash[:16]
	path := filepath.Join(dir, name)
	if idx, err := bleve.Open(path); err == nil {
		return &Index{bleve: idx, dir: path}, nil
	}
	os.RemoveAll(path)
	tmp, err := os.MkdirTemp(dir, "building-")
	if err != nil {
		return nil, err
	}
	if err := build(filepath.Join(tmp, "index"), lib); err != nil {
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
	return &Index{bleve: idx, dir: path}, nil
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

// build writes a fresh index of lib at path.
func build(path string, lib *content.Library) error {
	m, err := newMapping()
	if err != nil {
		return err
	}
	idx, err := bleve.New(path, m)
	if err != nil {
		return err
	}
	batch := idx.NewBatch()
	for _, p := range lib.Patterns {
		for _, d := range documents(p) {
			if err := batch.Index(d.id, d.fields); err != nil {
				idx.Close()
				return err
			}
		}
	}
	if err := idx.Batch(batch); err != nil {
		idx.Close()
		return err
	}
	return idx.Close()
}

// Close closes the index.
func (x *Index) Close() error { return x.bleve.Close() }

// Search runs q. An empty query returns no hits and no error.
func (x *Index) Search(ctx context.Context, q Query) (*Results, error) {
	text := strings.TrimSpace(q.Text)
	if len([]rune(text)) > MaxQueryRunes {
		return nil, fmt.Errorf("%w: at most %d characters", ErrQueryTooLong, MaxQueryRunes)
	}
	if text == "" {
		return &Results{}, nil
	}
	if q.Limit <= 0 {
		q.Limit = 20
	}
	req := bleve.NewSearchRequestOptions(buildQuery(text, q.Lang), q.Limit*3, 0, false)
	req.Fields = []string{"slug", "lang", "kind", "section", "title", "heading", "body", "url"}
	req.IncludeLocations = true
	res, err := x.bleve.SearchInContext(ctx, req)
	if err != nil {
		return nil, err
	}
	return &Results{Total: int(res.Total), Hits: group(hits(res), q.Limit), Took: res.Took}, nil
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
