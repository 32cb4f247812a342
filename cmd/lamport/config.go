package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
)

// Config is every setting of the command, from flags and the environment.
type Config struct {
	Addr       string // listen address
	DataDir    string // SQLite database, search index, playground workspace; absolute
	ContentDir string // read content from disk (author mode), absolute; empty: embedded
	PlayCache  string // the playground's build cache, absolute; empty: the go command's own
	BaseURL    string // public origin, for canonical links and the sitemap
	RepoURL    string // repository, for "edit this page"
	LicenseURL string // the content's licence, linked from the footer; empty: no link
	// MetricsAddr is where /metrics (Prometheus) is served, apart from the
	// site; empty: not served. Bind it to loopback or a private interface.
	MetricsAddr string
	// TrustedProxies are the CIDR prefixes of the proxies in front of the
	// site; their X-Forwarded-For names the client for rate limits.
	TrustedProxies []string
	LogLevel       slog.Level
	LogJSON        bool
	// StaticDir is the static folder whose node_modules render draws
	// with; Force draws every figure again.
	StaticDir string
	Force     bool
}

// parseConfig reads the flags of cmd over the environment (getenv) and
// returns the remaining arguments.
func parseConfig(cmd string, args []string, getenv func(string) string, stderr io.Writer) (Config, []string, error) {
	env := func(key, def string) string {
		if v := getenv(key); v != "" {
			return v
		}
		return def
	}
	var cfg Config
	fs := flag.NewFlagSet("lamport "+cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.Addr, "addr", env("LAMPORT_ADDR", ":8080"), "listen address")
	fs.StringVar(&cfg.DataDir, "data", env("LAMPORT_DATA", defaultDataDir(getenv)), "data directory (database and search index)")
	fs.StringVar(&cfg.ContentDir, "content", env("LAMPORT_CONTENT", ""), "read content from this directory instead of the embedded copy, reloading on change")
	fs.StringVar(&cfg.PlayCache, "play-cache", env("LAMPORT_PLAY_CACHE", ""), "the playground's Go build cache (default: the go command's own, which building the server has filled)")
	fs.StringVar(&cfg.BaseURL, "base-url", env("LAMPORT_BASE_URL", ""), "public origin for canonical links (default http://localhost<addr>)")
	fs.StringVar(&cfg.RepoURL, "repo-url", env("LAMPORT_REPO_URL", "https://github.com/lamport-kb/lamport"), "repository for edit links")
	fs.StringVar(&cfg.LicenseURL, "license-url", env("LAMPORT_LICENSE_URL", ""), "the content's licence, linked from every page's footer (none by default: the repository states no licence yet)")
	fs.StringVar(&cfg.MetricsAddr, "metrics-addr", env("LAMPORT_METRICS_ADDR", ""), "serve Prometheus /metrics on this address, apart from the site (e.g. 127.0.0.1:9090); off when empty")
	fs.StringVar(&cfg.StaticDir, "static", env("LAMPORT_STATIC", "static"), "render: the static folder with node_modules (npm ci), whose Mermaid and KaTeX draw the figures")
	fs.BoolVar(&cfg.Force, "force", false, "render: draw every figure again, even when its rendering is current")
	proxies := fs.String("trusted-proxies", env("LAMPORT_TRUSTED_PROXIES", ""), "comma-separated CIDR prefixes of the proxies in front of the site (their X-Forwarded-For names the client)")
	level := fs.String("log-level", env("LAMPORT_LOG_LEVEL", "info"), "log level: debug, info, warn, error")
	format := fs.String("log-format", env("LAMPORT_LOG_FORMAT", "text"), "log format: text or json")
	// Flags may come before, between or after the positional arguments.
	var rest []string
	for {
		if err := fs.Parse(args); err != nil {
			return cfg, nil, exitError{err.Error()}
		}
		if fs.NArg() == 0 {
			break
		}
		rest, args = append(rest, fs.Arg(0)), fs.Args()[1:]
	}
	if err := cfg.LogLevel.UnmarshalText([]byte(*level)); err != nil {
		return cfg, nil, fmt.Errorf("--log-level: %w", err)
	}
	cfg.LogJSON = *format == "json"
	trusted, err := parsePrefixes(*proxies)
	if err != nil {
		return cfg, nil, fmt.Errorf("--trusted-proxies: %w", err)
	}
	cfg.TrustedProxies = trusted
	if cfg.BaseURL == "" {
		cfg.BaseURL = "http://" + localHost(cfg.Addr)
	}
	cfg.BaseURL = strings.TrimSuffix(cfg.BaseURL, "/")
	if err := cfg.absolute(); err != nil {
		return cfg, nil, err
	}
	return cfg, rest, nil
}

// parsePrefixes parses a comma-separated list of CIDR prefixes.
func parsePrefixes(list string) ([]string, error) {
	var prefixes []string
	for _, p := range strings.Split(list, ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		if _, err := netip.ParsePrefix(p); err != nil {
			return nil, err
		}
		prefixes = append(prefixes, p)
	}
	return prefixes, nil
}

// absolute makes every configured path absolute, once, against the
// working directory: the go command refuses a relative GOCACHE, and a
// path that changes meaning when a child process starts elsewhere is a
// bug waiting to happen.
func (c *Config) absolute() error {
	for _, p := range []*string{&c.DataDir, &c.ContentDir, &c.PlayCache, &c.StaticDir} {
		if *p == "" {
			continue
		}
		abs, err := filepath.Abs(*p)
		if err != nil {
			return fmt.Errorf("%s: %w", *p, err)
		}
		*p = abs
	}
	return nil
}

// shortPath is p relative to the working directory when it lies under it,
// for messages: check prints content/patterns/x/en.md:3, not a long
// absolute path.
func shortPath(p string) string {
	wd, err := os.Getwd()
	if err != nil {
		return p
	}
	if rel, err := filepath.Rel(wd, p); err == nil && !strings.HasPrefix(rel, "..") {
		return rel
	}
	return p
}

// defaultDataDir is $XDG_DATA_HOME/lamport when set, else ./data.
func defaultDataDir(getenv func(string) string) string {
	if x := getenv("XDG_DATA_HOME"); x != "" {
		return filepath.Join(x, "lamport")
	}
	return "data"
}

func localHost(addr string) string {
	if strings.HasPrefix(addr, ":") {
		return "localhost" + addr
	}
	return addr
}

func (c Config) logger(w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: c.LogLevel}
	if c.LogJSON {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// version is the module version or VCS revision the binary was built from.
func version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	rev, dirty := "", false
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if rev == "" {
		return info.Main.Version
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if dirty {
		rev += "+dirty"
	}
	return rev + " " + info.GoVersion
}
