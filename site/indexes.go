package site

import (
	"github.com/lamport-kb/lamport/content"
)

// indexes are lookups derived once per library.
type indexes struct {
	byCategory map[string][]*content.Pattern
	byTag      map[string][]*content.Pattern
	position   map[string]int // slug → index in lib.Patterns
}

func buildIndexes(lib *content.Library) *indexes {
	ix := &indexes{
		byCategory: make(map[string][]*content.Pattern),
		byTag:      make(map[string][]*content.Pattern),
		position:   make(map[string]int),
	}
	for i, p := range lib.Patterns {
		ix.position[p.Slug] = i
		ix.byCategory[p.Category] = append(ix.byCategory[p.Category], p)
		for _, t := range p.Tags {
			ix.byTag[t] = append(ix.byTag[t], p)
		}
	}
	return ix
}
