// Package figure draws the content's diagrams and formulas once, at
// generate time, so that reading a page needs no script: `lamport render`
// (make render) calls Render.
//
// Render lists every figure of the content tree (content.Figures), finds
// those whose artifact is missing or was drawn by another renderer
// (content.Renderer), and draws them in headless Chromium (Debian's
// chromium, driven with chromedp) with the npm packages of
// static/package-lock.json, bundled from static/node_modules by esbuild:
//
//   - a ```mermaid diagram becomes an SVG. It is drawn twice, in Mermaid's
//     light and dark themes, and merged into one SVG whose stylesheet pairs
//     the two colours of each rule as CSS light-dark(), so it follows the
//     page's colour scheme (the site's theme switch sets color-scheme). It
//     is an image to assistive technology (role="img") named by its <title>:
//     the source's accTitle, else the kind of diagram and its nodes, in the
//     page's language. A diagram whose edge labels overlap each other or a
//     node is refused, with the labels named.
//   - a $…$ or $$…$$ formula becomes MathML (KaTeX), which browsers
//     typeset natively.
//
// Each artifact is written beside its page, in
// content/patterns/<pkg>/rendered/<key>.svg or .mathml, headed by the
// renderer that drew it (content.EncodeArtifact); the content loader
// inlines it into the page. Artifacts no figure uses any more are removed.
// The artifacts are committed: `lamport check` (and so make test) fails,
// at the figure's file:line, when one is missing or stale.
//
// Labels are measured with the fonts of the machine that renders, through
// the site's own font stack: render where a Chinese font is installed
// (Debian: fonts-noto-cjk), or Chinese labels are measured with a fallback
// font; Render refuses to draw Chinese diagrams without one.
package figure

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/lamport-kb/lamport/content"
)

// Options says what to render.
type Options struct {
	Content  string // the content directory, written in place
	Static   string // the static directory, with node_modules (npm ci)
	Chromium string // the browser; empty: chromium, chromium-browser or google-chrome on PATH
	Force    bool   // draw every figure again, even when its artifact is current
}

// Result counts what Render did.
type Result struct {
	Drawn, Current, Removed int
	Failures                []Failure
}

// Failure is a figure that could not be drawn.
type Failure struct {
	File string // the page, relative to the content directory
	Line int
	Msg  string
}

func (f Failure) String() string { return fmt.Sprintf("%s:%d: %s", f.File, f.Line, f.Msg) }

// Render draws the figures whose artifacts are missing or stale (every
// figure with Force), writes their artifacts and removes unused ones. A
// figure that cannot be drawn is a Failure; the others are still written.
func Render(ctx context.Context, opts Options) (Result, error) {
	var res Result
	figs, err := content.Figures(os.DirFS(opts.Content))
	if err != nil {
		return res, err
	}
	todo, current := due(opts, figs)
	res.Current = current
	if len(todo) > 0 {
		if err := checkRenderer(opts.Static); err != nil {
			return res, err
		}
		res.Drawn, res.Failures, err = draw(ctx, opts, todo)
		if err != nil {
			return res, err
		}
	}
	res.Removed, err = removeUnused(opts.Content, figs)
	return res, err
}

// due returns one figure per artifact that must be drawn, and how many
// artifacts are current.
func due(opts Options, figs []content.Figure) (todo []content.Figure, current int) {
	seen := make(map[string]bool)
	for _, f := range figs {
		name := f.Artifact()
		if seen[name] {
			continue
		}
		seen[name] = true
		if !opts.Force && isCurrent(filepath.Join(opts.Content, filepath.FromSlash(name))) {
			current++
			continue
		}
		todo = append(todo, f)
	}
	return todo, current
}

func isCurrent(file string) bool {
	data, err := os.ReadFile(file)
	if err != nil {
		return false
	}
	r, ok := content.ArtifactRenderer(data)
	return ok && r == content.Renderer
}

// checkRenderer refuses to draw with another renderer than the one
// content.Renderer names: its artifacts would be stale at once.
func checkRenderer(static string) error {
	have, err := InstalledRenderer(static)
	if err != nil {
		return err
	}
	if have != content.Renderer {
		return fmt.Errorf("the renderer here is %q but content.Renderer is %q: set content.Renderer (content/figure.go) to it, then render again (every figure is drawn anew)", have, content.Renderer)
	}
	return nil
}

// removeUnused deletes the artifacts no figure uses.
func removeUnused(dir string, figs []content.Figure) (int, error) {
	used := make(map[string]bool)
	for _, f := range figs {
		used[filepath.Join(dir, filepath.FromSlash(f.Artifact()))] = true
	}
	files, err := filepath.Glob(filepath.Join(dir, "patterns", "*", content.RenderedDir, "*"))
	if err != nil {
		return 0, err
	}
	sort.Strings(files)
	removed := 0
	for _, f := range files {
		if used[f] {
			continue
		}
		if err := os.Remove(f); err != nil {
			return removed, err
		}
		removed++
	}
	return removed, nil
}

// write stores a drawn figure's artifact.
func write(dir string, f content.Figure, html string) error {
	file := filepath.Join(dir, filepath.FromSlash(f.Artifact()))
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		return err
	}
	return os.WriteFile(file, content.EncodeArtifact(html), 0o644)
}

// errNoChromium is returned when no browser is installed.
var errNoChromium = errors.New("no Chromium found: install Debian's chromium (apt-get install chromium) or pass its path")

// hasCJK reports whether s holds Chinese characters.
func hasCJK(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return r >= 0x2e80 && r <= 0x9fff || r >= 0xff00 && r <= 0xffef })
}
