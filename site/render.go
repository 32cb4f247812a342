package site

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"

	"github.com/a-h/templ"

	"github.com/lamport-kb/lamport/i18n"
	"github.com/lamport-kb/lamport/site/view"
)

// page returns the chrome data for a page titled title in lang.
func (s *Server) page(r *http.Request, lang, title string) view.Page {
	p := view.Page{
		Lang:    lang,
		M:       i18n.For(lang),
		Title:   title,
		Path:    strings.TrimPrefix(r.URL.Path, "/"+lang),
		Theme:   theme(r),
		BaseURL: s.cfg.BaseURL,
	}
	if !strings.HasPrefix(r.URL.Path, "/"+lang+"/") {
		p.Path = "/" // outside the language tree, the switch leads home
	}
	p.Tree, p.Links = s.current().tree[lang], s.links
	if s.graph {
		p.Links.Graph = "/" + lang + "/graph"
	}
	if s.assets.Built() {
		p.CSS, p.JS, p.Preload = s.assets.URL("site.css"), s.assets.URL("js/site.js"), s.preload
	}
	if s.cfg.Live {
		p.Live = "/_live"
	}
	return p
}

// theme is the reader's explicit theme choice from the cookie, if any.
func theme(r *http.Request) string {
	if c, err := r.Cookie("theme"); err == nil && (c.Value == "light" || c.Value == "dark") {
		return c.Value
	}
	return ""
}

// renderPage renders a page that depends only on what its cache key says
// (pageKey), caches it under key, and serves it.
func (s *Server) renderPage(w http.ResponseWriter, r *http.Request, key string, p view.Page, body templ.Component) {
	html, ok := s.renderHTML(w, r, p, body)
	if ok {
		writePage(w, r, s.current().pages.put(key, html))
	}
}

// renderHTML renders body inside the layout into memory, so a failing
// component becomes a clean 500 rather than half a page.
func (s *Server) renderHTML(w http.ResponseWriter, r *http.Request, p view.Page, body templ.Component) ([]byte, bool) {
	var buf bytes.Buffer
	ctx := templ.WithChildren(r.Context(), body)
	if err := view.Layout(p).Render(ctx, &buf); err != nil {
		if clientGone(r, err) {
			s.log.Debug("client closed request", "path", r.URL.Path, "err", err)
			w.WriteHeader(statusClientClosed)
			return nil, false
		}
		s.log.Error("render failed", "path", r.URL.Path, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return nil, false
	}
	return buf.Bytes(), true
}

// render writes a page that is not cached (errors, search results), with
// any status; the compression middleware compresses it.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, p view.Page, body templ.Component) {
	html, ok := s.renderHTML(w, r, p, body)
	if !ok {
		return
	}
	buf := bytes.NewBuffer(html)
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	h.Set("Vary", "Cookie, Accept-Encoding")
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		w.Write(buf.Bytes())
	}
}
