package site

import (
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/go-chi/httprate"
)

// routes lists every route of the site.
func (s *Server) routes() chi.Router {
	r := chi.NewRouter()
	r.Use(middleware.RequestID, s.accessLog, s.recoverPanic, securityHeaders)
	r.Use(middleware.Compress(5, "text/html", "text/plain", "text/xml", "application/xml",
		"application/json", "image/svg+xml"))

	r.Get("/", s.handle(s.handleRoot))
	r.Get("/healthz", s.handle(s.handleHealth))
	r.Get("/readyz", s.handle(s.handleReady))
	r.Get("/robots.txt", s.handle(s.handleRobots))
	r.Get("/sitemap.xml", s.handle(s.handleSitemap))
	r.Get("/favicon.svg", s.handle(s.handleFavicon))
	r.Get("/favicon.ico", s.handle(s.handleFavicon))
	r.Method(http.MethodGet, "/static/*", s.assets)
	r.Method(http.MethodHead, "/static/*", s.assets)
	runLimit := httprate.LimitByIP(30, time.Minute) // per client: builds are expensive
	r.With(runLimit).Post("/api/run", s.handle(s.handleAPIRun))
	r.Post("/api/fmt", s.handle(s.handleAPIFmt))
	r.With(runLimit).Post("/api/share", s.handle(s.handleAPIShare))
	r.Get("/p/{id}", s.handle(s.handleShared))
	r.With(runLimit).Post("/p/{id}", s.handle(s.handleShared))
	if s.cfg.Live {
		r.Get("/_live", s.handleLive)
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
		r.Get("/play/{slug}", s.handle(s.handlePlay))
		r.With(runLimit).Post("/play/{slug}", s.handle(s.handlePlay))
	})
	r.NotFound(s.handle(func(w http.ResponseWriter, r *http.Request) error { return errNotFound }))
	r.MethodNotAllowed(s.handle(func(w http.ResponseWriter, r *http.Request) error {
		return httpError(http.StatusMethodNotAllowed, "method not allowed")
	}))
	return r
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
