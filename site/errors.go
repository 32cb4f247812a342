package site

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/lamport-kb/lamport/i18n"
	"github.com/lamport-kb/lamport/site/view"
)

// handlerFunc is a handler that reports failure by returning an error.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// statusError is an error with the HTTP status it maps to and a message
// that is safe to show the reader.
type statusError struct {
	status int
	msg    string                      // in English: logged, and shown when text is nil
	text   func(*i18n.Messages) string // the message in the reader's language
	retry  int                         // seconds to wait before retrying (Retry-After), or 0
}

func (e *statusError) Error() string { return e.msg }

// message is the error's text in m's language.
func (e *statusError) message(m *i18n.Messages) string {
	if e.text != nil {
		return e.text(m)
	}
	return e.msg
}

func httpError(status int, msg string) error { return &statusError{status: status, msg: msg} }

// localError is a statusError whose message comes from the catalogs.
func localError(status int, text func(*i18n.Messages) string) *statusError {
	return &statusError{status: status, msg: text(i18n.For(i18n.English)), text: text}
}

// retryError is a localError that tells the client when to try again.
func retryError(status, seconds int, text func(*i18n.Messages) string) *statusError {
	e := localError(status, text)
	e.retry = seconds
	return e
}

var errNotFound = localError(http.StatusNotFound, func(m *i18n.Messages) string { return m.NotFoundTitle })

// statusClientClosed is the access log's status for a request whose client
// went away before the answer (nginx's 499): nothing is sent.
const statusClientClosed = 499

// handle adapts a handlerFunc: the error, if any, is logged once and
// rendered as a status page.
func (s *Server) handle(h handlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.serveError(w, r, err)
		}
	}
}

// serveError answers err: as {"Error": message} under /api/, else as the
// localized status page, with Retry-After when the error has one. Errors
// without a status are internal: logged with the request, shown as a
// generic 500. A request the client abandoned is not an error of ours: it
// is logged at debug level and answered with nothing.
func (s *Server) serveError(w http.ResponseWriter, r *http.Request, err error) {
	if clientGone(r, err) {
		s.log.Debug("client closed request", slog.String("path", r.URL.Path), slog.Any("err", err))
		w.WriteHeader(statusClientClosed)
		return
	}
	var se *statusError
	if !errors.As(err, &se) {
		s.log.Error("request failed", slog.String("path", r.URL.Path), slog.Any("err", err))
		se = localError(http.StatusInternalServerError, func(m *i18n.Messages) string { return m.ServerError })
	}
	if se.retry > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(se.retry))
	}
	if isAPI(r) {
		writeJSON(w, se.status, map[string]string{"Error": se.message(i18n.For(apiLang(r)))})
		return
	}
	s.serveErrorPage(w, r, se)
}

// serveErrorPage renders the status page of se in the reader's language.
func (s *Server) serveErrorPage(w http.ResponseWriter, r *http.Request, se *statusError) {
	lang := langOf(r)
	m := i18n.For(lang)
	d := view.ErrorData{Status: se.status, Title: m.BadRequest, Message: se.message(m)}
	switch {
	case se.status == http.StatusNotFound:
		d.Title, d.Message = m.NotFoundTitle, m.NotFoundText
	case se.status == http.StatusTooManyRequests || se.status == http.StatusServiceUnavailable:
		d.Title = m.TryLater
	case se.status >= 500:
		d.Title, d.Message = m.ErrorTitle, m.ErrorText
	}
	p := s.page(r, lang, d.Title)
	p.NoIndex = true
	s.render(w, r, se.status, p, view.ErrorPage(p, d))
}

// clientGone reports whether err is the client's doing: it closed the
// connection or cancelled the request, so no one reads the answer.
func clientGone(r *http.Request, err error) bool {
	return errors.Is(r.Context().Err(), context.Canceled) || errors.Is(err, context.Canceled)
}

// isAPI reports whether r is for the JSON API, which answers errors as JSON.
func isAPI(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/api/") }

// notFound answers a path no route serves: 405 with Allow when the path
// takes other methods, else 404.
func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	allow := s.allowed(r)
	if len(allow) == 0 || slices.Contains(allow, r.Method) {
		s.serveError(w, r, errNotFound)
		return
	}
	w.Header().Set("Allow", strings.Join(allow, ", "))
	s.serveError(w, r, localError(http.StatusMethodNotAllowed, func(m *i18n.Messages) string { return m.NotAllowed }))
}

// allowed lists the methods that some route serves at r's path, in the
// order of routeMethods; every GET route answers HEAD too (headAsGet).
func (s *Server) allowed(r *http.Request) []string {
	serves := map[string]bool{}
	chi.Walk(s.router, func(method, pattern string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		if matchRoute(pattern, r.URL.Path) {
			serves[method] = true
			serves[http.MethodHead] = serves[http.MethodHead] || method == http.MethodGet
		}
		return nil
	})
	var allow []string
	for _, m := range routeMethods {
		if serves[m] {
			allow = append(allow, m)
		}
	}
	return allow
}

// routeMethods are the methods the router serves.
var routeMethods = []string{http.MethodGet, http.MethodHead, http.MethodPost}

// matchRoute reports whether path matches a chi pattern: {name} matches
// one non-empty segment and a final * the rest. (chi's own Mux.Find
// reports a match for any method at the root of a mounted router.)
func matchRoute(pattern, path string) bool {
	want, got := strings.Split(pattern, "/"), strings.Split(path, "/")
	for i, w := range want {
		switch {
		case w == "*":
			return true
		case i >= len(got):
			return false
		case strings.HasPrefix(w, "{"):
			if got[i] == "" {
				return false
			}
		case w != got[i]:
			return false
		}
	}
	return len(want) == len(got)
}
