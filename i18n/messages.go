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
	Footer      string
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
}

// PatternCount describes how many patterns of a category are written.
func (m *Messages) PatternCount(written, planned int) string {
	return fmt.Sprintf(m.patternCount, written, planned)
}

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
	ThemeToggle: "Toggle dark mode",
	ThemeLight:  "Light",
	ThemeDark:   "Dark",
	Footer:      "Lamport is open source. Every pattern has a tested Go package and a demo you can run.",
	SourceCode:  "Source code",
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
	ThemeToggle: "切换深色模式",
	ThemeLight:  "浅色",
	ThemeDark:   "深色",
	Footer:      "Lamport 是开源项目。每个模式都有经过测试的 Go 包和可以直接运行的示例。",
	SourceCode:  "源代码",
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
	PlayOpen:     "在在线运行环境中编辑并运行",
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
}
