// Package graph is Lamport's knowledge graph: the typed relations between
// patterns, validated, with the algorithms the site uses to explain them
// (core patterns, explained paths, reading orders, neighbourhoods and
// recommendations). It reads a *content.Library and nothing else; the site
// combines it with search, which it never imports.
//
// # Nodes and edges
//
// Build makes a Graph from a library. Its nodes are the catalog's
// patterns, in catalog order, written or planned: a Node has its name in
// every language (the page title when written, else the catalog's name)
// and says whether it is written, so a view can link written nodes and
// only name planned ones.
//
// Its edges come from two places:
//
//   - Typed edges, from the relations in each written pattern's
//     pattern.yaml: requires (read the target first), combines-with (used
//     together) and alternative-to (contrasted). An Edge is one
//     declaration, with the file and line that make it. Seen from its
//     target, an edge has the inverse label (Inverse): requires reads
//     required-by; the symmetric types are their own inverse.
//   - Mention edges, from the [[links]] in a page's prose, in every
//     language, one per pair of patterns however often and in however many
//     languages the page links (Mention). A page's links to itself are not
//     mentions.
//
// The learning paths of the catalog are nodes too, apart from the
// patterns (Paths): each with the steps it lists and a mention of every
// pattern its prose links to (PathMentions), which the pattern pages show
// among their backlinks. No algorithm walks them: they introduce
// patterns, they do not relate them.
//
// A pair may carry different types from its two sides, and the catalog
// does so on purpose (retry-backoff-jitter requires timeout-deadline, and
// timeout-deadline combines with retry-backoff-jitter): each side says what
// is true from where it stands. Links lists every edge at a node, seen from
// it.
//
// # Validation
//
// Build returns content.Problems, each at a pattern.yaml's file:line (the
// file is the pattern's Dir + "/pattern.yaml", the line its Relation.Line),
// as content.Load does, so `lamport check` prints both alike:
//
//   - a cycle in requires, named in full, at the line of its first edge
//     ("requires forms a cycle: a → b → a"); requires must be a DAG, since
//     no reader can read a before b and b before a. The cycle reported is
//     the shortest through the component's first pattern in catalog
//     order, one per strongly connected component;
//   - a relation listed twice in one pattern.yaml.
//
// Two different types between a pair, one from each side, are not a
// problem (see above); requires both ways is, as a cycle of two.
// content.Load already rejects a relation to a slug outside the catalog
// and a pattern that names itself, so with a loaded library Build never
// reports them; with a library made by hand it reports the first ("unknown
// slug") and treats a pattern requiring itself as a cycle of one, so that
// every edge of a Graph joins two nodes. A Graph that Build returns has no
// cycle in requires.
//
// # Algorithms
//
// Every answer is deterministic: where the graph allows several, ties are
// broken by catalog order (paths, orders, neighbourhoods) or by slug
// (rankings, recommendations), never by map order.
//
//   - PageRank ranks the nodes for "core patterns": gonum's edge-weighted
//     PageRank (damping 0.85) over the typed edges, where a requires edge
//     points at the prerequisite and a symmetric edge points both ways;
//     each declaration adds 1 to its arc's weight. Mentions do not count:
//     they are prose, not claims. Planned patterns are ranked too; a view
//     that lists pages keeps the written ones.
//   - Path is the shortest explained path between two patterns over the
//     typed edges, taken in either direction, each step with the label it
//     has from where the reader stands ("a requires b, which is required by
//     c"). Among equally short paths it takes the one whose steps come
//     first in catalog order; gonum's searches visit neighbours in map
//     order, so the search is a breadth-first search of our own.
//   - Prerequisites and ReadingOrder give what to read before a pattern:
//     the closure of requires, in the least topological order by catalog
//     order: at each step, the first pattern in the catalog whose
//     prerequisites are all read. (gonum's stabilised sort is depth-first
//     and can put a later pattern before an equally ready earlier one.)
//   - Neighbourhood lists the patterns within k typed steps of one, each
//     with its distance and the explained path to it.
//   - Recommend suggests written patterns to read next: graph proximity
//     (1/d for a pattern d ≤ MaxHops steps away over typed edges and
//     mentions) plus the Jaccard similarity of the two tag sets.
//
// # Layout
//
// Layout draws the whole graph for the site's SVG: gonum's Eades
// force-directed layout (graph/layout) over typed edges and mentions, with
// a weak pull of every pattern towards a hidden hub of its category (so
// planned patterns, which have no edges of their own, sit beside their
// kin), scaled into a box that grows with the number of nodes, then
// pushed apart until no two are closer than Spacing and none is nearer
// the edge than Margin. gonum reads nodes in map order; the graph it is
// given lists them by id (orderedGraph) and its random start is seeded, so
// the same content is always drawn the same way. It is computed on first
// use. LocalLayout draws one pattern's 1–2 step neighbourhood as rings
// around it, for the pattern pages.
//
// Both place every node's label (Node.Label: its short name in one or two
// lines) at one of eight anchors around its circle: the first, from below
// clockwise, where a box as wide as the node's widest label in any
// language (TextWidth estimates text from DejaVu Sans's advance widths,
// CJK characters a full em) overlaps no placed label and no circle, and
// stays in the drawing. The core patterns choose first; a node with no
// free anchor moves to the nearest place that has one, and when none is
// near, the drawing is spread out and labelled again. So one layout
// serves every language, and no label overlaps another or a circle
// (TestLabelsDoNotOverlap, and in a browser's fonts TestBrowserGraph).
//
// # Use
//
// The site builds one Graph per content version, in site.Build, beside the
// search index, and keeps it in site.State; `lamport check` builds one to
// report its problems. A Graph is immutable once built and safe for
// concurrent use.
//
//	g, err := graph.Build(lib) // content.Problems on a cycle
//	core := g.PageRank()[:5]   // the most central patterns
//	p, ok := g.Path("retry-backoff-jitter", "saga")
//	fmt.Println(p) // retry-backoff-jitter combines with durable-execution, which combines with saga
//	before := g.Prerequisites("saga")
//	next := g.Recommend("circuit-breaker", 5)
//
// Labels are the relation types of content plus RequiredBy, Mentions and
// MentionedBy; i18n's Messages.Relation names the first four for the
// reader.
package graph
