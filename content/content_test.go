package content

import (
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"

	"github.com/lamport-kb/lamport/i18n"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// TestGolden renders the sample pattern in testdata/site, which uses every
// Markdown convention, and compares each language's sections with
// testdata/sample.{en,zh}.golden. Run with -update to accept a change.
func TestGolden(t *testing.T) {
	lib, err := Load(os.DirFS("testdata/site"))
	if err != nil {
		t.Fatal(err)
	}
	p := lib.Pattern("sample")
	for _, lang := range i18n.Langs {
		d := p.Docs[lang]
		var b strings.Builder
		b.WriteString("<!-- lead -->\n" + d.Lead)
		for _, s := range d.Sections {
			b.WriteString("\n<!-- section " + s.ID + ": " + s.Title + " -->\n" + s.HTML)
		}
		golden := filepath.Join("testdata", "sample."+lang+".golden")
		if *update {
			if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v (run go test -update)", err)
		}
		if diff := cmp.Diff(string(want), b.String()); diff != "" {
			t.Errorf("%s rendering changed (-golden +got); run go test -update if intended:\n%s", lang, diff)
		}
	}
}

// TestConventions spells out what the golden file shows.
func TestConventions(t *testing.T) {
	lib, err := Load(os.DirFS("testdata/site"))
	if err != nil {
		t.Fatal(err)
	}
	en, zh := lib.Pattern("sample").Docs[i18n.English], lib.Pattern("sample").Docs[i18n.Chinese]
	html := func(d *Doc, id string) string {
		for _, s := range d.Sections {
			if s.ID == id {
				return s.HTML
			}
		}
		t.Fatalf("no section %s", id)
		return ""
	}
	checks := []struct {
		name, got, want string
	}{
		{"table", html(en, "definition"), `<table tabindex="0">`},
		{"footnote", html(en, "references"), `class="footnotes"`},
		{"inline math", html(en, "formalization"), `<math xmlns="http://www.w3.org/1998/Math/MathML"><semantics><mrow><msub><mi>x</mi><mn>1</mn></msub>`},
		{"display math", html(en, "formalization"), `<div class="math-display" tabindex="0"><math xmlns="http://www.w3.org/1998/Math/MathML" display="block"><semantics><mrow><mi>τ</mi>`},
		{"multi-line math", html(en, "formalization"), `<annotation encoding="application/x-tex">\sum_i x_i</annotation>`},
		{"prices stay text", html(en, "formalization"), "a price of $5 and $10"},
		{"escaped dollar", html(en, "formalization"), "escaped $3"},
		{"math in code stays code", html(en, "formalization"), "<code>$x$</code>"},
		{"after math", html(en, "formalization"), "After the math."},
		{"mermaid", html(en, "diagrams"), `<div class="diagram"><svg xmlns="http://www.w3.org/2000/svg" id="fig-`},
		{"diagram is an image", html(en, "diagrams"), `role="img" aria-labelledby="fig-`},
		{"diagram named in English", html(en, "diagrams"), `-title">Flowchart: &lt;b&gt; x &lt;/b&gt;, B</title>`},
		{"diagram named in Chinese", html(zh, "diagrams"), `-title">流程图：`},
		{"include method", html(en, "implementation"), `<figcaption><code>sample.go</code> · Bucket.Take</figcaption>`},
		{"include keeps doc comment", html(en, "implementation"), "Take takes one token."},
		{"include const group", html(en, "implementation"), "DefaultBurst"},
		{"highlighted", html(en, "implementation"), `<div class="code"><pre class="chroma" tabindex="0">`},
		{"plain block escaped", html(en, "implementation"), "plain &lt;text&gt;"},
		{"xref title", html(en, "testing"), `<a class="xref" href="/en/patterns/sample">Sample</a>`},
		{"xref section", html(en, "testing"), `<a class="xref" href="/en/patterns/sample#custom-id">a heading</a>`},
		{"xref planned", html(en, "testing"), `<span class="xref planned" title="Planned Thing">Planned Thing</span>`},
		{"xref zh", html(zh, "testing"), `<a class="xref" href="/zh/patterns/sample">示例</a>`},
		{"cjk heading id", html(zh, "when-to-use"), `<h3 id="半开状态">`},
		{"dedup heading id", html(zh, "when-to-use"), `<h3 id="半开状态-1">`},
		{"ascii heading id", html(en, "when-to-use"), `<h3 id="half-open-state">`},
		{"explicit heading id", html(en, "when-to-use"), `<h3 id="custom-id">`},
	}
	for _, c := range checks {
		if !strings.Contains(c.got, c.want) {
			t.Errorf("%s: %q not found in\n%s", c.name, c.want, c.got)
		}
	}
	if en.HasMath || en.HasMermaid || len(en.Sections) != len(SectionIDs) { // every figure is rendered
		t.Errorf("HasMath %v, HasMermaid %v, %d sections", en.HasMath, en.HasMermaid, len(en.Sections))
	}
	if got := en.Sections[2].Headings; len(got) != 3 || got[0].Title != "Half-open state" {
		t.Errorf("H3 headings = %+v", got)
	}
	if diff := cmp.Diff([]Link{{"sample", ""}, {"sample", "custom-id"}, {"planned-thing", ""}, {"sample", "definition"}}, en.Links); diff != "" {
		t.Errorf("links (-want +got):\n%s", diff)
	}
	if !strings.Contains(en.Sections[0].Text, "The note") && !strings.Contains(en.Sections[0].Text, "table") {
		t.Errorf("section text = %q", en.Sections[0].Text)
	}
}

// fixture returns the sample tree with files replaced or removed (nil).
func fixture(t *testing.T, changes map[string]*string) fstest.MapFS {
	t.Helper()
	fsys := fstest.MapFS{}
	root := "testdata/site"
	filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := os.ReadFile(path)
			fsys[filepath.ToSlash(strings.TrimPrefix(path, root+"/"))] = &fstest.MapFile{Data: b}
		}
		return nil
	})
	for name, data := range changes {
		if data == nil {
			delete(fsys, name)
		} else {
			fsys[name] = &fstest.MapFile{Data: []byte(*data)}
		}
	}
	return fsys
}

func edit(t *testing.T, file, old, new string) map[string]*string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata/site", file))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), old) {
		t.Fatalf("%s has no %q", file, old)
	}
	s := strings.Replace(string(b), old, new, 1)
	return map[string]*string{file: &s}
}

// withFile adds a file to a set of changes.
func withFile(changes map[string]*string, name, data string) map[string]*string {
	changes[name] = &data
	return changes
}

func TestValidation(t *testing.T) {
	const en, zh, yml = "patterns/sample/en.md", "patterns/sample/zh.md", "patterns/sample/pattern.yaml"
	tests := []struct {
		name    string
		changes map[string]*string
		want    string // file:line: message prefix expected among the problems
	}{
		{"unknown link", edit(t, en, "Links: [[sample]]", "Links: [[nope]]"), en + ":64: link [[nope]]: unknown pattern"},
		{"missing anchor", edit(t, en, "[[sample#definition]]", "[[sample#nowhere]]"), en + ":64: link [[sample#nowhere]]"},
		{"section of a planned page", edit(t, en, "[[planned-thing]]", "[[planned-thing#faq]]"), en + ":64: link [[planned-thing#faq]]"},
		{"missing section", edit(t, zh, "## 常见问题与面试题 {#faq}", "## 常见问题与面试题"), zh + ":"},
		{"unknown section", edit(t, en, "{#faq}", "{#questions}"), en + ":"},
		{"setext heading", edit(t, en, "## Definition {#definition}\n", "## Definition {#definition}\n\nAside\n---\n"),
			en + ":9: section \"Aside\" needs an explicit ID"},
		{"out of order", edit(t, en, "## Definition {#definition}", "## Definition {#references}"), en + ":7: section \"references\" is out of order"},
		{"unknown include", edit(t, en, "include=Bucket.Take", "include=Bucket.Give"), en + ":49: include: no declaration \"Bucket.Give\""},
		{"highlight past the end", edit(t, en, "include=Bucket.Take{hl=2-4}", "include=Bucket.Take{hl=2-40}"),
			en + ":49: include Bucket.Take: highlighted line 40 is past the end (8 lines)"},
		{"highlight not a number", edit(t, en, "include=Bucket.Take{hl=2-4}", "include=Bucket.Take {hl=two}"),
			en + `:49: include: {hl=two}: "two" is not a line`},
		{"highlight of several names", edit(t, en, `include="Limit,DefaultRate"`, `include="Limit,DefaultRate" {hl=1}`),
			en + ":52: include: {hl=1} after several names"},
		{"include with a body", edit(t, en, "include=Bucket.Take{hl=2-4}\n```", "include=Bucket.Take{hl=2-4}\nfunc x() {}\n```"), en + ":49: an include block must be empty"},
		{"unknown relation", edit(t, yml, "combines-with: [planned-thing]", "combines-with: [planned-thing, ghost]"), yml + ":5: combines-with: unknown slug \"ghost\""},
		{"self relation", edit(t, yml, "combines-with: [planned-thing]", "requires: [sample]"), yml + ":5: requires names the pattern itself"},
		{"unknown tag", edit(t, yml, "tags: [latency]", "tags: [latency, speed]"), yml + ":3: unknown tag \"speed\""},
		{"unknown key", edit(t, yml, "difficulty: 1", "difficulty: 1\ncolour: blue"), yml + ":5: field colour not found"},
		{"bad difficulty", edit(t, yml, "difficulty: 1", "difficulty: 4"), yml + ":4: difficulty must be 1, 2 or 3"},
		{"category unlike the catalog's", edit(t, "catalog.yaml", "{slug: sample, category: resilience", "{slug: sample, category: replication"),
			yml + ":2: category \"resilience\", but catalog.yaml files sample under \"replication\""},
		{"difficulty unlike the catalog's", edit(t, "catalog.yaml", "difficulty: 1, en: \"Sample\"", "difficulty: 2, en: \"Sample\""),
			yml + ":4: difficulty 1, but catalog.yaml gives sample difficulty 2"},
		{"tag without a Chinese name", edit(t, "catalog.yaml", "latency: {en: latency, zh: 延迟}", "latency: {en: latency}"),
			"catalog.yaml:5: tag \"latency\" has no zh name"},
		{"category without an English name", edit(t, "catalog.yaml", `{id: replication, en: "Replication", zh: "复制"}`, `{id: replication, zh: "复制"}`),
			"catalog.yaml:3: category \"replication\" has no en name"},
		{"slug outside catalog", edit(t, yml, "slug: sample", "slug: other"), yml + ":1: slug \"other\" is not in catalog.yaml"},
		{"bad source", edit(t, yml, "https://example.com/docs", "ftp://example.com"), yml + ":8: system \"Example\": source"},
		{"guarantee of no test", edit(t, en, "test=TestTakeNeverNegative}\n\n-", "test=TestTakeForever}\n\n-"),
			en + ":30: guarantee inv-never-negative: TestTakeForever is not a test"},
		{"guarantee of a helper", edit(t, en, "{#bound-admits test=TestTakeNeverNegative}", "{#bound-admits test=TestHelper}"),
			en + ":32: guarantee bound-admits: TestHelper is not a test"},
		{"guarantee stated twice", edit(t, en, "{#bound-admits test", "{#inv-never-negative test"), en + ":32: guarantee inv-never-negative is stated twice"},
		{"guarantee mid-paragraph", edit(t, en, "{#bound-admits test=TestTakeNeverNegative}", "{#bound-admits test=TestTakeNeverNegative} and more"),
			en + ":32: guarantee bound-admits: the marker must end"},
		{"guarantee with another test in Chinese", edit(t, zh, "{#bound-admits test=TestTakeNeverNegative}", "{#bound-admits test=TestHelperX}"),
			zh + ":35: guarantee bound-admits"},
		{"guarantee missing in Chinese", edit(t, zh, "{#bound-admits test=TestTakeNeverNegative}", ""),
			zh + ":18: guarantee bound-admits of patterns/sample/en.md (test=TestTakeNeverNegative) is missing"},
		{"guarantee only in Chinese", edit(t, zh, "Take 不会让令牌数低于零。", "Take 不会让令牌数低于零。{#inv-extra test=TestTakeNeverNegative}\n\n另一段。"),
			zh + ":"},
		{"system without a claim", edit(t, yml, `claim: "the docs say so", `, ""), yml + ":8: system \"Example\" has no claim"},
		{"system never checked", edit(t, yml, ", checked: 2026-11-30", ""), yml + ":8: system \"Example\" has no checked date"},
		{"system checked on no date", edit(t, yml, "checked: 2026-11-30", "checked: yesterday"), yml + ":8: system \"Example\": checked \"yesterday\" is not a date"},
		{"system checked in the future", edit(t, yml, "checked: 2026-11-30", "checked: 2999-01-01"), yml + ":8: system \"Example\": checked 2999-01-01 is in the future"},
		{"demo output not pinned", withFile(edit(t, yml, "difficulty: 1", "difficulty: 1\ndemo: demo"), "patterns/sample/demo/main.go", "package main\n"),
			yml + ":5: demo \"demo\" has no output.golden"},
		{"no guarantee", edit(t, en, "{#inv-never-negative test=TestTakeNeverNegative}\n\n- Take admits at most the tokens it has. {#bound-admits test=TestTakeNeverNegative}", "\n\n- Take admits at most the tokens it has."),
			en + ":19: the formal model states no guarantee"},
		{"TeX outside math", edit(t, en, "Inline $x_1 + y$", "Inline $x_1 \\le y $"), en + ":20: \\le outside math shows as typed"},
		{"missing translation", map[string]*string{zh: nil}, zh + ": missing Chinese translation"},
		{"missing title", edit(t, en, "title: Sample", "title: \"\""), en + ":2: front matter: missing title"},
		{"bad date", edit(t, en, "updated: 2026-11-22", "updated: soon"), en + ":4: front matter: updated must be a date"},
		{"no front matter", map[string]*string{en: new(string)}, en + ":1: missing front matter"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(fixture(t, tt.changes))
			if err == nil {
				t.Fatalf("Load succeeded; want a problem %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("problems:\n%v\nwant one starting %q", err, tt.want)
			}
		})
	}
}

func TestStaleAndFallback(t *testing.T) {
	changes := edit(t, "patterns/sample/en.md", "## References {#references}\nText.", "## References {#references}\nNew text.")
	lib, err := Load(fixture(t, changes))
	if err != nil {
		t.Fatal(err)
	}
	zh := lib.Pattern("sample").Docs[i18n.Chinese]
	last := zh.Sections[len(zh.Sections)-1]
	if !last.Stale || !strings.Contains(last.HTML, "New text.") || !strings.Contains(last.Outdated, "正文") {
		t.Errorf("stale section: stale=%v html=%q outdated=%q", last.Stale, last.HTML, last.Outdated)
	}
	if w := lib.Warnings; len(w) != 1 || !strings.Contains(w[0].Msg, "stale translation of section \"references\"") {
		t.Errorf("warnings = %v", lib.Warnings)
	}
	lib, err = LoadWith(fixture(t, map[string]*string{"patterns/sample/zh.md": nil}), Options{AllowMissing: true})
	if err != nil {
		t.Fatal(err)
	}
	zh = lib.Pattern("sample").Docs[i18n.Chinese]
	if !zh.Fallback || !zh.Sections[0].Fallback || zh.Title != "Sample" || zh.Lang != i18n.Chinese {
		t.Errorf("fallback doc = %+v", zh)
	}
}

// embedded is the embedded content, loaded once per test binary: at 72
// patterns under -race one load takes most of a minute.
var embedded = sync.OnceValues(func() (*Library, error) { return Load(FS()) })

func TestEmbeddedContent(t *testing.T) {
	lib, err := embedded()
	if err != nil {
		t.Fatal(err)
	}
	if len(lib.Patterns) < 3 || len(lib.Warnings) != 0 {
		t.Errorf("%d patterns, warnings %v", len(lib.Patterns), lib.Warnings)
	}
	for _, p := range lib.Patterns {
		for _, lang := range i18n.Langs {
			if n := len(p.Docs[lang].Sections); n != len(SectionIDs) {
				t.Errorf("%s/%s renders %d sections, want %d", p.Slug, lang, n, len(SectionIDs))
			}
		}
	}
}

func BenchmarkLoad(b *testing.B) {
	for b.Loop() {
		if _, err := Load(FS()); err != nil {
			b.Fatal(err)
		}
	}
}

// TestRelationLines: a relation knows where pattern.yaml names it, so the
// graph's checks can report file:line.
func TestRelationLines(t *testing.T) {
	lib, err := Load(fixture(t, nil))
	if err != nil {
		t.Fatal(err)
	}
	want := []Relation{{Type: CombinesWith, Target: "planned-thing", Line: 5}}
	if diff := cmp.Diff(want, lib.Pattern("sample").Relations); diff != "" {
		t.Errorf("relations (-want +got):\n%s", diff)
	}
}

// TestGuarantees: a marker anchors its paragraph or list item, names its
// test in the reader's language, and records where the test is.
func TestGuarantees(t *testing.T) {
	lib, err := Load(os.DirFS("testdata/site"))
	if err != nil {
		t.Fatal(err)
	}
	p := lib.Pattern("sample")
	want := []Guarantee{
		{ID: "inv-never-negative", Test: "TestTakeNeverNegative", File: "sample_test.go", Line: 5},
		{ID: "bound-admits", Test: "TestTakeNeverNegative", File: "sample_test.go", Line: 5},
	}
	if diff := cmp.Diff(want, p.Docs["en"].Guarantees, cmp.Comparer(func(a, b Guarantee) bool {
		return a.ID == b.ID && a.Test == b.Test && a.File == b.File && a.Line == b.Line
	})); diff != "" {
		t.Errorf("guarantees (-want +got):\n%s", diff)
	}
	formal := func(lang string) string { return p.Docs[lang].Sections[1].HTML }
	for _, tt := range []struct{ lang, want string }{
		{"en", `<p id="inv-never-negative" class="guarantee"><strong>Never negative.</strong> Take never drives the tokens below zero. <span class="guarantee-test">checked by <code>TestTakeNeverNegative</code></span></p>`},
		{"en", `<li id="bound-admits" class="guarantee">Take admits at most the tokens it has. <span class="guarantee-test">checked by <code>TestTakeNeverNegative</code></span></li>`},
		{"en", `a brace {like this} stays text.`},
		{"zh", `<span class="guarantee-test">验证测试 <code>TestTakeNeverNegative</code></span>`},
	} {
		if !strings.Contains(formal(tt.lang), tt.want) {
			t.Errorf("%s formal model lacks %s in\n%s", tt.lang, tt.want, formal(tt.lang))
		}
	}
}

// TestLedgerWarnings: a GitHub source on a branch is accepted with a
// warning to pin it.
func TestLedgerWarnings(t *testing.T) {
	lib, err := Load(fixture(t, edit(t, "patterns/sample/pattern.yaml", "https://example.com/docs", "https://github.com/o/r/blob/main/x.go")))
	if err != nil {
		t.Fatal(err)
	}
	if len(lib.Warnings) != 1 || !strings.Contains(lib.Warnings[0].String(), "pattern.yaml:8: system \"Example\": source https://github.com/o/r/blob/main/x.go is on a branch") {
		t.Errorf("warnings %v", lib.Warnings)
	}
}

// TestGlossary: a variant to avoid in a Chinese page is a warning at its
// line, outside code blocks; the canonical term is not.
func TestGlossary(t *testing.T) {
	terms := "terms:\n  - {en: load shedding, zh: 降载, avoid: [负载卸除], note: the catalog's term}\n"
	changes := edit(t, "patterns/sample/zh.md", "## 适用与不适用场景 {#when-to-use}", "## 适用与不适用场景 {#when-to-use}\n负载卸除和降载。\n\n```\n负载卸除\n```")
	changes[GlossaryFile] = &terms
	lib, err := Load(fixture(t, changes))
	if err != nil {
		t.Fatal(err)
	}
	if len(lib.Glossary) != 1 || lib.Glossary[0].Zh != "降载" {
		t.Errorf("glossary %+v", lib.Glossary)
	}
	want := []string{`patterns/sample/zh.md:38: "负载卸除" is a variant of "降载" (load shedding): the glossary's term is 降载; the catalog's term (guides/glossary/terms.yaml)`}
	var got []string
	for _, w := range lib.Warnings {
		got = append(got, w.String())
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
	bad := "terms:\n  - {en: a, zh: 甲, avoid: [乙]}\n  - {en: b, zh: 乙}\n  - {en: c}\n"
	if _, err := Load(fixture(t, map[string]*string{GlossaryFile: &bad})); err == nil ||
		!strings.Contains(err.Error(), "terms.yaml:2: term \"a\": \"乙\" is to be avoided but is another term's canonical name") ||
		!strings.Contains(err.Error(), "terms.yaml:4: a term needs both en and zh") {
		t.Errorf("a bad glossary: %v", err)
	}
}

// TestEmbeddedGlossary: the real glossary loads and no variant to avoid
// is a canonical term.
func TestEmbeddedGlossary(t *testing.T) {
	data, err := fs.ReadFile(FS(), GlossaryFile)
	if err != nil {
		t.Fatal(err)
	}
	fsys := fixture(t, nil)
	fsys[GlossaryFile] = &fstest.MapFile{Data: data}
	lib, err := Load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	if len(lib.Glossary) < 40 {
		t.Errorf("the glossary has %d terms", len(lib.Glossary))
	}
}
