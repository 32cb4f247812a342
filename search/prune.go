package search

import (
	"strings"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"
)

// A query is built once, over the fields of both languages, and then cut
// down to what the search at hand can use (prune): a search restricted to
// one language need not read the other language's posting lists, whose
// documents the language filter would drop after paying for them (an
// English word occurs in Chinese bodies too), and the search for snippet
// locations needs only the body fields' leaves (bodyLeaves).

// fieldLang is the language whose documents have field, or "" for the
// fields every document has (the aliases, the language and kind).
func fieldLang(field string) string {
	switch {
	case strings.HasSuffix(field, "_en"), strings.HasSuffix(field, "_raw"):
		return "en"
	case strings.HasSuffix(field, "_zh"), strings.HasSuffix(field, "_zh1"):
		return "zh"
	}
	return ""
}

// inLang reports whether documents of lang can match a leaf on field.
func inLang(lang string) func(field string) bool {
	return func(field string) bool {
		l := fieldLang(field)
		return l == "" || l == lang
	}
}

// prune returns q with the leaves on fields keep rejects replaced by
// queries that match nothing. A leaf is replaced, not dropped: Bleve
// scores a disjunction by the share of its children a document matches,
// so dropping children would change the scores' proportions, while a
// match-none child costs nothing to search and leaves the ranking as it
// was (all scores scale by the same query norm).
func prune(q query.Query, keep func(field string) bool) query.Query {
	switch q := q.(type) {
	case *query.BooleanQuery:
		out := &query.BooleanQuery{BoostVal: q.BoostVal}
		out.Must = pruneOptional(q.Must, keep)
		out.Should = pruneOptional(q.Should, keep)
		out.MustNot = pruneOptional(q.MustNot, keep)
		out.Filter = pruneOptional(q.Filter, keep)
		return out
	case *query.ConjunctionQuery:
		out := &query.ConjunctionQuery{BoostVal: q.BoostVal, Conjuncts: make([]query.Query, len(q.Conjuncts))}
		for i, c := range q.Conjuncts {
			out.Conjuncts[i] = prune(c, keep)
		}
		return out
	case *query.DisjunctionQuery:
		out := &query.DisjunctionQuery{BoostVal: q.BoostVal, Min: q.Min, Disjuncts: make([]query.Query, len(q.Disjuncts))}
		for i, c := range q.Disjuncts {
			out.Disjuncts[i] = prune(c, keep)
		}
		return out
	case query.FieldableQuery:
		if !keep(q.Field()) {
			return bleve.NewMatchNoneQuery()
		}
	}
	return q
}

// pruneOptional is prune of a clause that may be absent.
func pruneOptional(q query.Query, keep func(field string) bool) query.Query {
	if q == nil {
		return nil
	}
	return prune(q, keep)
}

// bodyLeaves lists the leaves of q on the snippet fields, the queries
// whose match locations mark snippets.
func bodyLeaves(q query.Query) []query.Query {
	var out []query.Query
	var walk func(query.Query)
	walk = func(q query.Query) {
		switch q := q.(type) {
		case *query.BooleanQuery:
			for _, c := range []query.Query{q.Must, q.Should} {
				if c != nil {
					walk(c)
				}
			}
		case *query.ConjunctionQuery:
			for _, c := range q.Conjuncts {
				walk(c)
			}
		case *query.DisjunctionQuery:
			for _, c := range q.Disjuncts {
				walk(c)
			}
		case query.FieldableQuery:
			for _, f := range snippetFields {
				if q.Field() == f {
					out = append(out, q)
				}
			}
		}
	}
	walk(q)
	return out
}
