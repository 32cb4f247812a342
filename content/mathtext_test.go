package content

import (
	"strings"
	"testing"
)

// TestMathText: inline TeX reads as text in a section's searchable text,
// for every command the chapters use (the cases are taken from them).
func TestMathText(t *testing.T) {
	cases := []struct{ tex, want string }{
		{`S = \{\text{Closed}, \text{Open}, \text{HalfOpen}\}`, "S = {Closed, Open, HalfOpen}"},
		{`\tau(t) \le b`, "τ(t) ≤ b"},
		{`F = \max \{ t(w) : w \text{ accepted} \}`, "F = max { t(w) : w accepted }"},
		{`d \leftarrow t + \Delta`, "d ← t + Δ"},
		{`a \to b`, "a → b"},
		{`g_k`, "g_k"},
		{`x_{i+1} \ge x_i`, "x_(i+1) ≥ x_i"},
		{`t^{2}`, "t^2"},
		{`\lceil n/2 \rceil + 1`, "⌈ n/2 ⌉ + 1"},
		{`\frac{1}{\lambda}`, "1/λ"},
		{`\frac{a+b}{2}`, "(a+b)/2"},
		{`\mathit{ok}(r) \iff r \in Q`, "ok(r) ⇔ r ∈ Q"},
		{`n \in \mathbb{N}`, "n ∈ ℕ"},
		{`\sqrt{n}`, "√n"},
		{`\hat{x}`, "x\u0302"},
		{`a \bmod n`, "a mod n"},
		{`\big( x \big)`, "( x )"},
		{`\begin{aligned} a &= 1 \\ b &= 2 \end{aligned}`, "a = 1 ; b = 2"},
		{`p_{\text{lost}}`, "p_lost"},
		{`50\%`, "50%"},
		{`\unknown x`, "unknown x"},
		{`a \, b`, "a b"},
		{`\text{unclosed`, "unclosed"},
		{`x_`, "x_"},
		{`x_\`, "x_"},
		{`x_\{`, "x_{"},
		{`\`, ""},
	}
	for _, c := range cases {
		if got := mathText(c.tex); got != c.want {
			t.Errorf("mathText(%q) = %q, want %q", c.tex, got, c.want)
		}
	}
}

// TestNoTeXInText: no section of the embedded content keeps TeX in its
// searchable text or its title, where a search snippet or a table of
// contents would show it raw.
func TestNoTeXInText(t *testing.T) {
	lib, err := embedded()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range lib.Patterns {
		for lang, d := range p.Docs {
			for _, s := range d.Sections {
				for _, text := range []string{s.Title, s.Text} {
					if i := strings.IndexByte(text, '\\'); i >= 0 {
						t.Errorf("%s/%s#%s: TeX in text: %q", lang, p.Slug, s.ID, text[max(0, i-40):min(len(text), i+40)])
					}
				}
			}
		}
	}
}

// TestInlineMathOverLines: inline math goes on over a paragraph's line
// break (as a space) and is typeset, not shown as its source; prices,
// code spans and unclosed dollars stay text.
func TestInlineMathOverLines(t *testing.T) {
	cases := []struct {
		src, plain string
		math       bool
	}{
		{"a chance, $1 - 0.99^{100} \\approx\n63\\%$ of pages", "a chance, 1 - 0.99^100 ≈ 63% of pages", true},
		{"one $\\tau \\le b$ line", "one τ ≤ b line", true},
		{"costs $5 and\n$6 more", "costs $5 and $6 more", false},
		{"open $x and\nnever closed", "open $x and never closed", false},
		{"math $a `code`\nb$ stays", "math $a code b$ stays", false},
		{"$\na$ no", "$ a$ no", false},
	}
	for _, c := range cases {
		html, plain := renderSnippet(t, c.src)
		if plain != c.plain {
			t.Errorf("%q: text %q, want %q", c.src, plain, c.plain)
		}
		if got := strings.Contains(html, `class="math`); got != c.math {
			t.Errorf("%q: typeset %v, want %v: %s", c.src, got, c.math, html)
		}
	}
}
