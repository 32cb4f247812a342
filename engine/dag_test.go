package engine

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
)

func TestDAG(t *testing.T) {
	num := func(v int) func(context.Context, string, map[string]json.RawMessage) (any, error) {
		return func(_ context.Context, _ string, deps map[string]json.RawMessage) (any, error) {
			sum := v
			for _, raw := range deps {
				var n int
				json.Unmarshal(raw, &n)
				sum += n
			}
			return sum, nil
		}
	}
	wf, err := DAG{Nodes: []Node{
		{Name: "total", After: []string{"left", "right"}, Run: num(0)},
		{Name: "left", After: []string{"root"}, Run: num(10)},
		{Name: "right", After: []string{"root"}, Run: num(100)},
		{Name: "root", Run: num(1)},
	}}.Compile()
	if err != nil {
		t.Fatal(err)
	}
	e := mustOpen(t, ":memory:", Options{})
	e.Register("dag", wf)
	out, err := e.Run(context.Background(), "dag", "d1", nil)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]int
	json.Unmarshal(out, &got)
	if got["total"] != 112 || got["left"] != 11 || got["root"] != 1 {
		t.Errorf("results = %v", got)
	}
	h, _ := e.History(context.Background(), "d1")
	var order []string
	for _, ev := range h.Events {
		order = append(order, ev.Name)
	}
	if len(order) != 4 || order[0] != "root" || order[3] != "total" {
		t.Errorf("log order = %v", order)
	}
	if err := Replay(wf, h); err != nil {
		t.Errorf("a DAG run does not replay: %v", err)
	}
}

func TestDAGInvalid(t *testing.T) {
	run := func(context.Context, string, map[string]json.RawMessage) (any, error) { return nil, nil }
	tests := []struct {
		name  string
		nodes []Node
		want  string
	}{
		{"cycle", []Node{{Name: "a", After: []string{"b"}, Run: run}, {Name: "b", After: []string{"a"}, Run: run}}, "cycle"},
		{"unknown", []Node{{Name: "a", After: []string{"x"}, Run: run}}, "unknown node"},
		{"duplicate", []Node{{Name: "a", Run: run}, {Name: "a", Run: run}}, "not unique"},
	}
	for _, tt := range tests {
		if _, err := (DAG{Nodes: tt.nodes}).Compile(); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want %q", tt.name, err, tt.want)
		}
	}
}
