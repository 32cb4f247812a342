package site

import (
	"encoding/json"
	"errors"
	"go/format"
	"net/http"
	"regexp"
	"strings"

	"github.com/a-h/templ"

	"github.com/go-chi/chi/v5"

	"github.com/lamport-kb/lamport/i18n"
	"github.com/lamport-kb/lamport/playground"
	"github.com/lamport-kb/lamport/site/view"
	"github.com/lamport-kb/lamport/store"
)

// maxBody bounds a playground request (the source cap plus JSON overhead).
const maxBody = playground.MaxSource + 4096

// readRequest reads the program from a JSON body {"body": ...,
// "fakeTime": bool} or the form fields "body" and "faketime".
func readRequest(r *http.Request) (playground.Request, error) {
	var req playground.Request
	r.Body = http.MaxBytesReader(nil, r.Body, maxBody)
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			return req, httpError(http.StatusBadRequest, "invalid JSON: "+err.Error())
		}
		return req, nil
	}
	if err := r.ParseForm(); err != nil {
		return req, httpError(http.StatusRequestEntityTooLarge, "program too large")
	}
	req.Source, req.FakeTime = r.PostForm.Get("body"), r.PostForm.Get("faketime") != ""
	return req, nil
}

// readSource reads just the program.
func readSource(r *http.Request) (string, error) {
	req, err := readRequest(r)
	return req.Source, err
}

// run runs a program, mapping the playground's refusals to statuses.
func (s *Server) runProgram(r *http.Request, req playground.Request) (*playground.Response, error) {
	if s.cfg.Runner == nil {
		return nil, httpError(http.StatusServiceUnavailable, playground.ErrUnavailable.Error())
	}
	resp, err := s.cfg.Runner.Run(r.Context(), req)
	switch {
	case errors.Is(err, playground.ErrBusy):
		return nil, httpError(http.StatusTooManyRequests, err.Error())
	case errors.Is(err, playground.ErrUnavailable):
		return nil, httpError(http.StatusServiceUnavailable, err.Error())
	}
	return resp, err
}

// handleAPIRun is POST /api/run.
func (s *Server) handleAPIRun(w http.ResponseWriter, r *http.Request) error {
	req, err := readRequest(r)
	if err != nil {
		return jsonError(w, err)
	}
	resp, err := s.runProgram(r, req)
	if err != nil {
		return jsonError(w, err)
	}
	return writeJSON(w, http.StatusOK, resp)
}

// handleAPIFmt is POST /api/fmt: gofmt, with errors like the compiler's.
func (s *Server) handleAPIFmt(w http.ResponseWriter, r *http.Request) error {
	src, err := readSource(r)
	if err != nil {
		return jsonError(w, err)
	}
	out, ferr := format.Source([]byte(src))
	if ferr != nil {
		// go/format reports "LINE:COL: msg"; say which file, like the compiler.
		return writeJSON(w, http.StatusOK, map[string]string{"Body": src, "Error": "prog.go:" + ferr.Error()})
	}
	return writeJSON(w, http.StatusOK, map[string]string{"Body": string(out), "Error": ""})
}

func writeJSON(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	return json.NewEncoder(w).Encode(v)
}

// jsonError answers an API error as JSON with its status.
func jsonError(w http.ResponseWriter, err error) error {
	var se *statusError
	if !errors.As(err, &se) {
		return err
	}
	return writeJSON(w, se.status, map[string]string{"Error": se.msg})
}

// handlePlay is GET and POST /{lang}/play/{slug}: the pattern's demo in an
// editor. Without JavaScript the form posts here and the page shows the
// output; with it, play.js runs the program through /api/run.
func (s *Server) handlePlay(w http.ResponseWriter, r *http.Request) error {
	st, lang := s.current(), langOf(r)
	p := st.lib.Pattern(chi.URLParam(r, "slug"))
	if p == nil || p.Demo == nil {
		return errNotFound
	}
	d := view.PlayData{Title: doc(p, lang).Title, PatternURL: patternURL(lang, p.Slug), Source: p.Demo.Source, Sharing: s.cfg.Shares != nil}
	return s.renderPlay(w, r, lang, d)
}

// renderPlay renders the playground page, running the posted program
// first when the form was submitted.
func (s *Server) renderPlay(w http.ResponseWriter, r *http.Request, lang string, d view.PlayData) error {
	if r.Method == http.MethodPost {
		req, err := readRequest(r)
		if err != nil {
			return err
		}
		d.Source, d.FakeTime = req.Source, req.FakeTime
		resp, err := s.runProgram(r, req)
		if err != nil {
			return err
		}
		d.Ran, d.Errors, d.Status, d.Limit = true, resp.Errors, resp.Status, resp.Limit
		d.Output, d.Images = splitImages(resp.Output())
	}
	m := i18n.For(lang)
	title := m.PlayTitle
	if d.Title != "" {
		title += " · " + d.Title
	}
	pg := s.page(r, lang, title)
	pg.NoIndex = r.Method == http.MethodPost
	s.render(w, r, http.StatusOK, pg, view.Play(pg, d))
	return nil
}

// handleAPIShare is POST /api/share: stores the program and returns its
// link, /p/{id}.
func (s *Server) handleAPIShare(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.Shares == nil {
		return jsonError(w, httpError(http.StatusServiceUnavailable, "sharing is not enabled on this server"))
	}
	src, err := readSource(r)
	if err != nil {
		return jsonError(w, err)
	}
	if len(src) > playground.MaxSource {
		return jsonError(w, httpError(http.StatusRequestEntityTooLarge, "program too large"))
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
	lang := langOf(r)
	return s.renderPlay(w, r, lang, view.PlayData{PatternURL: "/" + lang + "/patterns/", Source: src, Sharing: true})
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
