package content

import (
	"fmt"
	"strconv"
	"strings"

	chromahtml "github.com/alecthomas/chroma/v2/formatters/html"
	"github.com/alecthomas/chroma/v2/styles"
)

// An include directive names declarations of the pattern's package, each
// optionally with lines to highlight, counted from the first line of the
// declaration's doc comment:
//
//	```go include=Breaker.Allow{hl=3-5}
//	```go include="New{hl=2},Breaker.Allow{hl=4-6,9}"
//	```go include=Breaker.Allow {hl=3-5}     (one name: the block's attribute)

// includeSpec is one declaration of an include directive.
type includeSpec struct {
	name  string
	lines [][2]int // 1-based, inclusive ranges to highlight
}

// parseInclude reads the directive's value: the text after "include=".
func parseInclude(spec string) ([]includeSpec, error) {
	spec = strings.TrimSpace(spec)
	var block string
	if i := strings.LastIndex(spec, " {"); i >= 0 && strings.HasSuffix(spec, "}") {
		spec, block = strings.TrimSpace(spec[:i]), spec[i+1:]
	}
	var specs []includeSpec
	for _, part := range splitOutsideBraces(strings.Trim(spec, `"`)) {
		name, attrs, _ := strings.Cut(strings.TrimSpace(part), "{")
		s := includeSpec{name: strings.TrimSpace(name)}
		if attrs != "" {
			lines, err := parseHighlight("{" + attrs)
			if err != nil {
				return nil, err
			}
			s.lines = lines
		}
		specs = append(specs, s)
	}
	if block != "" {
		if len(specs) != 1 {
			return nil, fmt.Errorf("%s after several names: put {hl=...} after the name it belongs to", block)
		}
		lines, err := parseHighlight(block)
		if err != nil {
			return nil, err
		}
		specs[0].lines = lines
	}
	return specs, nil
}

// splitOutsideBraces splits s at the commas that are not inside {...}.
func splitOutsideBraces(s string) []string {
	var parts []string
	depth, start := 0, 0
	for i, r := range s {
		switch {
		case r == '{':
			depth++
		case r == '}':
			depth--
		case r == ',' && depth == 0:
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	return append(parts, s[start:])
}

// parseHighlight reads "{hl=3-5,8}" into ranges.
func parseHighlight(attr string) ([][2]int, error) {
	body, ok := strings.CutPrefix(attr, "{hl=")
	if !ok || !strings.HasSuffix(body, "}") {
		return nil, fmt.Errorf("%s: the only attribute of an include is {hl=LINES}, such as {hl=3-5,8}", attr)
	}
	var ranges [][2]int
	for _, r := range strings.Split(strings.TrimSuffix(body, "}"), ",") {
		from, to, isRange := strings.Cut(strings.TrimSpace(r), "-")
		a, errA := strconv.Atoi(from)
		b, errB := a, error(nil)
		if isRange {
			b, errB = strconv.Atoi(to)
		}
		if errA != nil || errB != nil || a < 1 || b < a {
			return nil, fmt.Errorf("%s: %q is not a line or a range of lines (3, 3-5)", attr, r)
		}
		ranges = append(ranges, [2]int{a, b})
	}
	return ranges, nil
}

// highlightLines is highlight with the given lines marked (class "hl").
// It fails when a line is past the end of the code.
func highlightLines(lang, code string, lines [][2]int) (string, error) {
	n := strings.Count(strings.TrimRight(code, "\n"), "\n") + 1
	for _, r := range lines {
		if r[1] > n {
			return "", fmt.Errorf("highlighted line %d is past the end (%d lines)", r[1], n)
		}
	}
	it, err := tokenise(lang, code)
	if err != nil {
		return "", err
	}
	f := chromahtml.New(chromahtml.WithClasses(true), chromahtml.HighlightLines(lines))
	var b strings.Builder
	if err := f.Format(&b, styles.Get("github"), it); err != nil {
		return "", err
	}
	return strings.Replace(b.String(), `<pre class="chroma">`, `<pre class="chroma" tabindex="0">`, 1), nil
}
