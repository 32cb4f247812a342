package content

import (
	"fmt"
	"sort"
	"strings"
)

// Problems is every problem Load found; its Error lists them as
// file:line: message, one a line, sorted by file then line.
type Problems []Problem

func (ps Problems) Error() string {
	var b strings.Builder
	for i, p := range ps {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(p.String())
	}
	return b.String()
}

// String formats a problem as file:line: message.
func (p Problem) String() string {
	if p.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Msg)
	}
	return fmt.Sprintf("%s: %s", p.File, p.Msg)
}

func (ps Problems) sort() {
	sort.SliceStable(ps, func(i, j int) bool {
		if ps[i].File != ps[j].File {
			return ps[i].File < ps[j].File
		}
		return ps[i].Line < ps[j].Line
	})
}

// reporter collects problems for one file.
type reporter struct {
	list *Problems
	file string
}

func (r reporter) at(line int, format string, args ...any) {
	*r.list = append(*r.list, Problem{File: r.file, Line: line, Msg: fmt.Sprintf(format, args...)})
}
