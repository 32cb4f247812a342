package i18n

import (
	"reflect"
	"regexp"
	"strconv"
	"testing"
)

func TestNegotiate(t *testing.T) {
	tests := []struct {
		name, cookie, accept, want string
	}{
		{"nothing", "", "", "en"},
		{"cookie wins", "zh", "en-US,en;q=0.9", "zh"},
		{"unknown cookie ignored", "fr", "zh-CN,zh;q=0.9", "zh"},
		{"region stripped", "", "zh-TW", "zh"},
		{"quality order", "", "fr;q=1,zh;q=0.4,en;q=0.8", "en"},
		{"only unsupported", "", "fr, de;q=0.5", "en"},
		{"bad q", "", "zh;q=x, en;q=0.1", "en"},
		{"case and spaces", "", " ZH-cn ; q=0.7 ", "zh"},
		{"traditional script", "", "zh-HK", "zh"},
		{"first supported preference", "", "ja,zh;q=0.5,en;q=0.4", "zh"},
		{"english region", "", "en-GB,zh;q=0.9", "en"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Negotiate(tt.cookie, tt.accept); got != tt.want {
				t.Errorf("Negotiate(%q, %q) = %q, want %q", tt.cookie, tt.accept, got, tt.want)
			}
		})
	}
}

// TestCatalogsComplete fails when a language leaves a UI string empty,
// in Messages or in a catalog nested in it (Messages.Graph).
func TestCatalogsComplete(t *testing.T) {
	for _, lang := range Langs {
		checkComplete(t, lang, "", reflect.ValueOf(*For(lang)), reflect.ValueOf(en))
	}
}

func checkComplete(t *testing.T, lang, prefix string, v, english reflect.Value) {
	for i := range v.NumField() {
		name, f := prefix+v.Type().Field(i).Name, v.Field(i)
		switch f.Kind() {
		case reflect.String:
			if f.String() == "" {
				t.Errorf("%s: %s is empty", lang, name)
			}
		case reflect.Map:
			if want := english.Field(i).Len(); f.Len() != want {
				t.Errorf("%s: %s has %d entries, want %d", lang, name, f.Len(), want)
			}
		case reflect.Array:
			for j := 1; j < f.Len(); j++ {
				if f.Index(j).String() == "" {
					t.Errorf("%s: %s[%d] is empty", lang, name, j)
				}
			}
		case reflect.Struct:
			checkComplete(t, lang, name+".", f, english.Field(i))
		}
	}
}

func TestHelpers(t *testing.T) {
	if got := For("zh").PatternCount(3, 12); got != "已完成 3 / 12" {
		t.Errorf("PatternCount = %q", got)
	}
	if got := For("en").Level(2); got != "Intermediate" {
		t.Errorf("Level(2) = %q", got)
	}
	if got := For("en").Level(9); got != "" {
		t.Errorf("Level(9) = %q", got)
	}
	if Other("en") != "zh" || Other("zh") != "en" {
		t.Error("Other does not swap languages")
	}
	if For("fr") != For("en") {
		t.Error("unknown language should fall back to English")
	}
}

// asciiNextToHan is ASCII punctuation that touches a Chinese character,
// where Chinese text uses the full-width form (：，；！？（）).
var asciiNextToHan = regexp.MustCompile(`\p{Han}[:,;!?()]|[:,;!?()]\s*\p{Han}`)

// TestChinesePunctuation fails when a Chinese UI string uses ASCII
// punctuation between Chinese words, as in "又称: 熔断".
func TestChinesePunctuation(t *testing.T) {
	for name, s := range texts("", reflect.ValueOf(zh)) {
		if m := asciiNextToHan.FindString(s); m != "" {
			t.Errorf("zh %s = %q: ASCII punctuation %q next to Chinese; use the full-width form", name, s, m)
		}
	}
	if got := For("zh").Label("又称", "熔断"); got != "又称：熔断" {
		t.Errorf("Label = %q", got)
	}
	if got := For("zh").PlanTotal(20, 72); got != "共 72 个模式，已完成 20 个" {
		t.Errorf("PlanTotal = %q", got)
	}
}

// texts returns every string of a catalog, nested catalogs included, by
// field name.
func texts(prefix string, v reflect.Value) map[string]string {
	out := map[string]string{}
	for i := range v.NumField() {
		name, f := prefix+v.Type().Field(i).Name, v.Field(i)
		switch f.Kind() {
		case reflect.String:
			out[name] = f.String()
		case reflect.Map:
			for _, k := range f.MapKeys() {
				out[name+"["+k.String()+"]"] = f.MapIndex(k).String()
			}
		case reflect.Array:
			for j := range f.Len() {
				out[name+"["+strconv.Itoa(j)+"]"] = f.Index(j).String()
			}
		case reflect.Struct:
			for k, s := range texts(name+".", f) {
				out[k] = s
			}
		}
	}
	return out
}

func TestGraphHelpers(t *testing.T) {
	tests := []struct{ got, want string }{
		{For("en").Graph.NextReason(1, "latency"), "directly related; shares latency"},
		{For("zh").Graph.NextReason(2, "延迟"), "在图中相距 2 步；同属延迟"},
		{For("en").Graph.NextReason(0, "latency"), "shares latency"},
		{For("en").Graph.NextReason(3, ""), "3 steps away in the graph"},
		{For("en").Graph.NextReason(0, ""), ""},
		{For("zh").Graph.Summary(71, 21, 90), "共 71 个模式（已完成 21 个），90 条关系"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}
