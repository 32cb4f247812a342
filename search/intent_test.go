package search

import (
	"maps"
	"slices"
	"testing"

	"github.com/lamport-kb/lamport/content"
)

func TestQueryIntent(t *testing.T) {
	for _, tt := range []struct {
		q                    string
		definition, question bool
		sections             []string
	}{
		{"circuit breaker", false, false, nil},
		{"what is a poison message", true, false, nil},
		{"what is the half-open state for", false, true, nil},
		{"why add jitter", false, true, nil},
		{"bulkhead or circuit breaker", false, true, nil},
		{"token bucket vs leaky bucket", false, true, nil},
		{"how to implement a circuit breaker in go", false, true, []string{"implementation"}},
		{"when should I not use event sourcing", false, true, []string{"when-to-use"}},
		{"熔断器", false, false, nil},
		{"熔断器是什么", true, false, nil},
		{"什么是幂等", true, false, nil},
		{"为什么要加随机抖动", false, true, nil},
		{"降载和限流有什么区别", false, true, nil},
		{"工作池还是信号量", false, true, nil},
		{"怎么测试熔断器", false, true, []string{"testing"}},
		{"熔断器用go怎么写", false, true, []string{"implementation"}},
		{"写模型", false, false, nil}, // 写 of 写模型 names no section
	} {
		in := queryIntent(tt.q)
		sections := slices.Sorted(maps.Keys(in.sections))
		if in.definition != tt.definition || in.question != tt.question || !slices.Equal(sections, tt.sections) {
			t.Errorf("%q: definition %v question %v sections %v, want %v %v %v",
				tt.q, in.definition, in.question, sections, tt.definition, tt.question, tt.sections)
		}
	}
}

// TestSectionWords: every section a word names is a section of the
// chapter template, and has a prior.
func TestSectionWords(t *testing.T) {
	for _, m := range []map[string]string{enSectionWords, zhSectionWords} {
		for w, s := range m {
			if !slices.Contains(content.SectionIDs, s) {
				t.Errorf("%q names %q, not a section", w, s)
			}
		}
	}
	for _, s := range content.SectionIDs {
		if _, ok := sectionPrior[s]; !ok {
			t.Errorf("section %q has no prior", s)
		}
	}
}
