package search

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/lamport-kb/lamport/content"
)

// The quality gate of issue 11, per language of the results: the share of
// judged queries whose first hit is an answer, and the share whose top 3
// hold an answer's page.
const (
	minSuccessAt1 = 0.85
	minRecallAt3  = 0.95
)

// Size of the judged set (issue 11): at least minJudged queries, at least
// half of them with Chinese characters.
const minJudged = 120

// target is a page of the judged set, or some of its sections ("top" is
// the page document); no sections means any hit of the page.
type target struct {
	page     string
	sections []string
}

func parseTarget(s string) target {
	page, frag, ok := strings.Cut(s, "#")
	t := target{page: page}
	if ok {
		t.sections = strings.Split(frag, ",")
	}
	return t
}

func (t target) String() string {
	if t.sections == nil {
		return t.page
	}
	return t.page + "#" + strings.Join(t.sections, ",")
}

// hasPage reports whether h is on t's page.
func (t target) hasPage(h Hit) bool {
	page, _, _ := strings.Cut(h.URL, "#")
	return page == t.page
}

// matches reports whether h is t: its page, and one of its sections if t
// names some.
func (t target) matches(h Hit) bool {
	if !t.hasPage(h) {
		return false
	}
	if t.sections == nil {
		return true
	}
	section := h.SectionID
	if section == "" {
		section = "top"
	}
	return slices.Contains(t.sections, section)
}

// judgement is one line of testdata/judged.txt (its header describes the
// format).
type judgement struct {
	line              int
	lang, kind, query string
	want, not         []target
	none              bool
}

func loadJudged(t *testing.T) []judgement {
	t.Helper()
	f, err := os.Open("testdata/judged.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var js []judgement
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		parts := strings.Split(line, "\t")
		if len(parts) < 4 {
			t.Fatalf("judged.txt:%d: want lang, kind, query and an expectation, got %q", n, line)
		}
		j := judgement{line: n, lang: parts[0], kind: parts[1], query: parts[2]}
		for _, e := range parts[3:] {
			switch {
			case e == "∅":
				j.none = true
			case strings.HasPrefix(e, "!"):
				j.not = append(j.not, parseTarget(e[1:]))
			default:
				j.want = append(j.want, parseTarget(e))
			}
		}
		if j.none && len(j.want) > 0 {
			t.Fatalf("judged.txt:%d: ∅ with an answer", n)
		}
		js = append(js, j)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return js
}

// checkTargets fails on a judged URL that names no page or section of the
// corpus, so a typo in the judged set cannot pass as a miss.
func checkTargets(t *testing.T, js []judgement) {
	t.Helper()
	lib, err := corpus()
	if err != nil {
		t.Fatal(err)
	}
	known := map[string][]string{} // page URL → its section IDs and "top"
	for _, p := range lib.Patterns {
		for lang, d := range p.Docs {
			ids := []string{"top"}
			for _, s := range d.Sections {
				ids = append(ids, s.ID)
			}
			known[content.PatternURL(lang, p.Slug)] = ids
		}
	}
	for _, e := range lib.Catalog {
		if !e.Written { // a planned page is one document
			for _, lang := range []string{"en", "zh"} {
				known[content.PatternURL(lang, e.Slug)] = []string{"top"}
			}
		}
	}
	for _, j := range js {
		for _, tg := range append(append([]target{}, j.want...), j.not...) {
			ids, ok := known[tg.page]
			if !ok || !strings.HasPrefix(tg.page, "/"+j.lang+"/") {
				t.Errorf("judged.txt:%d: %s is not a %s page", j.line, tg.page, j.lang)
			}
			for _, s := range tg.sections {
				if ok && !slices.Contains(ids, s) {
					t.Errorf("judged.txt:%d: %s has no section %q", j.line, tg.page, s)
				}
			}
		}
	}
}

// metrics accumulates success@1, MRR@10 and recall@3 over judged queries.
type metrics struct {
	n                   int
	success, rr, recall float64
}

func (m *metrics) add(s1 bool, rank int, r3 bool) {
	m.n++
	if s1 {
		m.success++
	}
	if rank > 0 {
		m.rr += 1 / float64(rank)
	}
	if r3 {
		m.recall++
	}
}

func (m metrics) successAt1() float64 { return m.success / float64(max(m.n, 1)) }
func (m metrics) mrr() float64        { return m.rr / float64(max(m.n, 1)) }
func (m metrics) recallAt3() float64  { return m.recall / float64(max(m.n, 1)) }

func (m metrics) String() string {
	return fmt.Sprintf("n=%3d  success@1 %.3f  MRR@10 %.3f  recall@3 %.3f", m.n, m.successAt1(), m.mrr(), m.recallAt3())
}

// TestJudged gates search quality on testdata/judged.txt: success@1,
// MRR@10 and recall@3 per language of the results, against minSuccessAt1
// and minRecallAt3; ∅ and ! expectations are hard checks.
func TestJudged(t *testing.T) {
	idx := sharedIndex(t)
	js := loadJudged(t)
	checkTargets(t, js)
	han := 0
	for _, j := range js {
		if hasHan(j.query) {
			han++
		}
	}
	if len(js) < minJudged || 2*han < len(js) {
		t.Errorf("%d judged queries, %d with Chinese: want at least %d, half of them Chinese or mixed", len(js), han, minJudged)
	}

	byLang := map[string]*metrics{}
	byKind := map[string]*metrics{}
	kinds := map[string]int{}
	var misses []string
	var slowest time.Duration
	var slowQuery string
	for _, j := range js {
		kinds[j.lang+" "+j.kind]++
		start := time.Now()
		res, err := idx.Search(context.Background(), Query{Text: j.query, Lang: j.lang, Limit: 10})
		if err != nil {
			t.Fatalf("judged.txt:%d: %q: %v", j.line, j.query, err)
		}
		if d := time.Since(start); d > slowest {
			slowest, slowQuery = d, j.query
		}
		var got []string
		for _, h := range res.Hits {
			got = append(got, strings.TrimPrefix(h.URL, "/"+j.lang+"/patterns/"))
		}
		top3 := res.Hits[:min(3, len(res.Hits))]
		if j.none && len(res.Hits) > 0 {
			t.Errorf("judged.txt:%d: [%s] %q: want no results, got %v", j.line, j.lang, j.query, got)
		}
		for _, tg := range j.not {
			for _, h := range top3 {
				if tg.matches(h) {
					t.Errorf("judged.txt:%d: [%s] %q: %s must not be in the top 3, got %v", j.line, j.lang, j.query, tg, got)
					break
				}
			}
		}
		if len(j.want) == 0 {
			continue
		}
		rank := 0 // 1-based rank of the first answer within the top 10, 0 if none
		for i, h := range res.Hits {
			if slices.ContainsFunc(j.want, func(tg target) bool { return tg.matches(h) }) {
				rank = i + 1
				break
			}
		}
		r3 := slices.ContainsFunc(top3, func(h Hit) bool {
			return slices.ContainsFunc(j.want, func(tg target) bool { return tg.hasPage(h) })
		})
		if byLang[j.lang] == nil {
			byLang[j.lang] = &metrics{}
		}
		if byKind[j.kind] == nil {
			byKind[j.kind] = &metrics{}
		}
		byLang[j.lang].add(rank == 1, rank, r3)
		byKind[j.kind].add(rank == 1, rank, r3)
		if rank != 1 || !r3 {
			var want []string
			for _, tg := range j.want {
				want = append(want, strings.TrimPrefix(tg.String(), "/"+j.lang+"/patterns/"))
			}
			misses = append(misses, fmt.Sprintf("judged.txt:%d: [%s %s] %q: rank %d, recall@3 %v; want %s, got %v",
				j.line, j.lang, j.kind, j.query, rank, r3, strings.Join(want, " | "), got))
		}
	}

	var counts []string
	for _, k := range sortedKeys(kinds) {
		counts = append(counts, fmt.Sprintf("%s %d", k, kinds[k]))
	}
	t.Logf("%d judged queries (%d with Chinese characters): %s", len(js), han, strings.Join(counts, ", "))
	for _, kind := range sortedKeys(byKind) {
		t.Logf("  kind %-10s %v", kind, byKind[kind])
	}
	for _, m := range misses {
		t.Log("  miss " + m)
	}
	t.Logf("slowest query %q: %v", slowQuery, slowest)
	for _, lang := range sortedKeys(byLang) {
		m := byLang[lang]
		t.Logf("[%s] %v", lang, m)
		if m.successAt1() < minSuccessAt1 {
			t.Errorf("[%s] success@1 %.3f < %.2f", lang, m.successAt1(), minSuccessAt1)
		}
		if m.recallAt3() < minRecallAt3 {
			t.Errorf("[%s] recall@3 %.3f < %.2f", lang, m.recallAt3(), minRecallAt3)
		}
	}
}

func sortedKeys[V any](m map[string]V) []string {
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
