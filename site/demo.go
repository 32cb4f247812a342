package site

import (
	"strings"

	"github.com/alecthomas/chroma/v2/formatters/html"
	"github.com/alecthomas/chroma/v2/lexers"
	"github.com/alecthomas/chroma/v2/styles"

	"github.com/lamport-kb/lamport/content"
)

// highlightDemos renders every pattern's demo program once per library,
// with the same CSS classes as the Markdown pipeline's code blocks.
func highlightDemos(lib *content.Library) (map[string]string, error) {
	demos := make(map[string]string)
	lexer := lexers.Get("go")
	formatter := html.New(html.WithClasses(true))
	for _, p := range lib.Patterns {
		if p.Demo == nil {
			continue
		}
		it, err := lexer.Tokenise(nil, p.Demo.Source)
		if err != nil {
			return nil, err
		}
		var b strings.Builder
		if err := formatter.Format(&b, styles.Get("github"), it); err != nil {
			return nil, err
		}
		demos[p.Slug] = b.String()
	}
	return demos, nil
}
