package graph

// Prerequisites returns what to read before slug: every pattern it
// requires, directly or through others, in reading order (see
// ReadingOrder). It is empty for a pattern that requires nothing, nil for
// an unknown slug.
func (g *Graph) Prerequisites(slug string) []string {
	order := g.ReadingOrder(slug)
	if len(order) == 0 {
		return nil
	}
	return order[:len(order)-1] // slug needs all the others, so it comes last
}

// ReadingOrder returns goals and everything they require, directly or
// through others, each once, in an order where every pattern comes after
// the prerequisites it needs: at each step, the first pattern in catalog
// order whose prerequisites are all read (the least topological order in
// catalog order). Unknown slugs are ignored.
//
// gonum's topological sort is stabilised differently (by depth-first
// search), which can put a later pattern before an earlier one that is
// just as ready; this order is the one a reader can predict.
func (g *Graph) ReadingOrder(goals ...string) []string {
	closure := make([]bool, len(g.nodes))
	var visit func(int)
	visit = func(u int) {
		if !closure[u] {
			closure[u] = true
			for _, v := range g.requires[u] {
				visit(v)
			}
		}
	}
	for _, s := range goals {
		if i, ok := g.index[s]; ok {
			visit(i)
		}
	}
	read := make([]bool, len(g.nodes))
	var order []string
	for next := g.ready(closure, read); next >= 0; next = g.ready(closure, read) {
		read[next] = true
		order = append(order, g.nodes[next].Slug)
	}
	return order
}

// ready returns the first node in catalog order that is in the closure,
// not read yet and whose prerequisites are all read, or -1. Build
// guarantees requires has no cycle, so every node of the closure is ready
// in its turn.
func (g *Graph) ready(closure, read []bool) int {
	for u := range g.nodes {
		if closure[u] && !read[u] && g.allRead(u, read) {
			return u
		}
	}
	return -1
}

func (g *Graph) allRead(u int, read []bool) bool {
	for _, v := range g.requires[u] {
		if !read[v] {
			return false
		}
	}
	return true
}
