package search

import (
	"cmp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/mozillazg/go-pinyin"

	"github.com/lamport-kb/lamport/content"
	"github.com/lamport-kb/lamport/i18n"
)

// A Chinese question ("熔断器的半开状态是什么") has no spaces and is full of
// function words. chineseTerms splits it into the terms worth matching:
// dictionary words first (the glossary, the catalog's names, the patterns'
// aliases and titles, and the words these are built of), found by greedy
// longest match, with the glossary's synonyms; then the function words and
// question words of zhStop are dropped; what is left between them is kept
// as a run of characters, matched as a phrase of bigrams (or, for one
// character, as a single character), except that three characters are a
// word and a character when only one of their bigrams is common in the
// corpus (split). A run one character off a dictionary
// word of three or more is taken for a typo of it, and the query's last
// characters for a word still being typed. Latin words (gobreaker,
// Retry-After) are kept as words.

// zhStop are the function and question words a Chinese query drops:
// particles, pronouns, "how", "what", "difference", verbs every page uses
// ("实现", "使用"), and the adverbs and quantifiers of a symptom ("一直",
// "整个").
var zhStop = []string{
	"的", "地", "得", "了", "着", "过", "吗", "呢", "吧", "啊", "呀",
	"是", "和", "与", "跟", "及", "以及", "或", "或者", "还是", "在", "对", "把", "被", "让", "给",
	"会", "要", "能", "能否", "可以", "应该", "需要", "该",
	"怎么", "怎样", "怎么样", "如何", "为什么", "为何", "什么", "哪些", "哪个", "哪里", "多久", "多少", "合适", "最好",
	"有", "没有", "有没有", "是不是", "是否", "一个", "一种", "这个", "那个", "这种", "那种", "时候", "时",
	"以后", "之后", "之前", "以前", "后", "前", "再", "又", "就", "都", "也", "还",
	"区别", "不同", "差别", "对比", "比较", "相比", "关系",
	"实现", "使用", "用", "做", "处理", "工作", "原理", "作用", "意思", "含义", "介绍", "理解",
	"我", "你", "我们", "它", "它们", "请问", "一下",
	"一直", "总是", "老是", "经常", "已经", "特别", "非常", "突然", "然后", "但是", "如果", "因为", "所以", "为了",
	"整个", "某个", "一条", "一些", "这么", "那么", "这样", "那样",
}

// maxWordRunes bounds the dictionary words the segmenter looks for.
const maxWordRunes = 12

// dictionary is the set of Chinese words the segmenter knows, and the
// stop words.
type dictionary struct {
	words    map[string]bool
	stop     map[string]bool
	synonyms map[string][]string // the other names of a glossary term (重新投递: 重驱动)
	terms    []content.Term      // the glossary, for translating a query's terms
	bigrams  map[[2]rune]int     // the Chinese sections that contain each bigram of Han characters
}

// nameJoiners join two names in one catalog name ("超时控制与截止时间传递").
var nameJoiners = []string{"与", "和", "及"}

// newDictionary collects the Chinese terms of lib: glossary terms and
// their synonyms, the catalog's names split at their punctuation and
// their joiners, the patterns' Chinese aliases and titles, and the words
// these terms are built of (compoundParts).
func newDictionary(lib *content.Library) *dictionary {
	d := &dictionary{words: make(map[string]bool), stop: make(map[string]bool), synonyms: make(map[string][]string), terms: lib.Glossary}
	for _, w := range zhStop {
		d.stop[w] = true
	}
	add := func(s string) {
		for _, j := range nameJoiners {
			s = strings.ReplaceAll(s, j, " ")
		}
		for _, w := range strings.FieldsFunc(s, func(r rune) bool { return !unicode.Is(unicode.Han, r) }) {
			if n := utf8.RuneCountInString(w); n >= 2 && n <= maxWordRunes && !d.stop[w] {
				d.words[w] = true
			}
		}
	}
	for _, t := range lib.Glossary {
		add(t.Zh)
		names := []string{t.Zh}
		for _, a := range t.Also {
			add(a)
			names = append(names, a)
		}
		names = slices.DeleteFunc(names, func(n string) bool { return !d.words[n] })
		for _, n := range names {
			for _, o := range names {
				if o != n {
					d.synonyms[n] = append(d.synonyms[n], o)
				}
			}
		}
	}
	for _, e := range lib.Catalog {
		add(e.Name.In(i18n.Chinese))
	}
	for _, p := range lib.Patterns {
		for _, a := range p.Aliases[i18n.Chinese] {
			add(a)
		}
		if d := p.Docs[i18n.Chinese]; d != nil {
			add(d.Title)
		}
	}
	for _, w := range compoundParts(d.words) {
		if !d.stop[w] {
			d.words[w] = true
		}
	}
	d.bigrams = sectionBigrams(lib)
	return d
}

// sectionBigrams counts, for every bigram of Han characters, the Chinese
// sections of lib that contain it.
func sectionBigrams(lib *content.Library) map[[2]rune]int {
	type seen struct{ sections, last int } // last: the last section counted, from 1
	all := map[[2]rune]seen{}
	section := 0
	for _, p := range lib.Patterns {
		d := p.Docs[i18n.Chinese]
		if d == nil {
			continue
		}
		for _, s := range d.Sections {
			section++
			var prev rune // the Han character before, or 0
			for _, r := range s.Text {
				if !unicode.Is(unicode.Han, r) {
					prev = 0
					continue
				}
				if b := [2]rune{prev, r}; prev != 0 {
					if v := all[b]; v.last != section {
						all[b] = seen{v.sections + 1, section}
					}
				}
				prev = r
			}
		}
	}
	counts := make(map[[2]rune]int, len(all))
	for b, v := range all {
		counts[b] = v.sections
	}
	return counts
}

// minWordSections is how many sections a bigram must be in to be taken
// for a word when a run of three characters is split (split).
const minWordSections = 3

// split cuts a run of three characters the dictionary does not know into a
// word and a single character when one of its two bigrams is in at least
// minWordSections sections and the other is not: "次数设" (from
// 重试次数设多少合适) is 次数 and 设, where both bigrams required would ask
// for 数设, which only a page that says 任务数设上限 has. A run whose
// bigrams are both common (区块链) or both rare stays one run.
func (d *dictionary) split(run []rune) [][]rune {
	if len(run) != 3 {
		return [][]rune{run}
	}
	first, second := d.bigrams[[2]rune{run[0], run[1]}] >= minWordSections, d.bigrams[[2]rune{run[1], run[2]}] >= minWordSections
	switch {
	case first && !second:
		return [][]rune{run[:2], run[2:]}
	case second && !first:
		return [][]rune{run[:1], run[1:]}
	}
	return [][]rune{run}
}

// compoundParts returns the words that terms are built of: a beginning or
// an end of two or more characters that several terms share, followed
// (or preceded) in them by different characters. 对冲请求, 对冲延迟 and
// 对冲预算 give 对冲, which a query "对冲和重试" needs as a word (对 alone
// is a stop word); 完工时间 and 截止时间 give 时间. The condition on the
// neighbours keeps out pieces of longer words: 毒消 is always followed by
// 息 (毒消息, 毒消息处理).
func compoundParts(words map[string]bool) []string {
	type seen struct {
		count int
		next  map[rune]bool // the characters after a beginning, before an end
	}
	parts := map[string]*seen{}
	note := func(part string, neighbour rune) {
		p := parts[part]
		if p == nil {
			p = &seen{next: map[rune]bool{}}
			parts[part] = p
		}
		p.count++
		p.next[neighbour] = true
	}
	for w := range words {
		rs := []rune(w)
		for k := 2; k < len(rs); k++ {
			note("<"+string(rs[:k]), rs[k])
			note(">"+string(rs[len(rs)-k:]), rs[len(rs)-k-1])
		}
	}
	var out []string
	for key, p := range parts {
		if w := key[1:]; p.count >= 2 && len(p.next) >= 2 && !words[w] {
			out = append(out, w)
		}
	}
	slices.Sort(out)
	return out
}

// term is one unit of a query to match: a dictionary word or a run of
// Han characters (han), or a word in another script.
type term struct {
	text  string
	han   bool
	word  bool     // a dictionary word, not a run the segmenter could not split
	also  []string // other names of the word: the glossary's synonyms
	maybe []string // words that count less: what a typo or the query's unfinished end may mean
}

// chineseTerms segments text into distinct terms, in order.
func (d *dictionary) chineseTerms(text string) []term {
	var terms []term
	seen := make(map[string]bool)
	add := func(t term) {
		if t.text != "" && !seen[t.text] {
			seen[t.text] = true
			terms = append(terms, t)
		}
	}
	lower := strings.ToLower(text)
	runs := scriptRuns(lower)
	for i, run := range runs {
		if !run.han {
			add(run)
			continue
		}
		final := i == len(runs)-1 && strings.HasSuffix(lower, run.text)
		for _, t := range d.segment([]rune(run.text), final) {
			add(t)
		}
	}
	return terms
}

// segment splits a run of Han characters: dictionary words by longest
// match, stop words dropped, the characters between them kept together.
// Where no word starts, a window one character off a longer word is kept
// as it is, with the word as what it may mean (熔段器: 熔断器; also where
// a shorter word starts: 令牌通 is 令牌桶 more likely than 令牌). When final,
// the run may be unfinished (the reader is typing): its end may begin a
// word (死信队: 死信队列), and the start of a stop word is dropped (背压怎).
func (d *dictionary) segment(rs []rune, final bool) []term {
	var out []term
	var rest []rune // characters no word claimed, since the last word
	flush := func() {
		if len(rest) > 0 {
			for _, part := range d.split(rest) {
				out = append(out, term{text: string(part), han: true})
			}
			rest = rest[:0]
		}
	}
	for i := 0; i < len(rs); {
		n := d.longest(rs[i:], d.words)
		// The end of the query, after a word or a stop word: unfinished?
		end := final && len(rest) == 0
		if end && n < len(rs)-i {
			if ws := d.completions(rs[i:]); len(ws) > 0 {
				out = append(out, term{text: string(rs[i:]), han: true, maybe: ws})
				break
			}
		}
		// A typo where no word starts, or in all that is left: a shorter
		// word at the start of a longer window is a word, not a typo
		// (消息一直 is 消息 and 一直, not 消息组).
		if w, m := d.near(rs[i:]); m > n && (n == 0 || end && m == len(rs)-i) {
			flush()
			out = append(out, term{text: string(rs[i : i+m]), han: true, maybe: []string{w}})
			i += m
			continue
		}
		if n > 0 {
			flush()
			w := string(rs[i : i+n])
			out = append(out, term{text: w, han: true, word: true, also: d.synonyms[w]})
			i += n
			continue
		}
		if n := d.longest(rs[i:], d.stop); n > 0 {
			flush()
			i += n
			continue
		}
		if final && d.stopPrefix(rs[i:]) {
			break
		}
		rest = append(rest, rs[i])
		i++
	}
	flush()
	return out
}

// maxCompletions bounds the words an unfinished end stands for.
const maxCompletions = 8

// completions returns the dictionary words that rs, the end of a query,
// begins and is not (死信队: 死信队列), shortest first, at most
// maxCompletions.
func (d *dictionary) completions(rs []rune) []string {
	prefix := string(rs)
	if d.words[prefix] || d.stop[prefix] {
		return nil
	}
	var ws []string
	for w := range d.words {
		if len(w) > len(prefix) && strings.HasPrefix(w, prefix) {
			ws = append(ws, w)
		}
	}
	slices.SortFunc(ws, func(a, b string) int { return cmp.Or(cmp.Compare(len(a), len(b)), strings.Compare(a, b)) })
	return ws[:min(len(ws), maxCompletions)]
}

// stopPrefix reports whether rs, the end of a query, is the start of a
// stop word (怎 of 怎么) and of no dictionary word.
func (d *dictionary) stopPrefix(rs []rune) bool {
	prefix := string(rs)
	found := false
	for w := range d.stop {
		found = found || len(w) > len(prefix) && strings.HasPrefix(w, prefix)
	}
	for w := range d.words {
		if strings.HasPrefix(w, prefix) {
			return false
		}
	}
	return found
}

// near returns a dictionary word that rs starts with but for one
// character, and its length: a character that sounds the same (密等 for
// 幂等, 限留 for 限流: a pinyin input method offers both for the same
// keys, the commonest typo in Chinese), or, in a word of three or more
// characters, any character but the first (熔段器 for 熔断器, 一至性哈希
// for 一致性哈希). Of two characters with one wrong, nothing else is enough
// to go on. It returns the longest (the first in order of equals), or "",
// 0. A word rs starts with exactly is not near.
func (d *dictionary) near(rs []rune) (string, int) {
	best, n := "", 0
	for w := range d.words {
		ws := []rune(w)
		if len(ws) < 2 || len(ws) > len(rs) || len(ws) < n {
			continue
		}
		at, diff := 0, 0
		for i := range ws {
			if ws[i] != rs[i] {
				at, diff = i, diff+1
			}
		}
		if diff != 1 || d.words[string(rs[:len(ws)])] || !(len(ws) >= 3 && at > 0 || homophones(ws[at], rs[at])) {
			continue
		}
		if len(ws) > n || w < best {
			best, n = w, len(ws)
		}
	}
	return best, n
}

// readings is the arguments of a character's toneless pinyin, all of its
// readings (限 is xian, and wen in old texts).
var readings = func() pinyin.Args {
	a := pinyin.NewArgs()
	a.Heteronym = true
	return a
}()

// homophones reports whether two Han characters have a reading in common,
// tones aside.
func homophones(a, b rune) bool {
	pb := pinyin.SinglePinyin(b, readings)
	for _, p := range pinyin.SinglePinyin(a, readings) {
		if slices.Contains(pb, p) {
			return true
		}
	}
	return false
}

// longest returns the length of the longest word of set that rs starts
// with, or 0.
func (d *dictionary) longest(rs []rune, set map[string]bool) int {
	for n := min(len(rs), maxWordRunes); n >= 1; n-- {
		if set[string(rs[:n])] {
			return n
		}
	}
	return 0
}

// scriptRuns splits text into runs of Han characters and words of other
// scripts (letters and digits, with inner hyphens: retry-after).
func scriptRuns(text string) []term {
	var runs []term
	var cur []rune
	curHan := false
	flush := func() {
		if s := strings.Trim(string(cur), "-"); s != "" {
			runs = append(runs, term{text: s, han: curHan})
		}
		cur = cur[:0]
	}
	for _, r := range text {
		han := unicode.Is(unicode.Han, r)
		word := han || unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-'
		if !word || (len(cur) > 0 && han != curHan) {
			flush()
		}
		if word {
			cur, curHan = append(cur, r), han
		}
	}
	flush()
	return runs
}

// translations returns the glossary's name, in the other language, of
// every glossary term the query contains: "fencing token" in a Chinese
// search finds 防护令牌, 熔断器 in an English one finds circuit breaker.
// An English term counts when all its words are among the query's words.
func (d *dictionary) translations(text string) (zh, en []string) {
	lower := strings.ToLower(text)
	have := make(map[string]bool)
	for _, w := range words(lower) {
		have[w] = true
	}
	for _, t := range d.terms {
		if strings.Contains(lower, t.Zh) && hasHan(t.Zh) {
			en = append(en, t.En)
		}
		tw := words(t.En)
		all := len(tw) > 0
		for _, w := range tw {
			all = all && have[w]
		}
		if all {
			zh = append(zh, t.Zh)
		}
	}
	return zh, en
}
