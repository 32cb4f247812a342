package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// History is a run's event log in a portable form: export it with
// Engine.History, keep it in a test's testdata as JSON, and check it
// against the current code with Replay.
type History struct {
	RunID    string         `json:"run_id"`
	Workflow string         `json:"workflow"`
	Input    []byte         `json:"input,omitempty"`
	Events   []HistoryEvent `json:"events"`
}

// HistoryEvent is one event of a History.
type HistoryEvent struct {
	Seq     int             `json:"seq"`
	Step    int             `json:"step"`
	Name    string          `json:"name"`
	Kind    string          `json:"kind"`              // done, retry, timer, cancel
	Attempt int             `json:"attempt,omitempty"` // of the step, for done and retry
	Result  json.RawMessage `json:"result,omitempty"`
	Failed  bool            `json:"failed,omitempty"` // the attempt ended with Error (which may be empty)
	Error   string          `json:"error,omitempty"`
	At      time.Time       `json:"at"`
	Wake    *time.Time      `json:"wake,omitempty"`
}

// History exports a run's log.
func (e *Engine) History(ctx context.Context, runID string) (*History, error) {
	if err := e.w.sync(ctx); err != nil {
		return nil, err
	}
	var h History
	err := e.db.QueryRowContext(ctx, `SELECT workflow, input FROM engine_runs WHERE id = ?`, runID).Scan(&h.Workflow, &h.Input)
	if err != nil {
		return nil, fmt.Errorf("engine: run %s: %w", runID, err)
	}
	h.RunID = runID
	evs, err := e.history(ctx, runID)
	if err != nil {
		return nil, err
	}
	for _, ev := range evs {
		h.Events = append(h.Events, toHistoryEvent(ev))
	}
	return &h, nil
}

func toHistoryEvent(ev event) HistoryEvent {
	he := HistoryEvent{Seq: ev.seq, Step: ev.stepSeq, Name: ev.step, Kind: ev.kind, Attempt: ev.attempt,
		Result: ev.result, Failed: ev.failed, Error: ev.errMsg, At: ev.at.UTC()}
	if !ev.wake.IsZero() {
		w := ev.wake.UTC()
		he.Wake = &w
	}
	return he
}

func (h *History) events() []event {
	evs := make([]event, len(h.Events))
	for i, he := range h.Events {
		evs[i] = event{seq: he.Seq, stepSeq: he.Step, step: he.Name, kind: he.Kind, attempt: he.Attempt,
			result: he.Result, failed: he.Failed || he.Error != "", errMsg: he.Error, at: he.At}
		if he.Wake != nil {
			evs[i].wake = *he.Wake
		}
	}
	return evs
}

// errHistoryEnd stops a replay where the recorded history ends.
var errHistoryEnd = errors.New("engine: end of the recorded history")

// Replay runs wf against a recorded history without a database: every
// step must find its record, in order, under the same name. It returns nil
// when the code agrees with the history (up to where the history ends), or
// the *NonDeterminismError at the first divergence. Use it in tests to
// prove that a change to a workflow does not break runs in flight.
func Replay(wf Workflow, h *History) error {
	c := &Context{Context: context.Background(), run: &run{id: h.RunID}, history: byStep(h.events()), replayOnly: true}
	_, err := wf(c, h.Input)
	var nd *NonDeterminismError
	switch {
	case errors.As(err, &nd):
		return nd
	case errors.Is(err, errHistoryEnd):
		return nil
	}
	return c.endedEarly()
}
