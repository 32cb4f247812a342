package site

import (
	"context"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
)

// routes lists every route of the site. Every GET route answers HEAD
// too (headAsGet), a path that takes other methods answers 405
// with Allow, and POSTs from other sites are refused (sameOrigin).
func (s *Server) routes() chi.Router {
	r := chi.NewRouter()
	r.Use(s.metrics.measure, middleware.RequestID, s.accessLog, s.recoverPanic, securityHeaders, headAsGet,
		s.clientIP(), s.sameOrigin)
	r.Use(middleware.Compress(5, "text/html", "text/plain", "text/xml", "application/xml",
		"application/json", "image/svg+xml"))

	r.Get("/", s.handle(s.handleRoot))
	r.Get("/healthz", s.handle(s.handleHealth))
	r.Get("/readyz", s.handle(s.handleReady))
	r.Get("/robots.txt", s.handle(s.handleRobots))
	r.Get("/sitemap.xml", s.handle(s.handleSitemap))
	r.Get("/feed.xml", s.handle(s.handleRootFeed))
	r.Get("/favicon.svg", s.handle(s.handleFavicon))
	r.Get("/favicon.ico", s.handle(s.handleFavicon))
	r.Method(http.MethodGet, "/static/*", s.assets)
	runLimit := s.rateLimit(30, time.Minute) // per client: builds are expensive
	fmtLimit := s.rateLimit(60, time.Minute) // cheaper, but each format is a process
	r.With(s.limitSearches).Get("/api/search", s.handle(s.handleAPISearch))
	r.Get("/api/graph", s.handle(s.handleAPIGraph))
	r.Get("/api/graph/path", s.handle(s.handleAPIPath))
	r.Get("/api/learning-path", s.handle(s.handleAPILearningPath))
	r.With(runLimit).Post("/api/run", s.handle(s.handleAPIRun))
	r.With(fmtLimit).Post("/api/fmt", s.handle(s.handleAPIFmt))
	r.With(runLimit).Post("/api/share", s.handle(s.handleAPIShare))
	r.Get("/p/{id}", s.handle(s.handleShared))
	r.With(runLimit).Post("/p/{id}", s.handle(s.handleShared))
	if s.cfg.Live {
		r.Get("/_live", headOfStream(s.handleLive))
	}

	r.Route("/{lang}", func(r chi.Router) {
		r.Use(s.locale)
		r.Get("/", s.handle(s.handleHome))
		r.Get("/patterns", redirectTo("patterns/"))
		r.Get("/patterns/", s.handle(s.handlePatterns))
		r.Get("/patterns/{slug}", s.handle(s.handlePattern))
		r.Get("/tags", redirectTo("tags/"))
		r.Get("/tags/", s.handle(s.handleTags))
		r.Get("/tags/{tag}", s.handle(s.handleTag))
		r.With(s.limitSearches).Get("/search", s.handle(s.handleSearch))
		r.Get("/about", s.handle(s.handleAbout))
		r.Get("/graph", s.handle(s.handleGraph))
		r.Get("/paths", redirectTo("paths/"))
		r.Get("/paths/", s.handle(s.handlePaths))
		r.Get("/paths/{id}", s.handle(s.handlePath))
		r.Get("/learn", s.handle(s.handleLearn))
		r.Get("/compare", s.handle(s.handleCompare))
		r.Get("/feed.xml", s.handle(s.handleFeed))
		r.Get("/play", redirectTo("play/"))
		r.Get("/play/", s.handle(s.handlePlayground))
		r.With(runLimit).Post("/play/", s.handle(s.handlePlayground))
		r.Get("/play/{slug}", s.handle(s.handlePlay))
		r.With(runLimit).Post("/play/{slug}", s.handle(s.handlePlay))
	})
	r.NotFound(s.notFound)
	r.MethodNotAllowed(s.notFound)
	return r
}

// headOfStream answers HEAD for a stream: the stream's handler runs with
// its request already cancelled, so it sends its headers and returns.
func headOfStream(stream http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if isHead(r) {
			ctx, cancel := context.WithCancel(r.Context())
			cancel()
			r = r.WithContext(ctx)
		}
		stream(w, r)
	}
}

// redirectTo answers with a permanent redirect to a path relative to the
// language root, such as "/en/patterns" → "/en/patterns/".
func redirectTo(rel string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		target := "/" + chi.URLParam(r, "lang") + "/" + rel
		if r.URL.RawQuery != "" {
			target += "?" + r.URL.RawQuery
		}
		http.Redirect(w, r, target, http.StatusMovedPermanently)
	}
}
