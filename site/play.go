package site

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"regexp"
	"slices"
	"strings"

	"github.com/a-h/templ"

	"github.com/go-chi/chi/v5"

	"github.com/lamport-kb/lamport/i18n"
	"github.com/lamport-kb/lamport/playground"
	"github.com/lamport-kb/lamport/site/view"
	"github.com/lamport-kb/lamport/store"
)

// maxBody bounds a playground request: a program at the source cap with
// every byte escaped as JSON's \u00XX, plus room for the other fields.
const maxBody = 6*playground.MaxSource + 4096

// readRequest reads the program from a JSON body {"body": ..., "fakeTime":
// bool} or from the form fields "body" and "faketime" (the page's form
// without JavaScript). A body over the limits is 413; one that is not
// valid JSON or form data, or that has more after its JSON value, is 400;
// any other media type is 415.
func readRequest(r *http.Request) (playground.Request, error) {
	var req playground.Request
	r.Body = http.MaxBytesReader(nil, r.Body, maxBody)
	mediaType, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch {
	case err != nil:
		return req, errMediaType
	case mediaType == "application/json":
		err = readJSON(r.Body, &req)
	case mediaType == "application/x-www-form-urlencoded":
		err = readForm(r, &req)
	default:
		return req, errMediaType
	}
	if err == nil && len(req.Source) > playground.MaxSource {
		err = errTooLarge
	}
	return req, err
}

var (
	errMediaType = localError(http.StatusUnsupportedMediaType, func(m *i18n.Messages) string { return m.BadContentType })
	errTooLarge  = localError(http.StatusRequestEntityTooLarge, func(m *i18n.Messages) string {
		return m.ProgramTooLarge(playground.MaxSource)
	})
)

// readJSON decodes one JSON value, and nothing but white space after it.
func readJSON(body io.Reader, req *playground.Request) error {
	var tooBig *http.MaxBytesError
	dec := json.NewDecoder(body)
	err := dec.Decode(req)
	if err == nil {
		if _, err = dec.Token(); err == io.EOF {
			return nil
		}
		if !errors.As(err, &tooBig) {
			err = errTrailing
		}
	}
	switch {
	case errors.As(err, &tooBig):
		return errTooLarge
	case err == errTrailing:
		return localError(http.StatusBadRequest, func(m *i18n.Messages) string { return m.TrailingJSON })
	case err != nil:
		detail := err.Error()
		return localError(http.StatusBadRequest, func(m *i18n.Messages) string { return m.BadJSON + detail })
	}
	return nil
}

var errTrailing = errors.New("data after the JSON value")

func readForm(r *http.Request, req *playground.Request) error {
	var tooBig *http.MaxBytesError
	if err := r.ParseForm(); errors.As(err, &tooBig) {
		return errTooLarge
	} else if err != nil {
		return localError(http.StatusBadRequest, func(m *i18n.Messages) string { return m.BadForm })
	}
	req.Source, req.FakeTime = r.PostForm.Get("body"), r.PostForm.Get("faketime") != ""
	return nil
}

// readSource reads just the program.
func readSource(r *http.Request) (string, error) {
	req, err := readRequest(r)
	return req.Source, err
}

// busyRetry is the Retry-After of a busy playground: runs take seconds.
const busyRetry = 5

var (
	errBusy         = retryError(http.StatusTooManyRequests, busyRetry, func(m *i18n.Messages) string { return m.PlayBusy })
	errNoPlayground = localError(http.StatusServiceUnavailable, func(m *i18n.Messages) string { return m.PlayNoRunner })
)

// playgroundError maps the playground's refusals to statuses the reader
// can act on; other errors pass through.
func playgroundError(err error) error {
	var warming *playground.WarmingError
	switch {
	case errors.Is(err, playground.ErrBusy):
		return errBusy
	case errors.As(err, &warming):
		n := warming.Seconds()
		return retryError(http.StatusServiceUnavailable, n, func(m *i18n.Messages) string { return m.PlayWarming(n) })
	case errors.Is(err, playground.ErrUnavailable):
		return errNoPlayground
	}
	return err
}

// runProgram runs a program, mapping the playground's refusals to
// statuses, and says in the output of a run stopped by the time limit
// that it was, in m's language.
func (s *Server) runProgram(r *http.Request, req playground.Request, m *i18n.Messages) (*playground.Response, error) {
	if s.cfg.Runner == nil {
		return nil, errNoPlayground
	}
	resp, err := s.cfg.Runner.Run(r.Context(), req)
	s.metrics.runResult(resp, err)
	if err != nil {
		return nil, playgroundError(err)
	}
	return withTimeout(resp, m), nil
}

// withTimeout returns resp with "timeout running program" at the end of
// its output when the time limit stopped it, as the Go playground prints.
// resp may be shared (the playground caches results), so it is copied.
func withTimeout(resp *playground.Response, m *i18n.Messages) *playground.Response {
	if resp.Limit != "time" {
		return resp
	}
	msg := m.PlayTimeout + "\n"
	if out := resp.Output(); out != "" && !strings.HasSuffix(out, "\n") {
		msg = "\n" + msg
	}
	c := *resp
	c.Events = append(slices.Clip(resp.Events), playground.Event{Message: msg, Kind: "stderr"})
	return &c
}

// handleAPIRun is POST /api/run.
func (s *Server) handleAPIRun(w http.ResponseWriter, r *http.Request) error {
	req, err := readRequest(r)
	if err != nil {
		return err
	}
	m := i18n.For(apiLang(r))
	resp, err := s.runProgram(r, req, m)
	if err != nil {
		return err
	}
	out := apiRunResponse{Response: resp}
	if d := runsView(m, resp.Runs); d != nil {
		var b strings.Builder
		if err := view.PlayRuns(m, d).Render(r.Context(), &b); err != nil {
			return err
		}
		out.RunsHTML = b.String()
	}
	return writeJSON(w, http.StatusOK, out)
}

// apiRunResponse is /api/run's answer: the playground's response and, when
// the program made workflow runs, their view rendered in the request's
// language, which play.js puts under the output as the page without
// JavaScript shows it.
type apiRunResponse struct {
	*playground.Response
	RunsHTML string `json:",omitempty"`
}

// Formatter formats programs. The Runner formats too when it implements
// Formatter, as *playground.Service does (gofmt in a bounded child
// process); without one, /api/fmt answers 503.
type Formatter interface {
	Format(ctx context.Context, src string) (*playground.Formatted, error)
}

// handleAPIFmt is POST /api/fmt: gofmt, with errors like the compiler's.
// A format stopped by a limit keeps the program and says which limit.
func (s *Server) handleAPIFmt(w http.ResponseWriter, r *http.Request) error {
	src, err := readSource(r)
	if err != nil {
		return err
	}
	f, ok := s.cfg.Runner.(Formatter)
	if !ok {
		return errNoPlayground
	}
	res, err := f.Format(r.Context(), src)
	if err != nil {
		return playgroundError(err)
	}
	if res.Limit != "" {
		res.Body, res.Error = src, i18n.For(apiLang(r)).FormatStopped(res.Limit)
	}
	return writeJSON(w, http.StatusOK, res)
}

func writeJSON(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	return json.NewEncoder(w).Encode(v)
}

// handlePlay is GET and POST /{lang}/play/{slug}: the pattern's demo in an
// editor. Without JavaScript the form posts here and the page shows the
// output; with it, play.js runs the program through /api/run.
func (s *Server) handlePlay(w http.ResponseWriter, r *http.Request) error {
	st, lang := s.current(), langOf(r)
	p := st.Library.Pattern(chi.URLParam(r, "slug"))
	if p == nil || p.Demo == nil {
		return errNotFound
	}
	return s.renderPlay(w, r, lang, demoPage(st.Library, lang, p, s.cfg.Shares != nil))
}

// renderPlay renders the playground page, running the posted program
// first when the form was submitted.
func (s *Server) renderPlay(w http.ResponseWriter, r *http.Request, lang string, d view.PlayData) error {
	m := i18n.For(lang)
	if r.Method == http.MethodPost {
		req, err := readRequest(r)
		if err != nil {
			return err
		}
		d.Source, d.FakeTime = req.Source, req.FakeTime
		resp, err := s.runProgram(r, req, m)
		if err != nil {
			return err
		}
		d.Ran, d.Errors, d.Status, d.Limit = true, resp.Errors, resp.Status, resp.Limit
		d.Output, d.Images = splitImages(resp.Output())
		d.Runs = runsView(m, resp.Runs)
	}
	title := m.PlayTitle
	switch {
	case d.Heading != "" && d.Heading != m.PlayTitle:
		title = d.Heading + " · " + m.PlayTitle
	case d.Title != "":
		title += " · " + d.Title
	}
	pg := s.page(r, lang, title)
	pg.NoIndex = r.Method == http.MethodPost
	pg.Nav, pg.Description = "play", m.PlayIntro
	if strings.HasPrefix(d.EditKey, "/p/") {
		pg.SwitchPath = func(string) string { return d.EditKey }
		pg.SwitchQuery = "lang=" + i18n.Other(lang)
	}
	s.render(w, r, http.StatusOK, pg, view.Play(pg, d))
	return nil
}

// handleAPIShare is POST /api/share: stores the program and returns its
// link, /p/{id}.
func (s *Server) handleAPIShare(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.Shares == nil {
		return localError(http.StatusServiceUnavailable, func(m *i18n.Messages) string { return m.NoSharing })
	}
	src, err := readSource(r)
	if err != nil {
		return err
	}
	id, err := s.cfg.Shares.Put(r.Context(), src)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]string{"ID": id, "URL": "/p/" + id})
}

// handleShared is GET /p/{id}: a shared program in the playground, in the
// reader's negotiated language.
func (s *Server) handleShared(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.Shares == nil {
		return errNotFound
	}
	src, err := s.cfg.Shares.Get(r.Context(), chi.URLParam(r, "id"))
	if errors.Is(err, store.ErrNotFound) {
		return errNotFound
	}
	if err != nil {
		return err
	}
	lang := sharedLang(r)
	return s.renderPlay(w, r, lang, sharedPage(s.current().Library, lang, chi.URLParam(r, "id"), src))
}

// imageLine is an output line the playground shows as a picture (the Go
// playground's convention, see playground/picture).
var imageLine = regexp.MustCompile(`(?m)^IMAGE:([A-Za-z0-9+/=]+)\n?`)

// splitImages takes the image lines out of a program's output and returns
// them as data URLs for <img>, where an SVG cannot run script.
func splitImages(out string) (string, []templ.SafeURL) {
	var images []templ.SafeURL
	text := imageLine.ReplaceAllStringFunc(out, func(line string) string {
		b64 := imageLine.FindStringSubmatch(line)[1]
		typ := "image/svg+xml"
		if strings.HasPrefix(b64, "iVBOR") {
			typ = "image/png"
		}
		images = append(images, templ.SafeURL("data:"+typ+";base64,"+b64))
		return ""
	})
	return text, images
}
