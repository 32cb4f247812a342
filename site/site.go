// Package site is Lamport's web server: the chi router, one handler per
// feature, middleware, and the single adapter that turns a handler's error
// into a localized status page.
//
// Every route is listed in routes (routes.go); HEAD is answered for every
// GET route, and a 405 lists the allowed methods. Handlers have the type
// handlerFunc: they return an error instead of writing failures
// themselves; handle logs it once and answers it (errors.go): under /api/
// as {"Error": message} JSON, elsewhere as the localized status page, in
// the reader's language, with Retry-After when waiting helps (a busy or
// warming playground, a rate limit, a busy search). A request whose client
// went away is logged at debug level, not as an error. Pages are rendered
// by the templ components of site/view from typed data built here.
//
// Requests are bounded: bodies by size and type (413, 415), cross-site
// posts refused (403), runs, formats, shares and searches rate-limited per
// client, searches by a semaphore and a deadline; rendered pages are cached
// by route and the query parameters they read, in an LRU bounded by bytes.
//
// The content can be replaced while serving (author mode, --content DIR):
// Swap replaces the State (state.go) and what the site derives from it (its
// lookups and page cache) as one immutable snapshot, so a request always
// sees one consistent library, index and page cache.
package site

import (
	"context"
	"log/slog"
	"net/http"
	"sync/atomic"

	"github.com/go-chi/chi/v5"

	"github.com/lamport-kb/lamport/playground"
	"github.com/lamport-kb/lamport/search"
	"github.com/lamport-kb/lamport/site/view"
	"github.com/lamport-kb/lamport/static"
)

// Config holds the site's settings; cmd/lamport builds it from flags and
// the environment.
type Config struct {
	BaseURL string // absolute origin for canonical links and the sitemap
	RepoURL string // the repository, for "edit this page" links and the footer
	Branch  string // the branch edit links point at
	// LicenseURL is the footer's link to the content's licence; empty
	// hides the link (the repository states no licence yet).
	LicenseURL string
	Live       bool // author mode: announce content changes to open pages
	// TrustedProxies are the address prefixes (CIDR) of the proxies in
	// front of the site, whose X-Forwarded-For names the client; empty:
	// the TCP peer is the client.
	TrustedProxies []string
	Logger         *slog.Logger
	Runner         playground.Runner // runs playground programs; nil disables the playground
	Shares         SnippetStore      // shared programs; nil disables sharing
}

// SnippetStore keeps shared programs; *store.Store implements it.
type SnippetStore interface {
	Put(ctx context.Context, src string) (string, error)
	Get(ctx context.Context, id string) (string, error)
}

// Searcher answers search queries; *search.Index implements it.
type Searcher interface {
	Search(ctx context.Context, q search.Query) (*search.Results, error)
}

// Readiness reports whether a dependency is ready to serve, for /readyz.
type Readiness interface {
	Status() (ok bool, detail string)
}

// Server is the site's http.Handler.
type Server struct {
	cfg     Config
	log     *slog.Logger
	assets  *static.Assets
	preload []string // URLs of the modules site.js imports statically
	state   atomic.Pointer[state]
	live    *broadcaster
	checks  map[string]Readiness
	router  chi.Router
	metrics *metrics
	links   view.SiteLinks // the header's and footer's site-wide links, but Graph
	graph   bool           // the router serves /{lang}/graph: link it
}

// state is a State and what the site derives from it.
type state struct {
	State
	index *indexes
	pages *pageCache
	tree  map[string][]view.NavGroup // the navigation tree, by language
}

// New returns a Server over the content state st and the front-end
// assets. checks name extra dependencies shown in /readyz, such as the
// playground.
func New(cfg Config, st State, assets *static.Assets, checks map[string]Readiness) (*Server, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Server{cfg: cfg, log: cfg.Logger, assets: assets, live: newBroadcaster(), checks: checks, metrics: newMetrics(cfg.Runner)}
	if mods := assets.ModuleGraph("js/site.js"); len(mods) > 1 {
		for _, m := range mods[1:] {
			s.preload = append(s.preload, assets.URL(m))
		}
	}
	s.Swap(st)
	s.router = s.routes()
	s.links = view.SiteLinks{Repository: cfg.RepoURL, License: cfg.LicenseURL}
	s.graph = s.router.Match(chi.NewRouteContext(), http.MethodGet, "/en/graph")
	return s, nil
}

// Swap serves st from now on, tells open pages in author mode to reload,
// and returns the State it replaced (the zero State the first time).
func (s *Server) Swap(st State) State {
	next := &state{State: st, index: buildIndexes(st.Library), pages: newPageCache(pageCacheBytes), tree: navTrees(st.Library)}
	var old State
	if prev := s.state.Swap(next); prev != nil {
		old = prev.State
	}
	s.live.publish(st.Library.Hash)
	return old
}

func (s *Server) current() *state { return s.state.Load() }

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.router.ServeHTTP(w, r) }

// Close ends the live-reload streams so a graceful shutdown does not wait
// for them.
func (s *Server) Close() { s.live.close() }
