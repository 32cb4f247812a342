package telemetry

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/lamport-kb/lamport/engine"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	_ "modernc.org/sqlite"
)

// observed is an Observer with an in-memory span exporter and its own
// registry.
type observed struct {
	obs   *Observer
	spans *tracetest.InMemoryExporter
	reg   *prometheus.Registry
}

func newObserved(t *testing.T) *observed {
	t.Helper()
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	t.Cleanup(func() { tp.Shutdown(context.Background()) })
	reg := prometheus.NewRegistry()
	obs, err := New(tp, reg)
	if err != nil {
		t.Fatal(err)
	}
	return &observed{obs: obs, spans: exp, reg: reg}
}

// count is the value of counter name with labels, 0 if absent.
func (o *observed) count(t *testing.T, name string, labels ...string) float64 {
	t.Helper()
	mfs, err := o.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	metric:
		for _, m := range mf.GetMetric() {
			for i, l := range m.GetLabel() {
				if i*2+1 >= len(labels) || l.GetName() != labels[i*2] || l.GetValue() != labels[i*2+1] {
					continue metric
				}
			}
			if h := m.GetHistogram(); h != nil {
				return float64(h.GetSampleCount())
			}
			return m.GetCounter().GetValue()
		}
	}
	return 0
}

func open(t *testing.T, path string, opts engine.Options) *engine.Engine {
	t.Helper()
	e, err := engine.Open(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

// order is a workflow of three steps, the second failing once.
func order(flaky *int) engine.Workflow {
	retry := engine.StepOptions{Retry: engine.RetryPolicy{MaxAttempts: 3, Initial: time.Millisecond}}
	return func(c *engine.Context, _ []byte) ([]byte, error) {
		for _, name := range []string{"reserve", "charge", "ship"} {
			_, err := engine.StepWith(c, name, retry, func(context.Context, string) (bool, error) {
				if name == "charge" && *flaky > 0 {
					*flaky--
					return false, errors.New("busy")
				}
				return true, nil
			})
			if err != nil {
				return nil, err
			}
		}
		return []byte("ok"), nil
	}
}

// TestSpansOfARun: a run makes one run span and one span per step under
// it, with the run's ID, the workflow, the step, its attempts and status.
func TestSpansOfARun(t *testing.T) {
	o := newObserved(t)
	e := open(t, filepath.Join(t.TempDir(), "e.db"), engine.Options{Observer: o.obs})
	flaky := 1
	e.Register("order", order(&flaky))
	if _, err := e.Run(context.Background(), "order", "o1", nil); err != nil {
		t.Fatal(err)
	}
	spans := o.spans.GetSpans()
	if len(spans) != 4 {
		t.Fatalf("%d spans, want 3 steps and the run", len(spans))
	}
	run := spans[len(spans)-1] // ended last
	if run.Name != "engine.run" || attr(run.Attributes, "engine.run.id") != "o1" || attr(run.Attributes, "engine.status") != "done" {
		t.Errorf("run span %s %v", run.Name, run.Attributes)
	}
	var got []string
	for _, s := range spans[:3] {
		if s.Parent.SpanID() != run.SpanContext.SpanID() {
			t.Errorf("step span %s is not the run span's child", attr(s.Attributes, "engine.step"))
		}
		got = append(got, s.Name+" "+attr(s.Attributes, "engine.step")+" attempts="+attr(s.Attributes, "engine.step.attempts")+" "+attr(s.Attributes, "engine.status")+" "+attr(s.Attributes, "engine.workflow"))
	}
	want := []string{"engine.step reserve attempts=1 ok order", "engine.step charge attempts=2 ok order", "engine.step ship attempts=1 ok order"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("step spans (-want +got):\n%s", diff)
	}
	if o.count(t, "engine_runs_started_total", "workflow", "order") != 1 ||
		o.count(t, "engine_runs_finished_total", "status", "done", "workflow", "order") != 1 ||
		o.count(t, "engine_step_duration_seconds", "status", "ok", "workflow", "order") != 3 {
		t.Errorf("metrics: %s", dump(t, o.reg))
	}
}

// TestRecoveryAndFailure: a crashed run resumed by another executor after
// its lease lapsed counts a takeover and a recovery, with a resumed run
// span; a failed run counts as failed, its span and step span in error.
func TestRecoveryAndFailure(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "e.db")
	flaky := 0
	crash := func(p engine.FaultPoint, _, step string) error {
		if p == engine.FaultAfterCommit && step == "charge" {
			return errors.New("kill -9")
		}
		return nil
	}
	dead := open(t, path, engine.Options{Fault: crash, Lease: 50 * time.Millisecond, ExecutorID: "dead"})
	dead.Register("order", order(&flaky))
	if _, err := dead.Run(ctx, "order", "o1", nil); !errors.Is(err, engine.ErrCrashed) {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond) // the dead executor's lease lapses

	o := newObserved(t)
	e := open(t, path, engine.Options{Observer: o.obs})
	e.Register("order", order(&flaky))
	e.Register("broken", func(c *engine.Context, _ []byte) ([]byte, error) {
		_, err := engine.Step(c, "pay", func(context.Context, string) (bool, error) { return false, errors.New("declined") })
		return nil, err
	})
	if n, err := e.Recover(ctx); n != 1 || err != nil {
		t.Fatalf("Recover = %d, %v", n, err)
	}
	if _, err := e.Run(ctx, "broken", "b1", nil); err == nil {
		t.Fatal("the broken run succeeded")
	}
	for _, c := range []struct {
		name   string
		labels []string
	}{
		{"engine_takeovers_total", nil},
		{"engine_recoveries_total", []string{"workflow", "order"}},
		{"engine_runs_finished_total", []string{"status", "done", "workflow", "order"}},
		{"engine_runs_finished_total", []string{"status", "failed", "workflow", "broken"}},
		{"engine_step_duration_seconds", []string{"status", "error", "workflow", "broken"}},
	} {
		if got := o.count(t, c.name, c.labels...); got != 1 {
			t.Errorf("%s%v = %v, want 1", c.name, c.labels, got)
		}
	}
	var resumed, failed bool
	for _, s := range o.spans.GetSpans() {
		resumed = resumed || s.Name == "engine.run" && attr(s.Attributes, "engine.run.resumed") == "true"
		failed = failed || s.Name == "engine.run" && attr(s.Attributes, "engine.status") == "failed" && s.Status.Code == codes.Error
	}
	if !resumed || !failed {
		t.Errorf("resumed run span %v, failed run span %v; want both", resumed, failed)
	}
}

// TestStorageErrors: a write lock held past the busy timeout counts each
// transaction it failed.
func TestStorageErrors(t *testing.T) {
	path := filepath.Join(t.TempDir(), "e.db")
	o := newObserved(t)
	e := open(t, path, engine.Options{Observer: o.obs, BusyTimeout: 10 * time.Millisecond,
		StorageRetry: engine.RetryPolicy{MaxAttempts: 2, Initial: time.Millisecond}})
	flaky := 0
	e.Register("order", order(&flaky))
	lock, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close()
	conn, err := lock.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(context.Background(), "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	_, err = e.Run(context.Background(), "order", "o1", nil)
	conn.ExecContext(context.Background(), "ROLLBACK")
	if !errors.Is(err, engine.ErrUnavailable) {
		t.Fatalf("Run under a held lock = %v, want ErrUnavailable", err)
	}
	if got := testutil.ToFloat64(o.obs.m.storage); got != 1 {
		t.Errorf("engine_storage_errors_total = %v, want 1 (the start's transaction)", got)
	}
}

// TestNew refuses a registry that has the metrics already, and makes an
// Observer without spans or without metrics.
func TestNew(t *testing.T) {
	reg := prometheus.NewRegistry()
	if _, err := New(nil, reg); err != nil {
		t.Fatal(err)
	}
	if _, err := New(nil, reg); err == nil {
		t.Error("registering the metrics twice succeeded")
	}
	o, err := New(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	e := open(t, ":memory:", engine.Options{Observer: o})
	flaky := 0
	e.Register("order", order(&flaky))
	if _, err := e.Run(context.Background(), "order", "o1", nil); err != nil {
		t.Fatal(err)
	}
}

func attr(kvs []attribute.KeyValue, key string) string {
	for _, kv := range kvs {
		if string(kv.Key) == key {
			return kv.Value.String()
		}
	}
	return ""
}

func dump(t *testing.T, reg *prometheus.Registry) string {
	mfs, _ := reg.Gather()
	var s string
	for _, mf := range mfs {
		s += mf.String() + "\n"
	}
	return s
}
