package content

import "testing"

func TestLookups(t *testing.T) {
	lib, err := Load(fixture(t, nil))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ got, want string }{
		{lib.Name("sample", "zh"), lib.Pattern("sample").Docs["zh"].Title}, // written: the page's title
		{lib.Name("planned-thing", "zh"), "规划中的东西"},                        // planned: the catalog's name
		{lib.Name("planned-thing", "fr"), "Planned Thing"},                 // unknown language: English
		{lib.Name("nowhere", "en"), "nowhere"},
		{lib.Category("resilience").Name.In("zh"), "弹性"},
		{lib.Tag("latency").Name.In("en"), "latency"},
		{Names{"en": "x"}.In("zh"), "x"},
		{Names{}.In("zh"), ""},
		{lib.Pattern("sample").Doc("fr").Lang, "en"},
	} {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
	if lib.Category("nope") != nil || lib.Tag("nope") != nil {
		t.Error("an unknown id was found")
	}
	if planned := lib.Planned(); len(planned) != 1 || planned[0].Slug != "planned-thing" {
		t.Errorf("planned entries %v, want the fixture's one, planned-thing", planned)
	}
}

func TestURLs(t *testing.T) {
	for _, tt := range []struct{ got, want string }{
		{HomeURL("zh"), "/zh/"},
		{PatternURL("en", "circuit-breaker"), "/en/patterns/circuit-breaker"},
		{SectionURL("zh", "raft", "faq"), "/zh/patterns/raft#faq"},
		{CategoryURL("en", "time"), "/en/patterns/?category=time"},
		{TagURL("en", "latency"), "/en/tags/latency"},
		{PlayURL("zh", "raft"), "/zh/play/raft"},
	} {
		if tt.got != tt.want {
			t.Errorf("%q, want %q", tt.got, tt.want)
		}
	}
}
