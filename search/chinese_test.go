package search

import (
	"slices"
	"testing"

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
