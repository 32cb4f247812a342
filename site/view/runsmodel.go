package view

// RunsData is the playground's view of the workflow runs a program made
// (see playground.Runs): the list, then each run's facts, history and
// timeline. The site builds it; every text is the program's own, escaped
// by templ, except Timeline, which the server drew.
type RunsData struct {
	Runs     []RunData
	MoreRuns string // "only the first N runs are shown"; empty when all are
	Problem  string // why the program's runs are not shown; empty when they are
}

// RunData is one run.
type RunData struct {
	Anchor            string // the id of its details, for the list's link
	ID, Workflow      string
	Status            string // as stored: done, failed, ...
	StatusName        string // in the reader's language
	Steps             int
	Created, Finished string // "-" when there is none
	Facts             []Fact // what inspect shows beside the list's columns
	Events            []EventRow
	MoreEvents        string // "only the first N events are shown"; empty when all are
	Timeline          string // SVG drawn by the server from the events (engine.Timeline)
}

// Fact is a labelled value.
type Fact struct{ Label, Value string }

// EventRow is one event of a run's history.
type EventRow struct {
	Seq, Step               int
	Name, Kind, Attempt, At string
	Detail                  string
	Failed                  bool
}
