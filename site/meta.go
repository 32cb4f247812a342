package site

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"sort"

	"github.com/lamport-kb/lamport/content"
	"github.com/lamport-kb/lamport/i18n"
)

func sprintf(format string, a ...any) string { return fmt.Sprintf(format, a...) }

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	fmt.Fprintln(w, "ok")
	return nil
}

// handleReady reports each dependency; any that is not ready makes it 503.
// A degraded but working dependency (unbuilt assets, a weaker playground
// jail) is reported without failing readiness.
func (s *Server) handleReady(w http.ResponseWriter, r *http.Request) error {
	st := s.current()
	report := map[string]string{
		"content": fmt.Sprintf("ok: %d patterns, hash %.12s", len(st.Library.Patterns), st.Library.Hash),
		"assets":  "ok: version " + s.assets.Version(),
		"search":  "ok",
	}
	ok := true
	if !s.assets.Built() {
		report["assets"] = "degraded: front end not built (run make)"
	}
	if st.Search == nil {
		report["search"] = "disabled"
	}
	for name, c := range s.checks {
		good, detail := c.Status()
		report[name] = detail
		ok = ok && good
	}
	status := http.StatusOK
	if !ok {
		status = http.StatusServiceUnavailable
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	return json.NewEncoder(w).Encode(map[string]any{"ready": ok, "checks": report})
}

func (s *Server) handleRobots(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintf(w, "User-agent: *\nDisallow: /api/\nDisallow: /*/search\nAllow: /\n\nSitemap: %s/sitemap.xml\n", s.cfg.BaseURL)
	return nil
}

type sitemapURL struct {
	Loc        string        `xml:"loc"`
	LastMod    string        `xml:"lastmod,omitempty"`
	Alternates []xhtmlLinkEl `xml:"xhtml:link"`
}

type xhtmlLinkEl struct {
	Rel      string `xml:"rel,attr"`
	Hreflang string `xml:"hreflang,attr"`
	Href     string `xml:"href,attr"`
}

// handleSitemap lists every page in every language, with hreflang
// alternates.
func (s *Server) handleSitemap(w http.ResponseWriter, r *http.Request) error {
	var urls []sitemapURL
	for _, page := range s.sitePaths() {
		for _, lang := range i18n.Langs {
			u := sitemapURL{Loc: s.cfg.BaseURL + page.url(lang), LastMod: page.lastmod}
			for _, alt := range i18n.Langs {
				u.Alternates = append(u.Alternates, xhtmlLinkEl{Rel: "alternate", Hreflang: alt, Href: s.cfg.BaseURL + page.url(alt)})
			}
			urls = append(urls, u)
		}
	}
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	fmt.Fprint(w, xml.Header)
	return xml.NewEncoder(w).Encode(struct {
		XMLName xml.Name     `xml:"urlset"`
		NS      string       `xml:"xmlns,attr"`
		XHTML   string       `xml:"xmlns:xhtml,attr"`
		URLs    []sitemapURL `xml:"url"`
	}{NS: "http://www.sitemaps.org/schemas/sitemap/0.9", XHTML: "http://www.w3.org/1999/xhtml", URLs: urls})
}

// sitePath is a page in every language: its URL in a language, and when
// it last changed.
type sitePath struct {
	url     func(lang string) string
	lastmod string
}

// sitePaths lists every page of the site.
func (s *Server) sitePaths() []sitePath {
	st := s.current()
	paths := []sitePath{{url: content.HomeURL}, {url: content.PatternsURL}, {url: content.TagsURL}, {url: content.PlaygroundURL}, {url: content.AboutURL}}
	if st.Graph != nil {
		paths = append(paths, sitePath{url: func(lang string) string { return "/" + lang + "/graph" }},
			sitePath{url: func(lang string) string { return "/" + lang + "/paths/" }})
		for _, lp := range st.Library.Paths {
			paths = append(paths, sitePath{url: func(lang string) string { return pathURL(lang, lp.ID) }})
		}
	}
	for _, p := range st.Library.Patterns {
		sp := sitePath{url: func(lang string) string { return content.PatternURL(lang, p.Slug) }}
		if d := p.Doc(i18n.English); !d.Updated.IsZero() {
			sp.lastmod = d.Updated.Format("2006-01-02")
		}
		paths = append(paths, sp)
	}
	var tags []string
	for id, ps := range st.index.byTag {
		if len(ps) > 0 {
			tags = append(tags, id)
		}
	}
	sort.Strings(tags)
	for _, t := range tags {
		paths = append(paths, sitePath{url: func(lang string) string { return content.TagURL(lang, t) }})
	}
	return paths
}

const favicon = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><circle cx="8" cy="8" r="5" fill="#0b5cad"/><circle cx="24" cy="12" r="5" fill="#2da44e"/><circle cx="12" cy="24" r="5" fill="#bf8700"/></svg>`

func (s *Server) handleFavicon(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "image/svg+xml")
	w.Header().Set("Cache-Control", "public, max-age=86400")
	fmt.Fprint(w, favicon)
	return nil
}
