package search

import (
	"regexp"
	"strings"
)

// A query says what kind of answer it wants as well as what it is about.
// "what is a poison message" and "毒消息是什么" want the definition; "why
// add jitter", "降载和限流有什么区别" want the answer of the FAQ, whose
// entries are written as questions; "circuit breaker in go", "怎么测试熔断器"
// name a section by the words of its heading. Every page has the same
// sections (content.SectionIDs), so these words are few and fixed. The
// intent only reorders hits (rerank); the terms of the query still decide
// what matches.

// intent is what a query asks for besides its terms.
type intent struct {
	definition bool            // "what is X", "X是什么"
	question   bool            // any other question, or a comparison
	sections   map[string]bool // sections named by the query's words
	named      string          // the slug of the pattern whose name the query is
}

// enQuestionWords open an English question.
var enQuestionWords = setOf("what", "whats", "why", "how", "when", "which", "who", "where",
	"is", "are", "does", "do", "did", "can", "could", "should", "would", "will", "isn", "doesn", "must")

// enSectionWords name a section in English: the words of its heading and
// the ones learners use for it.
var enSectionWords = byWord(map[string][]string{
	"implementation":  {"implement", "implementation", "implementing", "code", "golang", "go"},
	"testing":         {"test", "tests", "testing", "benchmark", "benchmarks"},
	"pitfalls":        {"pitfall", "pitfalls", "mistake", "mistakes", "practice", "practices", "antipattern", "gotcha", "gotchas"},
	"in-the-wild":     {"production", "wild"},
	"other-languages": {"java", "rust", "python", "javascript", "typescript", "kotlin", "csharp", "dotnet", "erlang", "elixir", "scala", "ruby", "languages"},
	"references":      {"paper", "papers", "reference", "references", "book", "books"},
	"diagrams":        {"diagram", "diagrams"},
	"formalization":   {"formal", "formally", "formalization", "proof"},
	"faq":             {"interview", "faq"},
})

// zhQuestionWords mark a Chinese question or comparison.
var zhQuestionWords = []string{"为什么", "为何", "怎么", "怎样", "如何", "吗", "呢", "哪些", "哪个", "哪种",
	"多久", "多少", "是否", "能否", "能不能", "有没有", "是不是", "要不要", "什么", "区别", "不同", "差别",
	"还是", "对比", "比较", "有什么用", "？", "?"}

// zhSectionWords name a section in Chinese (and the Latin words a Chinese
// query uses for it).
var zhSectionWords = byWord(map[string][]string{
	"implementation":  {"实现", "代码", "源码", "示例", "go", "golang"},
	"testing":         {"测试", "基准", "压测", "单测"},
	"when-to-use":     {"什么时候", "何时", "适用", "场景", "适合"},
	"pitfalls":        {"陷阱", "坑", "最佳实践", "注意事项", "误区"},
	"in-the-wild":     {"案例", "真实系统", "生产环境"},
	"other-languages": {"多语言", "其他语言", "java", "rust", "python"},
	"references":      {"论文", "参考资料"},
	"diagrams":        {"图示", "原理", "流程图", "图解"},
	"formalization":   {"形式化", "证明"},
	"faq":             {"面试", "常见问题"},
})

// zhDefinition matches the Chinese definition questions: 什么是X, X是什么,
// X是什么意思, X是啥, X的定义, X的含义, X什么意思.
var zhDefinition = regexp.MustCompile(`^(?:什么是(.+?)|(.+?)(?:是什么(?:意思)?|是啥|的定义|的含义|什么意思))[？?]?$`)

// queryIntent reads the intent of text.
func queryIntent(text string) intent {
	in := intent{sections: map[string]bool{}}
	text = strings.ToLower(strings.TrimSpace(text))
	if hasHan(text) {
		if m := zhDefinition.FindStringSubmatch(text); m != nil && !containsAny(m[1]+m[2], zhQuestionWords) {
			in.definition = true
		} else if containsAny(text, zhQuestionWords) {
			in.question = true
		}
		latin := map[string]bool{}
		for _, r := range scriptRuns(text) {
			if !r.han {
				latin[r.text] = true
			}
		}
		for w, s := range zhSectionWords {
			if hasHan(w) && strings.Contains(text, w) || latin[w] {
				in.sections[s] = true
			}
		}
		return in
	}
	ws := words(text)
	if len(ws) == 0 {
		return in
	}
	switch {
	case isDefinition(ws):
		in.definition = true
	case enQuestionWords[ws[0]] || strings.HasSuffix(text, "?") || isComparison(ws):
		in.question = true
	}
	for _, w := range ws {
		if s, ok := enSectionWords[w]; ok {
			in.sections[s] = true
		}
	}
	if containsWord(text, "when") && (containsWord(text, "use") || containsWord(text, "using")) {
		in.sections["when-to-use"] = true
	}
	if ws[0] == "how" && (containsWord(text, "work") || containsWord(text, "works")) {
		in.sections["diagrams"] = true
	}
	return in
}

// isDefinition: "what is X", "what are X", "define X", "what does X
// mean", where X has no stop words ("what is the half-open state for"
// asks what it is for, which the FAQ answers).
func isDefinition(ws []string) bool {
	var rest []string
	switch {
	case len(ws) >= 3 && ws[0] == "what" && (ws[1] == "is" || ws[1] == "are"):
		rest = ws[2:]
	case len(ws) >= 2 && ws[0] == "whats":
		rest = ws[1:]
	case len(ws) >= 2 && ws[0] == "define":
		rest = ws[1:]
	case len(ws) >= 4 && ws[0] == "what" && ws[1] == "does" && ws[len(ws)-1] == "mean":
		rest = ws[2 : len(ws)-1]
	default:
		return false
	}
	if len(rest) > 0 && (rest[0] == "a" || rest[0] == "an" || rest[0] == "the") {
		rest = rest[1:]
	}
	for _, w := range rest {
		if stopWords()[w] {
			return false
		}
	}
	return len(rest) > 0
}

// isComparison: "X vs Y", "difference between X and Y", "X or Y".
func isComparison(ws []string) bool {
	for i, w := range ws {
		if comparisonWords[w] || w == "or" && i > 0 && i < len(ws)-1 {
			return true
		}
	}
	return false
}

func containsAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// containsWord reports whether w is one of the words of text.
func containsWord(text, w string) bool {
	for _, x := range words(text) {
		if x == w {
			return true
		}
	}
	return false
}

// byWord inverts a list of words per section.
func byWord(sections map[string][]string) map[string]string {
	m := map[string]string{}
	for s, ws := range sections {
		for _, w := range ws {
			m[w] = s
		}
	}
	return m
}

func setOf(ws ...string) map[string]bool {
	m := make(map[string]bool, len(ws))
	for _, w := range ws {
		m[w] = true
	}
	return m
}
