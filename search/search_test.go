package search

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/lamport-kb/lamport/content"
)

// corpus is the embedded content, loaded once per test binary.
var corpus = sync.OnceValues(func() (*content.Library, error) { return content.Load(content.FS()) })

// shared is one index of the corpus for the tests that only search it,
// built once per test binary and removed by TestMain.
var shared struct {
	once sync.Once
	idx  *Index
	dir  string
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	closeScales()
	if shared.idx != nil {
		shared.idx.Close()
		os.RemoveAll(shared.dir)
	}
	os.Exit(code)
}

// sharedIndex returns the shared index; a test that changes an index's
// settings uses ownIndex instead.
func sharedIndex(tb testing.TB) *Index {
	tb.Helper()
	shared.once.Do(func() {
		lib, err := corpus()
		if err == nil {
			shared.dir, err = os.MkdirTemp("", "lamport-search-test")
		}
		if err == nil {
			shared.idx, err = Open(shared.dir, lib)
		}
		if err == nil {
			// The tests judge answers, not speed (the benchmarks do):
			// under -race on a loaded machine one query of the judged set
			// took longer than the server's deadline.
			shared.idx.timeout = time.Minute
		}
		shared.err = err
	})
	if shared.err != nil {
		tb.Fatal(shared.err)
	}
	return shared.idx
}

// ownIndex returns a copy of the shared index with settings of its own
// (gate, deadline) for a test to change; the Bleve index is shared.
func ownIndex(tb testing.TB) *Index {
	own := *sharedIndex(tb)
	own.gate = defaultGate()
	return &own
}

func TestResultsShape(t *testing.T) {
	idx := sharedIndex(t)
	res, err := idx.Search(context.Background(), Query{Text: "half-open", Lang: "en"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Hits) == 0 {
		t.Fatal("no hits")
	}
	for _, h := range res.Hits {
		if h.Lang != "en" || h.Title == "" || !strings.HasPrefix(h.URL, "/en/patterns/") {
			t.Errorf("bad hit %+v", h)
		}
	}
	if !strings.Contains(res.Hits[0].Snippet, "<mark>") {
		t.Errorf("snippet without highlight: %q", res.Hits[0].Snippet)
	}
	zh, _ := idx.Search(context.Background(), Query{Text: "令牌桶", Lang: "zh"})
	if len(zh.Hits) == 0 || !strings.Contains(zh.Hits[0].Snippet, "<mark>令牌桶</mark>") && !strings.Contains(zh.Hits[0].Snippet, "<mark>令牌</mark>") {
		t.Errorf("Chinese snippet not marked: %+v", zh.Hits)
	}
	empty, err := idx.Search(context.Background(), Query{Text: "  "})
	if err != nil || len(empty.Hits) != 0 {
		t.Errorf("empty query: %v, %v", empty, err)
	}
	none, _ := idx.Search(context.Background(), Query{Text: "zzzqqq", Lang: "en"})
	if len(none.Hits) != 0 {
		t.Errorf("nonsense query found %v", none.Hits)
	}
	if _, err := idx.Search(context.Background(), Query{Text: strings.Repeat("a", 201)}); !errors.Is(err, ErrQueryTooLong) {
		t.Errorf("long query: err = %v", err)
	}
}

// TestReuse: reopening with the same content reuses the index on disk. A
// one-pattern fixture keeps the build small.
func TestReuse(t *testing.T) {
	lib, err := content.Load(os.DirFS("../content/testdata/site"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	a, err := Open(dir, lib)
	if err != nil {
		t.Fatal(err)
	}
	a.Close()
	entries, _ := os.ReadDir(dir)
	b, err := Open(dir, lib)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	after, _ := os.ReadDir(dir)
	if len(entries) != 1 || len(after) != 1 || entries[0].Name() != after[0].Name() {
		t.Errorf("index dirs before %v, after %v", entries, after)
	}
}

func TestSnippet(t *testing.T) {
	text := "aaa <b> token bucket zzz"
	got := snippet(text, []span{{8, 13}, {14, 20}}, 100)
	if got != "aaa &lt;b&gt; <mark>token</mark> <mark>bucket</mark> zzz" {
		t.Errorf("snippet = %q", got)
	}
	long := strings.Repeat("x", 300) + "令牌桶" + strings.Repeat("y", 300)
	got = snippet(long, []span{{300, 309}}, 60)
	if !strings.HasPrefix(got, "…") || !strings.Contains(got, "<mark>令牌桶</mark>") || !strings.HasSuffix(got, "…") {
		t.Errorf("snippet = %q", got)
	}
}

func BenchmarkSearchEnglish(b *testing.B) {
	idx := sharedIndex(b)
	for b.Loop() {
		idx.Search(context.Background(), Query{Text: "exponential backoff", Lang: "en"})
	}
}

func BenchmarkSearchChinese(b *testing.B) {
	idx := sharedIndex(b)
	for b.Loop() {
		idx.Search(context.Background(), Query{Text: "令牌桶", Lang: "zh"})
	}
}

// TestPositioned: every field a phrase is looked for in, or a snippet
// marks matches in, keeps term positions (a phrase over a field without
// them matches nothing; a snippet without them marks nothing).
func TestPositioned(t *testing.T) {
	need := append([]string{fBodyZH}, snippetFields...) // fBodyZH: chineseQuery's phrases
	for _, fs := range phraseFields {
		for _, f := range fs {
			need = append(need, f.field)
		}
	}
	for _, f := range need {
		if !positioned[f] {
			t.Errorf("field %s is read by position but does not keep positions", f)
		}
	}
}

// TestIndexOfOtherMapping: an index on disk for the same content but
// another mapping (an older version of this package) is not reused: it
// is rebuilt under the current mapping's name, and the old one removed.
func TestIndexOfOtherMapping(t *testing.T) {
	lib, err := content.Load(os.DirFS("../content/testdata/site"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	a, err := Open(dir, lib)
	if err != nil {
		t.Fatal(err)
	}
	a.Close()
	name, err := indexName(lib)
	if err != nil {
		t.Fatal(err)
	}
	old := filepath.Join(dir, "index-"+lib.Hash[:16]) // as named before the mapping was part of the name
	if err := os.Rename(filepath.Join(dir, name), old); err != nil {
		t.Fatal(err)
	}
	b, err := Open(dir, lib)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 || entries[0].Name() != name {
		t.Errorf("index dirs %v, want only %s", entries, name)
	}
	if again, _ := indexName(lib); again != name {
		t.Errorf("the index name changed from %s to %s between calls", name, again)
	}
}

// TestIndexOfOtherText: the same sources whose extracted text differs (a
// newer content package writes a formula out otherwise) name another
// index, so snippets are never cut from text the index did not see.
func TestIndexOfOtherText(t *testing.T) {
	lib, err := content.Load(os.DirFS("../content/testdata/site"))
	if err != nil {
		t.Fatal(err)
	}
	before, err := indexName(lib)
	if err != nil {
		t.Fatal(err)
	}
	s := lib.Patterns[0].Docs["en"].Sections[0]
	s.Text += " τ ≤ b"
	after, err := indexName(lib)
	if err != nil {
		t.Fatal(err)
	}
	if before == after {
		t.Errorf("index name %s for two texts of one content hash", before)
	}
}

// TestSnippetWordEnds: a snippet's ends fall between words in English,
// anywhere in Chinese, and never cut off its first match.
func TestSnippetWordEnds(t *testing.T) {
	en := strings.Repeat("lorem ipsum ", 20) + "every time the lock service grants the lock it returns a fencing token " + strings.Repeat("dolor sit amet ", 20)
	at := strings.Index(en, "fencing")
	text, marks := cut(en, []span{{at, at + len("fencing")}}, 100)
	inner := strings.TrimSuffix(strings.TrimPrefix(text, "…"), "…")
	if strings.TrimSpace(inner) != inner || !strings.Contains(en, " "+inner+" ") {
		t.Errorf("English snippet %q does not start and end between words", text)
	}
	if rs := []rune(text); len(marks) != 1 || string(rs[marks[0].Start:marks[0].End]) != "fencing" {
		t.Errorf("marks %v in %q", marks, text)
	}
	zh := strings.Repeat("熔断器打开以后", 20) + "令牌桶" + strings.Repeat("允许短时突发", 20)
	at = strings.Index(zh, "令牌桶")
	text, _ = cut(zh, []span{{at, at + len("令牌桶")}}, 60)
	if !strings.Contains(text, "令牌桶") || utf8.RuneCountInString(text) < 60/3-2 {
		t.Errorf("Chinese snippet %q", text)
	}
	word := strings.Repeat("x", 200) // one word longer than the snippet: cut inside it
	text, _ = cut(word, []span{{150, 160}}, 60)
	if utf8.RuneCountInString(text) < 50 {
		t.Errorf("a snippet in one long word %q", text)
	}
}
