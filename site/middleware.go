package site

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/go-chi/httprate"

	"github.com/lamport-kb/lamport/i18n"
)

type ctxKey int

const (
	langKey ctxKey = iota
	headKey        // the request is a HEAD that headAsGet made a GET
)

// locale validates the {lang} prefix, stores it in the request context and
// remembers it in a cookie, so "/" later sends the reader back to the
// language they last read.
func (s *Server) locale(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		lang := chi.URLParam(r, "lang")
		if !i18n.Supported(lang) {
			s.notFound(w, r)
			return
		}
		if c, err := r.Cookie("lang"); err != nil || c.Value != lang {
			http.SetCookie(w, &http.Cookie{Name: "lang", Value: lang, Path: "/", MaxAge: 365 * 24 * 3600, SameSite: http.SameSiteLaxMode})
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), langKey, lang)))
	})
}

// langOf returns the request's language: the validated prefix, or for
// requests that did not reach the locale middleware (an unknown path, a
// panic caught outside) the path's prefix when it names a language, else
// the negotiated one.
func langOf(r *http.Request) string {
	if lang, ok := r.Context().Value(langKey).(string); ok {
		return lang
	}
	if first, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/"); i18n.Supported(first) {
		return first
	}
	cookie := ""
	if c, err := r.Cookie("lang"); err == nil {
		cookie = c.Value
	}
	return i18n.Negotiate(cookie, r.Header.Get("Accept-Language"))
}

// apiLang is the language of an API answer: the "lang" (or the search's
// "prefer") query parameter (the front end sends its page's), else the language of the page that
// sent the request (the Referer's prefix), else the negotiated one. The
// API's paths carry no language, and its error messages are shown as they
// are.
func apiLang(r *http.Request) string {
	for _, param := range []string{"lang", "prefer"} {
		if lang := r.URL.Query().Get(param); i18n.Supported(lang) {
			return lang
		}
	}
	if ref, err := url.Parse(r.Referer()); err == nil {
		if first, _, _ := strings.Cut(strings.TrimPrefix(ref.Path, "/"), "/"); i18n.Supported(first) {
			return first
		}
	}
	return langOf(r)
}

// accessLog logs one line per request with its status, size and duration.
func (s *Server) accessLog(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
		start := time.Now()
		next.ServeHTTP(ww, r)
		s.log.LogAttrs(r.Context(), slog.LevelInfo, "request",
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path),
			slog.Int("status", ww.Status()),
			slog.Int("bytes", ww.BytesWritten()),
			slog.Duration("took", time.Since(start)),
			slog.String("id", middleware.GetReqID(r.Context())))
	})
}

// recoverPanic turns a panic in a handler into a logged 500 page.
func (s *Server) recoverPanic(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.serveError(w, r, fmt.Errorf("panic: %v", v))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// headAsGet serves a HEAD request as the GET it stands for: handlers,
// redirects and compression write exactly what they would for GET, so the
// headers (Content-Length, Content-Encoding) are the GET's, and net/http,
// which still knows the request is HEAD, drops the body. (chi's
// middleware.GetHead asks the router whether a HEAD route exists, and the
// root of the mounted /{lang} router claims every method.)
func headAsGet(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodHead {
			r = r.WithContext(context.WithValue(r.Context(), headKey, true))
			r.Method = http.MethodGet
		}
		next.ServeHTTP(w, r)
	})
}

// isHead reports whether r is a HEAD request served as a GET.
func isHead(r *http.Request) bool { return r.Context().Value(headKey) != nil }

// sameOrigin refuses a browser's state-changing request sent by another
// site (CSRF: a page elsewhere posting a program to run or to share under
// the reader's address). It trusts the browser's Sec-Fetch-Site header,
// else compares Origin with Host (net/http's CrossOriginProtection). Only
// same-origin requests pass: "same-site" (a sibling subdomain) is refused
// too, since our own pages never send it. Requests with neither header,
// such as curl's, are not from a browser and pass; so do GET and HEAD.
func (s *Server) sameOrigin(next http.Handler) http.Handler {
	var protection http.CrossOriginProtection
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := protection.Check(r); err != nil {
			s.serveError(w, r, localError(http.StatusForbidden, func(m *i18n.Messages) string { return m.CrossSite }))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// clientIP resolves the client's address once per request: the TCP peer,
// or, behind the proxies named in Config.TrustedProxies, the last address
// in X-Forwarded-For that is not one of theirs. Without it every client
// behind a load balancer would share the balancer's rate-limit bucket.
func (s *Server) clientIP() func(http.Handler) http.Handler {
	if len(s.cfg.TrustedProxies) == 0 {
		return middleware.ClientIPFromRemoteAddr
	}
	return middleware.ClientIPFromXFF(s.cfg.TrustedProxies...)
}

// rateLimit allows each client n requests a window, and answers the
// rest with 429 in the API's or the page's form, with Retry-After.
func (s *Server) rateLimit(n int, window time.Duration) func(http.Handler) http.Handler {
	return httprate.LimitBy(n, window, clientKey, httprate.WithLimitHandler(func(w http.ResponseWriter, r *http.Request) {
		retry, _ := strconv.Atoi(w.Header().Get("Retry-After")) // httprate sets it
		retry = max(retry, 1)
		s.serveError(w, r, retryError(http.StatusTooManyRequests, retry, func(m *i18n.Messages) string { return m.TooMany(retry) }))
	}))
}

// clientKey is the rate limits' key: the client's address as the site
// trusts it (clientIP), an IPv6 client by its /64, where one client
// usually holds the whole prefix.
func clientKey(r *http.Request) (string, error) {
	return httprate.CanonicalizeIP(middleware.GetClientIP(r.Context())), nil
}

// contentSecurityPolicy allows only our own scripts. Inline styles are
// allowed because Mermaid's SVG and KaTeX's layout use style attributes.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; " +
	"base-uri 'self'; form-action 'self'; frame-ancestors 'none'"

func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		h.Set("X-Frame-Options", "DENY")
		next.ServeHTTP(w, r)
	})
}
