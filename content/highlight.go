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

// The code themes: static/build writes their CSS, scoped to the site's
// light and dark themes.
const (
	lightStyle = "github"
	darkStyle  = "github-dark"
)

// The site's text colour in each theme (static/src/site.css, --fg), which
// code that no theme colours is drawn in.
const (
	lightForeground = "#1f2328"
	darkForeground  = "#e6edf3"
)

var (
	// codeFormatter writes the tokens of a block without highlighted lines
	// as bare spans: Chroma's per-line wrappers (two elements a line) are
	// needed only to mark a line.
	codeFormatter = chromahtml.New(chromahtml.WithClasses(true), chromahtml.PreventSurroundingPre(true))
	// plainTypes are the token types drawn exactly like the page's own
	// text in both themes, or with no glyphs at all: their tokens become
	// bare text instead of a span each (half of a Go listing's elements).
	plainTypes = findPlainTypes(styles.Get(lightStyle), styles.Get(darkStyle))
)

// findPlainTypes lists the token types whose style, in each theme, is just
// that theme's foreground, plus whitespace.
func findPlainTypes(light, dark *chroma.Style) map[chroma.TokenType]bool {
	plain := map[chroma.TokenType]bool{chroma.TextWhitespace: true}
	for t := range chroma.StandardTypes {
		if drawnAsText(light, t, lightForeground) && drawnAsText(dark, t, darkForeground) {
			plain[t] = true
		}
	}
	return plain
}

// drawnAsText reports whether style draws t in fg (or in the inherited
// colour), with no weight, slant, underline or background of its own.
func drawnAsText(style *chroma.Style, t chroma.TokenType, fg string) bool {
	e, base := style.Get(t), style.Get(chroma.Background)
	colour := !e.Colour.IsSet() || e.Colour.String() == fg
	return colour && e.Bold != chroma.Yes && e.Italic != chroma.Yes && e.Underline != chroma.Yes && e.Background == base.Background
}

// highlight renders code as Chroma HTML with CSS classes (the stylesheet
// carries the light and dark themes). Unknown languages are escaped as
// plain text.
func highlight(lang, code string) string {
	it, err := tokenise(lang, code)
	if err != nil {
		return plainCode(code)
	}
	var b strings.Builder
	b.WriteString(`<pre class="chroma" tabindex="0"><code>`) // wide code scrolls: reachable by keyboard
	if err := codeFormatter.Format(&b, styles.Get(lightStyle), it); err != nil {
		return plainCode(code)
	}
	b.WriteString("</code></pre>")
	return b.String()
}

// tokenise lexes code in lang: Go with goTokens (Chroma's Go lexer, made
// fast), anything else, and Go that goTokens leaves, with Chroma. Runs of
// plain tokens come out as one Text token.
func tokenise(lang, code string) (chroma.Iterator, error) {
	lexer := lexers.Get(lang)
	if lang == "" || lexer == nil {
		return nil, fmt.Errorf("no lexer for %q", lang)
	}
	tokens, ok := []chroma.Token(nil), false
	if lexer == lexers.Go {
		tokens, ok = goTokens(code)
	}
	if !ok {
		it, err := lexer.Tokenise(nil, code)
		if err != nil {
			return nil, err
		}
		tokens = it.Tokens()
	}
	return chroma.Literator(mergePlain(tokens)...), nil
}

// mergePlain turns plain tokens into Text and joins neighbouring Text.
func mergePlain(tokens []chroma.Token) []chroma.Token {
	out := tokens[:0]
	for _, t := range tokens {
		if plainTypes[t.Type] {
			t.Type = chroma.Text
		}
		if n := len(out); n > 0 && t.Type == chroma.Text && out[n-1].Type == chroma.Text {
			out[n-1].Value += t.Value
			continue
		}
		out = append(out, t)
	}
	return out
}

func plainCode(code string) string {
	return `<pre class="chroma" tabindex="0"><code>` + html.EscapeString(code) + "</code></pre>"
}
