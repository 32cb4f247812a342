package engine

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestRunsFilters lists runs by status, workflow, creation time and
// limit, and refuses a status that does not exist.
func TestRunsFilters(t *testing.T) {
	ctx := context.Background()
	clock := newFakeClock()
	e := mustOpen(t, filepath.Join(t.TempDir(), "e.db"), clock.options())
	e.Register("ok", func(*Context, []byte) ([]byte, error) { return []byte("fine"), nil })
	e.Register("bad", func(*Context, []byte) ([]byte, error) { return nil, errors.New("broken") })
	start := clock.Now()
	for _, id := range []string{"o1", "b1", "o2", "b2", "o3"} {
		clock.advance(time.Minute)
		wf := map[byte]string{'o': "ok", 'b': "bad"}[id[0]]
		e.Run(ctx, wf, id, nil)
	}
	seed(t, e, "pending") // an "inbox" run, never executed
	ids := func(f RunFilter) string {
		runs, err := e.Runs(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		var s []string
		for _, r := range runs {
			s = append(s, r.ID)
		}
		return strings.Join(s, " ")
	}
	tests := []struct {
		name string
		f    RunFilter
		want string
	}{
		{"all", RunFilter{}, "o1 b1 o2 b2 o3 pending"},
		{"failed", RunFilter{Status: "failed"}, "b1 b2"},
		{"running", RunFilter{Status: "running"}, "pending"},
		{"workflow", RunFilter{Workflow: "ok"}, "o1 o2 o3"},
		{"time range", RunFilter{From: start.Add(2 * time.Minute), To: start.Add(4 * time.Minute)}, "b1 o2"},
		{"done and limit", RunFilter{Status: "done", Limit: 2}, "o1 o2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, ids(tt.f)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	if _, err := e.Runs(ctx, RunFilter{Status: "finished"}); err == nil || !strings.Contains(err.Error(), "want one of enqueued, running, done") {
		t.Errorf("unknown status: %v", err)
	}
	info, err := e.RunInfo(ctx, "b1")
	if err != nil || info.Status != "failed" || info.Error != "broken" || info.Workflow != "bad" || info.Finished.IsZero() {
		t.Errorf("RunInfo(b1) = %+v, %v", info, err)
	}
	if _, err := e.RunInfo(ctx, "nobody"); !errors.Is(err, ErrNoRun) {
		t.Errorf("RunInfo of a missing run: %v", err)
	}
}
