package site

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/lamport-kb/lamport/i18n"
	"github.com/lamport-kb/lamport/site/view"
)

// handlerFunc is a handler that reports failure by returning an error.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// statusError is an error with the HTTP status it maps to and a message
// that is safe to show the reader.
type statusError struct {
	status int
	msg    string
}

func (e *statusError) Error() string { return e.msg }

func httpError(status int, msg string) error { return &statusError{status, msg} }

var errNotFound = httpError(http.StatusNotFound, "not found")

// handle adapts a handlerFunc: the error, if any, is logged once and
// rendered as a status page.
func (s *Server) handle(h handlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.serveError(w, r, err)
		}
	}
}

// serveError renders the localized status page for err. Errors without a
// status are internal: logged with the request, shown as a generic 500.
func (s *Server) serveError(w http.ResponseWriter, r *http.Request, err error) {
	status := http.StatusInternalServerError
	var se *statusError
	if errors.As(err, &se) {
		status = se.status
	}
	if status >= 500 {
		s.log.Error("request failed", slog.String("path", r.URL.Path), slog.Any("err", err))
	}
	lang := langOf(r)
	m := i18n.For(lang)
	d := view.ErrorData{Status: status, Title: m.ErrorTitle, Message: m.ErrorText}
	switch {
	case status == http.StatusNotFound:
		d.Title, d.Message = m.NotFoundTitle, m.NotFoundText
	case status < 500 && se != nil:
		d.Title, d.Message = m.BadRequest, se.msg
	}
	p := s.page(r, lang, d.Title)
	p.NoIndex = true
	s.render(w, r, status, p, view.ErrorPage(p, d))
}
