package graph

import (
	"strings"
	"unicode"

	"github.com/lamport-kb/lamport/i18n"
)

// The text of the labels, in SVG user units: the site draws them at
// FontSize, lines LineHeight apart, with a halo (a stroke behind the
// glyphs) of halo on every side.
const (
	FontSize   = 11.0
	LineHeight = 12.0
	halo       = 1.5
	// ascent is how far below a label box's top its first baseline sits:
	// the halo, then an ideograph's height above the baseline (about
	// 0.88 em in Noto Sans CJK; Latin capitals are shorter).
	ascent = halo + 0.9*FontSize
	// descent is how far the last line's glyphs and halo reach below its
	// baseline (DejaVu Sans descends 0.24 em).
	descent = 0.26*FontSize + halo
	// gap parts a label from its node's circle.
	gap = 2.0
)

// Anchor is where a node's label sits beside its circle.
type Anchor int

// The anchors, in the order Layout tries them: under the circle first,
// as most graph drawings do, then to the right, above, to the left and at
// the four corners.
const (
	Below Anchor = iota
	Right
	Above
	Left
	BelowRight
	BelowLeft
	AboveRight
	AboveLeft
	anchors // how many there are
)

// Box is a rectangle in a layout's units, from its top-left corner
// (X0, Y0) to its bottom-right one (X1, Y1).
type Box struct{ X0, Y0, X1, Y1 float64 }

// Overlaps reports whether b and c share more than an edge.
func (b Box) Overlaps(c Box) bool {
	return b.X0 < c.X1 && c.X0 < b.X1 && b.Y0 < c.Y1 && c.Y0 < b.Y1
}

// HitsCircle reports whether b overlaps the circle of radius r around
// (x, y).
func (b Box) HitsCircle(x, y, r float64) bool {
	dx := x - min(max(x, b.X0), b.X1)
	dy := y - min(max(y, b.Y0), b.Y1)
	return dx*dx+dy*dy < r*r
}

// Inside reports whether b lies within the box from (0, 0) to (w, h).
func (b Box) Inside(w, h float64) bool {
	return b.X0 >= 0 && b.Y0 >= 0 && b.X1 <= w && b.Y1 <= h
}

// Label returns n's label in lang: the part of its name before any
// parenthesis, slash or comma ("Rate Limiting & Throttling (token/leaky
// bucket, windows)" → "Rate Limiting & Throttling"), in one or two lines
// of at most 10 em (about 15 Latin letters; 7 ideographs in Chinese,
// which reads in shorter lines).
func (n *Node) Label(lang string) []string {
	name := n.Name[lang]
	if i := strings.IndexAny(name, "(（/／,，"); i > 0 {
		name = strings.TrimSpace(name[:i])
	}
	width := 10 * FontSize
	if lang == i18n.Chinese {
		width = 7 * FontSize
	}
	return splitLabel(name, width)
}

// splitLabel breaks s in two lines when it is wider than width, where
// the longer line is shortest: at a space, or where s has none (Chinese)
// at any character boundary not inside a Latin word.
func splitLabel(s string, width float64) []string {
	if TextWidth(s) <= width {
		return []string{s}
	}
	runes := []rune(s)
	spaces := strings.ContainsRune(s, ' ')
	best, bestWidth := -1, 0.0
	for i := 1; i < len(runes); i++ {
		if spaces && runes[i] != ' ' || !spaces && (latin(runes[i-1]) && latin(runes[i]) || runes[i] == '-') {
			continue // a line starts at a space, or after a hyphen, never inside a word
		}
		w := max(TextWidth(string(runes[:i])), TextWidth(string(runes[i:])))
		if best < 0 || w < bestWidth {
			best, bestWidth = i, w
		}
	}
	if best < 0 {
		return []string{s}
	}
	return []string{strings.TrimSpace(string(runes[:best])), strings.TrimSpace(string(runes[best:]))}
}

// latin reports whether r belongs to a Latin word (letters and digits
// that a line must not break between).
func latin(r rune) bool { return r < 0x2e80 && (unicode.IsLetter(r) || unicode.IsDigit(r)) }

// TextWidth estimates how wide s is at FontSize, from DejaVu Sans's
// advance widths (the widest of the usual sans-serif fonts, so the
// estimate holds for the narrower ones) and a full em for CJK characters.
func TextWidth(s string) float64 {
	w := 0.0
	for _, r := range s {
		w += runeWidth(r)
	}
	return w
}

// runeWidth is r's advance width at FontSize, rounded up from DejaVu
// Sans's metrics by class of character.
func runeWidth(r rune) float64 {
	var em float64
	switch {
	case wide(r):
		em = 1
	case strings.ContainsRune("iljI.,:;'!|", r):
		em = 0.32
	case strings.ContainsRune(" ftr()[]-", r):
		em = 0.42
	case strings.ContainsRune("mwMW&%", r):
		em = 1.0
	case unicode.IsUpper(r):
		em = 0.8
	default:
		em = 0.66
	}
	return em * FontSize
}

// wide reports whether r is drawn a full em wide: ideographs, kana,
// Hangul and the full-width forms and punctuation of CJK text.
func wide(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul) ||
		(r >= 0x3000 && r <= 0x303f) || (r >= 0xff00 && r <= 0xffef)
}

// labelSize is the width and height of the box lines take, halo
// included.
func labelSize(lines []string) (w, h float64) {
	for _, l := range lines {
		w = max(w, TextWidth(l))
	}
	return w + 2*halo, ascent + float64(len(lines)-1)*LineHeight + descent
}

// LabelBox returns the box that lines take when drawn at p's anchor.
func (p Point) LabelBox(lines []string) Box {
	w, h := labelSize(lines)
	return labelBox(p, p.Label, w, h)
}

// LabelText returns how to draw lines at p's anchor: the SVG text-anchor
// ("start", "middle" or "end"), the x of every line and each line's
// baseline.
func (p Point) LabelText(lines []string) (anchor string, x float64, baselines []float64) {
	b := p.LabelBox(lines)
	switch p.Label {
	case Below, Above:
		anchor, x = "middle", p.X
	case Right, BelowRight, AboveRight:
		anchor, x = "start", b.X0+halo
	default:
		anchor, x = "end", b.X1-halo
	}
	for i := range lines {
		baselines = append(baselines, round(b.Y0+ascent+float64(i)*LineHeight))
	}
	return anchor, round(x), baselines
}

// labelBox is the box of a label w × h at anchor a of p. A box for a
// smaller label lies inside the box for a larger one at the same anchor,
// so a place found for the widest of a node's labels (in any language)
// suits them all.
func labelBox(p Point, a Anchor, w, h float64) Box {
	r := p.R + gap
	d := p.R*0.7072 + gap // a corner's offset: the corner is then r from the centre
	var x0, y0 float64
	switch a {
	case Below:
		x0, y0 = p.X-w/2, p.Y+r
	case Above:
		x0, y0 = p.X-w/2, p.Y-r-h
	case Right:
		x0, y0 = p.X+r, p.Y-h/2
	case Left:
		x0, y0 = p.X-r-w, p.Y-h/2
	case BelowRight:
		x0, y0 = p.X+d, p.Y+d
	case BelowLeft:
		x0, y0 = p.X-d-w, p.Y+d
	case AboveRight:
		x0, y0 = p.X+d, p.Y-d-h
	case AboveLeft:
		x0, y0 = p.X-d-w, p.Y-d-h
	}
	return Box{x0, y0, x0 + w, y0 + h}
}

// labelSizes is, for each node, the width and height of its widest label
// in any language (labelSize).
func (g *Graph) labelSizes() [][2]float64 {
	sizes := make([][2]float64, len(g.nodes))
	for i := range g.nodes {
		sizes[i] = g.labelSize(i)
	}
	return sizes
}

// labelSize is the width of node i's widest label in any language, and
// the height of its tallest.
func (g *Graph) labelSize(i int) [2]float64 {
	var size [2]float64
	for _, lang := range i18n.Langs {
		w, h := labelSize(g.nodes[i].Label(lang))
		size = [2]float64{max(size[0], w), max(size[1], h)}
	}
	return size
}
