package content

import (
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/lamport-kb/lamport/i18n"
)

// sampleDiagram is the English sample page's diagram.
func sampleDiagram(t *testing.T) Figure {
	t.Helper()
	figs, err := Figures(os.DirFS("testdata/site"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range figs {
		if f.Kind == Diagram && f.Lang == i18n.English {
			return f
		}
	}
	t.Fatal("the sample has no English diagram")
	return Figure{}
}

// TestFigures lists the sample's figures at their lines, keyed so that a
// formula is shared by both languages and a diagram (named in its page's
// language) is not.
func TestFigures(t *testing.T) {
	figs, err := Figures(os.DirFS("testdata/site"))
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		Kind    FigureKind
		Where   string
		Display bool
		Source  string
	}
	var got []row
	keys := make(map[string][]string)
	for _, f := range figs {
		if f.File == "patterns/sample/en.md" {
			got = append(got, row{f.Kind, f.File + ":" + strconv.Itoa(f.Line), f.Display, f.Source})
		}
		keys[f.Artifact()] = append(keys[f.Artifact()], f.Lang)
	}
	want := []row{
		{Formula, "patterns/sample/en.md:20", false, "x_1 + y"},
		{Formula, "patterns/sample/en.md:22", true, `\tau(t) = \min(b, r t)`},
		{Formula, "patterns/sample/en.md:25", true, `\sum_i x_i`},
		{Diagram, "patterns/sample/en.md:43", false, "flowchart LR\n  A[<b>x</b>] --> B\n"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("English figures (-want +got):\n%s", diff)
	}
	inline := newFigure(Formula, "x_1 + y", false, i18n.English)
	inline.File = "patterns/sample/en.md"
	if len(keys[inline.Artifact()]) != 2 {
		t.Errorf("the formula x_1 + y of both pages does not share one artifact: %v", keys)
	}
	for name, langs := range keys {
		if strings.HasSuffix(name, ".svg") && len(langs) != 1 {
			t.Errorf("diagram %s is used by %v", name, langs)
		}
		if !strings.HasPrefix(name, "patterns/sample/rendered/") {
			t.Errorf("artifact %s is not beside its page", name)
		}
	}
}

// TestFigureArtifacts: a figure without a current artifact fails the load
// at its file:line and names the command that fixes it; an author's
// preview draws it in the browser instead; an unused artifact is a warning.
func TestFigureArtifacts(t *testing.T) {
	diagram := sampleDiagram(t)
	data, err := os.ReadFile("testdata/site/" + diagram.Artifact())
	if err != nil {
		t.Fatal(err)
	}
	_, drawing, _ := decodeArtifact(data)
	stale := "<!-- lamport-figure mermaid@0.0.1 katex@0.0.1 render.js@00000000 -->\n" + drawing
	notArtifact := "<svg></svg>"
	tests := []struct {
		name    string
		changes map[string]*string
		problem string // at the diagram's line
	}{
		{"missing", map[string]*string{diagram.Artifact(): nil},
			"diagram not rendered: " + diagram.Artifact() + " is missing (the diagram is new or changed since the last render): run `lamport render`"},
		{"stale", map[string]*string{diagram.Artifact(): &stale},
			"diagram rendering is stale: " + diagram.Artifact() + " was drawn by mermaid@0.0.1 katex@0.0.1 render.js@00000000, the renderer is now " + Renderer + ": run `lamport render`"},
		{"not an artifact", map[string]*string{diagram.Artifact(): &notArtifact},
			"diagram: " + diagram.Artifact() + " is not an artifact of lamport render: run `lamport render`"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fixture(t, tt.changes)
			_, err := Load(fsys)
			want := []Problem{{File: diagram.File, Line: diagram.Line, Msg: tt.problem}}
			if diff := cmp.Diff(want, []Problem(asProblems(err))); diff != "" {
				t.Errorf("Load (-want +got):\n%s", diff)
			}
			lib, err := LoadWith(fsys, Options{AllowMissing: true})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, lib.Warnings); diff != "" {
				t.Errorf("preview warnings (-want +got):\n%s", diff)
			}
			d := lib.Pattern("sample").Docs[i18n.English]
			html := d.Sections[3].HTML
			if tt.name == "stale" { // the old drawing is shown until it is rendered again
				if !strings.Contains(html, `<div class="diagram"><svg`) || d.HasMermaid {
					t.Errorf("a stale drawing is not shown: HasMermaid %v\n%s", d.HasMermaid, html)
				}
				return
			}
			if !strings.Contains(html, `<pre class="mermaid">flowchart LR`) || !d.HasMermaid {
				t.Errorf("the preview does not draw the diagram in the browser: HasMermaid %v\n%s", d.HasMermaid, html)
			}
		})
	}
}

func TestUnusedArtifact(t *testing.T) {
	const unused = "patterns/sample/rendered/0000000000000000.svg"
	lib, err := Load(fixture(t, withFile(map[string]*string{}, unused, string(EncodeArtifact("<svg></svg>")))))
	if err != nil {
		t.Fatal(err)
	}
	want := []Problem{{File: unused, Msg: "no figure uses this rendering any more: run `lamport render` to remove it"}}
	if diff := cmp.Diff(want, lib.Warnings); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
}

// TestFormulaPreview: in an author's preview, a formula without its
// MathML is left for the browser to typeset, and only that page loads the
// math library.
func TestFormulaPreview(t *testing.T) {
	figs, err := Figures(os.DirFS("testdata/site"))
	if err != nil {
		t.Fatal(err)
	}
	var inline Figure
	for _, f := range figs {
		if f.Kind == Formula && !f.Display {
			inline = f
		}
	}
	lib, err := LoadWith(fixture(t, map[string]*string{inline.Artifact(): nil}), Options{AllowMissing: true})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(lib.Warnings); n != 2 { // the formula is on both pages
		t.Errorf("%d warnings, want 2: %v", n, lib.Warnings)
	}
	d := lib.Pattern("sample").Docs[i18n.English]
	html := d.Sections[1].HTML
	if !strings.Contains(html, `<span class="math">x_1 + y</span>`) || !d.HasMath || d.HasMermaid {
		t.Errorf("HasMath %v, HasMermaid %v:\n%s", d.HasMath, d.HasMermaid, html)
	}
	if !strings.Contains(html, `<div class="math-display" tabindex="0"><math`) {
		t.Errorf("the rendered display formula is not shown:\n%s", html)
	}
}

func asProblems(err error) Problems {
	var ps Problems
	errors.As(err, &ps)
	return ps
}

// TestCompactGeometry: coordinates and sizes are rounded to a tenth,
// labels keep every digit.
func TestCompactGeometry(t *testing.T) {
	in := `<svg viewBox="0 0 847.51171875 547" style="max-width: 847.51171875px;"><path d="M10.04999,20.25L-3.96875,4 2.0001.045"></path><text x="1.2345">p = 0.9999</text><g aria-label="0.12345"></g></svg>`
	want := `<svg viewBox="0 0 847.5 547" style="max-width: 847.5px;"><path d="M10.0,20.3L-4.0,4 2.0.045"></path><text x="1.2">p = 0.9999</text><g aria-label="0.12345"></g></svg>`
	if got := compactGeometry(in); got != want {
		t.Errorf("compactGeometry:\n got %s\nwant %s", got, want)
	}
}
