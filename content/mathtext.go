package content

import (
	"strings"
	"unicode"
)

// mathText is inline TeX as a reader reads it in plain text: the text of a
// section (Section.Text), which search indexes and cuts its snippets from,
// and of a heading. "\tau(t) \le b" becomes "τ(t) ≤ b" and
// "S = \{\text{Closed}, \text{Open}\}" becomes "S = {Closed, Open}":
// symbols and Greek letters as Unicode, \text and the font commands as
// their argument, \frac as a slash, sub- and superscripts kept (g_k,
// x_(i+1)), spacing and sizing commands dropped. An unknown command keeps
// its name. The typeset formula on the page is unaffected.
func mathText(tex string) string {
	var b strings.Builder
	writeMath(&b, tex)
	return strings.Join(strings.Fields(b.String()), " ")
}

// texSymbols maps commands to what they print.
var texSymbols = map[string]string{
	"le": "≤", "leq": "≤", "ge": "≥", "geq": "≥", "ne": "≠", "neq": "≠", "approx": "≈", "pm": "±",
	"to": "→", "rightarrow": "→", "leftarrow": "←", "gets": "←", "Rightarrow": "⇒", "implies": "⇒",
	"iff": "⇔", "Leftrightarrow": "⇔", "Longleftrightarrow": "⟺", "mapsto": "↦", "rightharpoonup": "⇀",
	"in": "∈", "notin": "∉", "subseteq": "⊆", "subset": "⊂", "sqsubseteq": "⊑", "cup": "∪", "cap": "∩",
	"sqcup": "⊔", "setminus": "∖", "wedge": "∧", "land": "∧", "vee": "∨", "lor": "∨", "neg": "¬",
	"forall": "∀", "exists": "∃", "bot": "⊥", "top": "⊤", "infty": "∞", "varnothing": "∅", "emptyset": "∅",
	"times": "×", "cdot": "·", "dots": "…", "ldots": "…", "cdots": "⋯", "sum": "Σ", "prod": "Π",
	"prec": "≺", "preceq": "≼", "succ": "≻", "parallel": "∥", "mid": "|", "lvert": "|", "rvert": "|",
	"vert": "|", "langle": "⟨", "rangle": "⟩", "lceil": "⌈", "rceil": "⌉", "lfloor": "⌊", "rfloor": "⌋",
	"bmod": " mod ", "mod": " mod ", "max": "max", "min": "min", "log": "log", "ln": "ln", "arg": "arg",
	"exp": "exp", "lim": "lim", "sup": "sup", "inf": "inf",
	"alpha": "α", "beta": "β", "gamma": "γ", "Gamma": "Γ", "delta": "δ", "Delta": "Δ", "epsilon": "ε",
	"varepsilon": "ε", "zeta": "ζ", "eta": "η", "theta": "θ", "Theta": "Θ", "kappa": "κ", "lambda": "λ",
	"Lambda": "Λ", "mu": "μ", "nu": "ν", "xi": "ξ", "pi": "π", "Pi": "Π", "rho": "ρ", "sigma": "σ",
	"Sigma": "Σ", "tau": "τ", "phi": "φ", "varphi": "φ", "Phi": "Φ", "chi": "χ", "psi": "ψ", "Psi": "Ψ",
	"omega": "ω", "Omega": "Ω", "ell": "ℓ",
	"quad": " ", "qquad": " ", "left": "", "right": "", "big": "", "bigl": "", "bigr": "", "Big": "",
	"Bigl": "", "Bigr": "", "displaystyle": "",
}

// texArgument commands print their argument (fonts, text), or ignore it
// (environments), or mark it (accents).
var texArgument = map[string]func(arg string) string{
	"text": same, "textit": same, "textbf": same, "textrm": same, "texttt": same, "mathit": same,
	"mathrm": same, "mathbf": same, "mathsf": same, "mathtt": same, "operatorname": same, "mathcal": same,
	"mathbb": func(a string) string {
		if s, ok := blackboard[a]; ok {
			return s
		}
		return a
	},
	"hat":      func(a string) string { return a + "\u0302" },
	"bar":      func(a string) string { return a + "\u0304" },
	"overline": func(a string) string { return a + "\u0305" },
	"tilde":    func(a string) string { return a + "\u0303" },
	"vec":      func(a string) string { return a + "\u20d7" },
	"sqrt":     func(a string) string { return "√" + grouped(a) },
	"begin":    func(string) string { return "" },
	"end":      func(string) string { return "" },
}

// blackboard letters, \mathbb{N}.
var blackboard = map[string]string{"N": "ℕ", "Z": "ℤ", "Q": "ℚ", "R": "ℝ", "C": "ℂ"}

func same(a string) string { return a }

// texFractions are the commands of a fraction: two arguments.
var texFractions = map[string]bool{"frac": true, "dfrac": true, "tfrac": true}

// inner is a command's argument written out, without mathText's spacing.
func inner(arg string) string {
	var b strings.Builder
	writeMath(&b, arg)
	return b.String()
}

// writeMath writes tex as text to b.
func writeMath(b *strings.Builder, tex string) {
	for i := 0; i < len(tex); {
		c := tex[i]
		switch {
		case c == '\\':
			i = writeCommand(b, tex, i+1)
		case c == '{' || c == '}':
			i++ // a group's braces print nothing
		case c == '_' || c == '^':
			arg, next := argument(tex, i+1)
			b.WriteByte(c)
			b.WriteString(grouped(inner(arg)))
			i = next
		case c == '&': // an alignment point
			i++
		case c == '~':
			b.WriteByte(' ')
			i++
		default:
			b.WriteByte(c)
			i++
		}
	}
}

// writeCommand writes the command whose name starts at tex[i] (after its
// backslash) and returns the index after it and its arguments.
func writeCommand(b *strings.Builder, tex string, i int) int {
	if i >= len(tex) {
		return i
	}
	if !isLetter(tex[i]) { // \{ \} \, \; \\ \| \% \#
		switch tex[i] {
		case ',', ';', ':', '!', ' ':
			b.WriteByte(' ')
		case '\\':
			b.WriteString("; ")
		case '|':
			b.WriteString("‖")
		default:
			b.WriteByte(tex[i])
		}
		return i + 1
	}
	j := nameEnd(tex, i)
	name := tex[i:j]
	if f, ok := texArgument[name]; ok {
		arg, next := argument(tex, j)
		b.WriteString(f(inner(arg)))
		return next
	}
	if texFractions[name] {
		num, next := argument(tex, j)
		den, next := argument(tex, next)
		b.WriteString(grouped(inner(num)) + "/" + grouped(inner(den)))
		return next
	}
	if s, ok := texSymbols[name]; ok {
		b.WriteString(s)
	} else {
		b.WriteString(name)
	}
	// A command's name ends at the first non-letter; a letter right after
	// the space that ended it is another word ("\le b" is "≤ b").
	return j
}

// argument returns a command's argument at tex[i] (after spaces): a
// braced group without its braces, a command, or one character; and the
// index after it.
func argument(tex string, i int) (string, int) {
	for i < len(tex) && tex[i] == ' ' {
		i++
	}
	if i >= len(tex) {
		return "", i
	}
	switch tex[i] {
	case '{':
		depth := 0
		for j := i; j < len(tex); j++ {
			switch tex[j] {
			case '\\':
				j++
			case '{':
				depth++
			case '}':
				if depth--; depth == 0 {
					return tex[i+1 : j], j + 1
				}
			}
		}
		return tex[i+1:], len(tex)
	case '\\':
		j := min(max(nameEnd(tex, i+1), i+2), len(tex)) // \le, or \{
		return tex[i:j], j
	}
	r := []rune(tex[i:])[0]
	n := len(string(r))
	return tex[i : i+n], i + n
}

// grouped is s as the argument of a fraction, root or script: itself when
// it is a single letter, digit run or symbol, else in parentheses.
func grouped(s string) string {
	s = strings.TrimSpace(s)
	if len([]rune(s)) <= 1 || plainWord(s) {
		return s
	}
	return "(" + s + ")"
}

func plainWord(s string) bool {
	for _, r := range s {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			return false
		}
	}
	return true
}

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

// nameEnd is the end of the command name that starts at s[i].
func nameEnd(s string, i int) int {
	for i < len(s) && isLetter(s[i]) {
		i++
	}
	return i
}

// texCommand returns the first TeX command of text that mathText knows
// ("\\le"), or "": in a page's text outside math, it is a formula the
// parser did not take for one (a space just inside a dollar) and would
// show as its source.
func texCommand(text string) string {
	for i := 0; i+1 < len(text); i++ {
		if text[i] != '\\' || !isLetter(text[i+1]) {
			continue
		}
		j := nameEnd(text, i+1)
		name := text[i+1 : j]
		if _, ok := texSymbols[name]; ok || texArgument[name] != nil || texFractions[name] {
			return text[i:j]
		}
	}
	return ""
}
