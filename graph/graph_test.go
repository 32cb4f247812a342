package graph

import (
	"errors"
	"io/fs"
	"os"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/lamport-kb/lamport/content"
	"github.com/lamport-kb/lamport/i18n"
)

func TestBuild(t *testing.T) {
	g := mustBuild(t, `
a b ~c
a requires b
a combines-with c
b alternative-to c
a mentions b b a
a mentions:zh b c
b mentions:zh a
a tags x y`)
	var nodes []Node
	for _, n := range g.Nodes() {
		nodes = append(nodes, *n)
	}
	wantNodes := []Node{
		{Slug: "a", Name: content.Names{"en": "A en", "zh": "A zh"}, Written: true, Tags: []string{"x", "y"}},
		{Slug: "b", Name: content.Names{"en": "B en", "zh": "B zh"}, Written: true},
		{Slug: "c", Name: content.Names{"en": "c", "zh": "c（中）"}},
	}
	if diff := cmp.Diff(wantNodes, nodes); diff != "" {
		t.Errorf("nodes (-want +got):\n%s", diff)
	}
	wantEdges := []Edge{
		{From: "a", To: "b", Type: "requires", File: "patterns/a/pattern.yaml", Line: 2},
		{From: "a", To: "c", Type: "combines-with", File: "patterns/a/pattern.yaml", Line: 3},
		{From: "b", To: "c", Type: "alternative-to", File: "patterns/b/pattern.yaml", Line: 4},
	}
	if diff := cmp.Diff(wantEdges, g.Edges()); diff != "" {
		t.Errorf("edges (-want +got):\n%s", diff)
	}
	// Deduplicated across languages, without a's link to itself.
	wantMentions := []Mention{{"a", "b"}, {"a", "c"}, {"b", "a"}}
	if diff := cmp.Diff(wantMentions, g.Mentions()); diff != "" {
		t.Errorf("mentions (-want +got):\n%s", diff)
	}
	if g.Node("c") != g.Nodes()[2] || g.Node("nope") != nil {
		t.Error("Node does not find nodes by slug")
	}
}

func TestLinks(t *testing.T) {
	g := mustBuild(t, `
a b c ~d
a requires b
b combines-with a
b combines-with c
c combines-with b
c alternative-to d
a mentions c
c mentions a`)
	tests := []struct {
		slug string
		want []Link
	}{
		{"a", []Link{{"requires", "b"}, {"combines-with", "b"}, {"mentions", "c"}, {"mentioned-by", "c"}}},
		// c combines-with b is declared from both sides: one link.
		{"b", []Link{{"required-by", "a"}, {"combines-with", "a"}, {"combines-with", "c"}}},
		{"d", []Link{{"alternative-to", "c"}}},
		{"nope", nil},
	}
	for _, tt := range tests {
		t.Run(tt.slug, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, g.Links(tt.slug)); diff != "" {
				t.Errorf("Links(%s) (-want +got):\n%s", tt.slug, diff)
			}
		})
	}
}

func TestInverse(t *testing.T) {
	for label, want := range map[string]string{
		"requires": "required-by", "required-by": "requires", "combines-with": "combines-with",
		"alternative-to": "alternative-to", "mentions": "mentioned-by", "mentioned-by": "mentions",
	} {
		if got := Inverse(label); got != want {
			t.Errorf("Inverse(%s) = %s, want %s", label, got, want)
		}
		if Inverse(Inverse(label)) != label {
			t.Errorf("Inverse is not an involution on %s", label)
		}
	}
}

func TestValidation(t *testing.T) {
	tests := []struct {
		name, spec string
		want       []string // problems, as content.Problem.String formats them
	}{
		{"two types both ways is fine", "a b\na requires b\nb combines-with a\nb alternative-to a", nil},
		{"a DAG with a diamond is fine", "a b c d\na requires b c\nb requires d\nc requires d", nil},
		{"two-cycle", "a b\na requires b\nb requires a",
			[]string{"patterns/a/pattern.yaml:2: requires forms a cycle: a → b → a (requires must not loop: drop or retype one of its edges)"}},
		{"three-cycle, named from its first pattern in catalog order", "x a b c\nc requires a\nb requires c\na requires b\nx requires a",
			[]string{"patterns/a/pattern.yaml:4: requires forms a cycle: a → b → c → a (requires must not loop: drop or retype one of its edges)"}},
		{"the shortest cycle through the first pattern", "a b c\na requires b c\nb requires c\nc requires a",
			[]string{"patterns/a/pattern.yaml:2: requires forms a cycle: a → c → a (requires must not loop: drop or retype one of its edges)"}},
		{"two cycles", "a b c d\na requires b\nb requires a\nc requires d\nd requires c",
			[]string{
				"patterns/a/pattern.yaml:2: requires forms a cycle: a → b → a (requires must not loop: drop or retype one of its edges)",
				"patterns/c/pattern.yaml:4: requires forms a cycle: c → d → c (requires must not loop: drop or retype one of its edges)",
			}},
		{"self", "a\na requires a",
			[]string{"patterns/a/pattern.yaml:2: requires forms a cycle: a → a (requires must not loop: drop or retype one of its edges)"}},
		{"a cycle of combines-with is fine", "a b c\na combines-with b\nb combines-with c\nc combines-with a", nil},
		{"listed twice", "a b\na combines-with b\na combines-with b",
			[]string{`patterns/a/pattern.yaml:3: combines-with lists "b" twice (first at line 2)`}},
		{"unknown slug", "a\na requires ghost",
			[]string{`patterns/a/pattern.yaml:2: requires: unknown slug "ghost" (not in the catalog)`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, err := Build(library(t, tt.spec))
			var got []string
			var problems content.Problems
			if errors.As(err, &problems) {
				for _, p := range problems {
					got = append(got, p.String())
				}
			} else if err != nil {
				t.Fatalf("Build returned %T, not content.Problems: %v", err, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
			if (g == nil) != (len(tt.want) > 0) {
				t.Errorf("Build returned a graph %v with problems %v", g != nil, got)
			}
		})
	}
}

// TestLoadedCycle puts a cycle in requires into a content tree that
// content.Load accepts: the sample fixture plus a second written pattern.
func TestLoadedCycle(t *testing.T) {
	fsys := fixture(t)
	yml := string(fsys["patterns/sample/pattern.yaml"].Data)
	fsys["patterns/sample/pattern.yaml"].Data = []byte(strings.Replace(yml, "combines-with: [planned-thing]", "requires: [planned-thing]", 1))
	for name, f := range fsys {
		if rest, ok := strings.CutPrefix(name, "patterns/sample/"); ok {
			fsys["patterns/plannedthing/"+rest] = &fstest.MapFile{Data: f.Data}
		}
	}
	other := strings.Replace(yml, "slug: sample", "slug: planned-thing", 1)
	other = strings.Replace(other, "difficulty: 1", "difficulty: 2", 1)
	other = strings.Replace(other, "combines-with: [planned-thing]", "requires: [sample]", 1)
	fsys["patterns/plannedthing/pattern.yaml"] = &fstest.MapFile{Data: []byte(other)}

	lib, err := content.Load(fsys)
	if err != nil {
		t.Fatalf("the fixture does not load:\n%v", err)
	}
	_, err = Build(lib)
	want := "patterns/sample/pattern.yaml:5: requires forms a cycle: sample → planned-thing → sample"
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("Build: %v\nwant %s...", err, want)
	}
}

// fixture copies content's sample tree into a MapFS.
func fixture(t *testing.T) fstest.MapFS {
	t.Helper()
	root := os.DirFS("../content/testdata/site")
	fsys := fstest.MapFS{}
	err := fs.WalkDir(root, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(root, name)
		fsys[name] = &fstest.MapFile{Data: data}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return fsys
}

// TestContent builds the graph of the real content.
func TestContent(t *testing.T) {
	lib, err := contentLibrary()
	if err != nil {
		t.Fatal(err)
	}
	g, err := Build(lib)
	if err != nil {
		t.Fatalf("the content's graph has problems:\n%v", err)
	}
	written, relations := 0, 0
	for _, n := range g.Nodes() {
		if n.Written {
			written++
		}
	}
	for _, p := range lib.Patterns {
		relations += len(p.Relations)
	}
	if len(g.Nodes()) != len(lib.Catalog) || written != len(lib.Patterns) || len(g.Edges()) != relations {
		t.Errorf("%d nodes (%d written), %d edges; the library has %d entries, %d patterns, %d relations",
			len(g.Nodes()), written, len(g.Edges()), len(lib.Catalog), len(lib.Patterns), relations)
	}
	if len(lib.Patterns) < 20 {
		t.Errorf("only %d written patterns", len(lib.Patterns))
	}
	if len(g.Mentions()) == 0 {
		t.Error("no page mentions another")
	}
	for _, p := range lib.Patterns {
		if pre := g.Prerequisites(p.Slug); pre == nil {
			t.Errorf("Prerequisites(%s) = nil", p.Slug)
		}
	}
	p, ok := g.Path("retry-backoff-jitter", "saga")
	t.Logf("core: %v", g.PageRank()[:5])
	t.Logf("path: %v (%v)", p, ok)
	t.Logf("before saga: %v", g.Prerequisites("saga"))
	t.Logf("beside circuit-breaker: %+v", g.Recommend("circuit-breaker", 5))
}

// TestPathMentions checks the learning paths' nodes: their steps and
// titles, one mention per pattern their prose links to in any language
// (not the unknown ones, not twice), kept apart from the patterns'
// mentions and from PageRank.
func TestPathMentions(t *testing.T) {
	spec := "a b c ~d\na requires b\nb mentions c"
	lib := library(t, spec)
	lib.Paths = []*content.Path{
		{ID: "first", Slugs: []string{"b", "a"}, Docs: map[string]*content.PathDoc{
			i18n.English: {Title: "First", Links: []content.Link{{Slug: "a"}, {Slug: "d"}, {Slug: "a", Section: "x"}}},
			i18n.Chinese: {Title: "第一", Links: []content.Link{{Slug: "c"}, {Slug: "nope"}}},
		}},
		{ID: "second", Slugs: []string{"c"}, Docs: map[string]*content.PathDoc{
			i18n.English: {Title: "Second", Links: []content.Link{{Slug: "a"}}},
		}},
	}
	g, err := Build(lib)
	if err != nil {
		t.Fatal(err)
	}
	want := []Mention{{"first", "a"}, {"first", "d"}, {"first", "c"}, {"second", "a"}}
	if diff := cmp.Diff(want, g.PathMentions()); diff != "" {
		t.Errorf("PathMentions (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"first", "second"}, g.PathsMentioning("a")); diff != "" {
		t.Errorf("PathsMentioning(a) (-want +got):\n%s", diff)
	}
	if got := g.PathsMentioning("b"); got != nil {
		t.Errorf("PathsMentioning(b) = %v, want none (b is a step, not mentioned)", got)
	}
	if p := g.Paths()[0]; p.ID != "first" || p.Name[i18n.Chinese] != "第一" || !slices.Equal(p.Steps, []string{"b", "a"}) {
		t.Errorf("first path: %+v", p)
	}
	plain := mustBuild(t, spec)
	if diff := cmp.Diff(plain.Mentions(), g.Mentions()); diff != "" {
		t.Errorf("paths changed the patterns' mentions (-without +with):\n%s", diff)
	}
	if diff := cmp.Diff(plain.PageRank(), g.PageRank(), cmpopts.EquateApprox(0, 1e-9)); diff != "" {
		t.Errorf("paths changed PageRank (-without +with):\n%s", diff)
	}
}
