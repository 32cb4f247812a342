package engine

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

func orderV1(c *Context, _ []byte) ([]byte, error) {
	if _, err := Step(c, "reserve", func(context.Context, string) (int, error) { return 1, nil }); err != nil {
		return nil, err
	}
	_, err := Step(c, "charge", func(context.Context, string) (string, error) { return "paid", nil })
	return nil, err
}

func orderV2(c *Context, _ []byte) ([]byte, error) {
	if _, err := Step(c, "reserve", func(context.Context, string) (int, error) { return 1, nil }); err != nil {
		return nil, err
	}
	if Patched(c, "fraud-check") {
		if _, err := Step(c, "fraud-check", func(context.Context, string) (bool, error) { return true, nil }); err != nil {
			return nil, err
		}
	}
	_, err := Step(c, "charge", func(context.Context, string) (string, error) { return "paid", nil })
	return nil, err
}

func orderBroken(c *Context, _ []byte) ([]byte, error) {
	_, err := Step(c, "charge-first", func(context.Context, string) (string, error) { return "paid", nil })
	return nil, err
}

// TestHistoryReplay exports a history as JSON and replays it against the
// old code, a patched version and a broken change.
func TestHistoryReplay(t *testing.T) {
	e := mustOpen(t, ":memory:", Options{})
	e.Register("order", orderV1)
	if _, err := e.Run(context.Background(), "order", "o1", []byte("in")); err != nil {
		t.Fatal(err)
	}
	h, err := e.History(context.Background(), "o1")
	if err != nil {
		t.Fatal(err)
	}
	blob, _ := json.Marshal(h)
	var back History
	if err := json.Unmarshal(blob, &back); err != nil || len(back.Events) != 2 || back.Workflow != "order" {
		t.Fatalf("JSON round trip: %v, %+v", err, back)
	}
	if err := Replay(orderV1, &back); err != nil {
		t.Errorf("the same code does not replay: %v", err)
	}
	if err := Replay(orderV2, &back); err != nil {
		t.Errorf("the patched code does not replay an old history: %v", err)
	}
	var nd *NonDeterminismError
	if err := Replay(orderBroken, &back); !errors.As(err, &nd) || nd.Expected != "reserve" || nd.Got != "charge-first" {
		t.Errorf("the broken change replayed: %v", err)
	}
	if _, err := e.History(context.Background(), "missing"); err == nil {
		t.Error("History of a missing run succeeded")
	}
}

func TestPatchedNewRuns(t *testing.T) {
	e := mustOpen(t, ":memory:", Options{})
	e.Register("order", orderV2)
	if _, err := e.Run(context.Background(), "order", "o2", nil); err != nil {
		t.Fatal(err)
	}
	h, _ := e.History(context.Background(), "o2")
	var names []string
	for _, ev := range h.Events {
		names = append(names, ev.Name)
	}
	if got := strings.Join(names, ","); got != "reserve,patch:fraud-check,fraud-check,charge" {
		t.Errorf("new run's steps = %s", got)
	}
	if err := Replay(orderV2, h); err != nil {
		t.Errorf("a new run does not replay: %v", err)
	}
}

func TestTimeline(t *testing.T) {
	clock := newFakeClock()
	e := mustOpen(t, ":memory:", clock.options())
	calls := 0
	e.Register("wf", func(c *Context, _ []byte) ([]byte, error) {
		saga := NewSaga(c, RetryPolicy{NoJitter: true})
		SagaStep(saga, "book", StepOptions{Retry: RetryPolicy{MaxAttempts: 3, Initial: time.Second, NoJitter: true}},
			flaky(1, &calls, errors.New("busy")), func(context.Context, string, string) error { return nil })
		Sleep(c, "wait", time.Minute)
		return nil, saga.Compensate(errors.New("cancelled by the user"))
	})
	e.Run(context.Background(), "wf", "r", nil)
	h, _ := e.History(context.Background(), "r")
	svg := Timeline(h)
	for _, want := range []string{"<svg", ">book<", ">wait<", ">undo:book<", `stroke-dasharray`, `#bf8700`, `attempt failed`} {
		if !strings.Contains(svg, want) {
			t.Errorf("timeline lacks %q:\n%s", want, svg)
		}
	}
	if !strings.Contains(Timeline(&History{RunID: "x"}), "no steps recorded") {
		t.Error("an empty history should say so")
	}
}

func TestRecordedVersion(t *testing.T) {
	path := t.TempDir() + "/e.db"
	ctx, cancel := context.WithCancel(context.Background())
	var seen []string
	wf := func(c *Context, _ []byte) ([]byte, error) {
		seen = append(seen, c.Version())
		_, err := Step(c, "s", func(context.Context, string) (int, error) {
			if len(seen) == 1 {
				cancel()
				return 0, context.Canceled
			}
			return 1, nil
		})
		return nil, err
	}
	first := mustOpen(t, path, Options{})
	first.RegisterVersion("wf", "v1", wf)
	first.Run(ctx, "wf", "r", nil)
	first.Close()
	second := mustOpen(t, path, Options{})
	second.RegisterVersion("wf", "v2", wf)
	second.Recover(context.Background())
	second.Run(context.Background(), "wf", "new", nil)
	if strings.Join(seen, ",") != "v1,v1,v2" {
		t.Errorf("versions seen = %v, want v1 (start), v1 (resume), v2 (new run)", seen)
	}
}

func TestStepMocks(t *testing.T) {
	e := mustOpen(t, ":memory:", Options{Mocks: map[string]func(context.Context, string) (any, error){
		"charge": func(context.Context, string) (any, error) { return "mocked", nil },
		"reserve": func(context.Context, string) (any, error) {
			return nil, Permanent(errors.New("sold out"))
		},
	}})
	var charged string
	e.Register("order", func(c *Context, _ []byte) ([]byte, error) {
		charged, _ = Step(c, "charge", func(context.Context, string) (string, error) { return "real", nil })
		_, err := Step(c, "reserve", func(context.Context, string) (int, error) { return 1, nil })
		return nil, err
	})
	_, err := e.Run(context.Background(), "order", "m1", nil)
	if charged != "mocked" || err == nil || !strings.Contains(err.Error(), "sold out") {
		t.Errorf("charged %q, err %v; want the mocks' results", charged, err)
	}
}
