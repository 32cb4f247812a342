package content

import (
	"cmp"
	"io"
	"io/fs"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/alecthomas/chroma/v2"
	"github.com/alecthomas/chroma/v2/lexers"
	"github.com/alecthomas/chroma/v2/styles"
	gocmp "github.com/google/go-cmp/cmp"
)

// chromaGoTokens is what Chroma's own Go lexer makes of src.
func chromaGoTokens(t testing.TB, src string) []chroma.Token {
	it, err := lexers.Get("go").Tokenise(nil, src)
	if err != nil {
		t.Fatal(err)
	}
	return it.Tokens()
}

// goSources is every Go file of the patterns' packages and demos, tests
// left out: what include= and the demos highlight.
func goSources(t testing.TB) map[string]string {
	srcs := make(map[string]string)
	err := fs.WalkDir(os.DirFS("."), "patterns", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return err
		}
		b, err := os.ReadFile(p)
		srcs[p] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return srcs
}

// goLexerCases are the corners of Chroma's Go rules: numbers of every
// shape, rune literals whose escapes backtrack, raw strings with braces,
// comments, builtins called and named, and what no rule matches.
var goLexerCases = []string{
	"package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"hi\") }\n",
	"x := 1i + 2.5i + .5i + 1e+5i + 3.e-2i + 1.5 + 1.5e3 + 1e9 + .25 + .5e-1 + 0755 + 09 + 0x1F_ff + 0b1010 + 0b + 0x + 1_000 + 0 + 0o17",
	"r := '\\n' + 'a' + '\\x41' + '\\101' + '\\12' + '\\u00e9' + '\\U0001F600' + '''' + '\\q' + 'ab' + '中'",
	"s := `raw {x} { } {` + `` + \"esc \\\" \\\\ \\n\" + \"\"",
	"/* block */ /**/ /* a * b */ // line\n//go:build x\n//\n/* open",
	"len(x); len (x); string(b); string; any(v); any; make(chan int); new (T); f\n(x); nil; iota; true(x)",
	"a <<= 1; a >>= 2; a &^= b; a &^ b; a <- c; a++; b--; a == b; a != b; x := y; f(xs...); a || b && !c; ^x; a | b; ~int; a %= 2",
	"#$?@\\ \x01 ` unterminated",
	"for {\n\tif iffy := gopher; iffy {\n\t\tbreak\n\t}\n}\n\t  \n  \v\f",
	"type T struct{ X int `json:\"x\"` }\nvar _ = map[string]any{}\nconst c = 0.\ngoto L; select {}; switch { case true: fallthrough; default: }; defer f(); go f(); return",
	"x := 1.2.3 + 1..2 + 5e + 5e+ + 0x1p-2 + 00 + 0_7 + 08.5 + 1E-7i + 1.e5",
}

// FuzzGoTokens checks goTokens against Chroma's Go lexer: wherever goTokens
// answers, its tokens are Chroma's, type and text. The seeds are the corner
// cases and every Go file the content highlights; under the race detector,
// which makes Chroma's lexer five times slower, the four shortest.
func FuzzGoTokens(f *testing.F) {
	for _, c := range goLexerCases {
		f.Add(c)
	}
	srcs := slices.SortedFunc(maps.Values(goSources(f)), func(a, b string) int { return cmp.Compare(len(a), len(b)) })
	if underRace {
		srcs = srcs[:min(4, len(srcs))]
	}
	for _, src := range srcs {
		f.Add(src)
	}
	f.Fuzz(func(t *testing.T, src string) {
		got, ok := goTokens(src)
		if !ok {
			return
		}
		if diff := gocmp.Diff(chromaGoTokens(t, src), got); diff != "" {
			t.Errorf("goTokens(%q) differs from Chroma's Go lexer (-chroma +goTokens):\n%s", src, diff)
		}
	})
}

// TestGoTokensCoverContent: the fast path is taken for every Go file the
// content shows, and for the corner cases it is written to answer, so
// falling back to Chroma stays the exception it is meant to be.
func TestGoTokensCoverContent(t *testing.T) {
	for p, src := range goSources(t) {
		if _, ok := goTokens(src); !ok {
			t.Errorf("%s: goTokens left it to Chroma", p)
		}
	}
	for _, c := range goLexerCases[:7] {
		if _, ok := goTokens(c); !ok {
			t.Errorf("goTokens(%q) left it to Chroma", c)
		}
	}
}

// BenchmarkHighlightGo highlights every Go file the content shows, lexed
// by goTokens and by Chroma's own Go lexer, formatted by Chroma.
func BenchmarkHighlightGo(b *testing.B) {
	srcs := goSources(b)
	b.Run("goTokens", func(b *testing.B) {
		for b.Loop() {
			for _, src := range srcs {
				highlight("go", src)
			}
		}
	})
	b.Run("chroma", func(b *testing.B) {
		for b.Loop() {
			for _, src := range srcs {
				it, _ := lexers.Get("go").Tokenise(nil, src)
				_ = codeFormatter.Format(io.Discard, styles.Get("github"), it)
			}
		}
	})
}

// TestPlainTokensLookLikeText: a token written without its span must look
// the same, so every plain type is drawn in the page's foreground in both
// code themes, which must be the site's --fg.
func TestPlainTokensLookLikeText(t *testing.T) {
	css, err := os.ReadFile("../static/src/site.css")
	if err != nil {
		t.Fatal(err)
	}
	if want := "--fg: light-dark(" + lightForeground + ", " + darkForeground + ");"; !strings.Contains(string(css), want) {
		t.Errorf("site.css does not declare %s: code left unclassed would change colour", want)
	}
	for _, typ := range []chroma.TokenType{chroma.Punctuation, chroma.NameOther, chroma.Text, chroma.TextWhitespace} {
		if !plainTypes[typ] {
			t.Errorf("%v is not plain: Go listings keep a span per token", typ)
		}
	}
	for _, typ := range []chroma.TokenType{chroma.Keyword, chroma.NameFunction, chroma.LiteralString, chroma.Comment, chroma.Operator, chroma.Error} {
		if plainTypes[typ] {
			t.Errorf("%v is plain, but the themes colour it", typ)
		}
	}
	got := highlight("go", "x := f(y) // z\n")
	want := `<pre class="chroma" tabindex="0"><code>x <span class="o">:=</span> <span class="nf">f</span>(y) <span class="c1">// z</span>` + "\n</code></pre>"
	if got != want {
		t.Errorf("highlight:\n got %s\nwant %s", got, want)
	}
}
