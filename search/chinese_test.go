package search

import (
	"slices"
	"testing"
	"unicode"

	"github.com/google/go-cmp/cmp"
)

// TestChineseTerms: dictionary words by longest match, function and
// question words dropped, the rest kept together, Latin words kept.
func TestChineseTerms(t *testing.T) {
	lib, err := corpus()
	if err != nil {
		t.Fatal(err)
	}
	d := newDictionary(lib)
	for _, tt := range []struct {
		q    string
		want []string
	}{
		{"熔断器的半开状态是什么", []string{"熔断器", "半开", "状态"}},
		{"如何实现限流", []string{"限流"}},
		{"熔断器和限流的区别", []string{"熔断器", "限流"}},
		{"令牌桶怎么处理突发流量", []string{"令牌桶", "突发流量"}},
		{"gobreaker 的默认超时", []string{"gobreaker", "默认", "超时"}},
		{"Retry-After头", []string{"retry-after", "头"}},
		{"的是什么", nil},
		// 对冲 is a part of 对冲请求 and 对冲延迟: a word, not the stop word 对 and 冲.
		{"对冲和重试有什么区别", []string{"对冲", "重试"}},
		// Adverbs of a symptom are dropped; a word at the start of a
		// longer window is a word, not a typo (消息组).
		{"消息一直重复消费", []string{"消息", "重复消费"}},
		// The query's end, as typed so far.
		{"背压怎", []string{"背压"}},
		{"死信队", []string{"死信队"}},
		// Three characters the dictionary lacks: a common bigram and a
		// character (次数 and 设), not both bigrams of the run (数设);
		// 合适 is a question word.
		{"重试次数设多少合适", []string{"重试", "次数", "设"}},
		// Typos, kept as typed.
		{"熔段器", []string{"熔段器"}},
		{"令牌通", []string{"令牌通"}},
	} {
		var got []string
		for _, term := range d.chineseTerms(tt.q) {
			got = append(got, term.text)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("chineseTerms(%q) (-want +got):\n%s", tt.q, diff)
		}
	}
}

func TestMinShould(t *testing.T) {
	for n, want := range map[int]int{1: 1, 2: 2, 3: 2, 4: 3, 5: 3, 10: 6} {
		if got := minShould(n); got != want {
			t.Errorf("minShould(%d) = %d, want %d", n, got, want)
		}
	}
}

// TestChineseAlternatives: what a term may also be matched by.
func TestChineseAlternatives(t *testing.T) {
	lib, err := corpus()
	if err != nil {
		t.Fatal(err)
	}
	d := newDictionary(lib)
	for _, tt := range []struct {
		q           string
		also, maybe []string // of the last term
	}{
		{"死信队列怎么重新投递", []string{"重驱动"}, nil}, // the glossary's synonym
		{"熔段器", nil, []string{"熔断器"}},        // one character off a word
		{"令牌通", nil, []string{"令牌桶"}},        // also where a shorter word (令牌) starts
		{"一至性哈希", nil, []string{"一致性哈希"}},
		{"死信队", nil, []string{"死信队列"}}, // unfinished
		{"密等", nil, []string{"幂等"}},    // two characters, one that sounds the same (mì)
		{"限留", nil, []string{"限流"}},    // liú
		{"融断器", nil, []string{"熔断器"}},  // the first character, when it sounds the same (róng)
		{"幂寸", nil, nil},               // two characters, one wrong that sounds otherwise: too little to go on
		{"熔断器", []string{"断路器"}, nil},  // a word is no typo
	} {
		terms := d.chineseTerms(tt.q)
		last := terms[len(terms)-1]
		if !slices.Equal(last.also, tt.also) || !slices.Equal(last.maybe, tt.maybe) {
			t.Errorf("%q: last term %q also %v maybe %v, want %v %v", tt.q, last.text, last.also, last.maybe, tt.also, tt.maybe)
		}
	}
}

// TestCompoundParts: shared beginnings and ends of terms, not pieces of
// longer words.
func TestCompoundParts(t *testing.T) {
	words := map[string]bool{"对冲请求": true, "对冲延迟": true, "毒消息": true, "毒消息处理": true, "完工时间": true, "截止时间": true}
	if got, want := compoundParts(words), []string{"对冲", "时间"}; !slices.Equal(got, want) {
		t.Errorf("compoundParts = %v, want %v", got, want)
	}
}

// TestTranslations: a glossary term in one language names its
// counterpart in the other.
func TestTranslations(t *testing.T) {
	lib, err := corpus()
	if err != nil {
		t.Fatal(err)
	}
	d := newDictionary(lib)
	zh, _ := d.translations("what is a Fencing Token")
	if !slices.Contains(zh, "防护令牌") {
		t.Errorf("fencing token translates to %v", zh)
	}
	_, en := d.translations("舱壁隔离怎么用")
	if !slices.Contains(en, "bulkhead") {
		t.Errorf("舱壁隔离 translates to %v", en)
	}
	if zh, en := d.translations("fencing"); len(zh)+len(en) != 0 {
		t.Errorf("half a term translates to %v %v", zh, en)
	}
}

// TestSplit: a run of three characters is a word and a character when one
// bigram is a common word of the corpus and the other is not; else one run.
func TestSplit(t *testing.T) {
	d := &dictionary{bigrams: map[[2]rune]int{{'次', '数'}: 12, {'数', '设'}: 1, {'区', '块'}: 5, {'块', '链'}: 4, {'冷', '门'}: 1}}
	for _, tt := range []struct {
		run  string
		want []string
	}{
		{"次数设", []string{"次数", "设"}},
		{"多次数", []string{"多", "次数"}},
		{"区块链", []string{"区块链"}},   // both common
		{"冷门字", []string{"冷门字"}},   // both rare
		{"次数设置", []string{"次数设置"}}, // four: someBigrams asks for half
	} {
		var got []string
		for _, part := range d.split([]rune(tt.run)) {
			got = append(got, string(part))
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("split(%q) = %v, want %v", tt.run, got, tt.want)
		}
	}
}

// TestSectionBigrams: a bigram counts once per Chinese section, across no
// non-Han character.
func TestSectionBigrams(t *testing.T) {
	lib, err := corpus()
	if err != nil {
		t.Fatal(err)
	}
	counts := sectionBigrams(lib)
	sections := 0
	for _, p := range lib.Patterns {
		if d := p.Docs["zh"]; d != nil {
			sections += len(d.Sections)
		}
	}
	if n := counts[[2]rune{'重', '试'}]; n < 10 || n > sections {
		t.Errorf("重试 in %d of %d sections", n, sections)
	}
	for b := range counts {
		if !unicode.Is(unicode.Han, b[0]) || !unicode.Is(unicode.Han, b[1]) {
			t.Errorf("bigram %q", string(b[:]))
		}
	}
}
