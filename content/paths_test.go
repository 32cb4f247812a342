package content

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestPaths(t *testing.T) {
	lib, err := Load(fixture(t, nil))
	if err != nil {
		t.Fatal(err)
	}
	p := lib.Path("basics")
	if p == nil || lib.Path("nope") != nil {
		t.Fatalf("Path(basics) = %v; paths: %v", p, lib.Paths)
	}
	if diff := cmp.Diff([]string{"planned-thing", "sample"}, p.Slugs); diff != "" {
		t.Errorf("slugs (-want +got):\n%s", diff)
	}
	en, zh := p.Doc("en"), p.Doc("zh")
	if en.Title != "Basics" || zh.Title != "入门" || zh.Summary != "从这里开始。" {
		t.Errorf("docs: %+v, %+v", en, zh)
	}
	if !strings.Contains(en.HTML, "<em>sample</em>") {
		t.Errorf("prose not rendered: %q", en.HTML)
	}
	// [[links]] in the prose resolve as on a pattern page: to the page in
	// the reader's language, a planned target marked and not a link.
	for _, want := range []string{`<a class="xref" href="/en/patterns/sample">Sample</a>`,
		`<a class="xref" href="/en/patterns/sample#when-to-use">when to use it</a>`,
		`<span class="xref planned" title="Planned Thing">Planned Thing</span>`} {
		if !strings.Contains(en.HTML, want) {
			t.Errorf("English prose has no %s:\n%s", want, en.HTML)
		}
	}
	if want := `<a class="xref" href="/zh/patterns/sample">`; !strings.Contains(zh.HTML, want) {
		t.Errorf("Chinese prose has no %s:\n%s", want, zh.HTML)
	}
	wantLinks := []Link{{Slug: "sample"}, {Slug: "sample", Section: "when-to-use"}, {Slug: "planned-thing"}}
	if diff := cmp.Diff(wantLinks, en.Links); diff != "" {
		t.Errorf("English links (-want +got):\n%s", diff)
	}
	if p.Doc("fr") != en {
		t.Error("an unknown language does not fall back to English")
	}
}

func TestPathValidation(t *testing.T) {
	const yml, en, zh = "paths/basics/path.yaml", "paths/basics/en.md", "paths/basics/zh.md"
	tests := []struct {
		name    string
		changes map[string]*string
		want    string
	}{
		{"unknown slug", edit(t, yml, "  - sample\n", "  - sample\n  - ghost\n"), yml + `:6: unknown slug "ghost" (not in catalog.yaml)`},
		{"step twice", edit(t, yml, "  - sample\n", "  - sample\n  - sample\n"), yml + `:6: step "sample" is listed twice`},
		{"unknown after", edit(t, yml, "after: []", "after: [advanced]"), yml + `:2: after: "advanced" is not another learning path`},
		{"no steps", edit(t, yml, "slugs:\n  - planned-thing\n  - sample\n", "slugs: []\n"), yml + ":3: a path needs at least one step"},
		{"unknown key", edit(t, yml, "order: 1", "order: 1\nlevel: 2"), yml + ":2: field level not found"},
		{"missing Chinese", map[string]*string{zh: nil}, zh + ": missing zh.md"},
		{"no title", edit(t, zh, "title: 入门", "title: \"\""), zh + ":1: front matter needs a title and a summary"},
		{"unknown link", edit(t, zh, "[[planned-thing]]", "[[ghost]]"), zh + `:6: link [[ghost]]: unknown pattern "ghost" (not in catalog.yaml)`},
		{"unknown section", edit(t, en, "#when-to-use|", "#nowhere|"), en + `:6: link [[sample#nowhere]]: the page has no section or heading "nowhere"`},
		{"section of a planned pattern", edit(t, en, "[[planned-thing]]", "[[planned-thing#intro]]"), en + ":6: link [[planned-thing#intro]]: planned-thing is only planned"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(fixture(t, tt.changes))
			if err == nil {
				t.Fatalf("Load succeeded; want a problem %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("problems:\n%v\nwant one starting %q", err, tt.want)
			}
		})
	}
}

func TestEmbeddedPaths(t *testing.T) {
	lib, err := embedded()
	if err != nil {
		t.Fatal(err)
	}
	if len(lib.Paths) != 9 {
		t.Errorf("%d learning paths, want the catalog's 9", len(lib.Paths))
	}
	for i, p := range lib.Paths {
		if p.Order != i+1 {
			t.Errorf("path %d is %s, order %d", i, p.ID, p.Order)
		}
	}
}
