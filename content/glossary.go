package content

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"strings"
)

// GlossaryFile is the bilingual term list: for each concept the canonical
// Chinese term, the synonyms a page may also use, and the variants to
// avoid. The loader warns on a variant in a Chinese page, with its line.
const GlossaryFile = "guides/glossary/terms.yaml"

// Term is one concept of the glossary.
type Term struct {
	En    string   `yaml:"en"`
	Zh    string   `yaml:"zh"`              // the canonical Chinese term
	Also  []string `yaml:"also,omitempty"`  // accepted synonyms
	Avoid []string `yaml:"avoid,omitempty"` // variants that mean the same but read as another term
	Note  string   `yaml:"note,omitempty"`  // when the choice needs a reason
}

type glossaryYAML struct {
	Terms []Term `yaml:"terms"`
}

// loadGlossary reads the glossary if the tree has one (a fixture tree may
// not) and checks that every term has both names and that no variant to
// avoid is also a canonical term.
func (l *loader) loadGlossary() {
	data, err := l.read(GlossaryFile)
	if errors.Is(err, fs.ErrNotExist) {
		return
	}
	r := l.reporter(GlossaryFile)
	if err != nil {
		r.at(0, "cannot read the glossary: %v", err)
		return
	}
	var g glossaryYAML
	if !decodeStrict(data, &g, r) {
		return
	}
	lines := parseLines(data)
	canonical := make(map[string]bool)
	for _, t := range g.Terms {
		canonical[t.Zh] = true
	}
	for i, t := range g.Terms {
		switch {
		case t.En == "" || t.Zh == "":
			r.at(lines.item("terms", i), "a term needs both en and zh")
		default:
			for _, v := range t.Avoid {
				if canonical[v] {
					r.at(lines.item("terms", i), "term %q: %q is to be avoided but is another term's canonical name", t.En, v)
				}
			}
		}
	}
	l.lib.Glossary = g.Terms
}

// checkTerms warns on each variant to avoid in a Chinese page, outside
// code blocks.
func (l *loader) checkTerms(file string, data []byte) {
	w := l.warner(file)
	fenced := false
	for i, line := range bytes.Split(data, []byte("\n")) {
		if bytes.HasPrefix(bytes.TrimSpace(line), []byte("```")) {
			fenced = !fenced
			continue
		}
		if fenced {
			continue
		}
		for _, t := range l.lib.Glossary {
			for _, v := range t.Avoid {
				if bytes.Contains(line, []byte(v)) {
					w.at(i+1, "%s", variantMessage(t, v))
				}
			}
		}
	}
}

func variantMessage(t Term, v string) string {
	msg := fmt.Sprintf("%q is a variant of %q (%s): the glossary's term is %s", v, t.Zh, t.En, t.Zh)
	if t.Note != "" {
		msg += "; " + strings.TrimSuffix(t.Note, ".")
	}
	return msg + " (" + GlossaryFile + ")"
}
