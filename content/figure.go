package content

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"math"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/text"

	"github.com/lamport-kb/lamport/i18n"
)

// Renderer names what draws the figures (package figure, `lamport
// render`): the npm versions of Mermaid and KaTeX in
// static/package-lock.json and a digest of figure/render.js, which holds
// every drawing setting (themes, fonts, label mode). Every artifact
// records the Renderer that drew it; one drawn by another is stale. The
// figure package's tests fail when this constant no longer names the
// renderer, and `lamport render` refuses to draw with another one.
const Renderer = "mermaid@11.17.2 katex@0.16.47 render.js@a73ada79"

// FigureKind is what a figure is drawn from: a Mermaid diagram or a TeX
// formula.
type FigureKind string

// The kinds of figure.
const (
	Diagram FigureKind = "diagram" // a ```mermaid block, drawn as SVG
	Formula FigureKind = "formula" // $…$ or $$…$$, typeset as MathML
)

// Figure is a diagram or a formula of a page. Its artifact, the drawing
// made once by `lamport render`, lives beside the page in
// patterns/<pkg>/rendered/<Key>.svg (or .mathml) and is inlined into the
// page's HTML, so reading it needs no script.
type Figure struct {
	Kind    FigureKind
	Source  string // the Mermaid or TeX source
	Display bool   // display math ($$…$$)
	Lang    string // the page's language: a diagram's accessible name is in it
	File    string // the page, inside the content FS
	Line    int
	Key     string // digest of what the drawing depends on besides the Renderer
}

// newFigure names a figure by its key: the kind, the source, and what
// else changes its drawing (display mode; a diagram's language). Equal
// formulas of the two languages share one artifact.
func newFigure(kind FigureKind, source string, display bool, lang string) Figure {
	f := Figure{Kind: kind, Source: source, Display: display, Lang: lang}
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%t\x00", kind, display)
	if kind == Diagram {
		fmt.Fprintf(h, "%s\x00", lang)
	}
	h.Write([]byte(source))
	f.Key = hex.EncodeToString(h.Sum(nil))[:16]
	return f
}

// RenderedDir is the folder of a pattern's artifacts.
const RenderedDir = "rendered"

// Artifact is the path of the figure's artifact inside the content FS.
func (f Figure) Artifact() string {
	ext := ".svg"
	if f.Kind == Formula {
		ext = ".mathml"
	}
	return path.Join(path.Dir(f.File), RenderedDir, f.Key+ext)
}

// artifactHeader starts every artifact file and names its Renderer.
const artifactHeader = "<!-- lamport-figure "

// EncodeArtifact is the content of an artifact file: a header naming the
// current Renderer, then the drawing's HTML (an <svg>, its geometry
// compacted, or a <math> element).
func EncodeArtifact(html string) []byte {
	html = strings.TrimSpace(html)
	if strings.HasPrefix(html, "<svg") {
		html = compactGeometry(html)
	}
	return []byte(artifactHeader + Renderer + " -->\n" + html + "\n")
}

// decodeArtifact splits an artifact file into the renderer that drew it and
// its HTML.
func decodeArtifact(data []byte) (renderer, html string, ok bool) {
	head, body, found := bytes.Cut(data, []byte("\n"))
	if !found || !bytes.HasPrefix(head, []byte(artifactHeader)) || !bytes.HasSuffix(head, []byte(" -->")) {
		return "", "", false
	}
	renderer = string(head[len(artifactHeader) : len(head)-len(" -->")])
	return renderer, string(bytes.TrimSpace(body)), true
}

// ArtifactRenderer reports which Renderer drew an artifact file, and
// whether the file is an artifact at all.
func ArtifactRenderer(data []byte) (string, bool) {
	r, _, ok := decodeArtifact(data)
	return r, ok
}

// Figures lists every figure of the pattern pages in fsys, in file and
// line order. It only parses the pages (a page with other problems still
// lists its figures), so `lamport render` can draw a tree that does not
// load yet.
func Figures(fsys fs.FS) ([]Figure, error) {
	files, err := fs.Glob(fsys, "patterns/*/*.md")
	if err != nil {
		return nil, err
	}
	md := newMarkdown()
	var out []Figure
	for _, file := range files {
		lang := strings.TrimSuffix(path.Base(file), ".md")
		if !i18n.Supported(lang) {
			continue
		}
		data, err := fs.ReadFile(fsys, file)
		if err != nil {
			return nil, err
		}
		data = bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))
		_, body, bodyLine, ok := splitFrontMatter(data)
		if !ok {
			continue
		}
		root := md.Parser().Parse(text.NewReader(body))
		for _, fo := range figuresIn(root, body, lang) {
			fo.fig.File, fo.fig.Line = file, bodyLine+bytes.Count(body[:fo.offset], []byte("\n"))
			out = append(out, fo.fig)
		}
	}
	return out, nil
}

// figureAt is a figure and its byte offset in a page's body.
type figureAt struct {
	fig    Figure
	offset int
	node   ast.Node
}

// figuresIn finds the figures of a parsed page body, in order.
func figuresIn(root ast.Node, body []byte, lang string) []figureAt {
	var out []figureAt
	ast.Walk(root, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.FencedCodeBlock:
			if isMermaid(n, body) {
				out = append(out, figureAt{newFigure(Diagram, linesText(n, body), false, lang), n.Info.Segment.Start, n})
			}
		case *mathNode:
			out = append(out, figureAt{newFigure(Formula, n.tex, n.display, lang), n.offset, n})
		case *mathBlock:
			out = append(out, figureAt{newFigure(Formula, mathBlockTeX(n, body), true, lang), offsetOf(n), n})
		}
		return ast.WalkContinue, nil
	})
	return out
}

func isMermaid(n *ast.FencedCodeBlock, source []byte) bool {
	return n.Info != nil && string(n.Language(source)) == "mermaid"
}

func mathBlockTeX(n *mathBlock, source []byte) string {
	return strings.TrimSpace(linesText(n, source))
}

// artifacts reads and caches the artifacts of a load, and reports the
// unused ones.
type artifacts struct {
	l    *loader
	used map[string]bool // artifact path → used by a figure
}

// lookup returns a figure's drawing, or "" with the reason there is none.
func (a *artifacts) lookup(f Figure) (html, problem string) {
	name := f.Artifact()
	a.used[name] = true
	data, err := a.l.read(name)
	what := "diagram"
	if f.Kind == Formula {
		what = "formula"
	}
	if err != nil {
		return "", fmt.Sprintf("%s not rendered: %s is missing (the %s is new or changed since the last render): run `lamport render`", what, name, what)
	}
	renderer, html, ok := decodeArtifact(data)
	switch {
	case !ok:
		return "", fmt.Sprintf("%s: %s is not an artifact of lamport render: run `lamport render`", what, name)
	case renderer != Renderer:
		return html, fmt.Sprintf("%s rendering is stale: %s was drawn by %s, the renderer is now %s: run `lamport render`", what, name, renderer, Renderer)
	}
	return html, ""
}

// geometryAttr matches the attributes of an SVG that hold coordinates and
// sizes, and longDecimal a number with more than one decimal.
var (
	geometryAttr = regexp.MustCompile(`\s(?:d|points|x|y|x1|y1|x2|y2|cx|cy|r|rx|ry|width|height|viewBox|transform|style)="[^"]*"`)
	longDecimal  = regexp.MustCompile(`-?\d+\.\d{2,}`)
)

// compactGeometry rounds the coordinates and sizes of a drawn diagram to
// a tenth of a pixel, as its artifact is written: Mermaid writes them to the float's
// last digit (847.51171875), which made a page's diagrams a quarter larger
// compressed, for precision no screen shows. Text (labels, titles) is not
// touched: only the attributes geometryAttr names.
func compactGeometry(svg string) string {
	return geometryAttr.ReplaceAllStringFunc(svg, func(attr string) string {
		return longDecimal.ReplaceAllStringFunc(attr, func(n string) string {
			v, err := strconv.ParseFloat(n, 64)
			if err != nil {
				return n
			}
			// Always one decimal: in path data "2.0001.045" is two
			// numbers, and "2" would make them one ("2.045").
			return strconv.FormatFloat(math.Round(v*10)/10, 'f', 1, 64)
		})
	})
}

// checkUnused warns about artifacts that no figure uses any more.
func (a *artifacts) checkUnused() {
	files, _ := fs.Glob(a.l.fsys, "patterns/*/"+RenderedDir+"/*")
	sort.Strings(files)
	for _, f := range files {
		if !a.used[f] {
			a.l.warner(f).at(0, "no figure uses this rendering any more: run `lamport render` to remove it")
		}
	}
}
