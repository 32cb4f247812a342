package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/lamport-kb/lamport"
	"github.com/lamport-kb/lamport/content"
	"github.com/lamport-kb/lamport/playground"
	"github.com/lamport-kb/lamport/site"
	"github.com/lamport-kb/lamport/static"
	"github.com/lamport-kb/lamport/store"
)

// Main is the running server and what it owns.
type Main struct {
	Config Config
	Log    *slog.Logger

	state    site.State // what the site serves now
	play     *playground.Service
	shares   *store.Store
	site     *site.Server
	http     *http.Server
	listener net.Listener
	metrics  *http.Server // nil unless --metrics-addr is set
	mlisten  net.Listener
}

func serve(ctx context.Context, cfg Config) error {
	m := &Main{Config: cfg, Log: cfg.logger(os.Stderr)}
	if err := m.Open(); err != nil {
		m.Close()
		return err
	}
	defer m.Close()
	return m.Run(ctx)
}

// Open loads the content, opens the search index and binds the listener.
func (m *Main) Open() error {
	cfg := m.Config
	if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
		return err
	}
	var err error
	m.state, err = m.build(site.State{})
	if err != nil {
		return err
	}
	assets, err := static.Load()
	if err != nil {
		return err
	}
	if !assets.Built() {
		m.Log.Warn("front end not built: pages are served without CSS and JavaScript; run `make` or `go generate ./static`")
	}
	m.play, err = m.openPlayground()
	if err != nil {
		return fmt.Errorf("playground: %w", err)
	}
	m.shares, err = store.Open(filepath.Join(cfg.DataDir, "lamport.db"))
	if err != nil {
		return fmt.Errorf("database: %w", err)
	}
	m.site, err = site.New(site.Config{
		BaseURL:        cfg.BaseURL,
		RepoURL:        cfg.RepoURL,
		LicenseURL:     cfg.LicenseURL,
		Branch:         "main",
		Live:           m.authorMode(),
		TrustedProxies: cfg.TrustedProxies,
		Logger:         m.Log,
		Runner:         m.play,
		Shares:         m.shares,
	}, m.state, assets, map[string]site.Readiness{"playground": m.play, "jail": m.play.Jail()})
	if err != nil {
		return err
	}
	m.listener, err = net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	m.http = &http.Server{
		Handler:           m.site,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      2 * time.Minute, // fits a playground run (60 s build + 5 s run) after a wait in its queue; /_live lifts it
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(m.Log.Handler(), slog.LevelWarn),
	}
	return m.openMetrics()
}

// openMetrics binds the metrics listener when --metrics-addr is set: the
// operator's view of the server, kept off the public site.
func (m *Main) openMetrics() error {
	if m.Config.MetricsAddr == "" {
		return nil
	}
	var err error
	if m.mlisten, err = net.Listen("tcp", m.Config.MetricsAddr); err != nil {
		return fmt.Errorf("--metrics-addr: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.site.Metrics())
	m.metrics = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, WriteTimeout: 30 * time.Second}
	return nil
}

// Run serves until ctx is cancelled (SIGINT, SIGTERM), then shuts down
// gracefully, giving in-flight requests ten seconds.
func (m *Main) Run(ctx context.Context) error {
	if m.authorMode() {
		go m.watch(ctx)
	}
	warmed := m.warmPlayground(ctx)
	defer func() { <-warmed }() // shutdown cancels it; wait for its builds to stop
	errc := make(chan error, 1)
	go func() { errc <- m.http.Serve(m.listener) }()
	if m.metrics != nil {
		go m.metrics.Serve(m.mlisten)
		defer m.metrics.Close()
		m.Log.Info("serving metrics", "addr", m.mlisten.Addr().String(), "path", "/metrics")
	}
	m.Log.Info("serving", "addr", m.listener.Addr().String(), "url", m.Config.BaseURL, "content", m.contentSource())
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	m.Log.Info("shutting down")
	m.site.Close()
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := m.http.Shutdown(shutdownCtx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// Close releases the search index, the database and the listener.
func (m *Main) Close() error {
	m.state.Retire(site.State{})
	if m.shares != nil {
		m.shares.Close()
	}
	if m.listener != nil {
		m.listener.Close()
	}
	if m.mlisten != nil {
		m.mlisten.Close()
	}
	return nil
}

func (m *Main) authorMode() bool { return m.Config.ContentDir != "" }

func (m *Main) contentFS() fs.FS {
	if m.authorMode() {
		return os.DirFS(m.Config.ContentDir)
	}
	return content.FS()
}

func (m *Main) contentSource() string {
	if m.authorMode() {
		return m.Config.ContentDir
	}
	return "embedded"
}

// openPlayground prepares the playground's workspace in the data
// directory, from the module's source bundle built into the binary.
func (m *Main) openPlayground() (*playground.Service, error) {
	return playground.New(playground.Config{
		WorkDir: filepath.Join(m.Config.DataDir, "playground"),
		GoCache: m.Config.PlayCache,
		Module:  lamport.Source(),
		Logger:  m.Log,
	})
}

// warmPlayground starts filling the build cache with every package
// programs may import; the playground reports "warming" until real time is ready.
// The channel is closed when the warm-up has ended.
func (m *Main) warmPlayground(ctx context.Context) <-chan struct{} {
	result, ended := m.play.StartWarm(ctx), make(chan struct{})
	go func() {
		defer close(ended)
		if err := <-result; err != nil && ctx.Err() == nil && !errors.Is(err, playground.ErrUnavailable) {
			m.Log.Error("playground warm-up failed", "err", err)
		}
	}()
	return ended
}
