// Command build bundles Lamport's front end into static/dist with esbuild's
// Go API. It is run by `go generate ./static` (and so by make); the output is
// git-ignored and embedded into the binary by package static.
//
//	dist/site.css       our stylesheet plus the Chroma code themes (light, dark)
//	dist/js/site.js     our page script (ES module); diagrams, math and the
//	dist/js/*-HASH.js   playground's code editor are split into chunks that
//	                    load only on pages that need them
//	dist/katex.css      KaTeX's stylesheet and fonts, loaded with the math chunk
//
// Front-end dependencies come from static/node_modules (npm ci, with the
// lockfile in static/package-lock.json).
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"

	"github.com/alecthomas/chroma/v2/formatters/html"
	"github.com/alecthomas/chroma/v2/styles"
	"github.com/evanw/esbuild/pkg/api"
)

func main() {
	dir := flag.String("dir", ".", "the static package directory")
	flag.Parse()
	if err := build(*dir); err != nil {
		log.Fatalf("static/build: %v", err)
	}
}

func build(dir string) error {
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "mermaid")); err != nil {
		return errors.New("front-end dependencies missing: run `npm ci` in static/ (make does)")
	}
	dist := filepath.Join(dir, "dist")
	if err := clean(dist); err != nil {
		return err
	}
	if err := bundleJS(dir, dist); err != nil {
		return err
	}
	if err := bundleCSS(dir, dist); err != nil {
		return err
	}
	return appendChroma(filepath.Join(dist, "site.css"))
}

// clean empties dist but keeps its .keep file, so the embed pattern always
// matches something in a fresh clone.
func clean(dist string) error {
	entries, err := os.ReadDir(dist)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	for _, e := range entries {
		if e.Name() != ".keep" {
			if err := os.RemoveAll(filepath.Join(dist, e.Name())); err != nil {
				return err
			}
		}
	}
	return os.MkdirAll(dist, 0o755)
}

func bundleJS(dir, dist string) error {
	return run(api.BuildOptions{
		EntryPoints:       []string{filepath.Join(dir, "src", "site.js")},
		Outdir:            filepath.Join(dist, "js"),
		Bundle:            true,
		Splitting:         true,
		Format:            api.FormatESModule,
		Target:            api.ES2020,
		ChunkNames:        "[name]-[hash]",
		MinifyWhitespace:  true,
		MinifyIdentifiers: true,
		MinifySyntax:      true,
		LegalComments:     api.LegalCommentsLinked,
		Write:             true,
	})
}

func bundleCSS(dir, dist string) error {
	return run(api.BuildOptions{
		EntryPoints:      []string{filepath.Join(dir, "src", "site.css"), filepath.Join(dir, "src", "katex.css")},
		Outdir:           dist,
		Bundle:           true,
		MinifyWhitespace: true,
		MinifySyntax:     true,
		AssetNames:       "fonts/[name]-[hash]",
		Loader:           map[string]api.Loader{".woff2": api.LoaderFile, ".woff": api.LoaderFile, ".ttf": api.LoaderFile},
		Write:            true,
	})
}

func run(opts api.BuildOptions) error {
	result := api.Build(opts)
	if len(result.Errors) > 0 {
		msgs := api.FormatMessages(result.Errors, api.FormatMessagesOptions{Kind: api.ErrorMessage})
		return errors.New(strings.Join(msgs, "\n"))
	}
	return nil
}

// appendChroma adds the code-highlighting themes: GitHub's light style, and
// its dark style under the same selectors as the site's dark theme.
func appendChroma(path string) error {
	var light, dark bytes.Buffer
	f := html.New(html.WithClasses(true))
	if err := f.WriteCSS(&light, styles.Get("github")); err != nil {
		return err
	}
	if err := f.WriteCSS(&dark, styles.Get("github-dark")); err != nil {
		return err
	}
	out, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	defer out.Close()
	// In dark mode, first undo every light token colour, then apply the
	// dark ones: the light style colours tokens the dark style leaves alone.
	const reset = "%s.chroma [class] { color: inherit; background-color: transparent }\n"
	_, err = fmt.Fprintf(out, "%s\n"+reset+"%s\n@media (prefers-color-scheme: dark){\n"+reset+"%s}\n",
		scope(light.String(), ""),
		":root[data-theme=dark] ", scope(dark.String(), ":root[data-theme=dark] "),
		":root:not([data-theme=light]) ", scope(dark.String(), ":root:not([data-theme=light]) "))
	return err
}

// scope prefixes every selector of Chroma's CSS, one rule a line, and drops
// the background colours so code blocks keep the site's own.
func scope(css, prefix string) string {
	var b strings.Builder
	for _, line := range strings.Split(css, "\n") {
		line = strings.TrimSpace(line)
		if i := strings.Index(line, "*/"); strings.HasPrefix(line, "/*") && i >= 0 {
			line = strings.TrimSpace(line[i+2:])
		}
		if line == "" || !strings.HasPrefix(line, ".") {
			continue
		}
		if strings.HasPrefix(line, ".bg ") || strings.HasPrefix(line, ".chroma {") {
			continue
		}
		b.WriteString(prefix + line + "\n")
	}
	return b.String()
}
