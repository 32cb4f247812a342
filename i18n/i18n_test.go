package i18n

import (
	"reflect"
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
				if f.Len() != len(en.Relation) {
					t.Errorf("%s: %s has %d entries, want %d", lang, name, f.Len(), len(en.Relation))
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
