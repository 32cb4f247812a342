package site

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/lamport-kb/lamport/playground"
)

// metrics are the site's Prometheus metrics, in a registry of their own
// (never the global one, so two Servers in one test binary do not clash).
// Labels are bounded: a route is chi's pattern ("/{lang}/patterns/{slug}"),
// never the raw path, and a request that matched no route is "unmatched".
//
// Server.Metrics serves them; the site's own router does not, since they
// describe the server to its operator, not to readers: cmd/lamport serves
// them on a separate listener, off unless --metrics-addr is set.
type metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec   // route, code
	latency  *prometheus.HistogramVec // route
	cache    *prometheus.CounterVec   // result: hit, miss
	runs     *prometheus.CounterVec   // outcome
	searches *prometheus.CounterVec   // source (page, api), outcome
}

// QueueStats reports a playground's load; *playground.Service implements
// it, and the metrics show it when the Runner does.
type QueueStats interface {
	Queued() int  // runs waiting for a slot
	Running() int // runs building or running
}

func newMetrics(runner any) *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "lamport_http_requests_total", Help: "HTTP requests by route pattern and status code.",
		}, []string{"route", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "lamport_http_request_duration_seconds", Help: "Time to answer an HTTP request, by route pattern.",
			Buckets: []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60},
		}, []string{"route"}),
		cache: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "lamport_page_cache_requests_total", Help: "Rendered-page cache look-ups, by result (hit, miss).",
		}, []string{"result"}),
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "lamport_playground_runs_total", Help: "Playground runs by outcome: ok, exit (non-zero status), compile (errors), limit, cached, refused.",
		}, []string{"outcome"}),
		searches: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "lamport_search_queries_total", Help: "Search queries by source (page, api) and outcome (ok, error).",
		}, []string{"source", "outcome"}),
	}
	m.reg.MustRegister(m.requests, m.latency, m.cache, m.runs, m.searches,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if q, ok := runner.(QueueStats); ok {
		m.reg.MustRegister(
			prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "lamport_playground_queue_depth", Help: "Playground runs waiting for a slot."},
				func() float64 { return float64(q.Queued()) }),
			prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "lamport_playground_running", Help: "Playground runs building or running."},
				func() float64 { return float64(q.Running()) }))
	}
	return m
}

// Metrics serves the site's metrics in Prometheus's text format. Mount it
// where only operators reach it (see metrics).
func (s *Server) Metrics() http.Handler {
	return promhttp.HandlerFor(s.metrics.reg, promhttp.HandlerOpts{ErrorLog: nil})
}

// measure counts every request by its route pattern and status, and
// observes its latency.
func (m *metrics) measure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
		next.ServeHTTP(ww, r)
		route := "unmatched"
		if rc := chi.RouteContext(r.Context()); rc != nil && rc.RoutePattern() != "" {
			route = rc.RoutePattern()
		}
		code := ww.Status()
		if code == 0 {
			code = http.StatusOK
		}
		m.requests.WithLabelValues(route, strconv.Itoa(code)).Inc()
		m.latency.WithLabelValues(route).Observe(time.Since(start).Seconds())
		m.countSearch(r, route, code)
	})
}

// countSearch counts a request of a search route that asked something.
func (m *metrics) countSearch(r *http.Request, route string, code int) {
	source := map[string]string{"/api/search": "api", "/{lang}/search": "page"}[route]
	if source == "" || strings.TrimSpace(r.URL.Query().Get("q")) == "" {
		return
	}
	outcome := "ok"
	if code >= 400 {
		outcome = "error"
	}
	m.searches.WithLabelValues(source, outcome).Inc()
}

// runResult counts a playground run by its outcome.
func (m *metrics) runResult(resp *playground.Response, err error) {
	outcome := "ok"
	switch {
	case err != nil:
		outcome = "refused"
	case resp.Cached:
		outcome = "cached"
	case resp.Errors != "":
		outcome = "compile"
	case resp.Limit != "":
		outcome = "limit"
	case resp.Status != 0:
		outcome = "exit"
	}
	m.runs.WithLabelValues(outcome).Inc()
}

// cacheResult counts a page-cache look-up.
func (m *metrics) cacheResult(hit bool) {
	if hit {
		m.cache.WithLabelValues("hit").Inc()
	} else {
		m.cache.WithLabelValues("miss").Inc()
	}
}
