package site

import (
	"github.com/lamport-kb/lamport/content"
)

// indexes are lookups derived once per library.
type indexes struct {
	byCategory map[string][]*content.Pattern
	byTag      map[string][]*content.Pattern
	position   map[string]int // slug → index in lib.Patterns
	requiredBy map[string][]string
	// incoming lists, per slug and symmetric relation type, the written
	// patterns whose pattern.yaml names the slug.
	incoming map[string]map[string][]string
}

func buildIndexes(lib *content.Library) *indexes {
	ix := &indexes{
		byCategory: make(map[string][]*content.Pattern),
		byTag:      make(map[string][]*content.Pattern),
		position:   make(map[string]int),
		requiredBy: make(map[string][]string),
		incoming:   make(map[string]map[string][]string),
	}
	for i, p := range lib.Patterns {
		ix.position[p.Slug] = i
		ix.byCategory[p.Category] = append(ix.byCategory[p.Category], p)
		for _, t := range p.Tags {
			ix.byTag[t] = append(ix.byTag[t], p)
		}
		for _, rel := range p.Relations {
			switch {
			case rel.Type == content.Requires:
				ix.requiredBy[rel.Target] = append(ix.requiredBy[rel.Target], p.Slug)
			case content.Symmetric(rel.Type):
				if ix.incoming[rel.Target] == nil {
					ix.incoming[rel.Target] = make(map[string][]string)
				}
				ix.incoming[rel.Target][rel.Type] = append(ix.incoming[rel.Target][rel.Type], p.Slug)
			}
		}
	}
	return ix
}
