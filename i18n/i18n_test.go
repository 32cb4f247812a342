package i18n

import (
	"reflect"
	"regexp"
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

// TestCatalogsComplete fails when a language leaves a UI string empty.
func TestCatalogsComplete(t *testing.T) {
	for _, lang := range Langs {
		v := reflect.ValueOf(*For(lang))
		for i := range v.NumField() {
			name, f := v.Type().Field(i).Name, v.Field(i)
			switch f.Kind() {
			case reflect.String:
				if f.String() == "" {
					t.Errorf("%s: %s is empty", lang, name)
				}
			case reflect.Map:
				if want := reflect.ValueOf(en).Field(i).Len(); f.Len() != want {
					t.Errorf("%s: %s has %d entries, want %d", lang, name, f.Len(), want)
				}
			case reflect.Array:
				for j := 1; j < f.Len(); j++ {
					if f.Index(j).String() == "" {
						t.Errorf("%s: %s[%d] is empty", lang, name, j)
					}
				}
			}
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
	v := reflect.ValueOf(zh)
	for i := range v.NumField() {
		f := v.Field(i)
		var texts []string
		switch f.Kind() {
		case reflect.String:
			texts = []string{f.String()}
		case reflect.Map:
			for _, k := range f.MapKeys() {
				texts = append(texts, f.MapIndex(k).String())
			}
		case reflect.Array:
			for j := range f.Len() {
				texts = append(texts, f.Index(j).String())
			}
		}
		for _, s := range texts {
			if m := asciiNextToHan.FindString(s); m != "" {
				t.Errorf("zh %s = %q: ASCII punctuation %q next to Chinese; use the full-width form", v.Type().Field(i).Name, s, m)
			}
		}
	}
	if got := For("zh").Label("又称", "熔断"); got != "又称：熔断" {
		t.Errorf("Label = %q", got)
	}
	if got := For("zh").PlanTotal(20, 72); got != "共 72 个模式，已完成 20 个" {
		t.Errorf("PlanTotal = %q", got)
	}
}
