package content

import (
	"fmt"
	"html"
	"strings"

	"github.com/alecthomas/chroma/v2"
	chromahtml "github.com/alecthomas/chroma/v2/formatters/html"
	"github.com/alecthomas/chroma/v2/lexers"
	"github.com/alecthomas/chroma/v2/styles"
)

var codeFormatter = chromahtml.New(chromahtml.WithClasses(true))

// highlight renders code as Chroma HTML with CSS classes (the stylesheet
// carries the light and dark themes). Unknown languages are escaped as
// plain text.
func highlight(lang, code string) string {
	it, err := tokenise(lang, code)
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

// tokenise lexes code in lang: Go with goTokens (Chroma's Go lexer, made
// fast), anything else, and Go that goTokens leaves, with Chroma.
func tokenise(lang, code string) (chroma.Iterator, error) {
	lexer := lexers.Get(lang)
	if lang == "" || lexer == nil {
		return nil, fmt.Errorf("no lexer for %q", lang)
	}
	if lexer == lexers.Go {
		if tokens, ok := goTokens(code); ok {
			return chroma.Literator(tokens...), nil
		}
	}
	return lexer.Tokenise(nil, code)
}

func plainCode(code string) string {
	return `<pre class="chroma" tabindex="0"><code>` + html.EscapeString(code) + "</code></pre>"
}
