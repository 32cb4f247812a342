package graph

import (
	"fmt"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/lamport-kb/lamport/i18n"
)

// TestLabelsDoNotOverlap draws the content's graph, and every pattern's
// local graph, in each language and checks that no two labels overlap, no
// label overlaps a node's circle (its own included), and every label is
// inside the box: each label measured in its own language's text, at the
// anchor the layout chose.
func TestLabelsDoNotOverlap(t *testing.T) {
	g := contentGraph(t)
	layouts := map[string]Layout{"whole graph": g.Layout()}
	for _, n := range g.Nodes() {
		layouts["local graph of "+n.Slug] = g.LocalLayout(n.Slug, 2)
	}
	for _, lang := range i18n.Langs {
		for name, l := range layouts {
			checkLabels(t, fmt.Sprintf("%s, %s", name, lang), g, l, lang)
		}
	}
}

// TestLabelsOnDenseGraphs places labels where the force layout crowds
// them: a clique and a star with long names, which must move nodes or
// spread the drawing.
func TestLabelsOnDenseGraphs(t *testing.T) {
	for name, spec := range map[string]string{
		"clique": "a b c d e f\na combines-with b c d e f\nb combines-with c d e f\nc combines-with d e f\nd combines-with e f\ne combines-with f",
		"star":   "a b c d e f g h i j k l\na combines-with b c d e f g h i j k l",
	} {
		t.Run(name, func(t *testing.T) {
			g := mustBuild(t, spec)
			for _, n := range g.nodes {
				n.Name = map[string]string{i18n.English: "A Rather Long Pattern Name " + n.Slug, i18n.Chinese: "一个相当长的模式名称" + n.Slug}
			}
			l := g.computeLayout()
			checkGeometry(t, name, l)
			for _, lang := range i18n.Langs {
				checkLabels(t, name+", "+lang, g, l, lang)
			}
		})
	}
}

// checkLabels fails when a label of l in lang overlaps another label or a
// circle, or leaves the box.
func checkLabels(t *testing.T, name string, g *Graph, l Layout, lang string) {
	t.Helper()
	boxes := make([]Box, len(l.Points))
	for i, p := range l.Points {
		boxes[i] = p.LabelBox(g.Node(p.Slug).Label(lang))
		if !boxes[i].Inside(l.Width, l.Height) || boxes[i].X0 < 0 || boxes[i].Y0 < 0 {
			t.Errorf("%s: the label of %s, %+v, leaves the box %g × %g", name, p.Slug, boxes[i], l.Width, l.Height)
		}
	}
	for i, p := range l.Points {
		for j, q := range l.Points {
			if j > i && boxes[i].Overlaps(boxes[j]) {
				t.Errorf("%s: the labels of %s and %s overlap: %+v, %+v", name, p.Slug, q.Slug, boxes[i], boxes[j])
			}
			if boxes[i].HitsCircle(q.X, q.Y, q.R) {
				t.Errorf("%s: the label of %s, %+v, overlaps the circle of %s at (%g, %g) r %g", name, p.Slug, boxes[i], q.Slug, q.X, q.Y, q.R)
			}
		}
	}
}

// TestLabelText checks the short names and their lines: the part before a
// parenthesis, two lines of about equal width when wide, at a space, or
// in Chinese between ideographs but never inside a Latin word.
func TestLabelText(t *testing.T) {
	tests := []struct {
		name, lang string
		want       []string
	}{
		{"Circuit Breaker", i18n.English, []string{"Circuit Breaker"}},
		{"Rate Limiting & Throttling (token/leaky bucket, windows)", i18n.English, []string{"Rate Limiting", "& Throttling"}},
		{"Retry with Exponential Backoff and Jitter", i18n.English, []string{"Retry with Exponential", "Backoff and Jitter"}},
		{"熔断器", i18n.Chinese, []string{"熔断器"}},
		{"超时控制与截止时间传递（级联超时）", i18n.Chinese, []string{"超时控制与", "截止时间传递"}},
		{"errgroup 与 Context 取消", i18n.Chinese, []string{"errgroup 与", "Context 取消"}},
		{"Raft 共识算法", i18n.Chinese, []string{"Raft 共识算法"}},
		{"Try-Confirm-Cancel-Compensate", i18n.English, []string{"Try-Confirm-", "Cancel-Compensate"}},
		{"命令查询职责分离", i18n.Chinese, []string{"命令查询", "职责分离"}},
		{"Gossip传播与成员管理协议", i18n.Chinese, []string{"Gossip传播与", "成员管理协议"}},
	}
	for _, tt := range tests {
		n := &Node{Name: map[string]string{tt.lang: tt.name}}
		if diff := cmp.Diff(tt.want, n.Label(tt.lang)); diff != "" {
			t.Errorf("Label(%q) (-want +got):\n%s", tt.name, diff)
		}
	}
	if w, z := TextWidth("Saga"), TextWidth("传奇故事"); z <= w {
		t.Errorf("four ideographs (%g) are no wider than four Latin letters (%g)", z, w)
	}
}

// TestRadii checks the node sizes: every radius between the least and the
// greatest, the most central node the largest, and equal ranks (a clique,
// whose PageRanks differ only by the power iteration's error) equal sizes.
func TestRadii(t *testing.T) {
	for name, spec := range map[string]string{
		"clique":  "a b c d e f\na combines-with b c d e f\nb combines-with c d e f\nc combines-with d e f\nd combines-with e f\ne combines-with f",
		"star":    "a b c d e f g\na combines-with b c d e f g",
		"content": "",
	} {
		g := contentGraph(t)
		if spec != "" {
			g = mustBuild(t, spec)
		}
		r := g.radii()
		for i, v := range r {
			if !(v >= minRadius && v <= maxRadius) {
				t.Errorf("%s: %s has radius %g, outside [%g, %g]", name, g.nodes[i].Slug, v, minRadius, maxRadius)
			}
		}
		if top := g.index[g.PageRank()[0].Slug]; r[top] != slices.Max(r) {
			t.Errorf("%s: the most central node %s has radius %g, not the largest %g", name, g.nodes[top].Slug, r[top], slices.Max(r))
		}
		if name == "clique" && slices.Max(r) != slices.Min(r) {
			t.Errorf("clique: radii %v differ", r)
		}
	}
}
