package i18n

import "fmt"

// RunsMessages is the text of the playground's view of the workflow runs
// a program made: the list of runs and, for each, its history and
// timeline (the views of `lamport engine list` and `inspect`). It is a
// field of Messages (Messages.Runs), held to the same completeness tests.
type RunsMessages struct {
	Title      string
	Intro      string
	List       string // the list's caption
	ID         string
	Workflow   string
	Status     string
	Steps      string
	Created    string
	Finished   string
	Version    string
	Error      string
	Parent     string
	Queue      string
	Deadline   string
	Recoveries string
	Owner      string
	History    string // heading of a run's history
	Seq        string
	Step       string
	Name       string
	Kind       string
	Attempt    string
	At         string // time since the run's first event
	Detail     string
	Timeline   string // heading of a run's timeline
	NotRun     string // a cancelled step's detail, before why: "not run: "
	Failed     string // a failed attempt's detail, before its error: "error: "
	Wake       string // a durable timer's detail, before its time: "wakes "
	NoEvents   string
	moreRuns   string // "only the first %d runs are shown"
	moreEvents string // "only the first %d events are shown"
	TooLarge   string // the program wrote more than the playground reads
	Malformed  string // the program wrote something that is not the engine's report
	Statuses   map[string]string
	Kinds      map[string]string // event kinds: done, retry, timer, cancel
}

// MoreRuns says that only the first n runs are shown.
func (m *RunsMessages) MoreRuns(n int) string { return fmt.Sprintf(m.moreRuns, n) }

// MoreEvents says that only the first n events of a run are shown.
func (m *RunsMessages) MoreEvents(n int) string { return fmt.Sprintf(m.moreEvents, n) }

// StatusName names a run's state; an unknown one is returned as it is.
func (m *RunsMessages) StatusName(s string) string { return nameOr(m.Statuses, s) }

// KindName names an event's kind; an unknown one is returned as it is.
func (m *RunsMessages) KindName(k string) string { return nameOr(m.Kinds, k) }

func nameOr(names map[string]string, key string) string {
	if n, ok := names[key]; ok {
		return n
	}
	return key
}

var enRuns = RunsMessages{
	Title:      "Workflow runs",
	Intro:      "The runs the program's engines recorded, read when it closed them: what lamport engine list and lamport engine inspect show of a database.",
	List:       "Runs, oldest first",
	ID:         "Run",
	Workflow:   "Workflow",
	Status:     "Status",
	Steps:      "Steps",
	Created:    "Created",
	Finished:   "Finished",
	Version:    "Version",
	Error:      "Error",
	Parent:     "Parent run",
	Queue:      "Queue",
	Deadline:   "Deadline",
	Recoveries: "Recoveries",
	Owner:      "Owner",
	History:    "History",
	Seq:        "Seq",
	Step:       "Step",
	Name:       "Name",
	Kind:       "Kind",
	Attempt:    "Attempt",
	At:         "At",
	Detail:     "Detail",
	Timeline:   "Timeline",
	NotRun:     "not run: ",
	Failed:     "error: ",
	Wake:       "wakes at ",
	NoEvents:   "No events recorded.",
	moreRuns:   "Only the first %d runs are shown.",
	moreEvents: "Only the first %d events are shown.",
	TooLarge:   "The program reported more about its runs than the playground reads, so they are not shown.",
	Malformed:  "What the program reported about its runs is not the engine's report, so it is not shown.",
	Statuses: map[string]string{"enqueued": "enqueued", "running": "running", "done": "done", "failed": "failed",
		"cancelled": "cancelled", "attention": "needs attention"},
	Kinds: map[string]string{"done": "done", "retry": "retry", "timer": "timer", "cancel": "cancel"},
}

var zhRuns = RunsMessages{
	Title:      "工作流运行",
	Intro:      "程序关闭引擎时读出的运行记录，与 lamport engine list 和 lamport engine inspect 对数据库显示的内容相同。",
	List:       "运行列表（按创建时间排序）",
	ID:         "运行",
	Workflow:   "工作流",
	Status:     "状态",
	Steps:      "步骤数",
	Created:    "创建时间",
	Finished:   "结束时间",
	Version:    "版本",
	Error:      "错误",
	Parent:     "父运行",
	Queue:      "队列",
	Deadline:   "截止时间",
	Recoveries: "恢复次数",
	Owner:      "所有者",
	History:    "事件历史",
	Seq:        "序号",
	Step:       "步骤",
	Name:       "名称",
	Kind:       "类型",
	Attempt:    "尝试",
	At:         "时刻",
	Detail:     "详情",
	Timeline:   "时间线",
	NotRun:     "未执行：",
	Failed:     "错误：",
	Wake:       "唤醒于 ",
	NoEvents:   "没有记录任何事件。",
	moreRuns:   "只显示前 %d 个运行。",
	moreEvents: "只显示前 %d 个事件。",
	TooLarge:   "程序报告的运行数据超出了在线运行环境读取的上限，因此不予显示。",
	Malformed:  "程序报告的运行数据不是引擎生成的格式，因此不予显示。",
	Statuses: map[string]string{"enqueued": "排队中", "running": "运行中", "done": "已完成", "failed": "失败",
		"cancelled": "已取消", "attention": "需人工处理"},
	Kinds: map[string]string{"done": "结束", "retry": "重试", "timer": "定时器", "cancel": "取消"},
}
