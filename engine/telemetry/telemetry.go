// Package telemetry observes a workflow engine with OpenTelemetry spans
// and Prometheus metrics: pass an Observer as engine.Options.Observer.
//
// Spans: one per execution of a run ("engine.run", from its start or
// resumption until it ends, parks or stops) and, under it, one per step
// that executes ("engine.step", around all its attempts; a replayed step
// makes none). Their attributes are engine.run.id, engine.workflow,
// engine.run.resumed, engine.step, engine.step.seq, engine.step.attempts
// and engine.status; a failed step or run has status Error. A step's
// function gets the step span's context, so the spans of the calls it
// makes (an HTTP client's) are its children.
//
// Metrics, registered on the Registerer given to New:
//
//	engine_runs_started_total{workflow}            executions of runs that had no log yet
//	engine_runs_finished_total{workflow,status}    runs that ended: done, failed, cancelled
//	engine_recoveries_total{workflow}              executions that resumed a recorded log
//	engine_step_duration_seconds{workflow,status}  steps, all attempts, ok or error
//	engine_takeovers_total                         runs taken from an owner that did not let go
//	engine_storage_errors_total                    write transactions a storage condition failed
//
// Step names are not a label: a Parallel step names each branch, so they
// are not bounded; the spans carry them.
//
// Nothing here is global: the Observer uses the TracerProvider and the
// Registerer it is given. The site runs no engine of its own, so it has
// no engine metrics to serve; a program that embeds the engine registers
// them on the registry it serves:
//
//	reg := prometheus.NewRegistry()
//	obs, err := telemetry.New(otel.GetTracerProvider(), reg)
//	e, err := engine.Open("app.db", engine.Options{Observer: obs})
//	http.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
package telemetry

import (
	"context"
	"time"

	"github.com/lamport-kb/lamport/engine"
	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// Observer is an engine.Observer that records spans and metrics.
type Observer struct {
	tracer trace.Tracer // nil: no spans
	m      *metrics     // nil: no metrics
}

var _ engine.Observer = (*Observer)(nil)

// New returns an Observer that makes spans with tp's tracer and registers
// its metrics on reg. Either may be nil, for metrics alone or spans alone.
// It fails if reg has metrics of these names already.
func New(tp trace.TracerProvider, reg prometheus.Registerer) (*Observer, error) {
	o := &Observer{}
	if tp != nil {
		o.tracer = tp.Tracer("github.com/lamport-kb/lamport/engine")
	}
	if reg != nil {
		m, err := newMetrics(reg)
		if err != nil {
			return nil, err
		}
		o.m = m
	}
	return o, nil
}

// Run implements engine.Observer.
func (o *Observer) Run(ctx context.Context, x engine.Execution) (context.Context, func(string)) {
	if o.m != nil {
		if x.Resumed {
			o.m.recoveries.WithLabelValues(x.Workflow).Inc()
		} else {
			o.m.started.WithLabelValues(x.Workflow).Inc()
		}
	}
	var span trace.Span
	if o.tracer != nil {
		ctx, span = o.tracer.Start(ctx, "engine.run", trace.WithAttributes(
			attribute.String("engine.run.id", x.ID),
			attribute.String("engine.workflow", x.Workflow),
			attribute.Bool("engine.run.resumed", x.Resumed)))
	}
	return ctx, func(status string) {
		if o.m != nil && (status == "done" || status == "failed" || status == "cancelled") {
			o.m.finished.WithLabelValues(x.Workflow, status).Inc()
		}
		if span != nil {
			span.SetAttributes(attribute.String("engine.status", status))
			if status == "failed" {
				span.SetStatus(codes.Error, "the run failed")
			}
			span.End()
		}
	}
}

// Step implements engine.Observer.
func (o *Observer) Step(ctx context.Context, s engine.StepInfo) (context.Context, func(int, error)) {
	start := time.Now()
	var span trace.Span
	if o.tracer != nil {
		ctx, span = o.tracer.Start(ctx, "engine.step", trace.WithAttributes(
			attribute.String("engine.run.id", s.RunID),
			attribute.String("engine.workflow", s.Workflow),
			attribute.String("engine.step", s.Step),
			attribute.Int("engine.step.seq", s.Seq)))
	}
	return ctx, func(attempts int, err error) {
		status := "ok"
		if err != nil {
			status = "error"
		}
		if o.m != nil {
			o.m.steps.WithLabelValues(s.Workflow, status).Observe(time.Since(start).Seconds())
		}
		if span != nil {
			span.SetAttributes(attribute.Int("engine.step.attempts", attempts), attribute.String("engine.status", status))
			if err != nil {
				span.RecordError(err)
				span.SetStatus(codes.Error, err.Error())
			}
			span.End()
		}
	}
}

// Incident implements engine.Observer.
func (o *Observer) Incident(kind engine.Incident) {
	if o.m == nil {
		return
	}
	switch kind {
	case engine.IncidentTakeover:
		o.m.takeovers.Inc()
	case engine.IncidentStorage:
		o.m.storage.Inc()
	}
}

// metrics are the Prometheus metrics of an Observer.
type metrics struct {
	started, finished, recoveries *prometheus.CounterVec
	steps                         *prometheus.HistogramVec
	takeovers, storage            prometheus.Counter
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		started: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "engine_runs_started_total",
			Help: "Executions of workflow runs that had no recorded log yet."}, []string{"workflow"}),
		finished: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "engine_runs_finished_total",
			Help: "Workflow runs that ended, by status (done, failed, cancelled)."}, []string{"workflow", "status"}),
		recoveries: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "engine_recoveries_total",
			Help: "Executions of workflow runs that resumed a recorded log."}, []string{"workflow"}),
		steps: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "engine_step_duration_seconds",
			Help:    "Duration of the steps that executed, all attempts and backoffs included, by status (ok, error).",
			Buckets: prometheus.ExponentialBuckets(0.0005, 4, 10)}, []string{"workflow", "status"}),
		takeovers: prometheus.NewCounter(prometheus.CounterOpts{Name: "engine_takeovers_total",
			Help: "Runs this executor took over from an owner that did not let go of them."}),
		storage: prometheus.NewCounter(prometheus.CounterOpts{Name: "engine_storage_errors_total",
			Help: "Write transactions that failed for a storage condition that may pass (a lock, a full disk, I/O)."}),
	}
	for _, c := range []prometheus.Collector{m.started, m.finished, m.recoveries, m.steps, m.takeovers, m.storage} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}
