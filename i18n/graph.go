package i18n

import "fmt"

// GraphMessages is the text of the knowledge graph's pages: the whole
// graph, the local graph and recommendations on a pattern page, learning
// paths, the learning planner and the comparison of two patterns. It is a
// field of Messages (Messages.Graph), held to the same completeness tests.
type GraphMessages struct {
	Title       string
	Intro       string
	summary     string // "%d patterns (%d written), %d relations"
	Label       string // the SVG's accessible name
	Help        string // how to pan, zoom and hover, shown once JavaScript runs
	Legend      string
	WrittenNode string
	PlannedNode string
	Mention     string // a mention edge in the legend and the table: "mentions"
	MentionedBy string // the same edge from its target
	Filters     string
	Relations   string // the relation-type filter's legend
	Categories  string // the category filter's legend
	Focus       string // the search-a-pattern box's label
	FocusGo     string
	focusNone   string // "no pattern named “%s”"
	ZoomIn      string
	ZoomOut     string
	Reset       string
	Table       string // heading of the table of edges
	TableFrom   string
	TableLabel  string
	TableTo     string

	Local        string // heading of a pattern page's local graph
	LocalLabel   string // "The patterns around %s"
	ReferencedBy string // heading of the backlinks
	NextUp       string
	nextHops     string // "%d steps away in the graph"
	nextNear     string // one step away
	nextTags     string // "shares %s"
	Compare      string // the link beside an alternative

	NavPaths       string
	PathsTitle     string
	PathsIntro     string
	pathSteps      string // "%d steps, %d written"
	PathAfter      string // before the paths to take first
	PathStepsTitle string
	PathProgress   string // "%d of %d read", filled in by the script
	PathMark       string // the checkbox that marks a step read
	PathReset      string
	PathPlanned    string // a planned step's note
	PathRef        string // "Learning path: %s", a path among a page's backlinks

	LearnTitle     string
	LearnIntro     string
	LearnGoals     string
	LearnKnown     string
	LearnSubmit    string
	LearnResult    string
	LearnEmpty     string // no goal picked
	LearnDone      string // every step is known
	LearnGoal      string // the reason of a goal
	learnNeeded    string // "needed by %s"
	learnSkipped   string // "%d patterns you know are left out: %s"
	unknown        string // "unknown pattern “%s”"
	TooManyGoals   string
	CompareTitle   string // "%s vs %s"
	CompareIntro   string
	ComparePick    string // the form's legend
	CompareA       string
	CompareB       string
	CompareGo      string
	CompareNeed    string // a or b missing
	CompareSame    string
	ComparePlanned string // the note on a planned pattern's column
	CompareMissing string // in place of a section a planned pattern does not have yet
	CompareNames   string // before the pattern's names in every language
	ComparePath    string // heading of the path between them
	CompareNoPath  string
	Definition     string
	WhenToUse      string
	Guarantees     string
	Costs          string
	NoGuarantees   string
	ReadMore       string
	PathNeedEnds   string // /api/graph/path without from or to
}

// Summary counts the graph's patterns and relations.
func (m *GraphMessages) Summary(nodes, written, edges int) string {
	return fmt.Sprintf(m.summary, nodes, written, edges)
}

// FocusNone says that no pattern has that name.
func (m *GraphMessages) FocusNone(q string) string { return fmt.Sprintf(m.focusNone, q) }

// NextReason explains a recommendation: how far it is and which tags it
// shares (already joined).
func (m *GraphMessages) NextReason(hops int, tags string) string {
	var parts []string
	switch {
	case hops == 1:
		parts = append(parts, m.nextNear)
	case hops > 1:
		parts = append(parts, fmt.Sprintf(m.nextHops, hops))
	}
	if tags != "" {
		parts = append(parts, fmt.Sprintf(m.nextTags, tags))
	}
	if len(parts) == 2 {
		return parts[0] + m.sep() + parts[1]
	}
	if len(parts) == 1 {
		return parts[0]
	}
	return ""
}

func (m *GraphMessages) sep() string {
	if m == &zh.Graph {
		return "；"
	}
	return "; "
}

// PathSteps counts a path's steps and how many are written.
func (m *GraphMessages) PathSteps(n, written int) string { return fmt.Sprintf(m.pathSteps, n, written) }

// LearnNeeded is the reason of a prerequisite: the patterns that need it.
func (m *GraphMessages) LearnNeeded(by string) string { return fmt.Sprintf(m.learnNeeded, by) }

// LearnSkipped names the known patterns left out of a plan.
func (m *GraphMessages) LearnSkipped(n int, names string) string {
	return fmt.Sprintf(m.learnSkipped, n, names)
}

// Unknown says that no pattern has that slug.
func (m *GraphMessages) Unknown(slug string) string { return fmt.Sprintf(m.unknown, slug) }

var enGraph = GraphMessages{
	Title:       "Knowledge graph",
	Intro:       "Every pattern of the catalog and how they relate: what each builds on, what it combines with, what it can replace, and which pages mention which. Planned patterns are drawn hollow and are not links yet.",
	summary:     "%d patterns (%d written), %d relations",
	Label:       "The knowledge graph of all patterns",
	Help:        "Drag to pan, scroll or use the buttons to zoom, and point at a pattern to see its neighbours.",
	Legend:      "Legend",
	WrittenNode: "written pattern (opens its page)",
	PlannedNode: "planned pattern",
	Mention:     "mentions",
	MentionedBy: "is mentioned by",
	Filters:     "Filters",
	Relations:   "Relations",
	Categories:  "Categories",
	Focus:       "Find a pattern",
	FocusGo:     "Show",
	focusNone:   "No pattern named “%s”.",
	ZoomIn:      "Zoom in",
	ZoomOut:     "Zoom out",
	Reset:       "Reset view",
	Table:       "The relations as a table",
	TableFrom:   "Pattern",
	TableLabel:  "Relation",
	TableTo:     "Other pattern",

	Local:        "Around this pattern",
	LocalLabel:   "The patterns around %s",
	ReferencedBy: "Referenced by",
	NextUp:       "Next up",
	nextHops:     "%d steps away in the graph",
	nextNear:     "directly related",
	nextTags:     "shares %s",
	Compare:      "compare",

	NavPaths:       "Paths",
	PathsTitle:     "Learning paths",
	PathsIntro:     "Curated routes through the catalog, each in the order the patterns build on each other. Your progress is kept in this browser only.",
	pathSteps:      "%d steps, %d written",
	PathAfter:      "Take first",
	PathStepsTitle: "Steps",
	PathProgress:   "%d of %d read",
	PathMark:       "read",
	PathReset:      "Clear my progress",
	PathPlanned:    "not written yet",
	PathRef:        "Learning path: %s",

	LearnTitle:     "Plan your reading",
	LearnIntro:     "Pick what you want to learn and what you already know: you get the patterns to read, in an order where each comes after what it builds on, with the reason for each step.",
	LearnGoals:     "I want to learn",
	LearnKnown:     "I already know",
	LearnSubmit:    "Plan my reading",
	LearnResult:    "Your reading order",
	LearnEmpty:     "Pick at least one pattern to learn.",
	LearnDone:      "You already know everything these goals build on.",
	LearnGoal:      "your goal",
	learnNeeded:    "needed by %s",
	learnSkipped:   "Left out, since you know them (%d): %s.",
	unknown:        "There is no pattern “%s”.",
	TooManyGoals:   "Pick at most 20 patterns in each list.",
	CompareTitle:   "%s vs %s",
	CompareIntro:   "Two patterns side by side: what each is, when to reach for it, what it promises, what it costs, and how the graph connects them.",
	ComparePick:    "Compare two patterns",
	CompareA:       "First pattern",
	CompareB:       "Second pattern",
	CompareGo:      "Compare",
	CompareNeed:    "Name two patterns to compare: ?a=…&b=….",
	CompareSame:    "Pick two different patterns.",
	ComparePlanned: "This pattern is planned: its page is not written yet. Here is what the catalog already knows about it.",
	CompareMissing: "Not written yet.",
	CompareNames:   "Names",
	ComparePath:    "How they connect",
	CompareNoPath:  "No chain of typed relations joins them.",
	Definition:     "Definition",
	WhenToUse:      "When to use",
	Guarantees:     "Guarantees",
	Costs:          "Costs and pitfalls",
	NoGuarantees:   "No guarantee stated yet.",
	ReadMore:       "Read the section",
	PathNeedEnds:   "Name both ends of the path: ?from=…&to=….",
}

var zhGraph = GraphMessages{
	Title:       "知识图谱",
	Intro:       "目录中的全部模式及其相互关系：各自以什么为前置、常与什么搭配、可以替代什么，以及哪些章节提到了哪些模式。规划中的模式画成空心圆，暂时不能点击。",
	summary:     "共 %d 个模式（已完成 %d 个），%d 条关系",
	Label:       "全部模式的知识图谱",
	Help:        "拖动可平移，滚轮或按钮可缩放，指向某个模式可查看与它相邻的模式。",
	Legend:      "图例",
	WrittenNode: "已完成的模式（点击打开）",
	PlannedNode: "规划中的模式",
	Mention:     "正文提及",
	MentionedBy: "被正文提及",
	Filters:     "筛选",
	Relations:   "关系类型",
	Categories:  "分类",
	Focus:       "查找模式",
	FocusGo:     "定位",
	focusNone:   "没有名为“%s”的模式。",
	ZoomIn:      "放大",
	ZoomOut:     "缩小",
	Reset:       "重置视图",
	Table:       "关系一览表",
	TableFrom:   "模式",
	TableLabel:  "关系",
	TableTo:     "相关模式",

	Local:        "周边模式",
	LocalLabel:   "%s 周边的模式",
	ReferencedBy: "被以下章节引用",
	NextUp:       "接下来读",
	nextHops:     "在图中相距 %d 步",
	nextNear:     "直接相关",
	nextTags:     "同属%s",
	Compare:      "对比",

	NavPaths:       "学习路径",
	PathsTitle:     "学习路径",
	PathsIntro:     "精选的阅读路线，每条都按模式之间的依赖顺序排列。阅读进度只保存在当前浏览器中。",
	pathSteps:      "共 %d 步，已完成 %d 篇",
	PathAfter:      "建议先学",
	PathStepsTitle: "步骤",
	PathProgress:   "已读 %d / %d",
	PathMark:       "已读",
	PathReset:      "清除阅读进度",
	PathPlanned:    "尚未撰写",
	PathRef:        "学习路径：%s",

	LearnTitle:     "定制阅读计划",
	LearnIntro:     "选出想学的模式和已经掌握的模式，即可得到一份阅读清单：每个模式都排在它所依赖的模式之后，并注明为什么要读。",
	LearnGoals:     "想学的模式",
	LearnKnown:     "已经掌握的模式",
	LearnSubmit:    "生成阅读计划",
	LearnResult:    "你的阅读顺序",
	LearnEmpty:     "请至少选择一个想学的模式。",
	LearnDone:      "这些目标所依赖的模式你都已经掌握了。",
	LearnGoal:      "你的目标",
	learnNeeded:    "%s 的前置知识",
	learnSkipped:   "已掌握、未列入的模式（%d 个）：%s。",
	unknown:        "没有“%s”这个模式。",
	TooManyGoals:   "每一栏最多选择 20 个模式。",
	CompareTitle:   "%s 与 %s 对比",
	CompareIntro:   "把两个模式并排比较：各自是什么、何时使用、提供哪些保证、要付出什么代价，以及它们在知识图谱中如何相连。",
	ComparePick:    "对比两个模式",
	CompareA:       "第一个模式",
	CompareB:       "第二个模式",
	CompareGo:      "对比",
	CompareNeed:    "请指定要对比的两个模式：?a=…&b=…。",
	CompareSame:    "请选择两个不同的模式。",
	ComparePlanned: "该模式尚在规划中，页面还没有撰写。以下是目录中已有的信息。",
	CompareMissing: "尚未撰写。",
	CompareNames:   "名称",
	ComparePath:    "两者如何相连",
	CompareNoPath:  "没有一条类型化关系链把两者连起来。",
	Definition:     "定义",
	WhenToUse:      "适用场景",
	Guarantees:     "保证",
	Costs:          "代价与陷阱",
	NoGuarantees:   "尚未给出保证。",
	ReadMore:       "阅读该节",
	PathNeedEnds:   "请指定路径的两端：?from=…&to=…。",
}
