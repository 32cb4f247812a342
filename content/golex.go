package content

import (
	"strings"
	"unicode/utf8"

	"github.com/alecthomas/chroma/v2"
)

// goTokens splits Go source into exactly the tokens Chroma's Go lexer
// (lexers/go.go, v2) emits, rule for rule and in the same order, without
// its backtracking regular expressions: over half of Load's time was
// Chroma lexing Go, most of it in regexp2. Chroma's HTML formatter still
// writes the markup, so the page is byte for byte what Chroma alone makes
// (FuzzGoTokens compares the two).
//
// Where Chroma's rules read Unicode classes (\w, \s, \b) at a rune outside
// ASCII, or would backtrack in a way a straight scan does not follow (an
// unterminated string, a Go template in a raw string), goTokens reports
// false and the caller lets Chroma lex the code.
func goTokens(src string) ([]chroma.Token, bool) {
	if !utf8.ValidString(src) || strings.ContainsRune(src, '\r') {
		return nil, false // Chroma rewrites both before lexing
	}
	lx := goLexer{src: src}
	for lx.pos < len(src) {
		if !lx.next() {
			return nil, false
		}
	}
	return lx.out, true
}

type goLexer struct {
	src string
	pos int
	out []chroma.Token
}

func (lx *goLexer) emit(t chroma.TokenType, n int) {
	lx.out = append(lx.out, chroma.Token{Type: t, Value: lx.src[lx.pos : lx.pos+n]})
	lx.pos += n
}

// next emits the token at pos, trying Chroma's rules in its order.
func (lx *goLexer) next() bool {
	s, p := lx.src, lx.pos
	c := s[p]
	switch {
	case c >= 0x80:
		return false
	case c == '\n':
		lx.emit(chroma.TextWhitespace, 1)
	case isSpace(c):
		n := spaceRun(s[p:])
		if n < 0 {
			return false
		}
		lx.emit(chroma.TextWhitespace, n)
	case c == '/' && strings.HasPrefix(s[p:], "//"):
		return lx.lineComment()
	case c == '/' && strings.HasPrefix(s[p:], "/\\"):
		return false // Chroma's /(\\\n)?* comment opener: not worth copying
	case c == '/' && strings.HasPrefix(s[p:], "/*") && lx.blockComment():
	case isWordStart(c):
		return lx.word()
	case isDigit(c) || c == '.' && p+1 < len(s) && isDigit(s[p+1]):
		return lx.number()
	case c == '\'' && lx.char():
	case c == '`':
		return lx.raw()
	case c == '"':
		return lx.str()
	default:
		lx.operator()
	}
	return true
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}
func isDigit(c byte) bool     { return '0' <= c && c <= '9' }
func isWordStart(c byte) bool { return c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func isWord(c byte) bool      { return isWordStart(c) || isDigit(c) }

// spaceRun is the length of the \s+ run at the start of s, or -1 when a
// rune outside ASCII follows it (Unicode \s might go on).
func spaceRun(s string) int {
	n := 0
	for n < len(s) && isSpace(s[n]) {
		n++
	}
	if n < len(s) && s[n] >= 0x80 {
		return -1
	}
	return n
}

// run is the length of the prefix of s whose bytes satisfy ok.
func run(s string, ok func(byte) bool) int {
	n := 0
	for n < len(s) && ok(s[n]) {
		n++
	}
	return n
}

// lineComment: //[^\s\n\r][^\n\r]* is CommentPreproc, //[^\n\r]* CommentSingle.
func (lx *goLexer) lineComment() bool {
	rest := lx.src[lx.pos+2:]
	n := 2 + strings.IndexAny(rest, "\n\r")
	if n == 1 {
		n = 2 + len(rest)
	}
	switch {
	case rest == "" || isSpace(rest[0]):
		lx.emit(chroma.CommentSingle, n)
	case rest[0] >= 0x80:
		return false // might be a Unicode space
	default:
		lx.emit(chroma.CommentPreproc, n)
	}
	return true
}

// blockComment: /[*](.|\n)*?[*](\\\n)?/, the first close after the opener.
func (lx *goLexer) blockComment() bool {
	s := lx.src
	for k := lx.pos + 2; k < len(s); k++ {
		if s[k] != '*' {
			continue
		}
		if strings.HasPrefix(s[k+1:], "/") {
			lx.emit(chroma.CommentMultiline, k+2-lx.pos)
			return true
		}
		if strings.HasPrefix(s[k+1:], "\\\n/") {
			lx.emit(chroma.CommentMultiline, k+4-lx.pos)
			return true
		}
	}
	return false
}

var (
	goNamespace   = words("import", "package")
	goDeclaration = words("var", "func", "struct", "map", "chan", "type", "interface", "const")
	goKeyword     = words("break", "default", "select", "case", "defer", "go", "else", "goto", "switch", "fallthrough", "if", "range", "continue", "for", "return")
	goConstant    = words("true", "false", "iota", "nil")
	goBuiltin     = words("uint", "uint8", "uint16", "uint32", "uint64", "int", "int8", "int16", "int32", "int64", "float", "float32", "float64", "complex64", "complex128", "byte", "rune", "string", "bool", "error", "uintptr", "print", "println", "panic", "recover", "close", "complex", "real", "imag", "len", "cap", "append", "copy", "delete", "new", "make", "clear", "min", "max")
	goType        = words("uint", "uint8", "uint16", "uint32", "uint64", "int", "int8", "int16", "int32", "int64", "float", "float32", "float64", "complex64", "complex128", "byte", "rune", "string", "bool", "error", "uintptr", "any")
)

func words(ws ...string) map[string]bool {
	m := make(map[string]bool, len(ws))
	for _, w := range ws {
		m[w] = true
	}
	return m
}

// word lexes an identifier or keyword. Chroma's keyword rules end in \b,
// so they match only the whole word.
func (lx *goLexer) word() bool {
	s := lx.src[lx.pos:]
	n := run(s, isWord)
	if n < len(s) && s[n] >= 0x80 {
		return false // \w and \b are Unicode-aware in Chroma
	}
	w := s[:n]
	switch {
	case goNamespace[w]:
		lx.emit(chroma.KeywordNamespace, n)
	case goDeclaration[w]:
		lx.emit(chroma.KeywordDeclaration, n)
	case goKeyword[w]:
		lx.emit(chroma.Keyword, n)
	case goConstant[w]:
		lx.emit(chroma.KeywordConstant, n)
	case goBuiltin[w] && strings.HasPrefix(s[n:], "("):
		lx.emit(chroma.NameBuiltin, n)
		lx.emit(chroma.Punctuation, 1)
	case goType[w]:
		lx.emit(chroma.KeywordType, n)
	default:
		return lx.name(n)
	}
	return true
}

// name lexes ([a-zA-Z_]\w*)(\s*)(\() as a function name, the space between
// lexed by the same rules, or else [^\W\d]\w* as NameOther.
func (lx *goLexer) name(n int) bool {
	rest := lx.src[lx.pos+n:]
	gap := spaceRun(rest)
	if gap < 0 {
		return false
	}
	if !strings.HasPrefix(rest[gap:], "(") {
		lx.emit(chroma.NameOther, n)
		return true
	}
	lx.emit(chroma.NameFunction, n)
	for end := lx.pos + gap; lx.pos < end; {
		if lx.src[lx.pos] == '\n' {
			lx.emit(chroma.TextWhitespace, 1)
		} else {
			lx.emit(chroma.TextWhitespace, end-lx.pos) // \s+ takes the rest
		}
	}
	lx.emit(chroma.Punctuation, 1)
	return true
}

// number tries Chroma's ten number rules in order; it is called at a digit
// or at a dot before a digit. A number followed by a rune outside ASCII
// (which Unicode \d might continue) is left to Chroma.
func (lx *goLexer) number() bool {
	s := lx.src[lx.pos:]
	t, n := numberRule(s)
	if n == 0 || n < len(s) && s[n] >= 0x80 {
		return false // n == 0 is not reached: a digit, or a dot before one, always matches
	}
	lx.emit(t, n)
	return true
}

// numberRule returns the type and length of the first number rule that
// matches at the start of s, or 0.
func numberRule(s string) (chroma.TokenType, int) {
	d := run(s, isDigit)
	if d > 0 && at(s, d, 'i') { // \d+i
		return chroma.LiteralNumber, d + 1
	}
	if d > 0 && at(s, d, '.') { // \d+\.\d*([Ee][-+]\d+)?i
		if n := imaginaryTail(s, d+1+run(s[d+1:], isDigit)); n > 0 {
			return chroma.LiteralNumber, n
		}
	}
	if d == 0 && at(s, 0, '.') { // \.\d+([Ee][-+]\d+)?i
		if f := run(s[1:], isDigit); f > 0 {
			if n := imaginaryTail(s, 1+f); n > 0 {
				return chroma.LiteralNumber, n
			}
		}
	}
	if d > 0 { // \d+[Ee][-+]\d+i
		if e := signedExponent(s[d:]); e > 0 && at(s, d+e, 'i') {
			return chroma.LiteralNumber, d + e + 1
		}
	}
	if d > 0 { // \d+(\.\d+[eE][+\-]?\d+|\.\d*|[eE][+\-]?\d+)
		if n := floatTail(s[d:]); n > 0 {
			return chroma.LiteralNumberFloat, d + n
		}
	}
	if d == 0 && at(s, 0, '.') { // \.\d+([eE][+\-]?\d+)?
		if f := run(s[1:], isDigit); f > 0 {
			return chroma.LiteralNumberFloat, 1 + f + exponent(s[1+f:])
		}
	}
	return integerRule(s)
}

// integerRule: 0[0-7]+, 0[xX][0-9a-fA-F_]+, 0b[01_]+, (0|[1-9][0-9_]*).
func integerRule(s string) (chroma.TokenType, int) {
	if s == "" || !isDigit(s[0]) {
		return chroma.Error, 0
	}
	if s[0] != '0' {
		return chroma.LiteralNumberInteger, 1 + run(s[1:], func(c byte) bool { return isDigit(c) || c == '_' })
	}
	if n := run(s[1:], func(c byte) bool { return '0' <= c && c <= '7' }); n > 0 {
		return chroma.LiteralNumberOct, 1 + n
	}
	if at(s, 1, 'x') || at(s, 1, 'X') {
		if n := run(s[2:], isHexOrUnderscore); n > 0 {
			return chroma.LiteralNumberHex, 2 + n
		}
	}
	if at(s, 1, 'b') {
		if n := run(s[2:], func(c byte) bool { return c == '0' || c == '1' || c == '_' }); n > 0 {
			return chroma.LiteralNumberBin, 2 + n
		}
	}
	return chroma.LiteralNumberInteger, 1
}

func isHexOrUnderscore(c byte) bool {
	return isDigit(c) || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' || c == '_'
}

func at(s string, i int, c byte) bool { return i < len(s) && s[i] == c }

// imaginaryTail matches ([Ee][-+]\d+)?i at s[i:], returning the end or 0.
func imaginaryTail(s string, i int) int {
	if e := signedExponent(s[i:]); e > 0 && at(s, i+e, 'i') {
		return i + e + 1
	}
	if at(s, i, 'i') {
		return i + 1
	}
	return 0
}

// signedExponent is the length of [Ee][-+]\d+ at the start of s, or 0.
func signedExponent(s string) int {
	if len(s) < 3 || s[0] != 'e' && s[0] != 'E' || s[1] != '-' && s[1] != '+' {
		return 0
	}
	if n := run(s[2:], isDigit); n > 0 {
		return 2 + n
	}
	return 0
}

// exponent is the length of [eE][+\-]?\d+ at the start of s, or 0.
func exponent(s string) int {
	if s == "" || s[0] != 'e' && s[0] != 'E' {
		return 0
	}
	i := 1
	if at(s, 1, '+') || at(s, 1, '-') {
		i = 2
	}
	if n := run(s[i:], isDigit); n > 0 {
		return i + n
	}
	return 0
}

// floatTail matches \.\d+[eE][+\-]?\d+|\.\d*|[eE][+\-]?\d+ at the start of s.
func floatTail(s string) int {
	if at(s, 0, '.') {
		f := run(s[1:], isDigit)
		if e := exponent(s[1+f:]); f > 0 && e > 0 {
			return 1 + f + e
		}
		return 1 + f
	}
	return exponent(s)
}

// char lexes a rune literal:
// '(\\['"\\abfnrtv]|\\x[0-9a-fA-F]{2}|\\[0-7]{1,3}|\\u[0-9a-fA-F]{4}|\\U[0-9a-fA-F]{8}|[^\\])'
func (lx *goLexer) char() bool {
	s := lx.src[lx.pos:]
	for _, n := range charBodies(s[1:]) {
		if at(s, 1+n, '\'') {
			lx.emit(chroma.LiteralStringChar, n+2)
			return true
		}
	}
	return false
}

// charBodies lists the lengths the literal's body can have at the start
// of s, in the order the alternation (and {1,3}'s backtracking) tries them.
func charBodies(s string) []int {
	if s == "" {
		return nil
	}
	if s[0] != '\\' {
		_, n := utf8.DecodeRuneInString(s)
		return []int{n}
	}
	var ns []int
	if len(s) > 1 && strings.IndexByte(`'"\abfnrtv`, s[1]) >= 0 {
		ns = append(ns, 2)
	}
	if at(s, 1, 'x') && len(s) >= 4 && run(s[2:4], isHex) == 2 {
		ns = append(ns, 4)
	}
	for k := min(3, run(s[1:], func(c byte) bool { return '0' <= c && c <= '7' })); k >= 1; k-- {
		ns = append(ns, 1+k)
	}
	if at(s, 1, 'u') && len(s) >= 6 && run(s[2:6], isHex) == 4 {
		ns = append(ns, 6)
	}
	if at(s, 1, 'U') && len(s) >= 10 && run(s[2:10], isHex) == 8 {
		ns = append(ns, 10)
	}
	return ns
}

func isHex(c byte) bool { return c != '_' && isHexOrUnderscore(c) }

// raw lexes (`)([^`]*)(`): the body goes through Chroma's Go template
// lexer, which without "{{" splits it at each "{", all LiteralString.
func (lx *goLexer) raw() bool {
	body, ok := strings.CutPrefix(lx.src[lx.pos:], "`")
	end := strings.IndexByte(body, '`')
	if !ok || end < 0 {
		lx.emit(chroma.Error, 1)
		return true
	}
	body = body[:end]
	if strings.Contains(body, "{{") {
		return false
	}
	lx.emit(chroma.LiteralString, 1)
	for body != "" {
		n := strings.IndexByte(body, '{')
		switch n {
		case -1:
			n = len(body)
		case 0:
			n = 1
		}
		lx.emit(chroma.LiteralString, n)
		body = body[n:]
	}
	lx.emit(chroma.LiteralString, 1)
	return true
}

// str lexes "(\\\\|\\"|[^"])*": a backslash takes the next byte with it.
// A string that does not close this way is one Chroma would backtrack
// into, so it is left to Chroma.
func (lx *goLexer) str() bool {
	s := lx.src[lx.pos:]
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			lx.emit(chroma.LiteralString, i+1)
			return true
		}
	}
	return false
}

// goOperators are Chroma's operator alternatives, in its order.
var goOperators = []string{"<<=", ">>=", "<<", ">>", "<=", ">=", "&^=", "&^", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "&&", "||", "<-", "++", "--", "==", "!=", ":=", "...", "+", "-", "*", "/", "%", "&"}

// operator lexes an operator, punctuation, or else one byte as Error.
func (lx *goLexer) operator() {
	s := lx.src[lx.pos:]
	for _, op := range goOperators {
		if strings.HasPrefix(s, op) {
			lx.emit(chroma.Operator, len(op))
			return
		}
	}
	if strings.IndexByte("|^<>=!()[]{}.,;:~", s[0]) >= 0 {
		lx.emit(chroma.Punctuation, 1)
		return
	}
	lx.emit(chroma.Error, 1)
}
