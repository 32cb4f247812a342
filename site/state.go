package site

import (
	"fmt"
	"io"
	"io/fs"

	"github.com/lamport-kb/lamport/content"
	"github.com/lamport-kb/lamport/graph"
	"github.com/lamport-kb/lamport/search"
)

// State is everything the site serves that derives from one version of
// the content: the library, its relation graph and its search index.
// Build makes it, at start-up and on every live reload; Server.Swap
// replaces it as one value, so a request never sees a library with another
// version's graph or index.
type State struct {
	Library *content.Library
	Graph   *graph.Graph // nil only in tests that build a State by hand
	Search  Searcher     // nil: search is off
}

// Build loads the content in fsys and derives the rest of a State from it:
// the relation graph, and the search index under indexDir ("" for none).
// It returns content.Problems when the content or its graph is invalid
// (a cycle in requires, say). prev is the State being served (the zero
// State at start-up); when the content is unchanged its index is kept,
// since an open Bleve index cannot be opened a second time.
func Build(fsys fs.FS, opts content.Options, indexDir string, prev State) (State, error) {
	lib, err := content.LoadWith(fsys, opts)
	if err != nil {
		return State{}, err
	}
	g, err := graph.Build(lib)
	if err != nil {
		return State{}, err
	}
	st := State{Library: lib, Graph: g}
	switch {
	case indexDir == "":
	case prev.Library != nil && prev.Library.Hash == lib.Hash && prev.Search != nil:
		st.Search = prev.Search
	default:
		idx, err := search.Open(indexDir, lib)
		if err != nil {
			return State{}, fmt.Errorf("search index: %w", err)
		}
		st.Search = idx
	}
	return st, nil
}

// Retire closes what st holds that next does not share. Call it on the
// State a Swap replaced, once no request can still be using it.
func (st State) Retire(next State) error {
	if st.Search == next.Search {
		return nil
	}
	if c, ok := st.Search.(io.Closer); ok {
		return c.Close()
	}
	return nil
}
