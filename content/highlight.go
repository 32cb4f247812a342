package content

import (
	"html"
	"strings"

	chromahtml "github.com/alecthomas/chroma/v2/formatters/html"
	"github.com/alecthomas/chroma/v2/lexers"
	"github.com/alecthomas/chroma/v2/styles"
)

var codeFormatter = chromahtml.New(chromahtml.WithClasses(true))

// highlight renders code as Chroma HTML with CSS classes (the stylesheet
// carries the light and dark themes). Unknown languages are escaped as
// plain text.
func highlight(lang, code string) string {
	lexer := lexers.Get(lang)
	if lang == "" || lexer == nil {
		return `<pre class="chroma"><code>` + html.EscapeString(code) + "</code></pre>"
	}
	it, err := lexer.Tokenise(nil, code)
	if err != nil {
		return `<pre class="chroma"><code>` + html.EscapeString(code) + "</code></pre>"
	}
	var b strings.Builder
	if err := codeFormatter.Format(&b, styles.Get("github"), it); err != nil {
		return `<pre class="chroma"><code>` + html.EscapeString(code) + "</code></pre>"
	}
	return b.String()
}

// Highlight renders Go source the way pattern pages show code, for callers
// outside the Markdown pipeline (the site's demo blocks).
func Highlight(lang, code string) string { return highlight(lang, code) }
