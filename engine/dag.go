package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
)

// Node is a step of a DAG workflow: it runs after the nodes it names in
// After, and receives their results (JSON) by name.
type Node struct {
	Name  string
	After []string
	Retry RetryPolicy
	Run   func(ctx context.Context, key string, deps map[string]json.RawMessage) (any, error)
}

// DAG is the declarative form of a workflow: nodes and their dependencies.
// Compile turns it into an ordinary Workflow that writes the same log as
// code-first steps: the nodes run in levels (every node whose dependencies
// are done, in parallel), each node a step named after it, levels and
// nodes in a fixed order so that replay is deterministic.
type DAG struct {
	Nodes []Node
}

// Compile checks the DAG (unique names, known dependencies, no cycle) and
// returns its workflow. The workflow's output is the JSON object of every
// node's result.
func (d DAG) Compile() (Workflow, error) {
	levels, err := d.levels()
	if err != nil {
		return nil, err
	}
	return func(c *Context, _ []byte) ([]byte, error) {
		results := make(map[string]json.RawMessage)
		for _, level := range levels {
			names := make([]string, len(level))
			for i, n := range level {
				names[i] = n.Name
			}
			outs, err := parallel(c, names, func(i int) StepOptions { return StepOptions{Retry: level[i].Retry} },
				func(ctx context.Context, i int, key string) (json.RawMessage, error) {
					v, err := level[i].Run(ctx, key, pick(results, level[i].After))
					if err != nil {
						return nil, err
					}
					return json.Marshal(v)
				})
			if err != nil {
				return nil, err
			}
			for i, n := range level {
				results[n.Name] = outs[i]
			}
		}
		return json.Marshal(results)
	}, nil
}

func pick(all map[string]json.RawMessage, names []string) map[string]json.RawMessage {
	m := make(map[string]json.RawMessage, len(names))
	for _, n := range names {
		m[n] = all[n]
	}
	return m
}

// levels sorts the nodes into dependency levels (Kahn's algorithm), each
// level ordered by name.
func (d DAG) levels() ([][]Node, error) {
	byName := make(map[string]Node)
	for _, n := range d.Nodes {
		if _, dup := byName[n.Name]; dup || n.Name == "" {
			return nil, fmt.Errorf("engine: DAG node name %q is empty or not unique", n.Name)
		}
		byName[n.Name] = n
	}
	pending := make(map[string]int)
	for _, n := range d.Nodes {
		for _, dep := range n.After {
			if _, ok := byName[dep]; !ok {
				return nil, fmt.Errorf("engine: DAG node %q runs after unknown node %q", n.Name, dep)
			}
		}
		pending[n.Name] = len(n.After)
	}
	var levels [][]Node
	done := make(map[string]bool)
	for len(done) < len(d.Nodes) {
		var level []Node
		for name, n := range byName {
			if !done[name] && ready(n, done) {
				level = append(level, n)
			}
		}
		if len(level) == 0 {
			return nil, fmt.Errorf("engine: the DAG has a cycle")
		}
		sort.Slice(level, func(i, j int) bool { return level[i].Name < level[j].Name })
		for _, n := range level {
			done[n.Name] = true
		}
		levels = append(levels, level)
	}
	return levels, nil
}

func ready(n Node, done map[string]bool) bool {
	for _, dep := range n.After {
		if !done[dep] {
			return false
		}
	}
	return true
}
