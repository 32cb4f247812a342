package site

import (
	"net/http"
	"strings"

	"github.com/lamport-kb/lamport/i18n"
	"github.com/lamport-kb/lamport/search"
)

// apiSearchResults is the JSON of GET /api/search.
type apiSearchResults struct {
	Query      string
	Lang       string // "" when every language was searched
	Prefer     string // the language whose results come first, when Lang is ""
	Category   string `json:",omitempty"`
	Tag        string `json:",omitempty"`
	Total      int    // the results that can be paged through with offset
	Offset     int
	Hits       []apiSearchHit
	Suggestion string     // "did you mean": the query with its typos corrected, or ""
	Categories []apiFacet // results per category (under the tag filter)
	Tags       []apiFacet // results per tag (under the category filter)
}

type apiSearchHit struct {
	Slug, Lang, Title string
	Section, Heading  string // the section's id and title; empty for the page itself
	URL               string
	Snippet           string   // HTML: the matched words inside <mark>
	Text              string   // the snippet as plain text
	Marks             [][2]int // the matched words in Text: [start, end) in Unicode code points
	Score             float64
	Planned           bool // a planned pattern: URL is its planned page
}

type apiFacet struct {
	Value, Name string // the id, and its name in the reader's language
	Count       int
}

// handleAPISearch answers GET /api/search?q=&lang=&prefer=&category=&tag=&offset=&limit=
// with JSON: lang (en, zh) limits the results to one language, prefer
// puts one first; category and tag filter by catalog id; offset (0 to
// search.MaxResults) and limit (1 to search.MaxLimit, default 10) page.
// Errors are in the language of lang or prefer, else the page that asked.
func (s *Server) handleAPISearch(w http.ResponseWriter, r *http.Request) error {
	st, lang := s.current(), apiLang(r)
	m := i18n.For(lang)
	params := r.URL.Query()
	q, err := searchFilters(params, st.Library, m)
	if err != nil {
		return err
	}
	q.Lang, q.Prefer = params.Get("lang"), params.Get("prefer")
	var ok bool
	switch {
	case q.Text == "":
		return httpError(http.StatusBadRequest, m.SearchNoQuery)
	case q.Lang != "" && !i18n.Supported(q.Lang), q.Prefer != "" && !i18n.Supported(q.Prefer):
		return httpError(http.StatusBadRequest, sprintf(m.SearchBadLang, strings.Join(i18n.Langs, ", ")))
	}
	if q.Limit, ok = intParam(params, "limit", 1, search.MaxLimit, 10); !ok {
		return httpError(http.StatusBadRequest, sprintf(m.SearchBadLimit, search.MaxLimit))
	}
	if q.Offset, ok = intParam(params, "offset", 0, search.MaxResults, 0); !ok {
		return httpError(http.StatusBadRequest, sprintf(m.SearchBadPage, search.MaxResults/search.MaxLimit))
	}
	if q.Lang != "" {
		q.Prefer = ""
	}
	out := apiSearchResults{Query: q.Text, Lang: q.Lang, Prefer: q.Prefer, Category: q.Category, Tag: q.Tag, Offset: q.Offset,
		Hits: []apiSearchHit{}, Categories: []apiFacet{}, Tags: []apiFacet{}}
	if st.Search != nil {
		res, err := runSearch(r, st, q)
		if err != nil {
			return err
		}
		fillAPIResults(&out, res, st, lang)
	}
	return writeJSON(w, http.StatusOK, out)
}

func fillAPIResults(out *apiSearchResults, res *search.Results, st *state, lang string) {
	out.Total, out.Suggestion = res.Total, res.Suggestion
	for _, h := range res.Hits {
		marks := make([][2]int, 0, len(h.Marks))
		for _, mk := range h.Marks {
			marks = append(marks, [2]int{mk.Start, mk.End})
		}
		out.Hits = append(out.Hits, apiSearchHit{Slug: h.Slug, Lang: h.Lang, Title: h.Title, Section: h.SectionID,
			Heading: h.Heading, URL: h.URL, Snippet: h.Snippet, Text: h.Text, Marks: marks, Score: h.Score, Planned: h.Planned})
	}
	for _, f := range res.Categories {
		name := f.Value
		if c := st.Library.Category(f.Value); c != nil {
			name = c.Name.In(lang)
		}
		out.Categories = append(out.Categories, apiFacet{Value: f.Value, Name: name, Count: f.Count})
	}
	for _, f := range res.Tags {
		name := f.Value
		if t := st.Library.Tag(f.Value); t != nil {
			name = t.Name.In(lang)
		}
		out.Tags = append(out.Tags, apiFacet{Value: f.Value, Name: name, Count: f.Count})
	}
}
