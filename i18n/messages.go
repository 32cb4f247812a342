package i18n

import (
	"cmp"
	"fmt"
)

// Messages is one language's catalog of user-interface text. Every field
// must be set in every language.
type Messages struct {
	Lang       string // BCP 47 tag for <html lang>
	LangName   string // the language's own name, for the switch
	SiteName   string
	Tagline    string
	SkipToMain string

	NavPatterns string
	NavTags     string
	Search      string
	SearchLabel string
	SearchHint  string
	SwitchLang  string // accessible label of the language switch
	ThemeToggle string
	ThemeLight  string
	ThemeDark   string
	ThemeSystem string // the theme that follows the system's setting
	NavPlay     string
	NavGraph    string
	Menu        string // the mobile drawer's button
	Permalink   string // accessible name of a heading's link to itself
	Colon       string // between a label and its value: ": " or "："
	ListSep     string // between the items of an inline list: ", " or "、"
	Footer      string
	FooterNav   string // accessible name of the footer's links
	Repository  string
	About       string
	License     string
	Feed        string
	FeedTitle   string
	SourceCode  string
	CheckedBy   string // before the name of the test that checks a stated guarantee

	HomeTitle      string
	HomeIntro      string
	Categories     string
	StartHere      string
	StartHereIntro string
	Planned        string
	PlannedHint    string
	AllPatterns    string
	patternCount   string // "%d of %d written"
	WrittenTitle   string
	RecentTitle    string
	PlanTitle      string
	PlanIntro      string
	planTotal      string // "%d of %d patterns written"
	plannedMore    string // "+%d planned"
	LaterOnPath    string // before the planned rest of the start-here path
	HomePlay       string
	HomePlayText   string
	HomeGraph      string
	HomeGraphText  string
	AboutTitle     string
	AboutIntro     string
	AboutChecks    string
	AboutContrib   string

	ListTitle      string
	ListIntro      string
	FilterCategory string
	FilterTag      string
	FilterLevel    string
	FilterAny      string
	FilterApply    string
	FilterReset    string
	NoMatches      string
	resultCount    string // "%d patterns"

	Difficulty  string
	Levels      [4]string // index 1..3
	Tags        string
	TagTitle    string // "Tag: %s"
	TagsTitle   string
	TagsIntro   string
	Category    string
	Home        string
	OnThisPage  string
	Related     string
	Relation    map[string]string // relation type → heading
	Admonition  map[string]string // admonition kind (note, tip, ...) → its title
	Previous    string
	Next        string
	EditPage    string
	LastUpdated string
	Summary     string
	DemoTitle   string
	DemoIntro   string
	InTheWild   string
	Aliases     string

	FallbackPage    string // a whole page shown in English
	FallbackSection string
	StaleSection    string
	OutdatedShow    string

	SearchTitle    string
	SearchNone     string
	searchResults  string // "%d results for “%s”"
	SearchEmpty    string
	SearchBusy     string // 429 and 503: too many searches
	SearchTooLong  string // "at most %d characters and %d words"
	SearchNoQuery  string // /api/search without q
	SearchBadLang  string // "%s": the languages
	SearchBadLimit string // "%d": the largest limit
	SearchBadCat   string // "%s": the unknown category
	SearchBadTag   string // "%s": the unknown tag
	SearchBadPage  string // "%d": the largest offset or page
	SearchMeant    string // before a corrected query: "Did you mean"
	SearchFacets   string // heading of the filters of a results page
	SearchAnyCat   string // the link that removes a filter
	SearchPageOf   string // "Page %d of %d"
	SearchPrev     string
	SearchNext     string
	SearchPaging   string // accessible name of the paging links
	SearchAll      string // the last option of the header's suggestions: all results
	SearchSuggest  string // accessible name of the header's suggestions
	SearchCount    string // announced to screen readers: "%d results"
	PlannedTitle   string // heading of a planned pattern's page: "%s (planned)"
	PlannedIntro   string
	PlannedLinks   string // the written patterns that relate to a planned one

	PlayTitle    string
	PlayIntro    string
	PlayOpen     string
	PlayRun      string
	PlayFormat   string
	PlayReset    string
	PlayShare    string
	PlayFakeTime string // the fake-clock option's label
	PlayImage    string // alt text of a picture the program wrote
	PlayOutput   string
	PlayStatus   string // "exit status %d"
	PlayLimit    string // "stopped: the %s limit was reached"
	PlayBack     string
	PlayHello    string // the standalone playground's intro
	PlayExamples string // the examples menu's label
	PlayHelloEx  string // the menu's first entry: Hello, World
	PlayOpenEx   string // the menu's button without JavaScript
	PlayShared   string // the title of a shared program without a comment
	PlayFrom     string // a shared program's label of the pattern it came from
	noExample    string // "no example %q"
	PlayNotRun   string // the status line when the playground refused a program
	PlayTimeout  string // appended to a timed-out run's output, the Go playground's words
	PlayBusy     string
	playWarming  string // "the playground is warming up (about %d s)"
	PlayNoRunner string // the server has no playground
	NoSharing    string
	FmtStopped   string // "formatting stopped: the %s limit was reached"
	limitTime    string // the limits' names, for LimitName
	limitCPU     string
	limitOutput  string
	limitMemory  string
	limitBuild   string

	// Refused requests (the API answers them as {"Error": message}).
	TryLater       string // the title of a 429 or 503 page
	tooMany        string // "too many requests; try again in %d s"
	tooLarge       string // "the program is too large (the limit is %d KB)"
	BadJSON        string // followed by the decoder's own words
	TrailingJSON   string
	BadForm        string
	BadContentType string
	CrossSite      string
	NotAllowed     string
	ServerError    string // the API's answer to an internal error

	NotFoundTitle string
	NotFoundText  string
	ErrorTitle    string
	ErrorText     string
	BadRequest    string
	GoHome        string

	Graph GraphMessages // the graph, paths, planner and comparison (graph.go)
	Runs  RunsMessages  // the playground's view of a program's workflow runs (runs.go)
}

// PatternCount describes how many patterns of a category are written.
func (m *Messages) PatternCount(written, planned int) string {
	return fmt.Sprintf(m.patternCount, written, planned)
}

// PlanTotal describes how many patterns of the whole plan are written.
func (m *Messages) PlanTotal(written, total int) string {
	return fmt.Sprintf(m.planTotal, written, total)
}

// PlannedMore says how many more patterns of a group are planned.
func (m *Messages) PlannedMore(n int) string { return fmt.Sprintf(m.plannedMore, n) }

// NoExample says that the playground has no example by that name.
func (m *Messages) NoExample(name string) string { return fmt.Sprintf(m.noExample, name) }

// Label joins a label and its value with the language's colon.
func (m *Messages) Label(label, value string) string { return label + m.Colon + value }

// ResultCount describes the size of a filtered list.
func (m *Messages) ResultCount(n int) string { return fmt.Sprintf(m.resultCount, n) }

// SearchCountOf announces how many results a search has.
func (m *Messages) SearchCountOf(n int) string { return fmt.Sprintf(m.SearchCount, n) }

// SearchResults heads a results page.
func (m *Messages) SearchResults(n int, q string) string {
	return fmt.Sprintf(m.searchResults, n, q)
}

// PlayWarming says how long until the playground is ready.
func (m *Messages) PlayWarming(seconds int) string { return fmt.Sprintf(m.playWarming, seconds) }

// TooMany tells a client that sent too many requests when to retry.
func (m *Messages) TooMany(seconds int) string { return fmt.Sprintf(m.tooMany, seconds) }

// ProgramTooLarge gives the size limit of a program.
func (m *Messages) ProgramTooLarge(limit int) string { return fmt.Sprintf(m.tooLarge, limit>>10) }

// LimitName names a playground limit ("time", "cpu", "output", "memory",
// "build") in the language; an unknown one is returned as it is.
func (m *Messages) LimitName(limit string) string {
	name := map[string]string{"time": m.limitTime, "cpu": m.limitCPU, "output": m.limitOutput,
		"memory": m.limitMemory, "build": m.limitBuild}[limit]
	return cmp.Or(name, limit)
}

// FormatStopped says which limit stopped gofmt.
func (m *Messages) FormatStopped(limit string) string {
	return fmt.Sprintf(m.FmtStopped, m.LimitName(limit))
}

// PlayStopped says which limit stopped a program.
func (m *Messages) PlayStopped(limit string) string {
	return fmt.Sprintf(m.PlayLimit, m.LimitName(limit))
}

// Level names a difficulty from 1 to 3.
func (m *Messages) Level(d int) string {
	if d < 1 || d > 3 {
		return ""
	}
	return m.Levels[d]
}

var en = Messages{
	Lang:       "en",
	LangName:   "English",
	SiteName:   "Lamport",
	Tagline:    "Distributed-systems design patterns, with runnable Go",
	SkipToMain: "Skip to content",

	NavPatterns: "Patterns",
	NavTags:     "Tags",
	Search:      "Search",
	SearchLabel: "Search patterns",
	SearchHint:  "Search patterns… ( / )",
	SwitchLang:  "Read this page in Chinese",
	ThemeToggle: "Theme",
	ThemeLight:  "Light",
	ThemeDark:   "Dark",
	ThemeSystem: "Follow the system",
	NavPlay:     "Playground",
	NavGraph:    "Graph",
	Menu:        "Menu",
	Permalink:   "Link to this section",
	Colon:       ": ",
	ListSep:     ", ",
	Footer:      "Lamport is open source. Every pattern has a tested Go package and a demo you can run.",
	SourceCode:  "Source code",
	FooterNav:   "Site links",
	Repository:  "Source repository",
	About:       "About",
	License:     "Licence",
	Feed:        "Atom feed",
	FeedTitle:   "Lamport: new and updated patterns",
	CheckedBy:   "checked by",

	HomeTitle:      "Distributed-systems patterns, explained and runnable",
	HomeIntro:      "Each pattern has a definition, a formal model, diagrams, a tested Go implementation you can run, the real systems that use it, and its pitfalls — in English and Chinese.",
	Categories:     "Categories",
	StartHere:      "Start here",
	StartHereIntro: "A first path through the patterns every service needs.",
	Planned:        "planned",
	PlannedHint:    "This pattern is in the content plan but not written yet.",
	AllPatterns:    "All patterns",
	patternCount:   "%d of %d written",
	WrittenTitle:   "Written patterns",
	RecentTitle:    "Recently added or updated",
	PlanTitle:      "The plan",
	PlanIntro:      "Every pattern the catalog plans, by category. Planned ones are named on the pattern pages that relate to them.",
	planTotal:      "%d of %d patterns written",
	plannedMore:    "+%d planned",
	LaterOnPath:    "Later on this path (planned)",
	HomePlay:       "Open the playground",
	HomePlayText:   "Write Go, or start from any pattern's demo, and run it against the tested packages.",
	HomeGraph:      "Explore the graph",
	HomeGraphText:  "How the patterns build on, combine with and replace each other.",
	AboutTitle:     "About Lamport",
	AboutIntro:     "Lamport is a bilingual knowledge base of distributed-systems design patterns. Each chapter follows one template, from definition and formal model to pitfalls and references, and its code is included from a tested Go package.",
	AboutChecks:    "Every guarantee a chapter states names the test that checks it, every claim about a real system cites its source, and every demo's output is pinned and compared on each build.",
	AboutContrib:   "A new pattern is one folder: prose in English and Chinese, a Go package with tests and a demo. The repository's CONTRIBUTING.md explains how to write one.",

	ListTitle:      "Patterns",
	ListIntro:      "Filter the written patterns by category, tag and difficulty.",
	FilterCategory: "Category",
	FilterTag:      "Tag",
	FilterLevel:    "Difficulty",
	FilterAny:      "Any",
	FilterApply:    "Filter",
	FilterReset:    "Reset",
	NoMatches:      "No pattern matches these filters.",
	resultCount:    "%d patterns",

	Difficulty: "Difficulty",
	Levels:     [4]string{"", "Beginner", "Intermediate", "Advanced"},
	Tags:       "Tags",
	TagTitle:   "Tag: %s",
	TagsTitle:  "Tags",
	TagsIntro:  "Cross-cutting themes shared by several patterns.",
	Category:   "Category",
	Home:       "Home",
	OnThisPage: "On this page",
	Related:    "Related patterns",
	Relation: map[string]string{
		"requires":       "Builds on",
		"combines-with":  "Combines with",
		"alternative-to": "Alternative to",
		"required-by":    "Needed by",
	},
	Admonition: map[string]string{
		"note": "Note", "tip": "Tip", "important": "Important", "warning": "Warning", "caution": "Caution",
	},
	Previous:    "Previous",
	Next:        "Next",
	EditPage:    "Edit this page",
	LastUpdated: "Last updated",
	Summary:     "Summary",
	DemoTitle:   "Runnable demo",
	DemoIntro:   "The demo program, using the package above:",
	InTheWild:   "In the wild",
	Aliases:     "Also known as",

	FallbackPage:    "This page has not been translated yet; it is shown in English.",
	FallbackSection: "This section has not been translated yet; it is shown in English.",
	StaleSection:    "The English text of this section changed after it was translated; it is shown in English.",
	OutdatedShow:    "Show the outdated translation",

	SearchTitle:    "Search",
	SearchNone:     "No results. Try fewer or different words.",
	searchResults:  "%d results for “%s”",
	SearchEmpty:    "Type a few words: a pattern, a system, a problem.",
	SearchBusy:     "Too many searches right now. Please try again in a moment.",
	SearchTooLong:  "That query is too long: use at most %d characters and %d words.",
	SearchNoQuery:  "The q parameter (what to search for) is required.",
	SearchBadLang:  "lang must be one of %s, or absent for every language.",
	SearchBadLimit: "limit must be a whole number from 1 to %d.",
	SearchBadCat:   "Unknown category “%s”.",
	SearchBadTag:   "Unknown tag “%s”.",
	SearchBadPage:  "The page must be a whole number from 1 to %d (offset from 0).",
	SearchMeant:    "Did you mean",
	SearchFacets:   "Narrow the results",
	SearchAnyCat:   "All",
	SearchPageOf:   "Page %d of %d",
	SearchPrev:     "Previous",
	SearchNext:     "Next",
	SearchPaging:   "Result pages",
	SearchAll:      "All results for “%s”",
	SearchSuggest:  "Search suggestions",
	SearchCount:    "%d results",
	PlannedTitle:   "%s (planned)",
	PlannedIntro:   "This pattern is in the content plan, but its chapter is not written yet.",
	PlannedLinks:   "Written patterns that relate to it",

	PlayTitle:    "Playground",
	PlayIntro:    "Edit the demo and run it. It is compiled with the real Go toolchain against this site's tested packages, and runs in a sandbox with time, memory and output limits. Time in the demos is simulated, so they finish at once.",
	PlayOpen:     "Edit and run in the playground",
	PlayRun:      "Run",
	PlayFormat:   "Format",
	PlayReset:    "Reset",
	PlayShare:    "Share",
	PlayFakeTime: "Fake time: sleeps and timeouts finish at once",
	PlayImage:    "Image written by the program",
	PlayOutput:   "Output",
	PlayStatus:   "exit status %d",
	PlayLimit:    "stopped: the %s limit was reached",
	PlayBack:     "Back to the pattern",
	PlayHello:    "Write a Go program and run it. Programs can import the standard library's safe packages and this site's pattern and engine packages; the examples menu opens a pattern's demo.",
	PlayExamples: "Examples",
	PlayHelloEx:  "Hello, World",
	PlayOpenEx:   "Open",
	PlayShared:   "Shared program",
	PlayFrom:     "From the pattern",
	noExample:    "There is no example named %q.",
	PlayNotRun:   "not run",
	PlayTimeout:  "timeout running program",
	PlayBusy:     "The playground is busy with other programs. Try again in a moment.",
	playWarming:  "the playground is warming up (about %d s)",
	PlayNoRunner: "The playground is not available on this server.",
	NoSharing:    "Sharing is not enabled on this server.",
	FmtStopped:   "Formatting stopped: the %s limit was reached.",
	limitTime:    "time",
	limitCPU:     "CPU",
	limitOutput:  "output",
	limitMemory:  "memory",
	limitBuild:   "build",

	TryLater:       "Please try again shortly",
	tooMany:        "Too many requests from your address. Try again in %d s.",
	tooLarge:       "The program is too large (the limit is %d KB).",
	BadJSON:        "The request is not valid JSON: ",
	TrailingJSON:   "The request has more data after its JSON value.",
	BadForm:        "The form data could not be read.",
	BadContentType: "Send the program as JSON (application/json) or as a form (application/x-www-form-urlencoded).",
	CrossSite:      "Requests from other sites are not accepted.",
	NotAllowed:     "This address does not accept that method.",
	ServerError:    "The server failed to answer. The error has been logged; please try again.",

	NotFoundTitle: "Page not found",
	NotFoundText:  "There is no page at this address. It may have moved, or the link may be wrong.",
	ErrorTitle:    "Something went wrong",
	ErrorText:     "The server failed to build this page. The error has been logged; please try again.",
	BadRequest:    "Bad request",
	GoHome:        "Go to the home page",

	Graph: enGraph,
	Runs:  enRuns,
}

var zh = Messages{
	Lang:       "zh-CN",
	LangName:   "中文",
	SiteName:   "Lamport",
	Tagline:    "分布式系统设计模式，配可运行的 Go 代码",
	SkipToMain: "跳到正文",

	NavPatterns: "模式",
	NavTags:     "标签",
	Search:      "搜索",
	SearchLabel: "搜索模式",
	SearchHint:  "搜索模式…（/）",
	SwitchLang:  "阅读本页的英文版",
	ThemeToggle: "主题",
	ThemeLight:  "浅色",
	ThemeDark:   "深色",
	ThemeSystem: "跟随系统",
	NavPlay:     "在线运行",
	NavGraph:    "关系图",
	Menu:        "菜单",
	Permalink:   "本节链接",
	Colon:       "：",
	ListSep:     "、",
	Footer:      "Lamport 是开源项目。每个模式都有经过测试的 Go 包和可以直接运行的示例。",
	SourceCode:  "源代码",
	FooterNav:   "站点链接",
	Repository:  "源代码仓库",
	About:       "关于",
	License:     "许可证",
	Feed:        "Atom 订阅",
	FeedTitle:   "Lamport：新增与更新的模式",
	CheckedBy:   "验证测试",

	HomeTitle:      "分布式系统设计模式：讲清原理，跑通代码",
	HomeIntro:      "每个模式都包含定义、形式化模型、图示、经过测试且可运行的 Go 实现、采用它的真实系统以及常见陷阱，中英双语。",
	Categories:     "分类",
	StartHere:      "从这里开始",
	StartHereIntro: "每个服务都用得上的模式，按学习顺序排好。",
	Planned:        "规划中",
	PlannedHint:    "该模式已列入内容规划，尚未撰写。",
	AllPatterns:    "全部模式",
	patternCount:   "已完成 %d / %d",
	WrittenTitle:   "已完成的模式",
	RecentTitle:    "最近新增或更新",
	PlanTitle:      "内容规划",
	PlanIntro:      "按分类列出规划中的全部模式。尚未撰写的模式会在与之相关的模式页面中列出名称。",
	planTotal:      "共 %[2]d 个模式，已完成 %[1]d 个",
	plannedMore:    "另有 %d 个规划中",
	LaterOnPath:    "本路径后续内容（规划中）",
	HomePlay:       "打开在线运行",
	HomePlayText:   "自己写 Go 程序，或从任一模式的示例开始，链接经过测试的包直接运行。",
	HomeGraph:      "浏览关系图",
	HomeGraphText:  "看各个模式之间如何依赖、搭配和相互替代。",
	AboutTitle:     "关于 Lamport",
	AboutIntro:     "Lamport 是一个中英双语的分布式系统设计模式知识库。每一章都遵循同一个模板，从定义、形式化模型一直到常见陷阱和参考资料，章节中的代码直接引用经过测试的 Go 包。",
	AboutChecks:    "章节中声明的每条保证都注明了验证它的测试，每个关于真实系统的论断都给出了出处，每个示例的输出都固定下来，每次构建都会重新比对。",
	AboutContrib:   "新增一个模式就是新增一个目录：中英文正文、带测试的 Go 包和一个示例程序。仓库中的 CONTRIBUTING.md 说明了具体写法。",

	ListTitle:      "模式",
	ListIntro:      "按分类、标签和难度筛选已完成的模式。",
	FilterCategory: "分类",
	FilterTag:      "标签",
	FilterLevel:    "难度",
	FilterAny:      "不限",
	FilterApply:    "筛选",
	FilterReset:    "重置",
	NoMatches:      "没有符合条件的模式。",
	resultCount:    "共 %d 个模式",

	Difficulty: "难度",
	Levels:     [4]string{"", "入门", "进阶", "高级"},
	Tags:       "标签",
	TagTitle:   "标签：%s",
	TagsTitle:  "标签",
	TagsIntro:  "多个模式共有的主题。",
	Category:   "分类",
	Home:       "首页",
	OnThisPage: "本页目录",
	Related:    "相关模式",
	Relation: map[string]string{
		"requires":       "前置知识",
		"combines-with":  "常与之搭配",
		"alternative-to": "替代方案",
		"required-by":    "后续模式",
	},
	Admonition: map[string]string{
		"note": "说明", "tip": "提示", "important": "重要", "warning": "警告", "caution": "注意",
	},
	Previous:    "上一篇",
	Next:        "下一篇",
	EditPage:    "编辑本页",
	LastUpdated: "最后更新",
	Summary:     "摘要",
	DemoTitle:   "可运行示例",
	DemoIntro:   "使用上面这个包的示例程序：",
	InTheWild:   "真实系统",
	Aliases:     "又称",

	FallbackPage:    "本页尚未翻译，以下显示英文原文。",
	FallbackSection: "本节尚未翻译，以下显示英文原文。",
	StaleSection:    "本节英文原文在翻译后有更新，以下显示最新的英文原文。",
	OutdatedShow:    "查看过时的中文译文",

	SearchTitle:    "搜索",
	SearchNone:     "没有找到结果，换个词或少用几个词试试。",
	searchResults:  "共 %d 条结果：“%s”",
	SearchEmpty:    "输入几个词：模式名、系统名或你遇到的问题。",
	SearchBusy:     "当前搜索请求太多，请稍后再试。",
	SearchTooLong:  "查询太长：最多 %d 个字符、%d 个词。",
	SearchNoQuery:  "缺少参数 q（要搜索的内容）。",
	SearchBadLang:  "lang 只能是 %s 之一；不填则搜索所有语言。",
	SearchBadLimit: "limit 必须是 1 到 %d 之间的整数。",
	SearchBadCat:   "没有这个分类：“%s”。",
	SearchBadTag:   "没有这个标签：“%s”。",
	SearchBadPage:  "页码必须是 1 到 %d 之间的整数（offset 从 0 开始）。",
	SearchMeant:    "你是不是要找",
	SearchFacets:   "缩小范围",
	SearchAnyCat:   "全部",
	SearchPageOf:   "第 %d 页，共 %d 页",
	SearchPrev:     "上一页",
	SearchNext:     "下一页",
	SearchPaging:   "结果分页",
	SearchAll:      "查看“%s”的全部结果",
	SearchSuggest:  "搜索建议",
	SearchCount:    "共 %d 条结果",
	PlannedTitle:   "%s（规划中）",
	PlannedIntro:   "这个模式已列入内容规划，但章节还没有写。",
	PlannedLinks:   "与之相关的已完成模式",

	PlayTitle:    "在线运行",
	PlayIntro:    "修改示例程序并运行。程序由真实的 Go 工具链编译，链接的是本站经过测试的包，在有时间、内存和输出限制的沙箱中运行。示例里的时间是模拟的，所以会立即结束。",
	PlayOpen:     "在线编辑并运行",
	PlayRun:      "运行",
	PlayFormat:   "格式化",
	PlayReset:    "重置",
	PlayShare:    "分享",
	PlayFakeTime: "模拟时钟：sleep 和超时瞬间完成",
	PlayImage:    "程序输出的图像",
	PlayOutput:   "输出",
	PlayStatus:   "退出状态 %d",
	PlayLimit:    "已停止：触发了%s限制",
	PlayBack:     "返回模式页面",
	PlayHello:    "编写 Go 程序并运行。程序可以导入标准库中的安全包，以及本站的模式包和工作流引擎包；从示例菜单可以打开各个模式的示例程序。",
	PlayExamples: "示例",
	PlayHelloEx:  "Hello, World",
	PlayOpenEx:   "打开",
	PlayShared:   "分享的程序",
	PlayFrom:     "来自模式",
	noExample:    "没有名为 %q 的示例。",
	PlayNotRun:   "未运行",
	PlayTimeout:  "程序运行超时",
	PlayBusy:     "在线运行环境正忙，请稍后再试。",
	playWarming:  "在线运行环境正在预热（约 %d 秒）",
	PlayNoRunner: "本服务器未启用在线运行环境。",
	NoSharing:    "本服务器未开启分享功能。",
	FmtStopped:   "格式化已中止：超出了%s限制。",
	limitTime:    "时间",
	limitCPU:     " CPU ",
	limitOutput:  "输出",
	limitMemory:  "内存",
	limitBuild:   "构建",

	TryLater:       "请稍后再试",
	tooMany:        "请求过于频繁，请 %d 秒后再试。",
	tooLarge:       "程序太大（上限为 %d KB）。",
	BadJSON:        "请求不是合法的 JSON：",
	TrailingJSON:   "请求中的 JSON 之后还有多余的数据。",
	BadForm:        "无法解析表单数据。",
	BadContentType: "请以 JSON（application/json）或表单（application/x-www-form-urlencoded）格式提交程序。",
	CrossSite:      "不接受来自其他网站的请求。",
	NotAllowed:     "该地址不支持此请求方法。",
	ServerError:    "服务器处理请求时出错，错误已记录，请稍后重试。",

	NotFoundTitle: "页面不存在",
	NotFoundText:  "这个地址没有页面，可能已经移动，也可能是链接有误。",
	ErrorTitle:    "出错了",
	ErrorText:     "服务器生成本页时出错，错误已记录，请稍后重试。",
	BadRequest:    "请求有误",
	GoHome:        "返回首页",

	Graph: zhGraph,
	Runs:  zhRuns,
}
