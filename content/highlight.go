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
		return plainCode(code)
	}
	it, err := lexer.Tokenise(nil, code)
	if err != nil {
		return plainCode(code)
	}
	var b strings.Builder
	if err := codeFormatter.Format(&b, styles.Get("github"), it); err != nil {
		return plainCode(code)
	}
	// Wide code scrolls; a scrollable region must be reachable by keyboard.
	return strings.Replace(b.String(), `<pre class="chroma">`, `<pre class="chroma" tabindex="0">`, 1)
}

func plainCode(code string) string {
	return `<pre class="chroma" tabindex="0"><code>` + html.EscapeString(code) + "</code></pre>"
}
