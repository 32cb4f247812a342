package engine

import (
	"context"
	"fmt"
	"sync"
)

// Context is passed to a workflow; Step uses it to checkpoint.
type Context struct {
	context.Context
	engine  *Engine
	run     *run
	history map[int][]event // recorded events by step number
	step    int             // the next step's number

	mu     sync.Mutex // guards events and stop for parallel branches
	events int        // events in the log so far: the next event's seq
	stop   error      // why the run cannot go on (a failed record); every later step returns it
	// pending are events numbered but not yet written, in order: a
	// step's done event, and the failed attempts before it whose backoff
	// was short. They commit together with the next record or the run's
	// end (see pending.go).
	pending []event

	cancel cancelState

	park       bool        // resumed by Recover: a long timer parks the run instead of waiting
	bg         *background // the group it executes in when park; nil under Run
	replayOnly bool        // Replay: a step without a record ends the replay
}

// halt stops the run with err: every later step returns it, and execute
// leaves the run unfinished whatever the workflow returns.
func (c *Context) halt(err error) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stop == nil {
		c.stop = err
	}
	return c.stop
}

func (c *Context) stopped() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stop
}

// RunID returns the ID of the run.
func (c *Context) RunID() string { return c.run.id }

// Version returns the code version the run started with.
func (c *Context) Version() string { return c.run.version }

// NonDeterminismError reports that a resumed workflow does not match its
// recorded history at step Seq: it asked for another step there (Got),
// its step's recorded result does not decode into the step's type
// (Reason), or it returned before asking for recorded step Expected (Got
// is empty). The run stays unfinished, for the right code to resume.
type NonDeterminismError struct {
	RunID    string
	Seq      int
	Expected string // the recorded step name
	Got      string // the step the code asked for; empty: the code returned
	Reason   string // what else differs, when the names match
}

func (e *NonDeterminismError) Error() string {
	switch {
	case e.Reason != "":
		return fmt.Sprintf("engine: run %s is not deterministic at step %d (%s): %s", e.RunID, e.Seq, e.Expected, e.Reason)
	case e.Got == "":
		return fmt.Sprintf("engine: run %s is not deterministic: the code returned before step %d, which the history has as %q", e.RunID, e.Seq, e.Expected)
	}
	return fmt.Sprintf("engine: run %s is not deterministic at step %d: history has %q, code asked for %q", e.RunID, e.Seq, e.Expected, e.Got)
}

// endedEarly returns a NonDeterminismError if the history has steps at or
// after the next step the code would have made.
func (c *Context) endedEarly() error {
	first := -1
	for n := range c.history {
		if n >= c.step && (first < 0 || n < first) {
			first = n
		}
	}
	if first < 0 {
		return nil
	}
	return &NonDeterminismError{RunID: c.run.id, Seq: first, Expected: c.history[first][0].step}
}
