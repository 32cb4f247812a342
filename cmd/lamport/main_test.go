package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestParseConfig(t *testing.T) {
	wd := t.TempDir()
	t.Chdir(wd)
	env := map[string]string{"LAMPORT_ADDR": ":9000", "LAMPORT_LOG_LEVEL": "debug", "XDG_DATA_HOME": "/xdg"}
	getenv := func(k string) string { return env[k] }
	tests := []struct {
		name string
		args []string
		want func(Config) bool
	}{
		{"env", nil, func(c Config) bool {
			return c.Addr == ":9000" && c.LogLevel == slog.LevelDebug && c.DataDir == "/xdg/lamport" && c.BaseURL == "http://localhost:9000"
		}},
		{"flags win", []string{"--addr", "127.0.0.1:7000", "--data", "d", "--base-url", "https://x.org/"}, func(c Config) bool {
			return c.Addr == "127.0.0.1:7000" && c.DataDir == filepath.Join(wd, "d") && c.BaseURL == "https://x.org"
		}},
		{"content dir", []string{"--content", "content"}, func(c Config) bool { return c.ContentDir == filepath.Join(wd, "content") }},
		{"every path absolute", []string{"--data", "./data", "--content", "../c", "--play-cache", "cache"}, func(c Config) bool {
			return c.DataDir == filepath.Join(wd, "data") && c.ContentDir == filepath.Join(filepath.Dir(wd), "c") &&
				c.PlayCache == filepath.Join(wd, "cache")
		}},
		{"default data dir", []string{}, func(c Config) bool { return c.DataDir == "/xdg/lamport" }},
		{"licence", []string{"--license-url", "https://x.org/LICENSE"}, func(c Config) bool { return c.LicenseURL == "https://x.org/LICENSE" }},
		{"no licence by default", nil, func(c Config) bool { return c.LicenseURL == "" }},
		{"trusted proxies", []string{"--trusted-proxies", "10.0.0.0/8, fd00::/8"}, func(c Config) bool {
			return len(c.TrustedProxies) == 2 && c.TrustedProxies[1] == "fd00::/8"
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, _, err := parseConfig("serve", tt.args, getenv, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			if !tt.want(cfg) {
				t.Errorf("unexpected config %+v", cfg)
			}
		})
	}
	if _, _, err := parseConfig("serve", []string{"--log-level", "loud"}, getenv, io.Discard); err == nil {
		t.Error("a bad log level was accepted")
	}
	if _, _, err := parseConfig("serve", []string{"--trusted-proxies", "10.0.0.1"}, getenv, io.Discard); err == nil {
		t.Error("an address without a prefix length was accepted as a trusted proxy")
	}
	if _, _, err := parseConfig("serve", []string{"--nope"}, getenv, io.Discard); err == nil {
		t.Error("an unknown flag was accepted")
	}
}

func TestRunVersionAndUnknown(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"version"}, &out, io.Discard); err != nil || !strings.HasPrefix(out.String(), "lamport ") {
		t.Errorf("version: %v, %q", err, out.String())
	}
	if err := run(context.Background(), []string{"frobnicate"}, io.Discard, io.Discard); err == nil {
		t.Error("an unknown command succeeded")
	}
	if err := run(context.Background(), []string{"new", "thing"}, io.Discard, io.Discard); err == nil {
		t.Error("`new thing` succeeded")
	}
}

// TestServeLifecycle starts the real server, requests a page, then cancels
// the context as SIGTERM would and expects a clean shutdown.
func TestServeLifecycle(t *testing.T) {
	// The one-pattern fixture: the server's life cycle does not depend on
	// the corpus (TestFirstRun starts the real binary on the embedded one).
	cfg, _, err := parseConfig("serve", []string{"--addr", "127.0.0.1:0", "--data", t.TempDir(), "--content", "../../content/testdata/site",
		"--license-url", "https://example.org/licence"}, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	m := &Main{Config: cfg, Log: slog.New(slog.DiscardHandler)}
	if err := m.Open(); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	resp, err := http.Get("http://" + m.listener.Addr().String() + "/en/patterns/sample")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("status %d", resp.StatusCode)
	}
	if !strings.Contains(string(body), `href="https://example.org/licence"`) {
		t.Error("the page's footer does not link the licence given by --license-url")
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run returned %v after shutdown", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("server did not shut down")
	}
}
